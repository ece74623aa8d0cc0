// The Network tab (ui/NetworkEditor): a network built with the editor's buttons and keys, its
// live shapes and counts, problems at the layer and field with Train disabled, saving among the
// user's networks and choosing it in the set-up, import and export.
#include "UiTestSupport.h"

#include "ConfigPanel.h"
#include "CoreBridge.h"
#include "MainWindow.h"
#include "NetworkEditor.h"
#include "RunSummary.h"
#include "TestPaths.h"
#include "data/SkipTest.h"

#include "models/NetworkSpec.h"

#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTreeWidget>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

using mnist::LayerLocation;
using mnist::LayerStep;
using mnist::LayerType;
using List = LayerStep::List;

namespace {

// Points the user's data folder (and so their networks) at a temporary folder for one test.
struct UserDataFolder {
    TempDir dir;
    std::optional<std::string> saved;
    UserDataFolder()
    {
        if (const char* old = std::getenv("XDG_DATA_HOME"))
            saved = old;
        ::setenv("XDG_DATA_HOME", dir.path().c_str(), 1);
    }
    ~UserDataFolder()
    {
        if (saved)
            ::setenv("XDG_DATA_HOME", saved->c_str(), 1);
        else
            ::unsetenv("XDG_DATA_HOME");
    }
};

QTreeWidgetItem* rowWithKey(QTreeWidget* tree, const QString& key)
{
    QTreeWidgetItemIterator it(tree);
    for (; *it; ++it)
        if ((*it)->text(1) == key)
            return *it;
    return nullptr;
}

QPushButton* pushButton(QWidget* w, const char* name)
{
    auto* b = w->findChild<QPushButton*>(QString::fromLatin1(name));
    REQUIRE(b);
    return b;
}

LayerLocation top(size_t i)
{
    return {{List::Layers, i}};
}

} // namespace

TEST_CASE("network editor: a network built layer by layer shows its shapes and counts", "[ui][network]")
{
    UserDataFolder data;
    studio::NetworkEditor editor;
    editor.show();
    REQUIRE(QTest::qWaitForWindowExposed(&editor));
    CHECK_FALSE(editor.isValid()); // an empty network does not end in [10]
    CHECK_FALSE(pushButton(&editor, "trainNetwork")->isEnabled());

    for (LayerType t : {LayerType::Conv2d, LayerType::ReLU, LayerType::MaxPool2d, LayerType::Flatten, LayerType::Linear})
        REQUIRE(editor.addLayer(t));
    INFO((editor.specProblems().empty() ? std::string() : editor.specProblems().front().text()));
    REQUIRE(editor.isValid());
    CHECK(pushButton(&editor, "trainNetwork")->isEnabled());

    QTreeWidget* tree = editor.layerTree();
    REQUIRE(tree->topLevelItemCount() == 5);
    CHECK(tree->topLevelItem(0)->text(2) == "[32, 28, 28]");
    CHECK(tree->topLevelItem(0)->text(3) == "320"); // 32 * 9 + 32
    CHECK(tree->topLevelItem(2)->text(2) == "[32, 14, 14]");
    CHECK(tree->topLevelItem(4)->text(3) == "62,730"); // 6272 * 10 + 10
    const QString totals = editor.findChild<QLabel*>("networkTotals")->text();
    CHECK(totals.contains("63,050"));
    CHECK(editor.spec().layers.size() == 5);
}

TEST_CASE("network editor: a bad argument is shown at its field and layer, and Train waits", "[ui][network]")
{
    UserDataFolder data;
    studio::NetworkEditor editor;
    editor.openSpec(*mnist::findBuiltinNetworkSpec("LeNet"));
    editor.show();
    REQUIRE(QTest::qWaitForWindowExposed(&editor));
    REQUIRE(editor.isValid());

    // The convolution of LeNet's first block.
    QTreeWidget* tree = editor.layerTree();
    editor.selectLayer({{List::Layers, 0}, {List::Layers, 0}});
    auto* kernel = editor.findChild<QLineEdit*>("arg_kernel_size");
    REQUIRE(kernel);
    kernel->setFocus();
    kernel->selectAll();
    QTest::keyClicks(kernel, "abc");
    CHECK_FALSE(editor.isValid());
    CHECK_FALSE(pushButton(&editor, "trainNetwork")->isEnabled());
    CHECK_FALSE(pushButton(&editor, "saveNetwork")->isEnabled());
    // The tree is rebuilt on every key; the field being typed in stays, with what was typed.
    CHECK(editor.findChild<QLineEdit*>("arg_kernel_size") == kernel);
    CHECK(kernel->text() == "abc");
    auto* problem = editor.findChild<QLabel*>("problem_kernel_size");
    REQUIRE(problem);
    CHECK_FALSE(problem->isHidden());
    CHECK_FALSE(problem->text().isEmpty());
    auto* list = editor.findChild<QListWidget*>("networkProblems");
    REQUIRE(list->count() >= 1);
    CHECK(list->item(0)->text().contains("kernel_size"));
    // The problem's row says it too.
    bool marked = false;
    QTreeWidgetItemIterator it(tree);
    for (; *it; ++it)
        marked |= (*it)->text(5).contains("kernel_size");
    CHECK(marked);

    kernel->selectAll();
    QTest::keyClicks(kernel, "5");
    CHECK(editor.isValid());
    CHECK(pushButton(&editor, "trainNetwork")->isEnabled());
}

TEST_CASE("network editor: keys add, move, group into a residual block and remove", "[ui][network]")
{
    UserDataFolder data;
    studio::NetworkEditor editor;
    editor.show();
    REQUIRE(QTest::qWaitForWindowExposed(&editor));
    for (LayerType t : {LayerType::Conv2d, LayerType::Conv2d, LayerType::BatchNorm2d, LayerType::ReLU,
                        LayerType::AdaptiveAvgPool2d, LayerType::Flatten, LayerType::Linear})
        REQUIRE(editor.addLayer(t));
    REQUIRE(editor.isValid());
    QTreeWidget* tree = editor.layerTree();
    editor.activateWindow();
    REQUIRE(QTest::qWaitForWindowActive(&editor));
    tree->setFocus();

    // Select layers 1 and 2 (the second conv and its BatchNorm) and press Ctrl+R.
    tree->clearSelection();
    tree->setCurrentItem(tree->topLevelItem(1));
    tree->topLevelItem(1)->setSelected(true);
    tree->topLevelItem(2)->setSelected(true);
    QTest::keyClick(tree, Qt::Key_R, Qt::ControlModifier);
    REQUIRE(editor.spec().layers.size() == 6);
    CHECK(editor.spec().layers[1].type == LayerType::Residual);
    CHECK(editor.spec().layers[1].body.size() == 2);
    CHECK(editor.isValid());
    const auto sd = mnist::expectedStateDict(editor.spec());
    CHECK(sd[2].first == "1.body.0.weight");
    REQUIRE(rowWithKey(tree, "1.body.1"));

    // Ctrl+Down moves the ReLU after the pool; Delete removes it.
    editor.selectLayer(top(2));
    QTest::keyClick(tree, Qt::Key_Down, Qt::ControlModifier);
    CHECK(editor.spec().layers[3].type == LayerType::ReLU);
    REQUIRE(editor.selectedLayer());
    CHECK((*editor.selectedLayer() == top(3)));
    QTest::keyClick(tree, Qt::Key_Delete);
    CHECK(editor.spec().layers.size() == 5);
    CHECK(editor.isValid());

    // Ungroup the block again.
    editor.selectLayer(top(1));
    QTest::keyClick(tree, Qt::Key_G, Qt::ControlModifier | Qt::ShiftModifier);
    CHECK(editor.spec().layers.size() == 6);
    CHECK(editor.spec().layers[1].type == LayerType::Conv2d);
}

TEST_CASE("network editor: saved networks appear in the set-up's architecture list", "[ui][network]")
{
    UserDataFolder data;
    auto window = uitest::makeWindow();
    studio::NetworkEditor* editor = window->networkEditor();
    REQUIRE(editor);
    mnist::NetworkSpec spec = *mnist::findBuiltinNetworkSpec("ResNetSmall");
    editor->openSpec(spec);

    // A built-in name is refused.
    QString error;
    CHECK_FALSE(editor->saveToUserNetworks(false, &error));
    CHECK(error.contains("built-in"));

    auto* name = editor->findChild<QLineEdit*>("networkName");
    name->setFocus();
    name->selectAll();
    QTest::keyClicks(name, "MyRes");
    REQUIRE(editor->isValid());
    REQUIRE(editor->saveToUserNetworks(false, &error));
    const QString file = QString::fromStdString(studio::userNetworkFile("MyRes"));
    REQUIRE(QFile::exists(file));
    CHECK_FALSE(editor->saveToUserNetworks(false, &error)); // exists
    CHECK(editor->saveToUserNetworks(true, &error));

    window->useEditedNetwork(QStringLiteral("MyRes"), false);
    CHECK(window->configPanel()->config().arch == "MyRes");
    auto* arch = qobject_cast<QComboBox*>(window->configPanel()->fieldEditor("arch"));
    REQUIRE(arch);
    CHECK(arch->currentData().toString() == "MyRes");
    INFO(window->configPanel()->problems().join("; ").toStdString());
    CHECK(window->configPanel()->isValid());
    auto* startFrom = editor->findChild<QComboBox*>("startFrom");
    CHECK(startFrom->findData("MyRes") >= 0);
}

TEST_CASE("network editor: opens a network by name or from a spec file", "[ui][network]")
{
    UserDataFolder data;
    TempDir dir;
    studio::NetworkEditor editor;
    QString error;
    REQUIRE(editor.openNetwork("ResNetSmall", &error));
    CHECK(editor.spec().name == "ResNetSmall");
    CHECK(editor.isValid());
    CHECK_FALSE(editor.isModified());

    const std::string file = dir.file("mine.json");
    std::ofstream(file) << mnist::formatNetworkSpec(*mnist::findBuiltinNetworkSpec("LeNet"));
    REQUIRE(editor.openNetwork(QString::fromStdString(file), &error));
    CHECK(editor.spec().name == "LeNet");

    CHECK_FALSE(editor.openNetwork("NoSuchNet", &error));
    CHECK(error.contains("NoSuchNet"));
    CHECK(editor.spec().name == "LeNet");
}

TEST_CASE("network editor: import keeps a broken spec's problems, export writes the canonical file", "[ui][network]")
{
    UserDataFolder data;
    TempDir dir;
    studio::NetworkEditor editor;
    QString error;

    const std::string notJson = dir.file("broken.json");
    std::ofstream(notJson) << "{\"name\": \"X\", \"layers\": [";
    editor.openSpec(*mnist::findBuiltinNetworkSpec("LeNet"));
    CHECK_FALSE(editor.importFile(QString::fromStdString(notJson), &error));
    CHECK(error.contains("broken.json"));
    CHECK(editor.spec().name == "LeNet"); // left as it was
    CHECK_FALSE(editor.importFile(QString::fromStdString(dir.file("missing.json")), &error));

    const std::string bad = dir.file("bad.json");
    std::ofstream(bad) << R"({"name": "Bad", "input": [1, 28, 28], "classes": 10,
        "layers": [{"type": "Conv2d", "out_channels": 8, "kernel_size": 0}, {"type": "Flatten"},
                   {"type": "Linear", "out_features": 10}]})";
    REQUIRE(editor.importFile(QString::fromStdString(bad), &error));
    CHECK_FALSE(editor.isValid());
    CHECK(editor.specProblems().front().path == "layers[0].kernel_size");

    // Work in progress exports as it stands and imports back the same.
    const QString wip = QString::fromStdString(dir.file("wip.json"));
    REQUIRE(editor.exportFile(wip, &error));
    studio::NetworkEditor again;
    REQUIRE(again.importFile(wip, &error));
    CHECK(again.document() == editor.document());

    editor.openSpec(*mnist::findBuiltinNetworkSpec("SimpleNet"));
    const QString good = QString::fromStdString(dir.file("good.json"));
    REQUIRE(editor.exportFile(good, &error));
    CHECK(mnist::readNetworkSpecFile(good.toStdString()) == *mnist::findBuiltinNetworkSpec("SimpleNet"));
}

// The issue's promise end to end: a residual network built with the editor's own controls trains in
// the window, and its run folder's model.py (in real PyTorch) and ONNX export (in ONNX Runtime)
// give the same test predictions as MNIST Studio (scripts/check-interop.sh).
TEST_CASE("network editor: a residual network built in the editor trains, and PyTorch and ONNX Runtime agree with it",
          "[ui][network][interop]")
{
    const QString dataDir = QStringLiteral(MNIST_DATA_DIR "/mnist");
    const QString ortDir = QStringLiteral(MNIST_SOURCE_DIR "/third_party/onnxruntime-node/node_modules/onnxruntime-node");
    if (!QFileInfo::exists(dataDir + "/t10k-images-idx3-ubyte"))
        return fixtures::skipTest("no MNIST in data/mnist (run make data)");
    if (QStandardPaths::findExecutable("node").isEmpty() || !QFileInfo::exists(ortDir))
        return fixtures::skipTest("no node or onnxruntime-node (run scripts/setup.sh and scripts/fetch-onnxruntime.sh)");
    QProcess probe;
    probe.start("/usr/bin/python3", {"-c", "import torch"});
    if (!probe.waitForFinished(120'000) || probe.exitStatus() != QProcess::NormalExit || probe.exitCode() != 0)
        return fixtures::skipTest("no PyTorch for /usr/bin/python3 (python3-torch, run scripts/setup.sh)");

    UserDataFolder data;
    TempDir runs;
    auto w = uitest::makeWindow();
    w->setRunsFolder(QString::fromStdString(runs.path().string()));
    mnist::TrainConfig c;
    c.dataset = "idx";
    c.dataDir = dataDir.toStdString();
    c.epochs = 1;
    c.batchSize = 100;
    c.device = "cpu";
    w->configPanel()->setConfig(c);

    studio::NetworkEditor* editor = w->networkEditor();
    w->showTab(studio::MainWindow::Tab::Network);
    editor->openEmpty();
    for (LayerType t : {LayerType::Conv2d, LayerType::BatchNorm2d, LayerType::ReLU, LayerType::MaxPool2d, LayerType::Conv2d,
                        LayerType::BatchNorm2d, LayerType::ReLU, LayerType::MaxPool2d, LayerType::Flatten, LayerType::Linear})
        REQUIRE(editor->addLayer(t));
    // Eight channels keep the run short; typed into the editor's own field.
    for (size_t conv : {size_t(0), size_t(4)}) {
        editor->selectLayer(top(conv));
        auto* channels = editor->findChild<QLineEdit*>("arg_out_channels");
        REQUIRE(channels);
        channels->setFocus();
        channels->selectAll();
        QTest::keyClicks(channels, "8");
    }
    QTreeWidget* tree = editor->layerTree();
    tree->clearSelection();
    tree->setCurrentItem(tree->topLevelItem(4));
    tree->topLevelItem(4)->setSelected(true);
    tree->topLevelItem(5)->setSelected(true);
    REQUIRE(editor->groupSelected(LayerType::Residual));
    auto* name = editor->findChild<QLineEdit*>("networkName");
    name->setFocus();
    name->selectAll();
    QTest::keyClicks(name, "EditorRes");
    INFO((editor->specProblems().empty() ? std::string() : editor->specProblems().front().text()));
    REQUIRE(editor->isValid());
    REQUIRE(editor->spec().layers[4].type == LayerType::Residual);
    const auto sd = mnist::expectedStateDict(editor->spec());
    CHECK(std::any_of(sd.begin(), sd.end(), [](const auto& e) { return e.first == "4.body.0.weight"; }));

    QSignalSpy finished(w.get(), &studio::MainWindow::trainingFinished);
    pushButton(editor, "trainNetwork")->click(); // saves, chooses it in the set-up, trains
    REQUIRE(finished.wait(300'000));
    INFO(w->errorText().toStdString());
    const auto summary = finished.at(0).at(0).value<studio::RunSummary>();
    REQUIRE_FALSE(summary.failed);
    CHECK(w->configPanel()->config().arch == "EditorRes");

    std::vector<std::filesystem::path> folders;
    for (const auto& e : std::filesystem::directory_iterator(runs.path()))
        if (e.is_directory())
            folders.push_back(e.path());
    REQUIRE(folders.size() == 1);
    QProcess check;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("MNIST_TRAIN", QStringLiteral(MNIST_TRAIN_EXE));
    check.setProcessEnvironment(env);
    check.setProcessChannelMode(QProcess::MergedChannels);
    check.start("bash", {QStringLiteral(MNIST_SOURCE_DIR "/scripts/check-interop.sh"),
                         QString::fromStdString(folders[0].string()), QString(), dataDir});
    REQUIRE(check.waitForFinished(300'000));
    const QString out = QString::fromUtf8(check.readAll());
    INFO(out.toStdString());
    CHECK(check.exitCode() == 0);
    CHECK(out.contains("all three runtimes agree"));
    // The window's own last test accuracy is the one the saved weights give.
    const QRegularExpression ours(QStringLiteral("MNIST Studio: \\S+: (\\d+) / 10000 correct"));
    const auto m = ours.match(out);
    REQUIRE(m.hasMatch());
    CHECK(m.captured(1).toDouble() / 100.0 == Approx(summary.finalTestAccuracy).margin(1e-9));
}
