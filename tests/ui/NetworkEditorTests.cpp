// The Network tab (ui/NetworkEditor): a network built with the editor's buttons and keys, its
// live shapes and counts, problems at the layer and field with Train disabled, saving among the
// user's networks and choosing it in the set-up, import and export.
#include "UiTestSupport.h"

#include "ConfigPanel.h"
#include "CoreBridge.h"
#include "MainWindow.h"
#include "NetworkEditor.h"

#include "models/NetworkSpec.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTest>
#include <QTreeWidget>

#include <cstdlib>
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
    auto* startFrom = editor->findChild<QComboBox*>("startFrom");
    CHECK(startFrom->findData("MyRes") >= 0);
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
