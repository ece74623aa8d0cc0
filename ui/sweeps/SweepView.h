#pragma once
// The Sweeps tab: the sweep folders under the runs folder's sweeps/ (and any opened), one at a
// time: its configurations (seeds pooled: mean ± sample std of the honest accuracy, sortable, the
// varying settings as columns), a parallel-coordinates chart of settings against accuracy, the
// chosen configuration's mean test-accuracy curve with its min-max band over the seeds, every
// trial's state and progress, and the search as it goes (the optimization history, every trial's
// valid loss per epoch with the pruner's rungs, the settings' importance and one slice plot per
// setting); clicking a trial in those charts shows its configuration. New sweep… plans one from the set-up panel's settings; a sweep runs
// as `mnist-train --sweep DIR/sweep.json --jobs N`, a process of its own (the CLI's runner: each
// trial a process, checkpoints on stop), so the sweep folder is the whole state: closing the
// window stops the trials at a checkpoint, and Continue (here or in a terminal) finishes it.
#include "sweep/SweepSummary.h"
#include "run/RunIndex.h"
#include "spec/TrainConfig.h"

#include <QFutureWatcher>
#include <QProcess>
#include <QStringList>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <vector>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QSplitter;
class QTabWidget;
class QTableView;

namespace studio {

template <class T>
struct CallOutcome;
class IntermediateValues;
class OptimizationHistory;
class ParallelCoordinates;
class ParameterImportance;
class RankedSortProxy;
class SlicePlots;
class SweepConfigModel;
class SweepTrialModel;

// What one refresh reads of a sweep folder, off the GUI thread: each trial's run folder once,
// and the summary made from that.
struct SweepSnapshot {
    mnist::SweepReading sweep;
    mnist::SweepSummary summary;
};

class SweepView : public QWidget {
    Q_OBJECT
public:
    explicit SweepView(QWidget* parent = nullptr);
    ~SweepView() override;

    // <runs folder>/sweeps: where New sweep… puts sweeps, and whose sweep folders are listed.
    void setSweepsFolder(const QString& dir);
    QString sweepsFolder() const { return m_sweepsFolder; }
    // The set-up a new sweep starts from (the set-up panel's).
    void setBaseConfigProvider(std::function<mnist::TrainConfig()> provider) { m_baseConfig = std::move(provider); }
    // mnist-train, which runs the sweeps (default: beside this program, else on the PATH).
    void setTrainProgram(const QString& path) { m_program = path; }

    // Shows the sweep in `dir` (a folder holding sweep.json); false (the status says why) when it is not one.
    bool openSweep(const QString& dir);
    const QString& sweep() const { return m_dir; }
    // Plans `spec` (sweep/SweepSpec.h), creates its folder sweepsFolder()/name and starts it.
    bool createSweep(const QString& name, const nlohmann::json& spec, int jobs, QString* error);
    // Runs the shown sweep's unfinished trials, `jobs` at a time.
    bool startSweep(int jobs, QString* error = nullptr);
    // Asks the running sweep to stop: each trial saves a checkpoint. `wait`: until it has.
    void stopSweep(bool wait = false);
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    // Writes the shown summary as CSV; false with the reason.
    bool exportSummaryCsv(const QString& path, QString* error);

    QString statusText() const;
    const SweepSnapshot& snapshot() const { return m_snapshot; }
    // The configurations (sortable: its model is a proxy of configModel()) and the trials.
    QTableView* groupTable() const { return m_groups; }
    QTableView* trialTable() const { return m_trials; }
    SweepConfigModel* configModel() const { return m_configModel; }
    SweepTrialModel* trialModel() const { return m_trialModel; }
    ParallelCoordinates* coordinates() const { return m_coordinates; }
    QChart* curveChart() const;
    OptimizationHistory* history() const { return m_history; }
    IntermediateValues* intermediateValues() const { return m_intermediate; }
    ParameterImportance* importance() const { return m_importance; }
    SlicePlots* slices() const { return m_slices; }
    // The charts beside the tables, one tab each; a refresh keeps the chosen one.
    QTabWidget* chartTabs() const { return m_chartTabs; }
    // The charts' names, in tab order: curve, coordinates, history, intermediate, importance, slices.
    static QStringList chartNames();
    // Shows the chart of that name (chartNames()); false when there is none.
    bool showChart(const QString& name);
    // "TPE, ASHA (rungs 1, 3)": the sweep's sampler and pruner, as the status line says them.
    static QString searchText(const mnist::SweepSummary& summary);
    // The configuration (group number) whose curve is drawn; -1: none.
    int shownGroup() const { return m_shownGroup; }
    void showGroup(int group);

Q_SIGNALS:
    void refreshed();                  // a snapshot was read and shown
    void sweepEnded(int exitCode);     // the sweep's process ended (0: every trial finished)

public Q_SLOTS:
    void refresh();
    void newSweep();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void buildUi();
    void listSweeps();
    void onRefreshed();
    void fillGroups();
    void selectGroupRow();
    void fitTablesWidth();
    void fillCoordinates();
    void fillCurve();
    void fillSearchCharts();
    void showTrial(int index);
    void updateButtons();
    void onProcessOutput();
    QString program() const;
    void chooseFolder();
    void exportCsv();

    QString m_sweepsFolder;
    QString m_dir;
    QString m_program;
    std::function<mnist::TrainConfig()> m_baseConfig;
    QProcess m_process;
    QString m_lastLine; // the sweep process's latest line
    QTimer m_poll;      // refreshes while the sweep runs
    bool m_refreshAgain = false;
    int m_shownGroup = -1;
    bool m_sortBestFirst = true; // a newly opened sweep shows its best configuration on top
    SweepSnapshot m_snapshot;
    bool m_hasSnapshot = false;
    QFutureWatcher<CallOutcome<SweepSnapshot>>* m_watcher = nullptr;

    QComboBox* m_list = nullptr;
    QPushButton* m_new = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_continue = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_export = nullptr;
    QSpinBox* m_jobs = nullptr;
    QLabel* m_status = nullptr;
    QSplitter* m_split = nullptr;
    bool m_splitMovedByUser = false;
    SweepConfigModel* m_configModel = nullptr;
    RankedSortProxy* m_configOrder = nullptr;
    SweepTrialModel* m_trialModel = nullptr;
    QTableView* m_groups = nullptr;
    QTableView* m_trials = nullptr;
    ParallelCoordinates* m_coordinates = nullptr;
    QChartView* m_curve = nullptr;
    QTabWidget* m_chartTabs = nullptr;
    OptimizationHistory* m_history = nullptr;
    IntermediateValues* m_intermediate = nullptr;
    ParameterImportance* m_importance = nullptr;
    SlicePlots* m_slices = nullptr;
};

} // namespace studio
