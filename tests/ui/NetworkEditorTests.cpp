// The Network tab (ui/NetworkEditor): a network built with the editor's buttons and keys, its
// live shapes and counts, problems at the layer and field with Train disabled, saving among the
// user's networks and choosing it in the set-up, import and export; undo and redo of every edit,
// with the tree's selection and expanded rows kept.
#include "UiTestSupport.h"

#include "setup/ConfigPanel.h"
#include "shared/CoreBridge.h"
#include "window/MainWindow.h"
#include "network/NetworkEditor.h"
#include "network/NetworkSpecModel.h"
#include "shared/RunSummary.h"
#include "TestPaths.h"
#include "data/SkipTest.h"

#include "spec/NetworkSpec.h"
#include "spec/SpecEdit.h"

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
#include <QAction>
#include <QTabWidget>
#include <QTest>
#include <QTreeView>
#include <QUndoStack>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
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

// Every row of the tree under `parent`, depth first.
void forEachRow(const QAbstractItemModel* model, const std::function<void(const QModelIndex&)>& fn, const QModelIndex& parent = {})
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex row = model->index(r, 0, parent);
        fn(row);
        forEachRow(model, fn, row);
    }
}

QModelIndex rowWithKey(QTreeView* tree, const QString& key)
{
    QModelIndex found;
    forEachRow(tree->model(), [&](const QModelIndex& row) {
        if (row.siblingAtColumn(1).data().toString() == key)
            found = row;
    });
    return found;
}

// A top-level row's text in `column`.
QString cell(QTreeView* tree, int row, int column)
{
    return tree->model()->index(row, column).data().toString();
}

// Selects top-level rows, the first one current, as a mouse user would.
void selectTopRows(QTreeView* tree, std::initializer_list<int> rows)
{
    tree->clearSelection();
    tree->selectionModel()->setCurrentIndex(tree->model()->index(*rows.begin(), 0), QItemSelectionModel::NoUpdate);
    for (int r : rows)
        tree->selectionModel()->select(tree->model()->index(r, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

// The whole tree as text (every row's every column, indented by depth): what a user sees.
std::string treeText(const QAbstractItemModel* model)
{
    std::string text;
    const auto walk = [&](auto&& self, const QModelIndex& parent, int depth) -> void {
        for (int r = 0; r < model->rowCount(parent); ++r) {
            text += std::string(static_cast<size_t>(depth) * 2, ' ');
            for (int c = 0; c < model->columnCount(parent); ++c)
                text += model->index(r, c, parent).data().toString().toStdString() + " | ";
            text += "\n";
            self(self, model->index(r, 0, parent), depth + 1);
        }
    };
    walk(walk, {}, 0);
    return text;
}

// The editor's tree equals a tree made afresh from its document: the rows it inserted, removed
// and moved are the document's.
void checkTreeMatchesDocument(studio::NetworkEditor& editor)
{
    studio::NetworkSpecModel fresh;
    fresh.setDocument(editor.document());
    CHECK(treeText(editor.layerModel()) == treeText(&fresh));
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

    QTreeView* tree = editor.layerTree();
    REQUIRE(tree->model()->rowCount() == 5);
    CHECK(cell(tree, 0, 2) == "[32, 28, 28]");
    CHECK(cell(tree, 0, 3) == "320"); // 32 * 9 + 32
    CHECK(cell(tree, 2, 2) == "[32, 14, 14]");
    CHECK(cell(tree, 4, 3) == "62,730"); // 6272 * 10 + 10
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
    QTreeView* tree = editor.layerTree();
    editor.selectLayer({{List::Layers, 0}, {List::Layers, 0}});
    auto* kernel = editor.findChild<QLineEdit*>("arg_kernel_size");
    REQUIRE(kernel);
    kernel->setFocus();
    kernel->selectAll();
    QTest::keyClicks(kernel, "abc");
    CHECK_FALSE(editor.isValid());
    CHECK_FALSE(pushButton(&editor, "trainNetwork")->isEnabled());
    CHECK_FALSE(pushButton(&editor, "saveNetwork")->isEnabled());
    // The tree changes on every key; the field being typed in stays, with what was typed.
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
    forEachRow(tree->model(), [&](const QModelIndex& row) { marked |= row.siblingAtColumn(5).data().toString().contains("kernel_size"); });
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
    QTreeView* tree = editor.layerTree();
    editor.activateWindow();
    REQUIRE(QTest::qWaitForWindowActive(&editor));
    tree->setFocus();

    // Select layers 1 and 2 (the second conv and its BatchNorm) and press Ctrl+R.
    selectTopRows(tree, {1, 2});
    QTest::keyClick(tree, Qt::Key_R, Qt::ControlModifier);
    REQUIRE(editor.spec().layers.size() == 6);
    CHECK(editor.spec().layers[1].type == LayerType::Residual);
    CHECK(editor.spec().layers[1].body.size() == 2);
    CHECK(editor.isValid());
    const auto sd = mnist::expectedStateDict(editor.spec());
    CHECK(sd[2].first == "1.body.0.weight");
    REQUIRE(rowWithKey(tree, "1.body.1").isValid());

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
    QTreeView* tree = editor->layerTree();
    selectTopRows(tree, {4, 5});
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

namespace {

using json = nlohmann::json;

LayerLocation at(std::initializer_list<LayerStep> steps)
{
    return LayerLocation(steps);
}

// Selects layers in the tree, the first one current.
void selectLayers(studio::NetworkEditor& editor, std::initializer_list<LayerLocation> layers)
{
    QTreeView* tree = editor.layerTree();
    tree->clearSelection();
    tree->selectionModel()->setCurrentIndex(editor.layerModel()->indexOf(*layers.begin()), QItemSelectionModel::NoUpdate);
    for (const LayerLocation& where : layers) {
        const QModelIndex row = editor.layerModel()->indexOf(where);
        REQUIRE(row.isValid());
        tree->selectionModel()->select(row, QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
}

// Shows the editor with a built-in network open.
void showWithNetwork(studio::NetworkEditor& editor, const char* name)
{
    editor.show();
    REQUIRE(QTest::qWaitForWindowExposed(&editor));
    editor.openSpec(*mnist::findBuiltinNetworkSpec(name));
}

// Replaces a field's text by typing, one key at a time.
void typeInto(QLineEdit* field, const QString& text)
{
    REQUIRE(field);
    field->setFocus();
    field->selectAll();
    QTest::keyClicks(field, text);
}

// Chooses a type in the selected layer's form as the combo box does (its change is queued).
void chooseType(studio::NetworkEditor& editor, LayerType type)
{
    auto* combo = editor.findChild<QComboBox*>("layerType");
    REQUIRE(combo);
    const int index = combo->findText(QString::fromStdString(mnist::layerTypeName(type)));
    REQUIRE(index >= 0);
    combo->setCurrentIndex(index);
    Q_EMIT combo->activated(index);
    QCoreApplication::processEvents();
}

} // namespace

TEST_CASE("network editor: undo and redo of every kind of edit restore the exact document", "[ui][network][undo]")
{
    UserDataFolder data;
    studio::NetworkEditor editor;
    editor.resize(1200, 700);
    showWithNetwork(editor, "ResNetSmall");
    QUndoStack* undo = editor.undoStack();
    CHECK(undo->count() == 0);
    CHECK_FALSE(editor.isModified());
    const auto B = List::Body;
    const auto L = List::Layers;

    // One edit: one command named `text`; undo gives the document back to the byte, redo the
    // edited one, and the tree follows each time.
    const auto check = [&](const std::string& text, const std::function<void()>& edit) {
        INFO(text);
        editor.openSpec(*mnist::findBuiltinNetworkSpec("ResNetSmall"));
        const json before = editor.document();
        edit();
        const json after = editor.document();
        CHECK(after != before);
        REQUIRE(undo->count() == 1);
        CHECK(undo->undoText().toStdString() == text);
        CHECK(editor.isModified());
        checkTreeMatchesDocument(editor);
        undo->undo();
        CHECK(editor.document() == before);
        CHECK_FALSE(editor.isModified());
        checkTreeMatchesDocument(editor);
        undo->redo();
        CHECK(editor.document() == after);
        checkTreeMatchesDocument(editor);
        undo->undo();
        CHECK(editor.document() == before);
        return after;
    };

    SECTION("add, after a layer and into a residual's shortcut")
    {
        const json added = check("Add Conv2d", [&] {
            editor.selectLayer(top(2));
            REQUIRE(editor.addLayer(LayerType::Conv2d));
        });
        CHECK(added["layers"][3]["type"] == "Conv2d");
        const json into = check("Add BatchNorm2d", [&] {
            const QModelIndex shortcut = editor.layerModel()->index(1, 0, editor.layerModel()->indexOf(top(1)));
            REQUIRE(editor.layerModel()->listRowOf(shortcut) == List::Shortcut);
            editor.layerTree()->setCurrentIndex(shortcut);
            REQUIRE(editor.addLayer(LayerType::BatchNorm2d));
        });
        CHECK(into["layers"][1]["shortcut"][0]["type"] == "BatchNorm2d");
    }
    SECTION("remove one layer and a run of layers")
    {
        check("Remove ReLU", [&] {
            selectLayers(editor, {at({{L, 1}, {B, 2}})});
            REQUIRE(editor.removeSelected());
        });
        const json run = check("Remove 3 layers", [&] {
            selectLayers(editor, {at({{L, 0}, {L, 0}}), at({{L, 0}, {L, 1}}), at({{L, 0}, {L, 2}})});
            REQUIRE(editor.removeSelected());
        });
        CHECK(run["layers"][0]["layers"].empty());
    }
    SECTION("move within a block, out of a block, and a whole block")
    {
        check("Move BatchNorm2d up", [&] {
            editor.selectLayer(at({{L, 1}, {B, 1}}));
            REQUIRE(editor.moveSelected(-1));
            CHECK((*editor.selectedLayer() == at({{L, 1}, {B, 0}})));
        });
        const json out = check("Move Conv2d up", [&] {
            editor.selectLayer(at({{L, 1}, {B, 0}}));
            REQUIRE(editor.moveSelected(-1));
            CHECK((*editor.selectedLayer() == top(1)));
        });
        CHECK(out["layers"][2]["name"] == "res1");
        check("Move ReLU down", [&] {
            editor.selectLayer(at({{L, 0}, {L, 2}}));
            REQUIRE(editor.moveSelected(+1));
            CHECK((*editor.selectedLayer() == top(1)));
        });
        check("Move Sequential down", [&] {
            editor.selectLayer(top(0));
            REQUIRE(editor.moveSelected(+1));
        });
    }
    SECTION("group into a Sequential and a Residual, and ungroup")
    {
        // The document is SpecEdit's own result, not a look-alike.
        json expected = mnist::toJson(*mnist::findBuiltinNetworkSpec("ResNetSmall"));
        mnist::groupLayers(expected, top(6), 2, LayerType::Sequential);
        const json grouped = check("Group into a Sequential", [&] {
            selectLayers(editor, {top(6), top(7)});
            REQUIRE(editor.groupSelected(LayerType::Sequential));
        });
        CHECK(grouped == expected);
        check("Group into a Residual block", [&] {
            selectLayers(editor, {at({{L, 3}, {B, 1}}), at({{L, 3}, {B, 2}})});
            REQUIRE(editor.groupSelected(LayerType::Residual));
        });
        expected = mnist::toJson(*mnist::findBuiltinNetworkSpec("ResNetSmall"));
        mnist::ungroupLayer(expected, top(0));
        const json ungrouped = check("Ungroup Sequential", [&] {
            editor.selectLayer(top(0));
            REQUIRE(editor.ungroupSelected());
        });
        CHECK(ungrouped == expected);
        check("Ungroup Residual", [&] {
            editor.selectLayer(top(1));
            REQUIRE(editor.ungroupSelected());
        });
        // A block with a projection is not ungrouped, and nothing is recorded.
        editor.openSpec(*mnist::findBuiltinNetworkSpec("ResNetSmall"));
        editor.selectLayer(top(3));
        CHECK_FALSE(editor.ungroupSelected());
        CHECK(undo->count() == 0);
    }
    SECTION("change a type: layer to layer, block to block, block to layer, layer to block")
    {
        check("Change type to MaxPool2d", [&] {
            editor.selectLayer(at({{L, 0}, {L, 0}}));
            chooseType(editor, LayerType::MaxPool2d);
        });
        const json residual = check("Change type to Residual", [&] {
            editor.selectLayer(top(0));
            chooseType(editor, LayerType::Residual);
        });
        CHECK(residual["layers"][0]["body"].size() == 3);
        check("Change type to ReLU", [&] {
            editor.selectLayer(top(1));
            chooseType(editor, LayerType::ReLU);
        });
        check("Change type to Sequential", [&] {
            editor.selectLayer(top(2));
            chooseType(editor, LayerType::Sequential);
        });
    }
    SECTION("change an argument, rename a layer, rename and describe the network")
    {
        const json kernel = check("Change kernel_size", [&] {
            editor.selectLayer(at({{L, 1}, {B, 0}}));
            typeInto(editor.findChild<QLineEdit*>("arg_kernel_size"), "[3, 5]");
        });
        CHECK(kernel["layers"][1]["body"][0]["kernel_size"] == json({3, 5}));
        check("Rename layer", [&] {
            editor.selectLayer(top(2));
            typeInto(editor.findChild<QLineEdit*>("arg_name"), "act1");
        });
        check("Rename network", [&] { typeInto(editor.findChild<QLineEdit*>("networkName"), "MyRes"); });
        check("Change description", [&] { typeInto(editor.findChild<QLineEdit*>("networkDescription"), "mine"); });
    }
}

TEST_CASE("network editor: a typed value is one undo step, and the field shows what undo restores", "[ui][network][undo]")
{
    UserDataFolder data;
    studio::NetworkEditor editor;
    showWithNetwork(editor, "LeNet");
    QUndoStack* undo = editor.undoStack();
    const json before = editor.document();
    const LayerLocation conv{{List::Layers, 0}, {List::Layers, 0}};
    editor.selectLayer(conv);
    auto* channels = editor.findChild<QLineEdit*>("arg_out_channels");
    typeInto(channels, "128");
    CHECK(undo->count() == 1);
    CHECK(editor.document()["layers"][0]["layers"][0]["out_channels"] == 128);

    // Leaving the field ends the value: the next keys are a step of their own.
    auto* kernel = editor.findChild<QLineEdit*>("arg_kernel_size");
    typeInto(kernel, "3");
    CHECK(undo->count() == 2);
    typeInto(channels, "64");
    CHECK(undo->count() == 3);

    undo->undo();
    CHECK(channels->text() == "128");
    undo->undo();
    CHECK(kernel->text() == "5");
    CHECK(editor.findChild<QLineEdit*>("arg_kernel_size") == kernel); // the form is kept, its values follow
    undo->undo();
    CHECK(channels->text() == "16");
    CHECK(editor.document() == before);
    CHECK_FALSE(undo->canUndo());

    // Typed back to what it was: nothing to undo.
    typeInto(channels, "7");
    QTest::keyClick(channels, Qt::Key_Backspace);
    QTest::keyClicks(channels, "16");
    CHECK(editor.document() == before);
    CHECK(undo->count() == 0);
    CHECK_FALSE(editor.isModified());
}

TEST_CASE("network editor: the tree keeps its selection and collapsed blocks across edits, undo and redo", "[ui][network][undo]")
{
    UserDataFolder data;
    studio::NetworkEditor editor;
    showWithNetwork(editor, "LeNet");
    QTreeView* tree = editor.layerTree();
    studio::NetworkSpecModel* model = editor.layerModel();
    const auto expanded = [&](const LayerLocation& where) { return tree->isExpanded(model->indexOf(where)); };
    REQUIRE(expanded(top(0)));
    REQUIRE(expanded(top(1)));
    tree->collapse(model->indexOf(top(1)));

    // An argument of a layer in the other block: the selection and the collapsed block stay.
    const LayerLocation conv{{List::Layers, 0}, {List::Layers, 0}};
    editor.selectLayer(conv);
    typeInto(editor.findChild<QLineEdit*>("arg_out_channels"), "8");
    REQUIRE(editor.selectedLayer());
    CHECK((*editor.selectedLayer() == conv));
    CHECK_FALSE(expanded(top(1)));
    CHECK(expanded(top(0)));
    CHECK(tree->selectionModel()->selectedRows().size() == 1);

    // The collapsed block moves up: it stays collapsed and selected, the other stays open.
    editor.selectLayer(top(1));
    REQUIRE(editor.moveSelected(-1));
    CHECK(cell(tree, 0, 1) == "block2");
    CHECK_FALSE(expanded(top(0)));
    CHECK(expanded(top(1)));
    CHECK((*editor.selectedLayer() == top(0)));
    editor.undoStack()->undo();
    CHECK(cell(tree, 1, 1) == "block2");
    CHECK_FALSE(expanded(top(1)));
    CHECK(expanded(top(0)));
    CHECK((*editor.selectedLayer() == top(1)));
    editor.undoStack()->redo();
    CHECK_FALSE(expanded(top(0)));
    editor.undoStack()->undo();

    // Grouped, the blocks keep their state inside the new one, which opens.
    selectLayers(editor, {top(0), top(1)});
    REQUIRE(editor.groupSelected(LayerType::Sequential));
    const LayerLocation first{{List::Layers, 0}, {List::Layers, 0}};
    const LayerLocation second{{List::Layers, 0}, {List::Layers, 1}};
    CHECK(expanded(top(0)));
    CHECK(expanded(first));
    CHECK_FALSE(expanded(second));
    editor.undoStack()->undo();
    CHECK(expanded(top(0)));
    CHECK_FALSE(expanded(top(1)));
    std::vector<LayerLocation> selected;
    for (const QModelIndex& row : tree->selectionModel()->selectedRows())
        selected.push_back(*model->locationOf(row));
    CHECK(selected.size() == 2);

    // A layer removed and brought back by undo is selected again.
    editor.selectLayer(top(2));
    REQUIRE(editor.removeSelected());
    editor.undoStack()->undo();
    CHECK((*editor.selectedLayer() == top(2)));
}

TEST_CASE("network editor: every move, group and ungroup of the built-in networks is undone exactly", "[ui][network][undo]")
{
    UserDataFolder data;
    studio::NetworkEditor editor;
    for (const mnist::NetworkSpec& net : mnist::builtinNetworkSpecs()) {
        editor.openSpec(net);
        const json original = editor.document();
        std::vector<LayerLocation> layers;
        for (const mnist::LayerRow& row : editor.layerModel()->summary().rows)
            layers.push_back(row.layer);
        for (const LayerLocation& where : layers) {
            INFO(net.name << " " << mnist::layerTypeName(mnist::findLayer(editor.spec(), where)->type));
            for (int delta : {-1, +1}) {
                json expected = original;
                const auto moved = mnist::moveLayer(expected, where, delta);
                editor.selectLayer(where);
                CHECK(editor.moveSelected(delta) == moved.has_value());
                if (!moved)
                    continue;
                CHECK(editor.document() == expected);
                checkTreeMatchesDocument(editor);
                editor.undoStack()->undo();
                CHECK(editor.document() == original);
                checkTreeMatchesDocument(editor);
            }
            json expected = original;
            if (mnist::ungroupLayer(expected, where)) {
                editor.selectLayer(where);
                REQUIRE(editor.ungroupSelected());
                CHECK(editor.document() == expected);
                checkTreeMatchesDocument(editor);
                editor.undoStack()->undo();
                CHECK(editor.document() == original);
            }
            expected = original;
            mnist::groupLayers(expected, where, 1, LayerType::Residual);
            editor.selectLayer(where);
            REQUIRE(editor.groupSelected(LayerType::Residual));
            CHECK(editor.document() == expected);
            checkTreeMatchesDocument(editor);
            editor.undoStack()->undo();
            CHECK(editor.document() == original);
            checkTreeMatchesDocument(editor);
        }
    }
}

TEST_CASE("network editor: Edit ▸ Undo and Redo follow the Network tab and name the edit", "[ui][network][undo]")
{
    UserDataFolder data;
    auto window = uitest::makeWindow();
    studio::NetworkEditor* editor = window->networkEditor();
    auto* undo = window->findChild<QAction*>("editUndo");
    auto* redo = window->findChild<QAction*>("editRedo");
    REQUIRE(undo);
    REQUIRE(redo);
    const auto text = [](QAction* a) { return a->text().remove(QLatin1Char('&')); };
    window->showTab(studio::MainWindow::Tab::Network);
    editor->openEmpty();
    CHECK_FALSE(undo->isEnabled());
    CHECK_FALSE(redo->isEnabled());

    REQUIRE(editor->addLayer(LayerType::Conv2d));
    CHECK(undo->isEnabled());
    CHECK(text(undo) == "Undo Add Conv2d");
    CHECK_FALSE(redo->isEnabled());

    // Another tab has nothing to undo: the actions wait.
    window->showTab(studio::MainWindow::Tab::Runs);
    CHECK_FALSE(undo->isEnabled());
    window->showTab(studio::MainWindow::Tab::Network);
    CHECK(undo->isEnabled());

    undo->trigger();
    CHECK(editor->spec().layers.empty());
    CHECK_FALSE(undo->isEnabled());
    CHECK(redo->isEnabled());
    CHECK(text(redo) == "Redo Add Conv2d");
    redo->trigger();
    CHECK(editor->spec().layers.size() == 1);

    // Opening a network starts a new history.
    editor->openNetwork("LeNet", nullptr);
    CHECK_FALSE(undo->isEnabled());
    CHECK_FALSE(redo->isEnabled());
}

TEST_CASE("network editor: Ctrl+Z and Ctrl+Shift+Z undo and redo, also from a field being typed in", "[ui][network][undo]")
{
    UserDataFolder data;
    auto window = uitest::makeWindow();
    studio::NetworkEditor* editor = window->networkEditor();
    window->showTab(studio::MainWindow::Tab::Network);
    editor->openEmpty();
    window->activateWindow();
    REQUIRE(QTest::qWaitForWindowActive(window.get()));
    QTreeView* tree = editor->layerTree();
    tree->setFocus();
    REQUIRE(editor->addLayer(LayerType::Conv2d));
    REQUIRE(editor->addLayer(LayerType::ReLU));

    QTest::keyClick(tree, Qt::Key_Z, Qt::ControlModifier);
    CHECK(editor->spec().layers.size() == 1);
    QTest::keyClick(tree, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    REQUIRE(editor->spec().layers.size() == 2);

    editor->selectLayer(top(0));
    auto* channels = editor->findChild<QLineEdit*>("arg_out_channels");
    typeInto(channels, "64");
    REQUIRE(editor->document()["layers"][0]["out_channels"] == 64);
    QTest::keyClick(channels, Qt::Key_Z, Qt::ControlModifier);
    CHECK(editor->document()["layers"][0]["out_channels"] == 32);
    CHECK(channels->text() == "32");
    CHECK(editor->spec().layers.size() == 2); // one step: the whole value, not the add before it
    QTest::keyClick(channels, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    CHECK(channels->text() == "64");
}

TEST_CASE("network editor: saving marks the network unmodified, and undoing past the save modifies it again", "[ui][network][undo]")
{
    UserDataFolder data;
    studio::NetworkEditor editor;
    showWithNetwork(editor, "LeNet");
    typeInto(editor.findChild<QLineEdit*>("networkName"), "Mine");
    CHECK(editor.isModified());
    QString error;
    REQUIRE(editor.saveToUserNetworks(false, &error));
    CHECK_FALSE(editor.isModified());
    editor.undoStack()->undo();
    CHECK(editor.isModified());
    CHECK(editor.spec().name == "LeNet");
    CHECK(editor.findChild<QLineEdit*>("networkName")->text() == "LeNet");
    editor.undoStack()->redo();
    CHECK_FALSE(editor.isModified());
}
