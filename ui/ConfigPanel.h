#pragma once
// The set-up panel: every field of a TrainConfig, a live LR preview, and the config's problems
// shown at the fields. It edits one TrainConfig; config() is always the fields' current state.
#include "train/TrainConfig.h"

#include <QStringList>
#include <QVector>
#include <QWidget>

#include <utility>
#include <vector>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QToolButton;

namespace studio {

class LrPreviewChart;
class NumberEdit;

class ConfigPanel : public QWidget {
    Q_OBJECT
public:
    explicit ConfigPanel(QWidget* parent = nullptr);

    // Fills every field from `config`; emits configChanged() once.
    void setConfig(const mnist::TrainConfig& config);
    // The fields as a config. A field that does not hold a number keeps its last valid value and
    // is listed in problems().
    const mnist::TrainConfig& config() const { return m_config; }

    // Every reason the config cannot be run, in words; empty when it can.
    const QStringList& problems() const { return m_problems; }
    bool isValid() const { return m_problems.isEmpty(); }

    LrPreviewChart* lrPreview() const { return m_lrPreview; }
    // The augmentation section, which the window scrolls into view next to the preview panel.
    QWidget* augmentSection() const { return m_augmentSection; }

Q_SIGNALS:
    // Any field changed (also after setConfig()).
    void configChanged();
    void validityChanged(bool valid);

private:
    QWidget* buildDataGroup();
    QWidget* buildModelGroup();
    QWidget* buildTrainingGroup();
    QWidget* buildSchedulerGroup();
    QWidget* buildAugmentGroup();
    // `fieldName` names the field in validation messages.
    NumberEdit* numberEdit(const char* objectName, const QString& fieldName, const QString& tip = {});
    // Items are (label, value) pairs.
    QComboBox* comboBox(const char* objectName, const std::vector<std::pair<QString, QString>>& items = {});
    QSpinBox* spinBox(const char* objectName, int min, int max, const QString& tip = {});
    QLabel* problemLabel(const char* objectName);

    void writeFields(const mnist::TrainConfig& c);
    void readFields();
    void fieldChanged();
    void validate();
    void showProblems(const QStringList& general, const QStringList& scheduler, const QStringList& augment);
    void updateVisibility();
    void showSchedulerPage(int index);
    void updateArchitectureInfo();
    void fillDevices(const std::string& current);
    void browseDataFolder();

    mnist::TrainConfig m_config;
    QStringList m_problems;
    QStringList m_parseProblems;
    bool m_writing = false;
    bool m_lastValid = true;

    // Data
    QComboBox* m_dataset = nullptr;
    QLineEdit* m_dataDir = nullptr;
    NumberEdit* m_trainFraction = nullptr;
    // Model
    QComboBox* m_arch = nullptr;
    QLabel* m_archInfo = nullptr;
    QToolButton* m_layersButton = nullptr;
    QPlainTextEdit* m_layers = nullptr;
    // Training
    QComboBox* m_optimizer = nullptr;
    NumberEdit* m_lr = nullptr;
    QLabel* m_lrNote = nullptr;
    NumberEdit* m_momentum = nullptr;
    QCheckBox* m_nesterov = nullptr;
    NumberEdit* m_weightDecay = nullptr;
    NumberEdit* m_labelSmoothing = nullptr;
    NumberEdit* m_emaDecay = nullptr;
    QSpinBox* m_epochs = nullptr;
    QSpinBox* m_batchSize = nullptr;
    QSpinBox* m_evalBatchSize = nullptr;
    QLineEdit* m_seed = nullptr;
    QComboBox* m_device = nullptr;
    QSpinBox* m_threads = nullptr;
    QCheckBox* m_shuffle = nullptr;
    QLabel* m_generalProblems = nullptr;
    QWidget* m_momentumRow = nullptr;
    // Scheduler
    QComboBox* m_scheduler = nullptr;
    QStackedWidget* m_schedulerPages = nullptr;
    QSpinBox* m_tMax = nullptr;
    NumberEdit* m_cosineEtaMin = nullptr;
    NumberEdit* m_baseLr = nullptr;
    NumberEdit* m_cyclicMaxLr = nullptr;
    QSpinBox* m_stepSizeUp = nullptr;
    QSpinBox* m_stepSizeDown = nullptr;
    QComboBox* m_cyclicMode = nullptr;
    NumberEdit* m_cyclicGamma = nullptr;
    QSpinBox* m_t0 = nullptr;
    NumberEdit* m_tMult = nullptr;
    NumberEdit* m_restartEtaMin = nullptr;
    NumberEdit* m_oneCycleMaxLr = nullptr;
    NumberEdit* m_pctStart = nullptr;
    QComboBox* m_anneal = nullptr;
    NumberEdit* m_divFactor = nullptr;
    NumberEdit* m_finalDivFactor = nullptr;
    QSpinBox* m_stepSize = nullptr;
    NumberEdit* m_stepGamma = nullptr;
    NumberEdit* m_expGamma = nullptr;
    QLabel* m_schedulerProblems = nullptr;
    LrPreviewChart* m_lrPreview = nullptr;
    // Augmentation
    QGroupBox* m_crop = nullptr;
    NumberEdit* m_cropScaleMin = nullptr;
    NumberEdit* m_cropScaleMax = nullptr;
    NumberEdit* m_cropRatioMin = nullptr;
    NumberEdit* m_cropRatioMax = nullptr;
    QGroupBox* m_rotate = nullptr;
    NumberEdit* m_degrees = nullptr;
    QCheckBox* m_bilinear = nullptr;
    QGroupBox* m_erase = nullptr;
    NumberEdit* m_eraseP = nullptr;
    NumberEdit* m_eraseScaleMin = nullptr;
    NumberEdit* m_eraseScaleMax = nullptr;
    NumberEdit* m_eraseRatioMin = nullptr;
    NumberEdit* m_eraseRatioMax = nullptr;
    QGroupBox* m_normalize = nullptr;
    NumberEdit* m_mean = nullptr;
    NumberEdit* m_std = nullptr;
    QLabel* m_augmentProblems = nullptr;
    QWidget* m_augmentSection = nullptr;

    // Which widgets a problem message points at: a pattern matched against the message.
    struct FieldPattern {
        QString pattern;
        QWidget* widget;
    };
    QVector<FieldPattern> m_fieldPatterns;
    QVector<QWidget*> m_marked;
};

} // namespace studio
