#pragma once
// The application window: set-up panel and notebook recipes on the left; the live dashboard and
// the augmentation preview on the right; Train / Pause / Stop. One run at a time, each on its
// own QThread with a TrainingWorker; the window never waits on a run except when it closes.
#include "shared/RunSummary.h"
#include "spec/TrainConfig.h"

#include <QMainWindow>
#include <QDialog>
#include <QPointer>
#include <QStringList>

#include <functional>

class QAction;
class QChartView;
class QLabel;
class QMenu;
class QPushButton;
class QSplitter;
class QTabWidget;
class QThread;

namespace studio {

class AugmentationPreview;
class ConfigPanel;
class DatasetView;
class DrawDigitView;
class InspectView;
class ProjectorView;
class SweepView;
class EvaluateWeightsDialog;
class EvaluationView;
class NetworkEditor;
class RecipeList;
class RunBrowser;
class ReportExport;
class RunController;
class RunSelection;
class TrainingDashboard;
class TrainingWorker;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // The notebook's tabs; their titles, View-menu entries and --tab names are in one table (MainWindow.cpp).
    enum class Tab { Dashboard, AugmentationPreview, Runs, Evaluation, DrawDigit, Network, Inspect, Projector, Sweeps };

    // `useSettings`: start from the last set-up and window layout (QSettings) and save them on
    // close; without it the user's settings are neither read nor written.
    explicit MainWindow(bool useSettings = true, QWidget* parent = nullptr);
    ~MainWindow() override;

    ConfigPanel* configPanel() const { return m_panel; }
    TrainingDashboard* dashboard() const { return m_dashboard; }
    AugmentationPreview* augmentationPreview() const { return m_preview; }
    RecipeList* recipeList() const { return m_recipes; }
    RunBrowser* runBrowser() const { return m_browser; }
    EvaluationView* evaluationView() const { return m_evaluation; }
    InspectView* inspectView() const { return m_inspect; }
    ProjectorView* projectorView() const { return m_projector; }
    SweepView* sweepView() const { return m_sweeps; }
    DrawDigitView* drawDigitView() const { return m_draw; }
    NetworkEditor* networkEditor() const { return m_network; }
    // File → Evaluate weights…; created on first use, set to the current set-up's dataset.
    EvaluateWeightsDialog* evaluateWeightsDialog();
    QPushButton* trainButton() const { return m_train; }
    QPushButton* pauseButton() const { return m_pause; }
    QPushButton* stopButton() const { return m_stop; }

    bool isTraining() const;
    // The run in progress (its thread and worker) and which runs the views are about.
    RunController* runController() const { return m_run; }
    RunSelection* runSelection() const { return m_selection; }
    // The error banner's text; empty when hidden.
    QString errorText() const;

    // Where runs are recorded (a sub-folder per run); empty: not recorded.
    void setRunsFolder(const QString& folder);
    QString runsFolder() const;

    // When the set-up's MNIST or Fashion-MNIST is on none of the data folders the core searches,
    // asks whether to download it, choose a folder or cancel; true when the data is there after.
    bool ensureDataAvailable();
    // The question itself ("MNIST is not on this computer. Download / Choose folder… / Cancel"),
    // modal; true when the data was downloaded or a folder holding it was chosen.
    bool offerDataDownload(const QString& dataset);
    // Writes the latest run's files into `dir` with the same code as the File menu's exports, without
    // dialogs: the three dashboard charts as PNG (1200x800) and SVG, the run's metrics as CSV, its
    // model as .safetensors and .pt. Returns false with `error` set at the first failure.
    bool exportLatestRun(const QString& dir, QStringList* written, QString* error);
    // File ▸ Export report…: the report of the runs selected in the Runs tab, else of the latest
    // run, to the path `ask` returns for them (the save dialog unless replaced; empty: cancelled).
    // Written in the background; the status bar says where, the error banner why not.
    void exportReportInteractively();
    void setReportPathAsker(std::function<QString(const QStringList& runDirs)> ask);
    ReportExport* reportExport() const { return m_report; }

    void loadRecipe(int index);
    void loadStudioRecipe(const QString& name);
    void showTab(Tab tab);
    // The words mnist-studio's --tab takes: each tab's, in tab order, then "recipes" (the left side's).
    static QStringList tabNames();
    // Shows the tab (or the recipes) that --tab calls `name`; false for a name it does not know.
    bool showTabNamed(const QString& name);
    // Brings the notebook recipes (left) to the front.
    void showRecipes();

public Q_SLOTS:
    // The layer editor saved `name`: choose it in the set-up, and train it when `train`.
    void useEditedNetwork(const QString& name, bool train);
    void startTraining();
    void setPaused(bool paused);
    void stopTraining();
    // Shows a recorded run's curves and LR in the dashboard (not while training).
    void openRun(const QString& runDir);
    // Continues a recorded run from its checkpoint, with the dashboard starting from its epochs.
    void resumeRun(const QString& runDir);
    void showEvaluateWeights();
    // File ▸ Open dataset…: asks for a folder or CSV file and its kind, then openDataset().
    void showOpenDataset();
    // Makes `path`, read as `kind`, the set-up's dataset (dataset and data_dir), remembers it among
    // the recent datasets (with settings) and, with `showView`, shows what it holds in the dataset
    // view.
    void openDataset(const QString& kind, const QString& path, bool showView = true);

public:
    // The dataset view of the last dataset opened; null before one.
    DatasetView* datasetView() const;

Q_SIGNALS:
    void trainingStarted();
    // The run ended and its thread has been joined.
    void trainingFinished(const studio::RunSummary& summary);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void connectDatasetButton();
    void updateControls();
    void showError(const QString& text);
    void connectRunController();
    void onRunStopped();
    void saveSettings() const;
    void restoreSettings();
    void openConfig();
    void saveConfig();
    void startWorker(const mnist::TrainConfig& config, const QString& resumeDir);
    // The run whose model File → Export model writes: the browser's selection, else the last run.
    QString modelRunDir() const;
    void exportModelInteractively(int format);
    void exportChart(QChartView* view, const QString& baseName, bool svg);

    ConfigPanel* m_panel = nullptr;
    RecipeList* m_recipes = nullptr;
    TrainingDashboard* m_dashboard = nullptr;
    AugmentationPreview* m_preview = nullptr;
    RunBrowser* m_browser = nullptr;
    EvaluationView* m_evaluation = nullptr;
    DrawDigitView* m_draw = nullptr;
    NetworkEditor* m_network = nullptr;
    InspectView* m_inspect = nullptr;
    ProjectorView* m_projector = nullptr;
    SweepView* m_sweeps = nullptr;
    EvaluateWeightsDialog* m_evaluate = nullptr;
    QTabWidget* m_leftTabs = nullptr;
    QTabWidget* m_tabs = nullptr;
    QSplitter* m_splitter = nullptr;
    QPushButton* m_train = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_stop = nullptr;
    QLabel* m_runLabel = nullptr;
    QWidget* m_errorBanner = nullptr;
    QLabel* m_errorLabel = nullptr;
    QAction* m_recordAction = nullptr;
    QMenu* m_recentDatasetsMenu = nullptr;
    QPointer<QDialog> m_datasetDialog;
    QAction* m_trainAction = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_stopAction = nullptr;

    RunController* m_run = nullptr;
    ReportExport* m_report = nullptr;
    std::function<QString(const QStringList&)> m_askReportPath;
    RunSelection* m_selection = nullptr;
    mnist::TrainConfig m_runConfig; // the set-up of the run in progress (or the last one)
    QString m_runsFolder; // the core's defaultRunsDir() unless the user chose another
    bool m_useSettings = true;
};

} // namespace studio
