#include "UiTestSupport.h"

#include "setup/ConfigPanel.h"
#include "shared/CoreBridge.h"
#include "setup/LrPreviewChart.h"
#include "shared/NumberEdit.h"
#include "setup/RecipeList.h"

#include "optim/LrScheduler.h"
#include "spec/ConfigFields.h"
#include "spec/Recipes.h"

#include <catch2/catch.hpp>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QGroupBox>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTabWidget>

#include <algorithm>

using studio::ConfigPanel;

namespace {

template <typename W>
W* child(QObject* parent, const char* name)
{
    W* w = parent->findChild<W*>(QLatin1String(name));
    REQUIRE(w != nullptr);
    return w;
}

// Replaces a field's text the way a person does: select all, type.
void typeInto(QWidget* field, const QString& text)
{
    field->setFocus();
    QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(field, text);
}

mnist::TrainConfig nonDefaultConfig()
{
    mnist::TrainConfig c;
    c.dataset = "fashion-mnist";
    c.dataDir = "/somewhere/fashion";
    c.trainFraction = 0.75;
    c.arch = "LeNetDL-k3";
    c.epochs = 37;
    c.batchSize = 250;
    c.evalBatchSize = 500;
    c.lr = 3e-4;
    c.optimizer = "sgd";
    c.momentum = 0.85;
    c.nesterov = true;
    c.weightDecay = 1e-4;
    c.labelSmoothing = 0.15;
    c.emaDecay = 0.995;
    c.earlyStopPatience = 4;
    c.earlyStopMinDelta = 0.002;
    c.seed = 9876543210123ULL;
    c.threads = 3;
    c.device = "cpu";
    c.shuffle = true;
    c.memoryFormat = "channels-last";
    c.augment.crop = true;
    c.augment.cropScaleMin = 0.7;
    c.augment.cropScaleMax = 1.1;
    c.augment.cropRatioMin = 0.5;
    c.augment.cropRatioMax = 2.0;
    c.augment.rotate = true;
    c.augment.degrees = 15;
    c.augment.rotateBilinear = true;
    c.augment.erase = true;
    c.augment.eraseP = 0.3;
    c.augment.eraseScaleMin = 0.05;
    c.augment.eraseScaleMax = 0.3;
    c.augment.eraseRatioMin = 0.5;
    c.augment.eraseRatioMax = 2.5;
    c.augment.normalize = true;
    c.augment.mean = 0.1307;
    c.augment.std = 0.3081;
    return c;
}

} // namespace

TEST_CASE("The set-up panel round-trips every field of a TrainConfig", "[ui][config]")
{
    ConfigPanel panel;
    mnist::TrainConfig c = nonDefaultConfig();
    SECTION("cyclic, exp_range")
    {
        c.scheduler.type = "cyclic";
        c.scheduler.baseLr = 1e-4;
        c.scheduler.maxLr = 2e-3;
        c.scheduler.stepSizeUp = 700;
        c.scheduler.stepSizeDown = 300;
        c.scheduler.mode = "exp_range";
        c.scheduler.gamma = 0.9995;
    }
    SECTION("cosine")
    {
        c.scheduler.type = "cosine";
        c.scheduler.tMax = 1234;
        c.scheduler.etaMin = 1e-6;
    }
    SECTION("warm restarts")
    {
        c.scheduler.type = "warm-restarts";
        c.scheduler.t0 = 250;
        c.scheduler.tMult = 2;
        c.scheduler.etaMin = 1e-5;
    }
    SECTION("one cycle")
    {
        c.scheduler.type = "one-cycle";
        c.scheduler.maxLr = 5e-3;
        c.scheduler.pctStart = 0.25;
        c.scheduler.anneal = "linear";
        c.scheduler.divFactor = 10;
        c.scheduler.finalDivFactor = 1e3;
    }
    SECTION("step")
    {
        c.scheduler.type = "step";
        c.scheduler.stepSize = 480;
        c.scheduler.gamma = 0.5;
    }
    SECTION("exponential")
    {
        c.scheduler.type = "exponential";
        c.scheduler.gamma = 0.999;
    }
    SECTION("none, with the default (4/3) crop ratio that no spin box could hold exactly")
    {
        c.scheduler.type = "none";
        c.augment.cropRatioMin = 3.0 / 4.0;
        c.augment.cropRatioMax = 4.0 / 3.0;
    }
    QSignalSpy changed(&panel, &ConfigPanel::configChanged);
    panel.setConfig(c);
    CHECK(changed.count() == 1);
    CHECK(panel.problems().isEmpty());
    REQUIRE(mnist::toJsonText(panel.config()) == mnist::toJsonText(c));
    // Only the chosen scheduler's parameters are on show.
    for (const auto& f : mnist::configFields()) {
        if (f.section != "scheduler" || f.key == "scheduler.type")
            continue;
        INFO(f.key);
        QWidget* editor = panel.fieldEditor(QString::fromStdString(f.key));
        REQUIRE(editor != nullptr);
        CHECK(editor->isVisibleTo(&panel) == mnist::fieldApplies(f, c));
    }
}

namespace {

// Puts `text` into a field's widget the way a person would, whatever the kind of widget.
void enter(ConfigPanel& panel, const mnist::ConfigField& f, const mnist::TrainConfig& from)
{
    const QString key = QString::fromStdString(f.key);
    const QString text = QString::fromStdString(mnist::fieldText(f, from));
    INFO(f.key << " = " << text.toStdString());
    if (f.kind == mnist::FieldKind::RealPair) {
        const QStringList ends = text.split(QLatin1Char(','));
        typeInto(child<QWidget>(&panel, (f.key + ".min").c_str()), ends[0]);
        typeInto(child<QWidget>(&panel, (f.key + ".max").c_str()), ends[1]);
        return;
    }
    QWidget* w = panel.fieldEditor(key);
    REQUIRE(w != nullptr);
    REQUIRE(w->objectName() == key);
    if (auto* combo = qobject_cast<QComboBox*>(w)) {
        REQUIRE(combo->findData(text) >= 0);
        combo->setCurrentIndex(combo->findData(text));
    } else if (auto* box = qobject_cast<QGroupBox*>(w)) {
        box->setChecked(text == QLatin1String("true"));
    } else if (auto* check = qobject_cast<QCheckBox*>(w)) {
        check->setChecked(text == QLatin1String("true"));
    } else {
        typeInto(w, text);
    }
}

} // namespace

TEST_CASE("Every field of the table has a widget that edits it", "[ui][config][fields]")
{
    mnist::TrainConfig c = nonDefaultConfig();
    c.memoryFormat = "contiguous";
    SECTION("cosine") { c.scheduler.type = "cosine"; c.scheduler.tMax = 1234; c.scheduler.etaMin = 1e-6; }
    SECTION("cyclic exp_range")
    {
        c.scheduler.type = "cyclic";
        c.scheduler.baseLr = 1e-5;
        c.scheduler.maxLr = 2e-3;
        c.scheduler.stepSizeUp = 700;
        c.scheduler.stepSizeDown = 300;
        c.scheduler.mode = "exp_range";
        c.scheduler.gamma = 0.9995;
    }
    SECTION("warm restarts") { c.scheduler.type = "warm-restarts"; c.scheduler.t0 = 250; c.scheduler.tMult = 2; c.scheduler.etaMin = 1e-5; }
    SECTION("one cycle")
    {
        c.scheduler.type = "one-cycle";
        c.scheduler.maxLr = 5e-3;
        c.scheduler.pctStart = 0.25;
        c.scheduler.anneal = "linear";
        c.scheduler.divFactor = 10;
        c.scheduler.finalDivFactor = 1e3;
    }
    SECTION("step") { c.scheduler.type = "step"; c.scheduler.stepSize = 480; c.scheduler.gamma = 0.5; }
    SECTION("exponential") { c.scheduler.type = "exponential"; c.scheduler.gamma = 0.999; }
    REQUIRE(c.validate().empty());
    ConfigPanel panel;
    panel.show();
    REQUIRE(QTest::qWaitForWindowExposed(&panel));
    for (const auto& f : mnist::configFields())
        if (mnist::fieldApplies(f, c) || f.kind == mnist::FieldKind::Toggle)
            enter(panel, f, c);
    CHECK(mnist::toJsonText(panel.config()) == mnist::toJsonText(c));
    CHECK(panel.problems().isEmpty());
}

TEST_CASE("Editing the set-up widgets changes the config they stand for", "[ui][config]")
{
    ConfigPanel panel;
    panel.show();
    REQUIRE(QTest::qWaitForWindowExposed(&panel));
    auto* scheduler = child<QComboBox>(&panel, "scheduler.type");
    scheduler->setCurrentIndex(scheduler->findData(QStringLiteral("cyclic")));
    CHECK(child<QWidget>(&panel, "scheduler.step_size_up")->isVisibleTo(&panel));
    CHECK_FALSE(child<QWidget>(&panel, "scheduler.T_max")->isVisibleTo(&panel));
    typeInto(child<QSpinBox>(&panel, "scheduler.step_size_up"), QStringLiteral("1234"));
    typeInto(child<studio::NumberEdit>(&panel, "scheduler.max_lr"), QStringLiteral("2e-3"));
    typeInto(child<QSpinBox>(&panel, "epochs"), QStringLiteral("7"));
    typeInto(child<studio::NumberEdit>(&panel, "label_smoothing"), QStringLiteral("0.1"));
    typeInto(child<studio::NumberEdit>(&panel, "ema_decay"), QStringLiteral("0.999"));
    auto* arch = child<QComboBox>(&panel, "arch");
    arch->setCurrentIndex(arch->findData(QStringLiteral("LeNetDeep")));
    child<QGroupBox>(&panel, "augment.random_rotation")->setChecked(true);

    const mnist::TrainConfig& c = panel.config();
    CHECK(c.scheduler.type == "cyclic");
    CHECK(c.scheduler.stepSizeUp == 1234);
    CHECK(c.scheduler.maxLr == Approx(2e-3));
    CHECK(c.epochs == 7);
    CHECK(c.labelSmoothing == Approx(0.1));
    CHECK(c.emaDecay == Approx(0.999));
    CHECK(c.arch == "LeNetDeep");
    CHECK(c.augment.rotate);
    CHECK(panel.isValid());
    // The architecture's parameter count is shown with it.
    CHECK(child<QLabel>(&panel, "archInfo")->text().contains(QStringLiteral("107,372")));
    // And its layers, each with its output shape and parameters.
    const QString layers = child<QPlainTextEdit>(&panel, "layers")->toPlainText();
    INFO(layers.toStdString());
    CHECK(layers.contains(QStringLiteral("block4")));
    CHECK(layers.contains(QStringLiteral("Conv2d")));
    CHECK(layers.contains(QStringLiteral("[128, 1, 1]")));
    CHECK(layers.contains(QStringLiteral("107,372")));
}

TEST_CASE("An invalid value disables Train and the panel says why", "[ui][config]")
{
    auto w = uitest::makeWindow();
    ConfigPanel* panel = w->configPanel();
    REQUIRE(w->trainButton()->isEnabled());

    SECTION("batch size 0")
    {
        auto* batch = child<QSpinBox>(panel, "batch_size");
        typeInto(batch, QStringLiteral("0"));
        REQUIRE(panel->config().batchSize == 0);
        CHECK_FALSE(w->trainButton()->isEnabled());
        auto* label = child<QLabel>(panel, "trainingProblems");
        CHECK(label->isVisible());
        CHECK(label->text().contains(QStringLiteral("batch size must be between 1 and 65536")));
        CHECK(batch->property("invalid").toBool());
        typeInto(batch, QStringLiteral("64"));
        CHECK(w->trainButton()->isEnabled());
        CHECK_FALSE(label->isVisible());
        CHECK_FALSE(batch->property("invalid").toBool());
    }
    SECTION("label smoothing 1")
    {
        auto* smoothing = child<studio::NumberEdit>(panel, "label_smoothing");
        typeInto(smoothing, QStringLiteral("1"));
        CHECK_FALSE(w->trainButton()->isEnabled());
        CHECK(smoothing->property("invalid").toBool());
        CHECK(child<QLabel>(panel, "trainingProblems")->text().contains(QStringLiteral("label smoothing must be in [0, 1)")));
    }
    SECTION("EMA decay 1")
    {
        auto* ema = child<studio::NumberEdit>(panel, "ema_decay");
        typeInto(ema, QStringLiteral("1"));
        CHECK_FALSE(w->trainButton()->isEnabled());
        CHECK(ema->property("invalid").toBool());
        CHECK(child<QLabel>(panel, "trainingProblems")->text().contains(QStringLiteral("EMA decay must be in [0, 1)")));
        typeInto(ema, QStringLiteral("0.999"));
        CHECK(w->trainButton()->isEnabled());
    }
    SECTION("cyclic base_lr above max_lr")
    {
        auto* scheduler = child<QComboBox>(panel, "scheduler.type");
        scheduler->setCurrentIndex(scheduler->findData(QStringLiteral("cyclic")));
        REQUIRE(w->trainButton()->isEnabled());
        auto* baseLr = child<studio::NumberEdit>(panel, "scheduler.base_lr");
        typeInto(baseLr, QStringLiteral("0.01"));
        CHECK_FALSE(w->trainButton()->isEnabled());
        auto* label = child<QLabel>(panel, "schedulerProblems");
        CHECK(label->isVisible());
        CHECK(label->text().contains(QStringLiteral("base_lr")));
        CHECK(label->text().contains(QStringLiteral("must not exceed max_lr")));
        CHECK(baseLr->property("invalid").toBool());
        CHECK(w->trainButton()->toolTip().contains(QStringLiteral("base_lr")));
        // The preview explains that it has nothing to draw.
        CHECK(panel->lrPreview()->drawnPointCount() == 0);
        CHECK_FALSE(panel->lrPreview()->problem().isEmpty());
        typeInto(baseLr, QStringLiteral("1e-4"));
        CHECK(w->trainButton()->isEnabled());
    }
    SECTION("a learning rate that is not a number")
    {
        typeInto(child<studio::NumberEdit>(panel, "lr"), QStringLiteral("fast"));
        CHECK_FALSE(w->trainButton()->isEnabled());
        CHECK(child<QLabel>(panel, "trainingProblems")->text().contains(QStringLiteral("learning rate: 'fast' is not a number")));
    }
    SECTION("an augmentation range upside down")
    {
        child<QGroupBox>(panel, "augment.random_resized_crop")->setChecked(true);
        typeInto(child<studio::NumberEdit>(panel, "augment.random_resized_crop.scale.min"), QStringLiteral("1.5"));
        CHECK_FALSE(w->trainButton()->isEnabled());
        CHECK(child<QLabel>(panel, "augmentProblems")->text().contains(QStringLiteral("crop scale")));
    }
}

TEST_CASE("The LR preview plans with the chosen IDX folder's training images", "[ui][config][lr]")
{
    uitest::TinyDataset data(800, 50);
    ConfigPanel panel;
    panel.setConfig(data.config(3, 32));
    // floor(800 * 0.8) = 640 images: 20 batches of 32 per epoch, not MNIST's 1,500.
    CHECK(panel.lrPreview()->iterationsPerEpoch() == 20);
    CHECK(panel.lrPreview()->plannedIterations() == 60);
}

TEST_CASE("The LR preview follows the set-up and draws at most 2000 points", "[ui][config][lr]")
{
    ConfigPanel panel;
    studio::LrPreviewChart* preview = panel.lrPreview();
    // Defaults: 10 epochs of floor(60000 * 0.8) / 100 = 480 iterations.
    CHECK(preview->plannedIterations() == 4800);
    CHECK(preview->drawnPointCount() <= studio::LrPreviewChart::kMaxDrawnPoints);

    mnist::TrainConfig c;
    c.epochs = 100;
    c.batchSize = 250;
    c.scheduler.type = "cyclic";
    c.scheduler.baseLr = 1e-4;
    c.scheduler.maxLr = 1e-3;
    c.scheduler.stepSizeUp = 1000;
    panel.setConfig(c);
    CHECK(preview->iterationsPerEpoch() == 192);
    CHECK(preview->plannedIterations() == 19200);
    CHECK(preview->drawnPointCount() > 100);
    CHECK(preview->drawnPointCount() <= studio::LrPreviewChart::kMaxDrawnPoints);
    // The decimated view keeps the peaks: every cycle reaches max_lr at an iteration.
    const auto lr = mnist::lrSequence(c.scheduler, c.lr, 19200, 19200);
    CHECK(*std::max_element(lr.begin(), lr.end()) == Approx(1e-3));

    // Typing a new number of epochs updates the preview at once.
    typeInto(child<QSpinBox>(&panel, "epochs"), QStringLiteral("3"));
    CHECK(preview->plannedIterations() == 3 * 192);
    CHECK(preview->drawnPointCount() == 3 * 192);
}

TEST_CASE("A notebook recipe fills the panel with its settings in one click", "[ui][recipes]")
{
    auto w = uitest::makeWindow();
    child<QTabWidget>(w.get(), "leftTabs")->setCurrentIndex(1);
    QListWidget* list = w->recipeList()->list();
    const auto& recipes = mnist::notebookRecipes();
    const int studioRecipes = static_cast<int>(mnist::recipes().size()); // listed first
    REQUIRE(list->count() == studioRecipes + static_cast<int>(recipes.size()));

    const auto it = std::find_if(recipes.begin(), recipes.end(), [](const mnist::Recipe& r) {
        return r.config.arch == "SimpleNet";
    });
    REQUIRE(it != recipes.end());
    const int row = studioRecipes + static_cast<int>(it - recipes.begin());
    QListWidgetItem* item = list->item(row);
    CHECK(item->text().contains(QStringLiteral("docs/accuracy.md"))); // no figures in the program
    list->scrollToItem(item);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(item).center());

    const mnist::TrainConfig& c = w->configPanel()->config();
    CHECK(c.arch == "SimpleNet");
    CHECK(c.epochs == 100);
    CHECK(c.batchSize == 250);
    CHECK(c.lr == Approx(1e-3));
    CHECK(c.optimizer == "adam");
    CHECK_FALSE(c.shuffle);
    CHECK(c.scheduler.type == "warm-restarts");
    CHECK(c.scheduler.t0 == 1000);
    CHECK(c.scheduler.tMult == 1);
    CHECK(c.augment.crop);
    CHECK(c.augment.cropScaleMax == Approx(1.2));
    CHECK(c.augment.rotate);
    CHECK(c.augment.degrees == Approx(30));
    CHECK_FALSE(c.augment.erase);
    // The widgets show it, and the LR preview plans 100 x 192 iterations.
    CHECK(child<QComboBox>(w->configPanel(), "arch")->currentData().toString() == "SimpleNet");
    CHECK(child<QComboBox>(w->configPanel(), "scheduler.type")->currentData().toString() == "warm-restarts");
    CHECK(child<QSpinBox>(w->configPanel(), "scheduler.T_0")->value() == 1000);
    CHECK(w->configPanel()->lrPreview()->plannedIterations() == 19200);
    CHECK(w->trainButton()->isEnabled());
}

TEST_CASE("MNIST Studio's recipes load from the list and the Recipes menu, keeping the machine's settings", "[ui][recipes]")
{
    auto w = uitest::makeWindow();
    child<QTabWidget>(w.get(), "leftTabs")->setCurrentIndex(1);
    mnist::TrainConfig machine = w->configPanel()->config();
    machine.dataDir = "/data/elsewhere";
    machine.threads = 1;
    machine.device = "cpu";
    w->configPanel()->setConfig(machine);

    QListWidget* list = w->recipeList()->list();
    QListWidgetItem* item = list->item(1);
    REQUIRE(item->text().startsWith(QStringLiteral("MNIST Studio · balanced")));
    list->scrollToItem(item);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(item).center());
    mnist::TrainConfig expected = mnist::findRecipe("balanced")->config;
    expected.dataDir = "/data/elsewhere";
    expected.threads = 1;
    expected.device = "cpu";
    expected.dataset = machine.dataset;
    expected.evalBatchSize = machine.evalBatchSize;
    CHECK(mnist::toJsonText(w->configPanel()->config()) == mnist::toJsonText(expected));

    QAction* fast = nullptr;
    for (QAction* a : w->menuBar()->actions())
        if (a->menu() && a->text().remove(QLatin1Char('&')) == QStringLiteral("Recipes"))
            for (QAction* r : a->menu()->actions())
                if (r->text().startsWith(QStringLiteral("fast")))
                    fast = r;
    REQUIRE(fast != nullptr);
    fast->trigger();
    CHECK(w->configPanel()->config().arch == mnist::findRecipe("fast")->config.arch);
    CHECK(w->configPanel()->config().epochs == mnist::findRecipe("fast")->config.epochs);
    CHECK(w->configPanel()->config().dataDir == "/data/elsewhere");
    CHECK(w->trainButton()->isEnabled());
}

TEST_CASE("The last set-up and the window layout persist between sessions", "[ui][settings]")
{
    QSettings().clear();
    mnist::TrainConfig c = nonDefaultConfig();
    c.scheduler.type = "cosine";
    c.scheduler.tMax = 999;
    {
        studio::MainWindow w(true);
        w.configPanel()->setConfig(c);
        w.resize(1234, 876);
        w.show();
        REQUIRE(QTest::qWaitForWindowExposed(&w));
        w.close();
    }
    studio::MainWindow again(true);
    CHECK(mnist::toJsonText(again.configPanel()->config()) == mnist::toJsonText(c));
    CHECK(again.size() == QSize(1234, 876));

    // A window without settings starts from the defaults and leaves them alone.
    studio::MainWindow fresh(false);
    CHECK(mnist::toJsonText(fresh.configPanel()->config()) == mnist::toJsonText(mnist::TrainConfig{}));
    fresh.close();
    studio::MainWindow third(true);
    CHECK(third.configPanel()->config().scheduler.tMax == 999);
    QSettings().clear();
}
