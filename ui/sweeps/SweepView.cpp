#include "sweeps/SweepView.h"

#include "shared/BackgroundCall.h"
#include "shared/BandSeries.h"
#include "shared/ChartStyle.h"
#include "sweeps/IntermediateValues.h"
#include "sweeps/NewSweepDialog.h"
#include "sweeps/OptimizationHistory.h"
#include "sweeps/ParallelCoordinates.h"
#include "sweeps/ParameterImportance.h"
#include "sweeps/SlicePlots.h"
#include "shared/QtText.h"
#include "shared/StatusStyle.h"
#include "shared/RankedSortProxy.h"
#include "sweeps/SweepCells.h"
#include "sweeps/SweepConfigModel.h"
#include "sweeps/SweepTrialModel.h"

#include "Error.h"
#include "sweep/SweepFolder.h"
#include "sweep/SweepSpec.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <csignal>
#include <map>

namespace studio {
namespace {

constexpr int kPollMs = 2000;

SweepSnapshot readSnapshot(const std::string& dir)
{
    SweepSnapshot s;
    s.sweep = mnist::readSweep(dir); // refreshes sweep.json's states
    s.summary = mnist::summarizeSweep(s.sweep);
    return s;
}

} // namespace

SweepView::SweepView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("sweepView"));
    buildUi();
    m_watcher = new QFutureWatcher<CallOutcome<SweepSnapshot>>(this);
    connect(m_watcher, &QFutureWatcherBase::finished, this, &SweepView::onRefreshed);
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &SweepView::refresh);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &SweepView::onProcessOutput);
    connect(&m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        m_poll.stop();
        const int exitCode = status == QProcess::NormalExit ? code : -1;
        m_lastLine = exitCode == 0     ? tr("The sweep finished.")
                     : exitCode == 130 ? tr("The sweep stopped: each trial saved a checkpoint; Continue finishes it.")
                                       : tr("The sweep ended with exit code %1: %2").arg(exitCode).arg(m_lastLine);
        refresh();
        updateButtons();
        Q_EMIT sweepEnded(exitCode);
    });
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            m_lastLine = tr("%1 could not be started: %2").arg(program(), m_process.errorString());
            markProblem(m_status, true);
            m_status->setText(m_lastLine);
            updateButtons();
        }
    });
    updateButtons();
}

SweepView::~SweepView()
{
    stopSweep(true);
    m_watcher->waitForFinished();
}

void SweepView::buildUi()
{
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Sweep:")));
    m_list = new QComboBox;
    m_list->setObjectName(QStringLiteral("sweepList"));
    m_list->setMinimumContentsLength(18);
    m_list->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_list->setToolTip(tr("The sweeps in the runs folder's sweeps/ folder, and the ones opened"));
    top->addWidget(m_list);
    connect(m_list, QOverload<int>::of(&QComboBox::activated), this, [this](int i) { openSweep(m_list->itemData(i).toString()); });
    m_new = new QPushButton(tr("New sweep…"));
    m_new->setObjectName(QStringLiteral("newSweep"));
    m_new->setToolTip(tr("Sweep settings of the set-up panel's run over values or ranges, each configuration with several seeds"));
    connect(m_new, &QPushButton::clicked, this, &SweepView::newSweep);
    top->addWidget(m_new);
    m_open = new QPushButton(tr("Open…"));
    m_open->setToolTip(tr("Open a sweep folder (one holding sweep.json), e.g. one run with mnist-train --sweep or on a cluster"));
    connect(m_open, &QPushButton::clicked, this, &SweepView::chooseFolder);
    top->addWidget(m_open);
    // Running the sweep on a second row: the tab stays narrow enough for a 1,200 px window.
    top->addStretch(1);
    layout->addLayout(top);
    auto* runRow = new QHBoxLayout;
    top = runRow;
    top->addWidget(new QLabel(tr("Parallel runs:")));
    m_jobs = new QSpinBox;
    m_jobs->setObjectName(QStringLiteral("sweepJobs"));
    m_jobs->setRange(1, 64);
    m_jobs->setValue(std::max(1, QThread::idealThreadCount()));
    m_jobs->setToolTip(tr("Trials trained at once, each a process with the cores shared out between them"));
    top->addWidget(m_jobs);
    m_continue = new QPushButton(tr("Continue"));
    m_continue->setObjectName(QStringLiteral("continueSweep"));
    m_continue->setToolTip(tr("Train the sweep's unfinished trials: interrupted ones resume from their checkpoints"));
    connect(m_continue, &QPushButton::clicked, this, [this] {
        QString error;
        if (!startSweep(m_jobs->value(), &error)) {
            markProblem(m_status, true);
            m_status->setText(error);
        }
    });
    top->addWidget(m_continue);
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setObjectName(QStringLiteral("stopSweep"));
    m_stop->setToolTip(tr("Stop every running trial at a checkpoint; Continue goes on from there"));
    connect(m_stop, &QPushButton::clicked, this, [this] { stopSweep(false); });
    top->addWidget(m_stop);
    m_export = new QPushButton(tr("Export CSV…"));
    m_export->setObjectName(QStringLiteral("exportSweepCsv"));
    m_export->setToolTip(tr("The configurations table as CSV: the varying settings, runs, and each figure's mean, std, min and max"));
    connect(m_export, &QPushButton::clicked, this, &SweepView::exportCsv);
    top->addWidget(m_export);
    m_status = new QLabel(tr("No sweep yet: New sweep… plans one from the set-up panel's settings."));
    m_status->setObjectName(QStringLiteral("sweepStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setMinimumWidth(200);
    top->addWidget(m_status, 1);
    layout->addLayout(top);

    auto* split = new QSplitter(Qt::Horizontal);
    m_split = split;
    connect(split, &QSplitter::splitterMoved, this, [this] { m_splitMovedByUser = true; });
    layout->addWidget(split, 1);
    auto* left = new QSplitter(Qt::Vertical);
    m_configModel = new SweepConfigModel(this);
    m_configOrder = new RankedSortProxy(SweepConfigModel::RankRole, this);
    m_configOrder->setSourceModel(m_configModel);
    m_groups = new QTableView;
    m_groups->setObjectName(QStringLiteral("sweepGroups"));
    m_groups->setModel(m_configOrder);
    m_groups->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_groups->setSelectionMode(QAbstractItemView::SingleSelection);
    m_groups->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_groups->setSortingEnabled(true);
    m_groups->verticalHeader()->hide();
    m_groups->setToolTip(tr("One row per configuration, seeds pooled; click a header to sort"));
    connect(m_groups->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const auto rows = m_groups->selectionModel()->selectedRows();
        // Selecting the shown configuration's row (a refresh, the chart) draws nothing new.
        if (!rows.isEmpty() && rows.front().data(KeyedTableModel::KeyRole).toInt() != m_shownGroup)
            showGroup(rows.front().data(KeyedTableModel::KeyRole).toInt());
    });
    left->addWidget(m_groups);
    m_trialModel = new SweepTrialModel(this);
    m_trials = new QTableView;
    m_trials->setObjectName(QStringLiteral("sweepTrials"));
    m_trials->setModel(m_trialModel);
    m_trials->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_trials->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_trials->verticalHeader()->hide();
    left->addWidget(m_trials);
    split->addWidget(left);

    // The charts, one tab each (the tables keep the left): a refresh fills them in place, so the
    // chosen tab and each chart's zoom stay as the user left them.
    m_chartTabs = new QTabWidget;
    m_chartTabs->setObjectName(QStringLiteral("sweepCharts"));
    auto* chart = new QChart;
    styleCompactChart(chart);
    chart->setTitle(tr("Choose a configuration: its test accuracy per epoch, mean of the seeds and their min-max band"));
    m_curve = new QChartView(chart);
    m_curve->setObjectName(QStringLiteral("sweepCurve"));
    m_curve->setMinimumHeight(200);
    m_chartTabs->addTab(m_curve, tr("Accuracy curve"));
    m_coordinates = new ParallelCoordinates;
    connect(m_coordinates, &ParallelCoordinates::rowClicked, this, [this](int row) {
        if (row >= 0 && row < static_cast<int>(m_snapshot.summary.groups.size()))
            showGroup(static_cast<int>(m_snapshot.summary.groups[static_cast<size_t>(row)].group));
    });
    m_chartTabs->addTab(m_coordinates, tr("Parallel coordinates"));
    m_history = new OptimizationHistory;
    connect(m_history, &TrialChart::trialClicked, this, &SweepView::showTrial);
    m_chartTabs->addTab(m_history, tr("History"));
    m_intermediate = new IntermediateValues;
    connect(m_intermediate, &TrialChart::trialClicked, this, &SweepView::showTrial);
    m_chartTabs->addTab(m_intermediate, tr("Intermediate values"));
    m_importance = new ParameterImportance;
    m_chartTabs->addTab(m_importance, tr("Importance"));
    m_slices = new SlicePlots;
    connect(m_slices, &SlicePlots::trialClicked, this, &SweepView::showTrial);
    m_chartTabs->addTab(m_slices, tr("Slices"));
    m_chartTabs->setTabToolTip(2, tr("Each trial's valid loss when it ended or paused, against time; the line: the best finished so far"));
    m_chartTabs->setTabToolTip(3, tr("Every trial's valid loss per epoch; pruned trials end at a rung"));
    m_chartTabs->setTabToolTip(4, tr("How much of the valid loss's variance each setting explains (fANOVA)"));
    m_chartTabs->setTabToolTip(5, tr("The valid loss against each setting's value, one plot per setting"));
    split->addWidget(m_chartTabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
}

QChart* SweepView::curveChart() const
{
    return m_curve->chart();
}

QStringList SweepView::chartNames()
{
    return {QStringLiteral("curve"), QStringLiteral("coordinates"), QStringLiteral("history"), QStringLiteral("intermediate"),
            QStringLiteral("importance"), QStringLiteral("slices")};
}

bool SweepView::showChart(const QString& name)
{
    const int i = static_cast<int>(chartNames().indexOf(name));
    if (i < 0)
        return false;
    m_chartTabs->setCurrentIndex(i);
    return true;
}

QString SweepView::searchText(const mnist::SweepSummary& s)
{
    QString sampler = s.sampler == "tpe" ? QStringLiteral("TPE") : fromStd(s.sampler);
    if (sampler.isEmpty())
        return {};
    QString pruner;
    if (s.pruner == "asha") {
        QStringList rungs;
        for (int64_t r : s.rungs)
            rungs << QString::number(r);
        pruner = rungs.isEmpty() ? QStringLiteral("ASHA") : tr("ASHA (rungs %1)").arg(rungs.join(QStringLiteral(", ")));
    } else if (s.pruner == "median") {
        pruner = tr("median pruning");
    } else {
        pruner = tr("no pruning");
    }
    return sampler + QStringLiteral(", ") + pruner;
}

QString SweepView::statusText() const
{
    return m_status->text();
}

void SweepView::setSweepsFolder(const QString& dir)
{
    m_sweepsFolder = dir;
    listSweeps();
    if (m_dir.isEmpty() && m_list->count() > 0)
        openSweep(m_list->itemData(0).toString());
}

void SweepView::listSweeps()
{
    const QString current = m_dir;
    QStringList dirs;
    if (!m_sweepsFolder.isEmpty())
        for (const QFileInfo& fi : QDir(m_sweepsFolder).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time))
            if (mnist::isSweepFile(fi.absoluteFilePath().toStdString()))
                dirs << fi.absoluteFilePath();
    for (int i = 0; i < m_list->count(); ++i) // opened from elsewhere: kept
        if (!dirs.contains(m_list->itemData(i).toString()))
            dirs << m_list->itemData(i).toString();
    if (!current.isEmpty() && !dirs.contains(current))
        dirs.prepend(current);
    const QSignalBlocker block(m_list);
    m_list->clear();
    for (const QString& d : dirs)
        m_list->addItem(QFileInfo(d).fileName(), d);
    m_list->setCurrentIndex(static_cast<int>(dirs.indexOf(current)));
    updateButtons();
}

bool SweepView::openSweep(const QString& dirArg)
{
    std::string folder;
    if (!mnist::isSweepFile(dirArg.toStdString(), &folder)) {
        markProblem(m_status, true);
        m_status->setText(tr("%1 is not a sweep folder (it holds no sweep.json)").arg(dirArg));
        return false;
    }
    const QString dir = fromStd(folder);
    if (dir != m_dir) {
        if (isRunning())
            stopSweep(true); // one sweep at a time: the window's is the shown one
        m_dir = dir;
        m_hasSnapshot = false;
        m_shownGroup = -1;
        m_sortBestFirst = true;
        // Another sweep's rows: nothing of this one's selection or rows is kept.
        m_configModel->clear();
        m_trialModel->clear();
    }
    listSweeps();
    refresh();
    return true;
}

bool SweepView::createSweep(const QString& name, const nlohmann::json& spec, int jobs, QString* error)
{
    try {
        if (m_sweepsFolder.isEmpty())
            throw mnist::ConfigError("no runs folder to put the sweep in (runs are not being recorded)");
        mnist::SweepPlan plan = mnist::planSweep(spec, name.toStdString());
        mnist::applyMachineSettings(plan, {}, {});
        const QString dir = QDir(m_sweepsFolder).absoluteFilePath(name);
        mnist::openSweepFolder(dir.toStdString(), plan);
        if (!openSweep(dir))
            throw mnist::IoError(m_status->text().toStdString());
    } catch (const std::exception& e) {
        if (error)
            *error = fromStd(e.what());
        return false;
    }
    m_jobs->setValue(jobs);
    return startSweep(jobs, error);
}

QString SweepView::program() const
{
    if (!m_program.isEmpty())
        return m_program;
    // Installed beside mnist-studio (/usr/bin), or in a build folder's app/ (tests run from tests/).
    const QString here = QCoreApplication::applicationDirPath();
    for (const QString& candidate : {here + QStringLiteral("/mnist-train"), here + QStringLiteral("/../app/mnist-train")})
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).absoluteFilePath();
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("mnist-train"));
    return onPath.isEmpty() ? QStringLiteral("mnist-train") : onPath;
}

bool SweepView::startSweep(int jobs, QString* error)
{
    if (m_dir.isEmpty()) {
        if (error)
            *error = tr("Open or create a sweep first");
        return false;
    }
    if (isRunning()) {
        if (error)
            *error = tr("The sweep is running already");
        return false;
    }
    m_lastLine.clear();
    markProblem(m_status, false);
    m_process.start(program(), {QStringLiteral("--sweep"), QString::fromStdString(mnist::sweepJsonPath(m_dir.toStdString())), QStringLiteral("--jobs"),
                                QString::number(jobs)});
    if (!m_process.waitForStarted(10000)) {
        if (error)
            *error = tr("%1 could not be started: %2").arg(program(), m_process.errorString());
        return false;
    }
    m_status->setText(tr("Running %1, %2 trials at a time…").arg(QFileInfo(m_dir).fileName()).arg(jobs));
    m_poll.start();
    updateButtons();
    return true;
}

void SweepView::stopSweep(bool wait)
{
    if (!isRunning())
        return;
    // As Ctrl-C in a terminal: the runner passes it to each trial, which saves a checkpoint.
    ::kill(static_cast<pid_t>(m_process.processId()), SIGINT);
    if (wait && !m_process.waitForFinished(60000))
        m_process.kill();
}

void SweepView::onProcessOutput()
{
    while (m_process.canReadLine()) {
        const QString line = QString::fromUtf8(m_process.readLine()).trimmed();
        if (!line.isEmpty())
            m_lastLine = line;
    }
    if (isRunning() && !m_lastLine.isEmpty()) {
        const QString search = m_hasSnapshot ? searchText(m_snapshot.summary) : QString();
        m_status->setText(search.isEmpty() ? tr("Running %1: %2").arg(QFileInfo(m_dir).fileName(), m_lastLine)
                                           : tr("Running %1 (%2): %3").arg(QFileInfo(m_dir).fileName(), search, m_lastLine));
    }
}

void SweepView::refresh()
{
    if (m_dir.isEmpty())
        return;
    if (m_watcher->isRunning()) {
        m_refreshAgain = true;
        return;
    }
    const std::string dir = m_dir.toStdString();
    m_watcher->setFuture(runInBackground([dir] { return readSnapshot(dir); }));
}

void SweepView::onRefreshed()
{
    const CallOutcome<SweepSnapshot> outcome = m_watcher->result();
    if (m_refreshAgain) {
        m_refreshAgain = false;
        refresh();
        return;
    }
    if (!outcome.ok) {
        markProblem(m_status, true);
        m_status->setText(outcome.error);
        return;
    }
    if (fromStd(outcome.value.summary.dir) != m_dir)
        return; // of a sweep no longer shown
    m_snapshot = outcome.value;
    m_hasSnapshot = true;
    fillGroups();
    m_trialModel->setSweep(m_snapshot.sweep, m_snapshot.summary.trialResults);
    m_trials->resizeColumnsToContents();
    fillCoordinates();
    fillCurve();
    fillSearchCharts();
    if (!isRunning()) {
        const auto& s = m_snapshot.summary;
        markProblem(m_status, false);
        QString text = tr("%1: %2 of %3 trials finished, %4 configurations × %5 seeds")
                           .arg(QFileInfo(m_dir).fileName())
                           .arg(s.finished)
                           .arg(s.trials)
                           .arg(m_snapshot.sweep.folder.plan.groups)
                           .arg(m_snapshot.sweep.folder.plan.seeds.size());
        if (const QString search = searchText(s); !search.isEmpty())
            text += QStringLiteral("; ") + search;
        if (!m_lastLine.isEmpty())
            text += QStringLiteral(". ") + m_lastLine;
        m_status->setText(text);
    }
    updateButtons();
    Q_EMIT refreshed();
}

void SweepView::fillGroups()
{
    const auto& s = m_snapshot.summary;
    m_configModel->setSummary(s);
    if (m_sortBestFirst && m_configModel->columnCount() > 0) {
        // The honest accuracy follows the varying settings; later the user's sort is kept.
        m_groups->sortByColumn(static_cast<int>(s.keys.size()), Qt::DescendingOrder);
        m_sortBestFirst = false;
    }
    m_groups->resizeColumnsToContents();
    fitTablesWidth();
    if (m_shownGroup < 0 && !s.groups.empty() && s.groups.front().testAccAtBestValid.n > 0)
        m_shownGroup = static_cast<int>(s.groups.front().group); // the best, by default
    selectGroupRow();
}

// Selects the shown configuration's row, unless it is selected already (a refresh keeps the selection).
void SweepView::selectGroupRow()
{
    const int source = m_configModel->rowOfKey(m_shownGroup);
    if (source < 0)
        return;
    const QModelIndex row = m_configOrder->mapFromSource(m_configModel->index(source, 0));
    if (!m_groups->selectionModel()->isRowSelected(row.row(), {}))
        m_groups->selectRow(row.row());
}

// The tables get the width of their columns, so every number shows without scrolling, from two
// fifths of the view to two thirds (the chart keeps the rest); for a search, whose charts tell
// most, to a half.
// A splitter the user has dragged stays where they put it.
void SweepView::fitTablesWidth()
{
    const int total = m_split->width();
    if (m_splitMovedByUser || total <= 0 || m_configModel->columnCount() == 0)
        return;
    const int wanted = m_groups->horizontalHeader()->length() + m_groups->verticalScrollBar()->sizeHint().width() +
                       2 * m_groups->frameWidth() + m_split->handleWidth();
    const bool search = m_hasSnapshot && mnist::isSearch(m_snapshot.summary);
    const int left = std::clamp(wanted, total * 2 / 5, search ? total / 2 : total * 2 / 3);
    m_split->setSizes({left, total - left});
}

void SweepView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    fitTablesWidth(); // the first fill may come before the view has its width
}

void SweepView::fillCoordinates()
{
    const auto& s = m_snapshot.summary;
    QStringList columns;
    for (const std::string& k : s.keys)
        columns << fromStd(k);
    columns << tr("honest acc. %");
    QVector<QVector<QVariant>> rows;
    int selected = -1;
    for (const mnist::SweepGroup& g : s.groups) {
        QVector<QVariant> row;
        for (const std::string& k : s.keys)
            row << (g.params.contains(k) ? sweepValue(g.params[k]) : QVariant());
        row << (g.testAccAtBestValid.n > 0 ? QVariant(g.testAccAtBestValid.mean) : QVariant());
        if (g.group == m_shownGroup)
            selected = static_cast<int>(rows.size());
        rows << row;
    }
    m_coordinates->setData(columns, rows);
    m_coordinates->setSelectedRow(selected);
}

void SweepView::showGroup(int group)
{
    m_shownGroup = group;
    if (!m_hasSnapshot)
        return;
    const auto& groups = m_snapshot.summary.groups;
    for (size_t i = 0; i < groups.size(); ++i)
        if (groups[i].group == group)
            m_coordinates->setSelectedRow(static_cast<int>(i));
    selectGroupRow();
    fillCurve();
}

void SweepView::fillSearchCharts()
{
    m_history->setSummary(m_snapshot.summary);
    m_intermediate->setSummary(m_snapshot.summary);
    m_importance->setSummary(m_snapshot.summary);
    m_slices->setSummary(m_snapshot.summary);
}

// A trial clicked in a chart: its configuration is shown, and its row in the trial table selected.
void SweepView::showTrial(int index)
{
    for (const mnist::TrialResult& t : m_snapshot.summary.trialResults)
        if (t.index == index) {
            showGroup(static_cast<int>(t.group));
            const int row = m_trialModel->rowOfKey(index);
            if (row >= 0)
                m_trials->selectRow(row);
            return;
        }
}

void SweepView::fillCurve()
{
    QChart* chart = m_curve->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes())
        chart->removeAxis(a), delete a;
    if (m_shownGroup < 0)
        return;
    // The seeds' runs, each pooled per epoch with those that reached it.
    std::vector<const std::vector<mnist::EpochMetrics>*> runs;
    QString params;
    const mnist::SweepReading& sweep = m_snapshot.sweep;
    for (size_t i = 0; i < sweep.folder.plan.trials.size(); ++i) {
        const mnist::SweepTrial& t = sweep.folder.plan.trials[i];
        if (t.group != m_shownGroup)
            continue;
        params = fromStd(mnist::describeParams(t.params));
        runs.push_back(&sweep.runs[i].epochs);
    }
    chart->setTitle(tr("%1: test accuracy per epoch, mean of %2 seeds (line) and min-max (band)")
                        .arg(params.isEmpty() ? tr("base") : params)
                        .arg(runs.size()));
    const std::vector<mnist::EpochBand> bands = mnist::epochBands(runs, &mnist::EpochMetrics::testAccuracy);
    if (bands.empty())
        return;
    double yMin = 100, yMax = 0;
    for (const mnist::EpochBand& b : bands) {
        yMin = std::min(yMin, b.spread.min);
        yMax = std::max(yMax, b.spread.max);
    }
    const BandSeries drawn = addEpochBand(chart, bands, seriesColor(SeriesRole::TestAccuracy), tr("mean"),
                                          tr("min-max over seeds"));
    setSeriesRole(drawn.mean, SeriesRole::TestAccuracy);
    auto* x = new QValueAxis;
    x->setTitleText(tr("epoch"));
    x->setLabelFormat(QStringLiteral("%d"));
    x->setTickType(QValueAxis::TicksDynamic);
    x->setTickAnchor(1);
    const double last = static_cast<double>(bands.back().epoch);
    x->setTickInterval(std::max(1.0, std::ceil(last / 10.0)));
    x->setRange(1, std::max(2.0, last));
    auto* y = new QValueAxis;
    y->setTitleText(tr("test accuracy %"));
    setAccuracyRange(y, yMin, yMax);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries* s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    applyChartTheme(chart);
}

void SweepView::updateButtons()
{
    const bool running = isRunning();
    const bool unfinished = m_hasSnapshot && m_snapshot.summary.finished < m_snapshot.summary.trials;
    m_continue->setEnabled(!running && !m_dir.isEmpty() && unfinished);
    m_stop->setEnabled(running);
    m_new->setEnabled(!running);
    m_export->setEnabled(m_hasSnapshot);
    m_jobs->setEnabled(!running);
    m_list->setEnabled(!running);
}

void SweepView::newSweep()
{
    const mnist::TrainConfig base = m_baseConfig ? m_baseConfig() : mnist::TrainConfig{};
    NewSweepDialog dialog(base, this);
    dialog.setParallelRuns(m_jobs->value());
    while (dialog.exec() == QDialog::Accepted) {
        QString error;
        if (createSweep(dialog.sweepName(), dialog.spec(), dialog.parallelRuns(), &error))
            return;
        dialog.showProblem(error); // e.g. the name is taken: the dialog stays, nothing typed is lost
    }
}

void SweepView::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a sweep folder"), m_sweepsFolder);
    if (!dir.isEmpty())
        openSweep(dir);
}

bool SweepView::exportSummaryCsv(const QString& path, QString* error)
{
    try {
        mnist::writeSweepSummaryCsv(m_snapshot.summary, path.toStdString());
        return true;
    } catch (const std::exception& e) {
        if (error)
            *error = fromStd(e.what());
        return false;
    }
}

void SweepView::exportCsv()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the sweep's summary"),
                                                      QDir(m_dir).filePath(QStringLiteral("summary.csv")), tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = exportSummaryCsv(path, &error);
    markProblem(m_status, !ok);
    m_status->setText(ok ? tr("Wrote %1").arg(path) : error);
}

} // namespace studio
