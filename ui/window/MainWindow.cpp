#include "window/MainWindow.h"

#include "window/ExportActions.h"
#include "window/ReportExport.h"
#include "window/RunController.h"
#include "window/RunSelection.h"
#include "shared/NumberFormat.h"

#include "augmentation/AugmentationPreview.h"
#include "shared/ChartExport.h"
#include "setup/ConfigPanel.h"
#include "shared/CoreBridge.h"
#include "window/DataDownloadFlow.h"
#include "draw/DrawDigitView.h"
#include "dataset/DatasetView.h"
#include "dataset/OpenDatasetDialog.h"
#include "dataset/RecentDatasets.h"
#include "evaluation/EvaluateWeightsDialog.h"
#include "evaluation/EvaluationView.h"
#include "window/MetaTypes.h"
#include "inspect/InspectView.h"
#include "evaluation/ProjectorView.h"
#include "network/NetworkEditor.h"
#include "setup/RecipeList.h"
#include "runs/RunBrowser.h"
#include "runs/RunComparisonChart.h"
#include "sweeps/SweepView.h"
#include "shared/Theme.h"
#include "training/TrainingDashboard.h"
#include "window/TrainingWorker.h"

#include "Error.h"
#include "data/DataLocations.h"
#include "run/RunFiles.h"
#include "run/RunIndex.h"
#include "spec/Recipes.h"
#include "run/RunLayout.h"

#include <QAction>
#include <QApplication>
#include <QChartView>
#include <QCloseEvent>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QActionGroup>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QThread>
#include <QToolButton>
#include <QUndoGroup>
#include <QUndoStack>
#include <QVBoxLayout>

#include <exception>
#include <iterator>
#include <functional>

namespace studio {
namespace {

const char* const kConfigKey = "setup/config";
const char* const kGeometryKey = "window/geometry";
const char* const kStateKey = "window/state";
const char* const kSplitterKey = "window/splitter";
const char* const kRecordKey = "runs/record";
const char* const kRunsFolderKey = "runs/folder";
const char* const kNetworkDraftKey = "network/draft";
const char* const kRecipesName = "recipes"; // --tab's word for the left side's recipes

// Every tab of the notebook, in order: the one list the tab widget, showTab(), the View menu and
// --tab are built from.
struct TabEntry {
    MainWindow::Tab tab;
    const char* name;     // --tab's word
    const char* title;    // on the tab
    const char* menuText; // in the View menu, with its mnemonic
    QWidget* (*page)(const MainWindow& window);
};

constexpr TabEntry kTabs[] = {
    {MainWindow::Tab::Dashboard, "training", QT_TRANSLATE_NOOP("studio::MainWindow", "Training"),
     QT_TRANSLATE_NOOP("studio::MainWindow", "&Training dashboard"), [](const MainWindow& w) -> QWidget* { return w.dashboard(); }},
    {MainWindow::Tab::AugmentationPreview, "preview", QT_TRANSLATE_NOOP("studio::MainWindow", "Augmentation preview"),
     QT_TRANSLATE_NOOP("studio::MainWindow", "&Augmentation preview"), [](const MainWindow& w) -> QWidget* { return w.augmentationPreview(); }},
    {MainWindow::Tab::Runs, "runs", QT_TRANSLATE_NOOP("studio::MainWindow", "Runs"), QT_TRANSLATE_NOOP("studio::MainWindow", "&Runs"),
     [](const MainWindow& w) -> QWidget* { return w.runBrowser(); }},
    {MainWindow::Tab::Evaluation, "evaluation", QT_TRANSLATE_NOOP("studio::MainWindow", "Evaluation"),
     QT_TRANSLATE_NOOP("studio::MainWindow", "&Evaluation"), [](const MainWindow& w) -> QWidget* { return w.evaluationView(); }},
    {MainWindow::Tab::DrawDigit, "draw", QT_TRANSLATE_NOOP("studio::MainWindow", "Draw a digit"),
     QT_TRANSLATE_NOOP("studio::MainWindow", "&Draw a digit"), [](const MainWindow& w) -> QWidget* { return w.drawDigitView(); }},
    {MainWindow::Tab::Network, "network", QT_TRANSLATE_NOOP("studio::MainWindow", "Network"), QT_TRANSLATE_NOOP("studio::MainWindow", "&Network"),
     [](const MainWindow& w) -> QWidget* { return w.networkEditor(); }},
    {MainWindow::Tab::Inspect, "inspect", QT_TRANSLATE_NOOP("studio::MainWindow", "Inspect"), QT_TRANSLATE_NOOP("studio::MainWindow", "&Inspect"),
     [](const MainWindow& w) -> QWidget* { return w.inspectView(); }},
    {MainWindow::Tab::Projector, "projector", QT_TRANSLATE_NOOP("studio::MainWindow", "Projector"),
     QT_TRANSLATE_NOOP("studio::MainWindow", "&Projector"), [](const MainWindow& w) -> QWidget* { return w.projectorView(); }},
    {MainWindow::Tab::Sweeps, "sweeps", QT_TRANSLATE_NOOP("studio::MainWindow", "Sweeps"), QT_TRANSLATE_NOOP("studio::MainWindow", "&Sweeps"),
     [](const MainWindow& w) -> QWidget* { return w.sweepView(); }},
};

// The table is in the enum's order, so that a tab's entry is kTabs[tab].
constexpr bool inEnumOrder()
{
    for (size_t i = 0; i < std::size(kTabs); ++i)
        if (kTabs[i].tab != static_cast<MainWindow::Tab>(i))
            return false;
    return true;
}
static_assert(inEnumOrder() && std::size(kTabs) == static_cast<size_t>(MainWindow::Tab::Sweeps) + 1, "kTabs lists every tab in the enum's order");

const TabEntry& tabEntry(MainWindow::Tab tab)
{
    return kTabs[static_cast<size_t>(tab)];
}

} // namespace

MainWindow::MainWindow(bool useSettings, QWidget* parent) : QMainWindow(parent), m_useSettings(useSettings)
{
    registerMetaTypes();
    m_run = new RunController(this);
    m_selection = new RunSelection(this);
    m_report = new ReportExport(this);
    connect(m_report, &ReportExport::finished, this, [this](const QString& path, const QStringList& notes, const QString& error) {
        if (!error.isEmpty())
            showError(tr("The report could not be written: %1").arg(error));
        else
            statusBar()->showMessage(notes.isEmpty() ? tr("Wrote the report %1").arg(path)
                                                     : tr("Wrote the report %1 (%2)").arg(path, notes.join(QStringLiteral("; "))));
    });
    m_runsFolder = QString::fromStdString(mnist::defaultRunsDir());
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("MNIST Studio"));

    m_panel = new ConfigPanel;
    auto* panelScroll = new QScrollArea;
    panelScroll->setWidget(m_panel);
    panelScroll->setWidgetResizable(true);
    panelScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    panelScroll->setMinimumWidth(m_panel->sizeHint().width() + 24);
    m_recipes = new RecipeList;
    m_leftTabs = new QTabWidget;
    m_leftTabs->setObjectName(QStringLiteral("leftTabs"));
    m_leftTabs->addTab(panelScroll, tr("Set-up"));
    m_leftTabs->addTab(m_recipes, tr("Recipes"));

    // Controls and the error banner above the dashboard.
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 4, 4, 4);
    auto* controls = new QHBoxLayout;
    m_train = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Train"));
    m_train->setObjectName(QStringLiteral("trainButton"));
    m_train->setDefault(true);
    m_pause = new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"));
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_pause->setCheckable(true);
    m_stop = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"));
    m_stop->setObjectName(QStringLiteral("stopButton"));
    connect(m_train, &QPushButton::clicked, this, &MainWindow::startTraining);
    connect(m_pause, &QPushButton::toggled, this, &MainWindow::setPaused);
    connect(m_stop, &QPushButton::clicked, this, &MainWindow::stopTraining);
    m_runLabel = new QLabel;
    m_runLabel->setObjectName(QStringLiteral("runLabel"));
    m_runLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    controls->addWidget(m_train);
    controls->addWidget(m_pause);
    controls->addWidget(m_stop);
    controls->addSpacing(12);
    controls->addWidget(m_runLabel, 1);
    rightLayout->addLayout(controls);

    // Errors appear here rather than in a modal dialog: the run has ended, nothing needs an answer.
    m_errorBanner = new QFrame;
    m_errorBanner->setObjectName(QStringLiteral("errorBanner"));
    // Coloured by the #errorBanner rules of resources/style/studio.qss.
    auto* bannerLayout = new QHBoxLayout(m_errorBanner);
    m_errorLabel = new QLabel;
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* dismiss = new QToolButton;
    dismiss->setText(QStringLiteral("✕"));
    dismiss->setToolTip(tr("Dismiss"));
    dismiss->setAutoRaise(true);
    connect(dismiss, &QToolButton::clicked, m_errorBanner, &QWidget::hide);
    bannerLayout->addWidget(m_errorLabel, 1);
    bannerLayout->addWidget(dismiss, 0, Qt::AlignTop);
    m_errorBanner->hide();
    rightLayout->addWidget(m_errorBanner);

    m_dashboard = new TrainingDashboard;
    m_preview = new AugmentationPreview;
    m_browser = new RunBrowser;
    m_browser->setRunsFolder(m_runsFolder);
    m_evaluation = new EvaluationView;
    m_evaluation->setRunProvider([this] { return modelRunDir(); });
    m_draw = new DrawDigitView;
    m_draw->setCurrentRunProvider([this] { return m_selection->modelRun(); });
    m_draw->setSelectedRunProvider([this] { return modelRunDir(); });
    m_network = new NetworkEditor;
    m_inspect = new InspectView;
    m_projector = new ProjectorView;
    m_projector->setAutoProject(true);
    m_sweeps = new SweepView;
    m_sweeps->setBaseConfigProvider([this] { return m_panel->config(); });
    m_sweeps->setSweepsFolder(QDir(m_runsFolder).filePath(QStringLiteral("sweeps")));
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    for (const TabEntry& t : kTabs)
        m_tabs->addTab(t.page(*this), tr(t.title));
    connect(m_evaluation, &EvaluationView::inspectRequested, this, [this](const QString& dir, int imageIndex) {
        showTab(Tab::Inspect); // first: showing the tab picks a run of its own, which this one replaces
        m_inspect->setImageIndex(imageIndex);
        m_inspect->setRun(dir);
    });
    connect(m_projector, &ProjectorView::inspectRequested, this, [this](const QString& dir, int imageIndex) {
        showTab(Tab::Inspect);
        m_inspect->setImageIndex(imageIndex);
        m_inspect->setRun(dir);
    });
    connect(m_draw, &DrawDigitView::inspectRequested, this, [this](const QString& dir, const std::vector<uint8_t>& pixels) {
        showTab(Tab::Inspect);
        m_inspect->setDrawnImage(pixels);
        m_inspect->setRun(dir);
    });
    connect(m_network, &NetworkEditor::useNetwork, this, &MainWindow::useEditedNetwork);
    // The network being edited is kept as a draft on every edit: a crash or a closed window loses
    // nothing that was typed.
    connect(m_network, &NetworkEditor::documentChanged, this, [this] {
        if (m_useSettings)
            QSettings().setValue(QLatin1String(kNetworkDraftKey), QString::fromStdString(m_network->document().dump()));
    });
    connect(m_browser, &RunBrowser::openRequested, this, &MainWindow::openRun);
    connect(m_browser, &RunBrowser::resumeRequested, this, &MainWindow::resumeRun);
    rightLayout->addWidget(m_tabs, 1);
    // The settings the preview shows sit next to it.
    // The Inspect tab follows the run in progress, else the run chosen in the Runs tab (or the latest).
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int) {
        if (m_tabs->currentWidget() == m_inspect && m_selection->currentRun().isEmpty())
            m_inspect->setRun(modelRunDir());
    });
    // The Projector shows the run chosen in the Runs tab, else the latest.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int) {
        if (m_tabs->currentWidget() == m_projector)
            m_projector->setRun(modelRunDir());
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this, panelScroll](int) {
        if (m_tabs->currentWidget() == m_preview) {
            m_leftTabs->setCurrentIndex(0);
            panelScroll->ensureWidgetVisible(m_panel->augmentSection(), 0, 0);
        }
    });

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(m_leftTabs);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setCollapsible(1, false);
    setCentralWidget(m_splitter);

    buildMenus();

    connect(m_panel, &ConfigPanel::configChanged, this, [this] {
        m_preview->setConfig(m_panel->config());
        m_draw->setDefaultConfig(m_panel->config());
        updateControls();
    });
    connect(m_panel, &ConfigPanel::validityChanged, this, &MainWindow::updateControls);
    connect(m_recipes, &RecipeList::recipeChosen, this, &MainWindow::loadRecipe);
    connect(m_recipes, &RecipeList::studioRecipeChosen, this, &MainWindow::loadStudioRecipe);

    if (m_useSettings)
        restoreSettings();
    else
        resize(1500, 950);
    m_preview->setConfig(m_panel->config());
    m_draw->setDefaultConfig(m_panel->config());
    connectRunController();
    updateControls();
    statusBar()->showMessage(tr("Ready"));
}

MainWindow::~MainWindow()
{
    m_run->stopAndJoin();
}

bool MainWindow::isTraining() const
{
    return m_run->isRunning();
}

void MainWindow::buildMenus()
{
    connectDatasetButton();
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open set-up…"), QKeySequence::Open, this, &MainWindow::openConfig);
    file->addAction(tr("&Save set-up as…"), QKeySequence::SaveAs, this, &MainWindow::saveConfig);
    file->addSeparator();
    file->addAction(tr("Open &dataset…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this,
                    &MainWindow::showOpenDataset);
    m_recentDatasetsMenu = file->addMenu(tr("&Recent datasets"));
    m_recentDatasetsMenu->setObjectName(QStringLiteral("recentDatasetsMenu"));
    connect(m_recentDatasetsMenu, &QMenu::aboutToShow, this, [this] {
        m_recentDatasetsMenu->clear();
        const QVector<DatasetChoice> recent = m_useSettings ? recentDatasets() : QVector<DatasetChoice>();
        if (recent.isEmpty())
            m_recentDatasetsMenu->addAction(tr("(none yet)"))->setEnabled(false);
        for (const DatasetChoice& c : recent)
            m_recentDatasetsMenu->addAction(describeChoice(c), this, [this, c] { openDataset(c.kind, c.path); });
    });
    file->addSeparator();
    file->addAction(tr("&Evaluate weights…"), this, &MainWindow::showEvaluateWeights);
    QMenu* charts = file->addMenu(tr("Export &chart"));
    const QList<QPair<QString, std::function<QChartView*()>>> views = {
        {tr("Per-epoch chart"), [this] { return m_dashboard->epochChartView(); }},
        {tr("Learning-rate chart"), [this] { return m_dashboard->lrChartView(); }},
        {tr("Loss-per-iteration chart"), [this] { return m_dashboard->lossChartView(); }},
        {tr("Run comparison chart"), [this] { return m_browser->comparison()->chartView(); }}};
    const QStringList baseNames = {QStringLiteral("epochs"), QStringLiteral("learning-rate"),
                                   QStringLiteral("loss-per-iteration"), QStringLiteral("compared-runs")};
    for (int i = 0; i < views.size(); ++i) {
        const auto view = views[i].second;
        const QString base = baseNames[i];
        charts->addAction(tr("%1 as PNG…").arg(views[i].first), this, [this, view, base] { exportChart(view(), base, false); });
        charts->addAction(tr("%1 as SVG…").arg(views[i].first), this, [this, view, base] { exportChart(view(), base, true); });
    }
    file->addAction(tr("Export &metrics of the selected runs (CSV)…"), this, [this] {
        if (m_browser->selectedRunDirs().isEmpty()) {
            showTab(Tab::Runs);
            showError(tr("Select one or more runs in the Runs tab to export their metrics."));
            return;
        }
        const QString path = QFileDialog::getSaveFileName(this, tr("Export metrics"), QStringLiteral("runs.csv"), tr("CSV (*.csv)"));
        QString error;
        if (!path.isEmpty() && !m_browser->exportMetricsCsv(m_browser->selectedRunDirs(), path, &error))
            showError(error);
    });
    QMenu* model = file->addMenu(tr("Export &model"));
    addModelExportActions(model, [this](ModelFormat f) { exportModelInteractively(static_cast<int>(f)); });
    file->addAction(tr("Export &report…"), this, &MainWindow::exportReportInteractively)
        ->setObjectName(QStringLiteral("exportReport"));
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    // Undo and redo act on the tab that is shown; only the Network tab has edits to undo.
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    auto* undoGroup = new QUndoGroup(this);
    undoGroup->addStack(m_network->undoStack());
    QAction* undo = undoGroup->createUndoAction(edit, tr("&Undo"));
    undo->setObjectName(QStringLiteral("editUndo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = undoGroup->createRedoAction(edit, tr("&Redo"));
    redo->setObjectName(QStringLiteral("editRedo"));
    // Ctrl+Shift+Z on every platform, beside the platform's own keys (Ctrl+Y on Windows).
    QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
    if (!redoKeys.contains(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)))
        redoKeys.prepend(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
    redo->setShortcuts(redoKeys);
    edit->addActions({undo, redo});
    const auto followTab = [this, undoGroup] {
        undoGroup->setActiveStack(m_tabs->currentWidget() == m_network ? m_network->undoStack() : nullptr);
    };
    connect(m_tabs, &QTabWidget::currentChanged, undoGroup, followTab);
    followTab();

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    m_trainAction = run->addAction(tr("&Train"), QKeySequence(Qt::CTRL | Qt::Key_Return), this, &MainWindow::startTraining);
    m_pauseAction = run->addAction(tr("&Pause"));
    m_pauseAction->setCheckable(true);
    connect(m_pauseAction, &QAction::toggled, m_pause, &QPushButton::setChecked);
    m_stopAction = run->addAction(tr("&Stop"), QKeySequence(Qt::CTRL | Qt::Key_Period), this, &MainWindow::stopTraining);
    run->addSeparator();
    QAction* sweep = run->addAction(tr("New s&weep…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W), this, [this] {
        showTab(Tab::Sweeps);
        m_sweeps->newSweep();
    });
    sweep->setObjectName(QStringLiteral("newSweepAction"));
    run->addSeparator();
    m_recordAction = run->addAction(tr("&Record runs (config, metrics, LR, model) under runs/"));
    m_recordAction->setCheckable(true);
    m_recordAction->setChecked(true);

    QMenu* recipes = menuBar()->addMenu(tr("Re&cipes"));
    recipes->addSection(tr("MNIST Studio"));
    for (const mnist::Recipe& r : mnist::recipes()) {
        const QString name = QString::fromStdString(r.name);
        recipes->addAction(tr("%1   [%2]").arg(name, QString::fromStdString(r.summary)), this, [this, name] { loadStudioRecipe(name); });
    }
    recipes->addSection(tr("The notebook"));
    const auto& all = mnist::notebookRecipes();
    for (int i = 0; i < static_cast<int>(all.size()); ++i)
        recipes->addAction(QStringLiteral("%1   [%2]").arg(QString::fromStdString(all[i].title), QString::fromStdString(all[i].result)),
                           this, [this, i] { loadRecipe(i); });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (const TabEntry& t : kTabs)
        view->addAction(tr(t.menuText), this, [this, tab = t.tab] { showTab(tab); })
            ->setObjectName(QStringLiteral("showTab_%1").arg(QLatin1String(t.name)));
    view->addSeparator();
    QMenu* theme = view->addMenu(tr("T&heme"));
    auto* themes = new QActionGroup(theme);
    const std::pair<ThemeChoice, QString> choices[] = {
        {ThemeChoice::System, tr("Follow the &desktop")}, {ThemeChoice::Light, tr("&Light")}, {ThemeChoice::Dark, tr("&Dark")}};
    for (const auto& [choice, label] : choices) {
        QAction* a = theme->addAction(label, this, [this, choice = choice] {
            applyTheme(choice);
            if (m_useSettings)
                saveTheme(choice);
        });
        a->setObjectName(QStringLiteral("theme_%1").arg(themeName(choice)));
        a->setCheckable(true);
        a->setChecked(currentTheme() == choice);
        themes->addAction(a);
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About MNIST Studio"), this, [this] {
        QMessageBox::about(this, tr("About MNIST Studio"),
                           tr("<p><b>MNIST Studio</b> %1</p><p>Trains the notebook's light CNNs on MNIST with LibTorch "
                              "and shows them learn.</p>")
                               .arg(QApplication::applicationVersion()));
    });
}

QString MainWindow::errorText() const
{
    return m_errorBanner->isVisibleTo(const_cast<MainWindow*>(this)) ? m_errorLabel->text() : QString();
}

void MainWindow::setRunsFolder(const QString& folder)
{
    m_recordAction->setChecked(!folder.isEmpty());
    if (!folder.isEmpty())
        m_runsFolder = folder;
    if (m_browser)
        m_browser->setRunsFolder(m_runsFolder);
    if (m_sweeps) // sweeps live beside the runs, in sweeps/: listed whether or not runs are recorded
        m_sweeps->setSweepsFolder(QDir(m_runsFolder).filePath(QStringLiteral("sweeps")));
    m_recordAction->setText(tr("&Record runs (config, metrics, LR, model) under %1/").arg(m_runsFolder));
}

QString MainWindow::runsFolder() const
{
    return m_recordAction->isChecked() ? m_runsFolder : QString();
}

void MainWindow::loadRecipe(int index)
{
    const auto& all = mnist::notebookRecipes();
    if (index < 0 || index >= static_cast<int>(all.size()))
        return;
    const mnist::Recipe& recipe = all[static_cast<size_t>(index)];
    m_panel->setConfig(mnist::applyRecipe(recipe, m_panel->config()));
    statusBar()->showMessage(tr("Loaded the notebook's recipe: %1 (notebook: %2)")
                                 .arg(QString::fromStdString(recipe.title), QString::fromStdString(recipe.result)));
}

void MainWindow::loadStudioRecipe(const QString& name)
{
    const mnist::Recipe* recipe = mnist::findRecipe(name.toStdString());
    if (!recipe)
        return;
    m_panel->setConfig(mnist::applyRecipe(*recipe, m_panel->config()));
    statusBar()->showMessage(tr("Loaded MNIST Studio's %1 recipe: %2").arg(name, QString::fromStdString(recipe->summary)));
}

void MainWindow::showTab(Tab tab)
{
    m_tabs->setCurrentWidget(tabEntry(tab).page(*this));
}

QStringList MainWindow::tabNames()
{
    QStringList names;
    for (const TabEntry& t : kTabs)
        names << QLatin1String(t.name);
    return names << QLatin1String(kRecipesName);
}

bool MainWindow::showTabNamed(const QString& name)
{
    if (name == QLatin1String(kRecipesName)) {
        showRecipes();
        return true;
    }
    for (const TabEntry& t : kTabs)
        if (name == QLatin1String(t.name)) {
            showTab(t.tab);
            return true;
        }
    return false;
}

void MainWindow::useEditedNetwork(const QString& name, bool train)
{
    // The editor saved it among the user's networks; the set-up now lists and selects it.
    m_panel->reloadArchitectures();
    mnist::TrainConfig config = m_panel->config();
    config.arch = name.toStdString();
    config.archFile.clear();
    m_panel->setConfig(config);
    m_leftTabs->setCurrentIndex(0);
    statusBar()->showMessage(tr("%1 saved to your networks and chosen in the set-up").arg(name), 5000);
    if (train && m_train->isEnabled())
        startTraining();
}

void MainWindow::showRecipes()
{
    m_leftTabs->setCurrentWidget(m_recipes);
}

void MainWindow::updateControls()
{
    const bool training = isTraining();
    const bool valid = m_panel->isValid();
    m_train->setEnabled(valid && !training);
    m_trainAction->setEnabled(valid && !training);
    m_train->setToolTip(valid ? tr("Start training with this set-up")
                              : tr("The set-up has problems:\n• %1").arg(m_panel->problems().join(QStringLiteral("\n• "))));
    m_panel->setLrFinderEnabled(!training, tr("The LR range test waits until the run ends"));
    m_pause->setEnabled(training);
    m_pauseAction->setEnabled(training);
    m_stop->setEnabled(training);
    m_stopAction->setEnabled(training);
    if (!training) {
        const QSignalBlocker block(m_pause);
        const QSignalBlocker blockAction(m_pauseAction);
        m_pause->setChecked(false);
        m_pause->setText(tr("Pause"));
        m_pauseAction->setChecked(false);
    }
    if (!training && !valid)
        m_runLabel->setText(tr("Fix the set-up to train: %1").arg(m_panel->problems().value(0)));
    else if (!training)
        m_runLabel->setText(QString());
}

void MainWindow::showError(const QString& text)
{
    m_errorLabel->setText(text);
    m_errorBanner->show();
}

void MainWindow::startTraining()
{
    if (isTraining() || !m_panel->isValid())
        return;
    if (!ensureDataAvailable())
        return;
    if (m_useSettings)
        saveSettings(); // the set-up survives a crash of the run
    startWorker(m_panel->config(), QString());
}

void MainWindow::resumeRun(const QString& runDir)
{
    if (isTraining()) {
        showError(tr("A run is training: resume %1 when it ends.").arg(QFileInfo(runDir).fileName()));
        return;
    }
    const mnist::RunRecord record = mnist::readRun(runDir.toStdString());
    if (record.damaged) {
        showError(tr("%1 cannot be resumed: %2").arg(QFileInfo(runDir).fileName(), QString::fromStdString(record.problem)));
        return;
    }
    if (!record.resumable) {
        showError(tr("%1 cannot be resumed: it has no checkpoint or no epochs left (%2 of %3 done).")
                      .arg(QFileInfo(runDir).fileName())
                      .arg(record.epochs.size())
                      .arg(record.config.epochs));
        return;
    }
    startWorker(record.config, runDir);
}

void MainWindow::openRun(const QString& runDir)
{
    if (isTraining()) {
        showError(tr("The dashboard shows the run in progress: open %1 when it ends.").arg(QFileInfo(runDir).fileName()));
        return;
    }
    const mnist::RunRecord record = mnist::readRun(runDir.toStdString());
    if (record.damaged) {
        showError(tr("%1 cannot be opened: %2").arg(QFileInfo(runDir).fileName(), QString::fromStdString(record.problem)));
        return;
    }
    QVector<double> lrs;
    // Without lr.csv the epochs still show; the LR chart stays empty.
    try {
        const std::vector<double> read = mnist::readLrCsv(mnist::RunLayout(runDir.toStdString()).lr());
        lrs = QVector<double>(read.begin(), read.end());
    } catch (const mnist::IoError& e) {
        statusBar()->showMessage(QString::fromStdString(e.what()));
    }
    m_errorBanner->hide();
    m_dashboard->showRecordedRun(QString::fromStdString(record.name), record.config,
                                 QVector<mnist::EpochMetrics>(record.epochs.begin(), record.epochs.end()), lrs);
    m_selection->setLatestRun(runDir);
    showTab(Tab::Dashboard);
    statusBar()->showMessage(tr("Showing the recorded run %1").arg(QString::fromStdString(record.name)));
}

void MainWindow::connectRunController()
{
    RunController* run = m_run;
    connect(run, &RunController::runFolderReady, this, [this](const QString& dir) {
        m_selection->setCurrentRun(dir);
        m_inspect->setRun(dir);
        m_browser->setActiveRun(dir);
        m_draw->currentRunChanged(dir);
    });
    connect(run, &RunController::historyRestored, m_dashboard, &TrainingDashboard::restoreHistory);
    connect(run, &RunController::dataLoading, this, [this](const QString& folder) {
        m_dashboard->setDataLoading(folder);
        statusBar()->showMessage(tr("Loading data from %1 …").arg(folder));
    });
    connect(run, &RunController::runStarted, this, [this](const mnist::RunInfo& info) {
        m_dashboard->setRunInfo(info);
        m_runLabel->setText(tr("%1 · %2 parameters · %3 · %4 thread(s) · %5 · %6 · %7 train / %8 valid / %9 test images")
                                .arg(QString::fromStdString(m_runConfig.arch))
                                .arg(formatCount(info.parameterCount))
                                .arg(QString::fromStdString(info.device))
                                .arg(info.threads)
                                .arg(QString::fromStdString(info.memoryFormat))
                                .arg(QString::fromStdString(info.precision))
                                .arg(formatCount(info.trainSize))
                                .arg(formatCount(info.validSize))
                                .arg(formatCount(info.testSize)));
        m_runLabel->setToolTip(tr("Memory format: %1\nPrecision: %2")
                                   .arg(QString::fromStdString(info.memoryFormatWhy),
                                        QString::fromStdString(info.precisionWhy)));
        if (info.precisionEmulated)
            statusBar()->showMessage(tr("Training on %1 in bf16, which this CPU has no instructions for: emulated, many "
                                        "times slower than fp32 (precision auto or fp32 would be faster)")
                                         .arg(QString::fromStdString(info.device)));
        else
            statusBar()->showMessage(tr("Training on %1").arg(QString::fromStdString(info.device)));
    });
    connect(run, &RunController::iterationsReady, m_dashboard, &TrainingDashboard::appendIterations);
    connect(run, &RunController::epochFinished, m_dashboard, &TrainingDashboard::appendEpoch);
    connect(run, &RunController::testPredictionsReady, this,
            [this](qint64 epoch, const std::shared_ptr<const mnist::TestPredictions>& predictions) {
                const QString dir = m_selection->currentRun();
                const QString name = dir.isEmpty() ? tr("This run") : QFileInfo(dir).fileName();
                m_evaluation->showPredictions(m_runConfig, predictions, tr("%1 after epoch %2").arg(name).arg(epoch), dir);
            });
    // The epoch's checkpoint (best.safetensors) is written before the worker reports it.
    connect(run, &RunController::epochFinished, this, [this] { m_draw->runWeightsChanged(m_selection->currentRun()); });
    connect(run, &RunController::epochFinished, this, [this] {
        if (m_inspect->run() == m_selection->currentRun())
            m_inspect->runAdvanced();
    });
    connect(run, &RunController::failed, this, &MainWindow::showError);
    connect(run, &RunController::finished, m_dashboard, &TrainingDashboard::finishRun);
    connect(run, &RunController::pausedChanged, this, [this](bool paused) {
        m_dashboard->setPaused(paused);
        m_pause->setText(paused ? tr("Resume") : tr("Pause"));
        m_pause->setIcon(style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
        const QSignalBlocker blockButton(m_pause), blockAction(m_pauseAction);
        m_pause->setChecked(paused);
        m_pauseAction->setChecked(paused);
        statusBar()->showMessage(paused ? tr("Paused") : tr("Training"));
    });
    connect(run, &RunController::stopped, this, &MainWindow::onRunStopped);
}

void MainWindow::startWorker(const mnist::TrainConfig& config, const QString& resumeDir)
{
    if (m_run->isRunning())
        return;
    m_errorBanner->hide();
    m_selection->clearCurrentRun();
    m_runConfig = config;
    m_dashboard->startRun(config);
    m_run->start(config, runsFolder(), resumeDir);
    m_tabs->setCurrentWidget(m_dashboard);
    updateControls();
    statusBar()->showMessage(resumeDir.isEmpty() ? tr("Starting …") : tr("Resuming %1 …").arg(QFileInfo(resumeDir).fileName()));
    Q_EMIT trainingStarted();
}

void MainWindow::setPaused(bool paused)
{
    m_run->setPaused(paused);
}

void MainWindow::stopTraining()
{
    if (!m_run->isRunning())
        return;
    m_run->requestStop();
    m_stop->setEnabled(false);
    statusBar()->showMessage(tr("Stopping after the current iteration …"));
}

void MainWindow::onRunStopped()
{
    updateControls();
    m_browser->setActiveRun(QString());
    m_browser->refreshWhenShown(); // the run just recorded appears (or grows)
    const QString dir = m_selection->currentRun();
    m_selection->clearCurrentRun();
    // The finished run's model, evaluated from its folder: the worker's network never crosses
    // threads. Deferred until the Evaluation tab is shown, so runs nobody inspects cost nothing.
    if (!dir.isEmpty() && !mnist::RunLayout(dir.toStdString()).weightsToUse().empty())
        m_evaluation->setLatestRun(dir);
    if (!dir.isEmpty())
        m_draw->runWeightsChanged(dir);
    if (!dir.isEmpty() && m_inspect->run() == dir)
        m_inspect->runAdvanced(); // model.safetensors now
    const RunSummary s = m_run->lastSummary();
    statusBar()->showMessage(s.failed            ? tr("The run failed")
                             : s.stopped         ? tr("Stopped")
                             : s.earlyStop.isEmpty() ? tr("Finished")
                                                 : tr("Finished: %1").arg(s.earlyStop));
    Q_EMIT trainingFinished(s);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (isTraining())
        statusBar()->showMessage(tr("Stopping the run …"));
    m_run->stopAndJoin();
    m_sweeps->stopSweep(true); // its trials save checkpoints: Continue finishes the sweep later
    if (m_useSettings)
        saveSettings();
    event->accept();
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QLatin1String(kConfigKey), QString::fromStdString(mnist::toJsonText(m_panel->config())));
    settings.setValue(QLatin1String(kGeometryKey), saveGeometry());
    settings.setValue(QLatin1String(kStateKey), saveState());
    settings.setValue(QLatin1String(kSplitterKey), m_splitter->saveState());
    settings.setValue(QLatin1String(kRecordKey), m_recordAction->isChecked());
    settings.setValue(QLatin1String(kRunsFolderKey), m_runsFolder);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QLatin1String(kGeometryKey)).toByteArray()))
        resize(1500, 950);
    restoreState(settings.value(QLatin1String(kStateKey)).toByteArray());
    m_splitter->restoreState(settings.value(QLatin1String(kSplitterKey)).toByteArray());
    m_runsFolder = settings.value(QLatin1String(kRunsFolderKey), m_runsFolder).toString();
    setRunsFolder(settings.value(QLatin1String(kRecordKey), true).toBool() ? m_runsFolder : QString());
    const std::string draft = settings.value(QLatin1String(kNetworkDraftKey)).toString().toStdString();
    if (!draft.empty()) {
        const nlohmann::json doc = nlohmann::json::parse(draft, nullptr, false);
        if (doc.is_object())
            m_network->openDocument(doc);
    }
    const QString json = settings.value(QLatin1String(kConfigKey)).toString();
    if (json.isEmpty())
        return;
    try {
        m_panel->setConfig(mnist::trainConfigFromJsonText(json.toStdString()));
    } catch (const std::exception& e) {
        // A set-up saved by another version: start from the defaults rather than refuse to open.
        statusBar()->showMessage(tr("The last set-up could not be restored: %1").arg(QString::fromStdString(e.what())));
    }
}

void MainWindow::openConfig()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open set-up"), QString(), tr("Set-up (*.json)"));
    if (path.isEmpty())
        return;
    try {
        m_panel->setConfig(mnist::loadTrainConfig(path.toStdString()));
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
    }
}

void MainWindow::connectDatasetButton()
{
    m_panel->setRecentDatasetsProvider([this] { return m_useSettings ? recentDatasets() : QVector<DatasetChoice>(); });
    connect(m_panel, &ConfigPanel::openDatasetRequested, this, &MainWindow::showOpenDataset);
    connect(m_panel, &ConfigPanel::datasetChosen, this, [this](const QString& kind, const QString& path) {
        openDataset(kind, path);
    });
}

void MainWindow::showOpenDataset()
{
    OpenDatasetDialog dialog(m_useSettings ? recentDatasets() : QVector<DatasetChoice>(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const DatasetChoice choice = dialog.choice();
    openDataset(choice.kind, choice.path);
}

void MainWindow::openDataset(const QString& kind, const QString& path, bool showView)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    mnist::TrainConfig config = m_panel->config();
    config.dataset = kind.toStdString();
    config.dataDir = absolute.toStdString();
    m_panel->setConfig(config);
    if (m_useSettings)
        rememberDataset({kind, absolute});
    if (!showView)
        return;
    // A window of its own, not a tab: it is about a source before any run uses it, and several
    // stay open side by side to compare.
    if (!m_datasetDialog) {
        m_datasetDialog = new QDialog(this);
        m_datasetDialog->setObjectName(QStringLiteral("datasetDialog"));
        m_datasetDialog->setAttribute(Qt::WA_DeleteOnClose);
        auto* layout = new QVBoxLayout(m_datasetDialog);
        layout->addWidget(new DatasetView(m_datasetDialog));
        m_datasetDialog->resize(1100, 760);
    }
    m_datasetDialog->setWindowTitle(tr("Dataset — %1").arg(QDir::toNativeSeparators(absolute)));
    datasetView()->open(kind, absolute, config.trainFraction, QString::fromStdString(config.imageSize));
    m_datasetDialog->show();
    m_datasetDialog->raise();
}

DatasetView* MainWindow::datasetView() const
{
    return m_datasetDialog ? m_datasetDialog->findChild<DatasetView*>() : nullptr;
}

void MainWindow::saveConfig()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save set-up"), QString::fromLatin1(mnist::RunLayout::kConfig),
                                                      tr("Set-up (*.json)"));
    if (path.isEmpty())
        return;
    try {
        mnist::saveTrainConfig(m_panel->config(), path.toStdString());
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
    }
}

bool MainWindow::ensureDataAvailable()
{
    const mnist::TrainConfig c = m_panel->config();
    return !dataMissing(c) || offerDataDownload(QString::fromStdString(c.dataset));
}

bool MainWindow::offerDataDownload(const QString& dataset)
{
    const DataOffer offer = studio::offerDataDownload(dataset, this);
    switch (offer.outcome) {
    case DataOffer::Outcome::Downloaded:
        statusBar()->showMessage(offer.message);
        updateControls();
        return true;
    case DataOffer::Outcome::FolderChosen: {
        mnist::TrainConfig c = m_panel->config();
        c.dataDir = offer.folder.toStdString();
        m_panel->setConfig(c);
        return true;
    }
    case DataOffer::Outcome::Failed:
        showError(offer.message);
        return false;
    case DataOffer::Outcome::Cancelled:
        if (!offer.message.isEmpty())
            statusBar()->showMessage(offer.message);
        return false;
    }
    return false;
}

EvaluateWeightsDialog* MainWindow::evaluateWeightsDialog()
{
    if (!m_evaluate)
        m_evaluate = new EvaluateWeightsDialog(this);
    m_evaluate->setDatasetConfig(m_panel->config());
    return m_evaluate;
}

void MainWindow::showEvaluateWeights()
{
    EvaluateWeightsDialog* dialog = evaluateWeightsDialog();
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

QString MainWindow::modelRunDir() const
{
    const QStringList selected = m_browser->selectedRunDirs();
    if (selected.size() == 1)
        return selected.front();
    return m_selection->latestRun();
}

void MainWindow::exportModelInteractively(int format)
{
    const QString dir = modelRunDir();
    if (dir.isEmpty()) {
        showTab(Tab::Runs);
        showError(tr("Select a run in the Runs tab (or train one) to export its model."));
        return;
    }
    const auto f = static_cast<ModelFormat>(format);
    const QString path = askModelExportPath(this, dir, f);
    if (path.isEmpty())
        return;
    QString error;
    if (m_browser->exportModel(dir, path, f, &error))
        statusBar()->showMessage(tr("Wrote %1").arg(path));
    else
        showError(error);
}

bool MainWindow::exportLatestRun(const QString& dir, QStringList* written, QString* error)
{
    const QString latest = m_selection->latestRun();
    if (latest.isEmpty()) {
        if (error)
            *error = tr("No run to export: train one first (and record it).");
        return false;
    }
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = tr("Cannot create %1").arg(dir);
        return false;
    }
    const QDir out(dir);
    const QList<QPair<QString, QChartView*>> charts = {{QStringLiteral("epochs"), m_dashboard->epochChartView()},
                                                       {QStringLiteral("learning-rate"), m_dashboard->lrChartView()},
                                                       {QStringLiteral("loss-per-iteration"), m_dashboard->lossChartView()}};
    for (const auto& [name, view] : charts) {
        const QString png = out.filePath(name + QStringLiteral(".png"));
        const QString svg = out.filePath(name + QStringLiteral(".svg"));
        if (!exportChartPng(view->chart(), png, QSize(1200, 800), error) ||
            !exportChartSvg(view->chart(), svg, QSize(1200, 800), error))
            return false;
        if (written)
            *written << png << svg;
    }
    const QString name = QFileInfo(latest).fileName();
    const QString csv = out.filePath(name + QStringLiteral(".csv"));
    const QString safetensors = out.filePath(name + QStringLiteral(".safetensors"));
    const QString archive = out.filePath(name + QStringLiteral(".pt"));
    if (!m_browser->exportMetricsCsv({latest}, csv, error) ||
        !m_browser->exportModel(latest, safetensors, ModelFormat::SafeTensors, error) ||
        !m_browser->exportModel(latest, archive, ModelFormat::LibTorchArchive, error))
        return false;
    if (written)
        *written << csv << safetensors << archive;
    return true;
}

void MainWindow::setReportPathAsker(std::function<QString(const QStringList&)> ask)
{
    m_askReportPath = std::move(ask);
}

void MainWindow::exportReportInteractively()
{
    QStringList runs = m_browser->selectedRunDirs();
    if (runs.isEmpty() && !m_selection->latestRun().isEmpty())
        runs << m_selection->latestRun();
    if (runs.isEmpty()) {
        showTab(Tab::Runs);
        showError(tr("Select one or more runs in the Runs tab (or train one) to export a report."));
        return;
    }
    if (m_report->isBusy()) {
        statusBar()->showMessage(tr("A report is being written; wait for it to finish."));
        return;
    }
    const QString path = m_askReportPath ? m_askReportPath(runs) : askReportPath(this, runs);
    if (path.isEmpty())
        return;
    statusBar()->showMessage(tr("Writing the report of %n run(s) to %1 …", nullptr, static_cast<int>(runs.size())).arg(path));
    m_report->start(runs, path, m_panel->config());
}

void MainWindow::exportChart(QChartView* view, const QString& baseName, bool svg)
{
    exportChartInteractively(view, baseName, svg, this);
}

} // namespace studio
