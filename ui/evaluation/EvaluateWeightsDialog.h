#pragma once
// File → Evaluate weights…: a .safetensors (PyTorch state_dict names) or LibTorch .pt of one of
// the architectures, trained here or elsewhere, evaluated on the set-up's test set off the GUI
// thread; shows the test accuracy and the 10 x 10 confusion counts, or the core's message (e.g.
// the missing and unexpected names of a file of another architecture).
#include "shared/BackgroundCall.h"
#include "shared/CoreBridge.h"
#include "spec/TrainConfig.h"

#include <QDialog>
#include <QFutureWatcher>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace studio {

class ConfusionTable;

class EvaluateWeightsDialog : public QDialog {
    Q_OBJECT
public:
    explicit EvaluateWeightsDialog(QWidget* parent = nullptr);
    ~EvaluateWeightsDialog() override;

    // The dataset (and device, batch size, Normalize) to evaluate on; the architecture is the
    // dialog's own choice, starting from config.arch.
    void setDatasetConfig(const mnist::TrainConfig& config);
    void setWeightsPath(const QString& path);
    void setArchitecture(const QString& arch);

    // Starts the evaluation in a worker thread; evaluationFinished() follows.
    void evaluate();
    bool isBusy() const { return m_watcher.isRunning(); }

    // The last evaluation: accuracy text, or the error; and the counts shown.
    QString resultText() const;
    bool succeeded() const { return m_ok; }
    const WeightsEvaluation& result() const { return m_result; }
    int confusionCell(int trueLabel, int predicted) const;

Q_SIGNALS:
    void evaluationFinished(bool ok);

private:
    void onFinished();
    void browse();

    mnist::TrainConfig m_config;
    bool m_ok = false;
    WeightsEvaluation m_result;
    QFutureWatcher<CallOutcome<WeightsEvaluation>> m_watcher;

    QLineEdit* m_path = nullptr;
    QComboBox* m_arch = nullptr;
    QCheckBox* m_normalize = nullptr;
    QLabel* m_dataset = nullptr;
    QPushButton* m_run = nullptr;
    QLabel* m_resultLabel = nullptr;
    ConfusionTable* m_confusion = nullptr;
};

} // namespace studio
