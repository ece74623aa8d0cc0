#pragma once
// The Evaluation tab: a saved model's predictions on its dataset's test set as a 10 x 10
// confusion heat map (counts, per-class accuracy) and a gallery of every misclassified image,
// sortable by confidence and filterable by true and predicted class; clicking a confusion cell
// filters the gallery to it. Evaluations run on the thread pool; the window never waits on one,
// and errors appear in the status line.
#include "train/Predictions.h"
#include "spec/TrainConfig.h"
#include "shared/BackgroundCall.h"

#include <QFutureWatcher>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QListView;
class QPushButton;

namespace studio {

class ConfusionTable;
class MisclassifiedModel;

class EvaluationView : public QWidget {
    Q_OBJECT
public:
    explicit EvaluationView(QWidget* parent = nullptr);
    ~EvaluationView() override;

    // "Evaluate selected run" asks this for the run folder to evaluate (empty: none chosen).
    void setRunProvider(std::function<QString()> provider) { m_runProvider = std::move(provider); }

    // Evaluates a run folder: its config.json, and model.safetensors or else best.safetensors.
    void evaluateRun(const QString& runDir);
    // Evaluates a weights file with a config's architecture, dataset and Normalize; `title` names
    // it in the status line.
    void evaluateWeights(const mnist::TrainConfig& config, const QString& weightsPath, const QString& title);
    // Predictions made elsewhere (the training run's test pass after an epoch), shown at once
    // unless an evaluation the user asked for is running.
    // `runDir`: the run folder they are of, when there is one (the Inspect tab can then open them).
    void showPredictions(const mnist::TrainConfig& config, std::shared_ptr<const mnist::TestPredictions> predictions,
                         const QString& title, const QString& runDir = QString());
    // The run folder of the predictions shown; empty for weights evaluated from a file.
    const QString& shownRun() const { return m_shownRun; }
    // A run just finished: evaluated now when the tab is visible, else the next time it is shown.
    void setLatestRun(const QString& runDir);
    // Evaluates the pretrained model shipped with the program (run/PretrainedModel.h); also what the
    // tab shows on its first visit when there is no run at all. False (the status says why) when
    // none is installed or its record cannot be read. quietIfNone: no status when none is installed
    // (the first visit, where the tab's own hint is enough).
    bool evaluatePretrained(bool quietIfNone = false);

    // "Predict a folder…": the model shown (its run's, or the weights file evaluated) predicts
    // every image of `location` (a folder of images, or a CSV file of pixel rows) on the thread
    // pool and writes `outCsv` as `mnist-train --predict` does (train/PredictionsCsv.h). The
    // status line tells how it went; predictionsWritten() follows.
    void predictFolder(const QString& location, const QString& outCsv);
    bool isPredicting() const { return m_predictWatcher.isRunning(); }

    bool isBusy() const { return m_watcher.isRunning(); }
    // The last successful evaluation; nullptr before one (or after a failure).
    const mnist::TestPredictions* predictions() const { return m_predictions.get(); }
    const mnist::TrainConfig& config() const { return m_config; }
    QString statusText() const;

    // The heat map as shown: counts (or -1 for an empty cell) and the per-class accuracy text.
    int confusionCell(int trueLabel, int predicted) const;
    QString classAccuracyText(int label) const;
    // The heat map's row header of `label`: the class name (the run's data's), else the digit.
    QString labelHeader(int label) const;
    // Every class's name, in label order, as the views show them.
    const QStringList& classLabels() const { return m_classLabels; }

    void setTrueClassFilter(int label);      // -1: any
    void setPredictedClassFilter(int label); // -1: any
    void setConfidenceOrder(Qt::SortOrder order);
    // Gallery to one confusion cell, as a click on it does.
    void filterToCell(int trueLabel, int predicted);
    // Test-file indices of the gallery's images, in display order; and the caption of one.
    std::vector<int> galleryImages() const;
    QString galleryCaption(int row) const;

    ConfusionTable* confusionTable() const { return m_confusion; }
    QListView* gallery() const { return m_gallery; }
    QComboBox* trueFilterBox() const { return m_trueFilter; }
    QComboBox* predictedFilterBox() const { return m_predictedFilter; }
    QComboBox* orderBox() const { return m_order; }
    QPushButton* evaluateSelectedButton() const { return m_evaluateSelected; }

Q_SIGNALS:
    // After every evaluation (ok = false: the status line says why).
    void evaluationFinished(bool ok);
    // A misclassified image was double-clicked (or Enter pressed on it): inspect test image
    // `imageIndex` of run `runDir`.
    void inspectRequested(const QString& runDir, int imageIndex);
    // A predictFolder() ended (ok = false: the status line says why).
    void predictionsWritten(bool ok);

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct Request {
        QString runDir;           // set: read config and weights from the run folder
        mnist::TrainConfig config; // otherwise these two
        QString weightsPath;
        QString title;
    };
    struct Outcome {
        bool ok = false;
        mnist::TrainConfig config;
        std::string weightsPath;
        std::shared_ptr<const mnist::TestPredictions> predictions;
        QString error;
    };
    void start(const Request& request);
    void onFinished();
    void present(const mnist::TrainConfig& config, std::shared_ptr<const mnist::TestPredictions> predictions);
    void evaluateSelected();
    void askPrediction(bool csvInput);
    void onPredicted();
    void showStatus(const QString& text, bool error);
    void fillConfusion();
    void fillClassBoxes();
    void updateGalleryLabel();
    void applyFilters();

    std::function<QString()> m_runProvider;
    std::optional<Request> m_pending; // asked for while another evaluation ran
    QString m_latestRun;              // finished run not yet shown
    bool m_offeredPretrained = false; // the first visit without runs showed the pretrained model
    QString m_currentTitle;
    QString m_shownRun;    // run folder of the predictions shown
    QString m_inFlightRun; // run folder of the evaluation running
    mnist::TrainConfig m_config;
    QStringList m_classLabels;
    std::shared_ptr<const mnist::TestPredictions> m_predictions;
    QFutureWatcher<Outcome> m_watcher;
    std::string m_weightsPath; // of the evaluation shown; empty for a training run's predictions
    QString m_predictTarget;   // the CSV being written
    QFutureWatcher<CallOutcome<qint64>> m_predictWatcher;
    QPushButton* m_predict = nullptr;

    QPushButton* m_evaluateSelected = nullptr;
    QLabel* m_status = nullptr;
    ConfusionTable* m_confusion = nullptr;
    QComboBox* m_trueFilter = nullptr;
    QComboBox* m_predictedFilter = nullptr;
    QComboBox* m_order = nullptr;
    QLabel* m_galleryLabel = nullptr;
    QListView* m_gallery = nullptr;
    MisclassifiedModel* m_model = nullptr;
};

} // namespace studio
