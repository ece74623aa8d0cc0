#pragma once
// Real training images before and after the set-up's augmentation, as in the notebook's
// visualize_sample: the original on [0, 1], the transformed image on a [-1, 1] and on a [0, 1]
// grey scale, each with its min and max. A grid of samples; Resample draws new random
// transforms, Next/Previous move through the training file.
#include "shared/CoreBridge.h"
#include "spec/TrainConfig.h"

#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

class QGridLayout;
class QLabel;
class QPushButton;
class QSpinBox;

namespace studio {

class AugmentationPreview : public QWidget {
    Q_OBJECT
public:
    enum class View { Original, AugmentedSigned, AugmentedUnit };

    explicit AugmentationPreview(QWidget* parent = nullptr);

    // The dataset folder and the augmentation to preview. A new augmentation redraws at once
    // (same images, same seed); a new folder reloads the training file when the panel is in use.
    void setConfig(const mnist::TrainConfig& config);

    void setSampleCount(int count);
    int sampleCount() const;
    // Starts loading the training file now (it is otherwise loaded when the panel is first shown).
    void load();
    bool isLoaded() const { return m_images != nullptr; }

    // What is shown.
    int shownSamples() const { return static_cast<int>(m_samples.size()); }
    const std::vector<PreviewImage>& samples() const { return m_samples; }
    QImage image(int sample, View view) const;
    uint64_t seed() const { return m_seed; }
    int64_t firstIndex() const { return m_first; }
    // Why nothing is shown (no data, an invalid augmentation), or empty.
    const QString& message() const { return m_message; }

public Q_SLOTS:
    void resample();
    void next();
    void previous();

Q_SIGNALS:
    // The images (or the message) changed.
    void previewUpdated();

protected:
    void showEvent(QShowEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void refresh();
    void rebuildGrid();
    void placeCells();
    void setMessage(const QString& text);

    mnist::TrainConfig m_config;
    QString m_folder;         // the folder m_images came from, or is loading from
    std::shared_ptr<const mnist::Dataset> m_images;
    int64_t m_imageCount = 0;
    std::vector<std::string> m_classes; // the data's class names, in label order
    int m_loadGeneration = 0; // a reload makes older loads' results stale
    bool m_loading = false;
    uint64_t m_seed = 0;
    int64_t m_first = 0;
    std::vector<PreviewImage> m_samples;
    QString m_message;

    QSpinBox* m_count = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_messageLabel = nullptr;
    QWidget* m_gridHost = nullptr;
    QWidget* m_viewport = nullptr; // of the scroll area around the grid
    QGridLayout* m_grid = nullptr;
    struct Cell {
        QWidget* frame;
        QLabel* title;
        QLabel* images[3];
        QLabel* ranges[3];
    };
    QVector<Cell> m_cells;
    int m_columns = 0;
};

} // namespace studio
