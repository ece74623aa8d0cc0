#pragma once
// Every run of a runs folder: architecture, recipe, accuracies (the notebook's best and the honest
// one at the lowest valid loss), duration, epochs. Open one in the dashboard, resume it, overlay
// several on a comparison chart, score several as an ensemble, rename, delete, export their
// metrics (CSV) or a model. Damaged runs stay listed, in red, with the problem in a tooltip. The
// folder is read on Qt's thread pool, so a folder of thousands of runs never freezes the window;
// the table sorts by any column and filters by text and architecture (RunTableModel.h). A sweep's
// trials are listed with the runs, their sweep in the Sweep column; each run's note and tags are
// edited under the table (RunNotesEditor.h) and kept in its folder (run/RunNotes.h).
#include "shared/BackgroundCall.h"
#include "shared/CoreBridge.h"
#include "runs/RunTableModel.h"
#include "run/RunIndex.h"
#include "train/Ensemble.h"

#include <QFutureWatcher>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QToolButton;
class QTreeView;

namespace studio {

class RunComparePanel;
class RunComparisonChart;
class RunNotesEditor;

class RunBrowser : public QWidget {
    Q_OBJECT
public:
    // Asked before deleting; gets the run names, returns true to delete. The default asks in a
    // message box; tests replace it so that nothing waits on a modal dialog.
    using Confirmation = std::function<bool(const QStringList& runNames)>;


    explicit RunBrowser(QWidget* parent = nullptr);
    ~RunBrowser() override;

    void setRunsFolder(const QString& folder);
    QString runsFolder() const { return m_folder; }

    // The runs as last listed, newest name first (damaged ones included), whatever the view shows.
    const std::vector<mnist::RunRecord>& runs() const { return m_model->runs(); }
    QTreeView* list() const { return m_list; }
    RunTableModel* model() const { return m_model; }
    RunFilterModel* filter() const { return m_filter; }
    // The run names the table shows, in its order (after sorting and filtering).
    QStringList shownRunNames() const;
    // True from refresh() until its listing has been shown (runsChanged()).
    bool isListing() const { return m_listing; }
    RunComparisonChart* comparison() const { return m_comparison; }
    RunComparePanel* comparePanel() const { return m_compare; }

    // In the table's order, not in the order of clicks.
    QStringList selectedRunDirs() const;
    void selectRuns(const QStringList& dirs);
    // The record of a listed run folder, or nullptr.
    const mnist::RunRecord* run(const QString& dir) const;

    // The folder a run in progress writes to: it is not renamed, deleted or resumed meanwhile.
    void setActiveRun(const QString& dir);

    // Each returns false and shows the reason in the browser's message line (and in `error`).
    // Renames the run's folder to `newName` (no '/', not an existing folder).
    bool renameRun(const QString& dir, const QString& newName, QString* error = nullptr);
    // Deletes the run folders after the confirmation; false when declined or failed.
    bool deleteRuns(const QStringList& dirs, QString* error = nullptr);
    void setDeleteConfirmation(Confirmation confirm) { m_confirmDelete = std::move(confirm); }
    // Every epoch of the runs in one CSV (run,epoch,train_loss,...), written atomically.
    bool exportMetricsCsv(const QStringList& dirs, const QString& path, QString* error = nullptr);
    // The run's note and tags, written into its folder (notes.json, atomically); tags are split as
    // typed and cleaned (trimmed, each once).
    bool saveRunNotes(const QString& dir, const QString& note, const QStringList& tags, QString* error = nullptr);
    RunNotesEditor* notesEditor() const { return m_notes; }
    // The run's model in `format` (see CoreBridge.h), written atomically.
    bool exportModel(const QString& dir, const QString& path, ModelFormat format, QString* error = nullptr);

    // Scores the finished runs' averaged softmax on the test set in the background (a SimpleNet
    // takes seconds on a CPU); ensembleFinished() follows and the message line shows the result.
    // False, with the reason, when fewer than two finished runs are given or one is busy already.
    bool scoreEnsemble(const QStringList& dirs, QString* error = nullptr);
    bool ensembleBusy() const { return m_ensembleWatcher.isRunning(); }
    // The last ensemble's result (empty members until one succeeded).
    const mnist::EnsembleResult& lastEnsemble() const { return m_lastEnsemble; }

    // The message line (errors and results of the last action); empty when hidden.
    QString messageText() const;

public Q_SLOTS:
    // Lists the runs folder again in the background, keeping the selection where the runs still
    // exist; runsChanged() follows. A refresh asked for during a listing runs after it.
    void refresh();
    // refresh() now when shown, else the next time the browser is shown.
    void refreshWhenShown();

Q_SIGNALS:
    void openRequested(const QString& dir);
    void resumeRequested(const QString& dir);
    // After a refresh, rename or delete.
    void runsChanged();
    void ensembleFinished(bool ok);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void onListed();
    void updateFilterChoices();
    void updateCountLabel();
    void onSelectionChanged();
    void showMessage(const QString& text, bool error);
    bool failWith(const QString& text, QString* error);
    void showContextMenu(const QPoint& at);
    // The interactive versions: dialogs for names and paths.
    void openSelected();
    void resumeSelected();
    void renameSelected();
    void deleteSelected();
    void exportCsvSelected();
    void exportModelSelected(ModelFormat format);
    void onEnsembleFinished();

    QString m_folder;
    QString m_activeRun;
    bool m_stale = true;
    bool m_listing = false;       // from refresh() until its result is shown (the future ends before that)
    bool m_listAgain = false;     // refresh() came during a listing
    QString m_listedFolder;       // the folder the listing in flight reads
    QStringList m_keepSelection;  // selected when the listing in flight started, or asked for since
    Confirmation m_confirmDelete;

    RunTableModel* m_model = nullptr;
    RunFilterModel* m_filter = nullptr;
    QTreeView* m_list = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    QComboBox* m_archFilter = nullptr;
    QFutureWatcher<CallOutcome<std::vector<mnist::RunRecord>>> m_listWatcher;
    RunComparisonChart* m_comparison = nullptr;
    RunComparePanel* m_compare = nullptr;
    RunNotesEditor* m_notes = nullptr;
    QLabel* m_folderLabel = nullptr;
    QLabel* m_message = nullptr;
    QPushButton* m_refresh = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_resume = nullptr;
    QPushButton* m_rename = nullptr;
    QPushButton* m_delete = nullptr;
    QPushButton* m_exportCsv = nullptr;
    QToolButton* m_exportModel = nullptr;
    QPushButton* m_ensemble = nullptr;
    QFutureWatcher<CallOutcome<mnist::EnsembleResult>> m_ensembleWatcher;
    mnist::EnsembleResult m_lastEnsemble;
};

} // namespace studio
