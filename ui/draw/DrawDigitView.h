#pragma once
// The "Draw a digit" tab: a drawing pad (or an opened picture) preprocessed the MNIST way by the
// core, the 28 x 28 image the model sees, and the model's ten class probabilities as bars,
// updated live while drawing (at most ~30 times a second). The model is the current run's
// (followed as its weights improve), a saved run's, or an imported weights file.
#include "shared/CoreBridge.h"

#include <QTimer>
#include <QVector>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace studio {

class DrawingPad;

class DrawDigitView : public QWidget {
    Q_OBJECT
public:
    static constexpr int UpdateIntervalMs = 33; // live updates at most ~30 a second
    static constexpr int PreviewScale = 6;      // the 28 x 28 input shown 168 x 168

    explicit DrawDigitView(QWidget* parent = nullptr);

    // "Current run" asks this for the run in progress or the session's latest run; "Selected run"
    // asks the other for the Runs tab's selection. Empty: none.
    void setCurrentRunProvider(std::function<QString()> provider) { m_currentRunProvider = std::move(provider); }
    void setSelectedRunProvider(std::function<QString()> provider) { m_selectedRunProvider = std::move(provider); }
    // The dataset and Normalize that imported weights are assumed to have been trained with.
    void setDefaultConfig(const mnist::TrainConfig& config);

    // Loads a run folder's model. `follow`: reload it whenever runWeightsChanged() names the folder
    // (the current run). Returns false (the status line says why) when it has no usable weights.
    bool useRun(const QString& runDir, bool follow = false);
    // Loads a weights file as config.arch, normalised as config.augment says.
    bool useWeights(const mnist::TrainConfig& config, const QString& weightsPath);
    // Loads the pretrained model shipped with the program (run/PretrainedModel.h); false (the status
    // says why) when none is installed or it cannot be read. A run started later replaces it.
    // quietIfNone: no status when none is installed (a first visit, where the pad's hint is enough).
    bool usePretrained(bool quietIfNone = false);
    bool usingPretrained() const { return m_pretrained; }
    // A new run started recording into `runDir`: followed from now on when the view was following
    // the current run or had no model.
    void currentRunChanged(const QString& runDir);
    // A run's weights were rewritten (an epoch ended, the run finished): reloaded if followed, at
    // once while the view is shown, else when it is next shown.
    void runWeightsChanged(const QString& runDir);
    // Opens a PNG/JPEG/... of any size onto the pad; false (and the status says why) when unreadable.
    // For a model of colour data, classifies the file instead (classifyFile()).
    bool openImage(const QString& path);
    // A model of colour data ("Classify an image file…"): the file decoded by the core, converted
    // and resized to the model's input, shown and classified. False (the status says why) when it
    // cannot be read.
    bool classifyFile(const QString& path);
    // The model takes colour images: the pad is replaced by "Classify an image file…".
    bool colourMode() const { return m_colour; }

    bool hasModel() const { return static_cast<bool>(m_model.classifier); }
    QString modelDescription() const;
    // Nothing drawn (or a blank picture): no prediction is shown.
    bool isBlank() const { return m_blank; }
    // The 28 x 28 bytes last fed to the model (0 = background); all 0 while blank.
    const std::vector<uint8_t>& lastInput() const { return m_lastInput; }
    // The probabilities shown, one per class (empty when blank or without a model), and the
    // bars' values in per mille.
    const std::vector<float>& probabilities() const { return m_probabilities; }
    int barValue(int label) const;
    QString barLabel(int label) const;
    int predictedClass() const; // -1 when nothing is predicted
    // The run folder the model came from; empty for an imported weights file or no model.
    const QString& modelRun() const { return m_modelRun; }
    QPushButton* inspectButton() const { return m_inspect; }
    QString statusText() const;
    // How many times the input was preprocessed (each pass may feed the model once).
    int updateCount() const { return m_updates; }

    DrawingPad* pad() const { return m_pad; }
    QPushButton* clearButton() const { return m_clear; }
    QSpinBox* strokeWidthBox() const { return m_stroke; }
    QLabel* inputPreview() const { return m_preview; }

public Q_SLOTS:
    void clear();
    // Preprocesses the pad now (the timer calls this) and feeds the model when there is ink.
    void updateNow();

Q_SIGNALS:
    // The model was fed lastInput() and probabilities() hold its answer.
    void classified();
    // "Inspect" was pressed: look inside modelRun()'s network for lastInput().
    void inspectRequested(const QString& runDir, const std::vector<uint8_t>& pixels);
    // The input was found blank: nothing was fed.
    void blankInput();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void scheduleUpdate();
    void updateInspectButton();
    void setModel(DigitModel model, const QString& source);
    void showStatus(const QString& text, bool error);
    void showBars();
    void chooseRunFolder();
    void chooseWeights();
    void chooseImage();

    std::function<QString()> m_currentRunProvider;
    std::function<QString()> m_selectedRunProvider;
    mnist::TrainConfig m_defaultConfig;
    DigitModel m_model;
    QString m_modelSource;    // what the model label says it is
    QString m_followedRun;    // reloaded on runWeightsChanged()
    bool m_followedWeightsStale = false; // it changed while this view was hidden: reload when shown
    QString m_modelRun;       // the run the model is of (followed or not)
    QString m_weightsPath;    // the imported weights, reloaded when their architecture changes
    bool m_pretrained = false; // the model is the shipped pretrained one
    bool m_blank = true;
    std::vector<uint8_t> m_lastInput = std::vector<uint8_t>(28 * 28, 0);
    std::vector<float> m_probabilities;
    int m_updates = 0;
    QTimer m_timer;

    DrawingPad* m_pad = nullptr;
    QSpinBox* m_stroke = nullptr;
    QPushButton* m_clear = nullptr;
    QPushButton* m_inspect = nullptr;
    QLabel* m_modelLabel = nullptr;
    QComboBox* m_arch = nullptr;
    QCheckBox* m_normalize = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_preview = nullptr;
    QLabel* m_prediction = nullptr;
    QVector<QLabel*> m_names;
    QVector<QProgressBar*> m_bars;
    QVector<int> m_barClasses; // the class each shown bar stands for
    bool m_colour = false;     // the model takes colour images
    QString m_imageFile;       // the picture classified in colour mode, again for a new model
    QWidget* m_padBox = nullptr;
    QWidget* m_fileBox = nullptr;
    QPushButton* m_classifyFile = nullptr;
    QLabel* m_filePicture = nullptr; // the classified picture as it is
};

} // namespace studio
