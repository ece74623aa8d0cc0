#pragma once
// The set-up panel: one row per field of the core's field table (mnist::configFields()), grouped
// by section, a live LR preview, and the config's problems shown at their fields. It edits one
// TrainConfig; config() is always the fields' current state.
#include "dataset/RecentDatasets.h"
#include "spec/TrainConfig.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <functional>

class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace mnist {
struct ConfigField;
}

namespace studio {

class LrFinderDialog;
class LrPreviewChart;

class ConfigPanel : public QWidget {
    Q_OBJECT
public:
    explicit ConfigPanel(QWidget* parent = nullptr);

    // Reads the architecture list again (a user network was saved) and keeps the current choice.
    void reloadArchitectures();

    // Fills every field from `config`; emits configChanged() once.
    void setConfig(const mnist::TrainConfig& config);
    // The fields as a config. A field that does not hold a number keeps its last valid value and
    // is listed in problems().
    const mnist::TrainConfig& config() const { return m_config; }

    // Every reason the config cannot be run, in words; empty when it can.
    const QStringList& problems() const { return m_problems; }
    bool isValid() const { return m_problems.isEmpty(); }

    // The editor of a field (its JSON key, e.g. "batch_size"; for a pair, the first of its two
    // edits), or null. Its objectName is the key.
    QWidget* fieldEditor(const QString& key) const;

    LrPreviewChart* lrPreview() const { return m_lrPreview; }

    // Opens the LR range test of the current set-up (the "Find…" button beside the learning rate);
    // the LR it picks goes into its target field as if typed. `maxIterations` 0: up to one epoch.
    // The dialog deletes itself when closed.
    LrFinderDialog* openLrFinder(qint64 maxIterations = 0);
    // The Find… buttons: off while a run trains (the range test would share LibTorch's random
    // generator with it), with `why` as their tooltip then.
    void setLrFinderEnabled(bool enabled, const QString& why = {});
    // Sets a real-valued field (e.g. "lr") as typing the value would.
    void setFieldNumber(const QString& key, double value);
    // Where the "Open…" button beside the dataset gets the datasets opened before (its menu).
    void setRecentDatasetsProvider(std::function<QVector<DatasetChoice>()> provider)
    {
        m_recentDatasets = std::move(provider);
    }
    // The augmentation section, which the window scrolls into view next to the preview panel.
    QWidget* augmentSection() const { return m_sections.value(QStringLiteral("augment")); }

Q_SIGNALS:
    // Any field changed (also after setConfig()).
    void configChanged();
    void validityChanged(bool valid);
    // "Open…" beside the dataset was pressed (the window asks for a dataset), or a recent dataset
    // was picked from its menu.
    void openDatasetRequested();
    void datasetChosen(const QString& kind, const QString& path);

private:
    struct Row {
        const mnist::ConfigField* field = nullptr;
        QFormLayout* form = nullptr; // the layout holding the row (null for a transform's group box)
        QWidget* editor = nullptr;   // the row's widget in the form
        QVector<QWidget*> parts;     // what holds the value: one widget, two for a pair
    };

    QGroupBox* addSection(const QString& id, const QString& title);
    void addRow(const mnist::ConfigField& field);
    QWidget* makeEditor(Row& row, QWidget* parent);
    QWidget* withLrFinderButton(QWidget* editor, QWidget* parent);
    QWidget* withDatasetButton(QWidget* editor, QWidget* parent);
    void fillArchitectures(QComboBox* combo);
    void addModelInfo(QWidget* parent);
    void addAugmentButtons();

    void writeRow(const Row& row);
    void readRow(const Row& row);
    void rowEdited(int index);
    void refresh();
    void validate();
    void updateArchitectureInfo();
    void fillDevices(const std::string& current);
    void browseFolder(const Row& row);

    mnist::TrainConfig m_config;
    std::function<QVector<DatasetChoice>()> m_recentDatasets;
    QVector<Row> m_rows;
    QMap<QString, QWidget*> m_sections;     // the section group boxes, by id
    QMap<QString, QFormLayout*> m_forms;    // by section id, or by a transform's key
    QMap<QString, QLabel*> m_problemLabels; // by section id
    QMap<QString, QString> m_parseProblems; // by field key: text that is not a value
    QStringList m_problems;
    QVector<QWidget*> m_marked;
    bool m_writing = false;
    bool m_lastValid = true;

    QLabel* m_archInfo = nullptr;
    QToolButton* m_layersButton = nullptr;
    QPlainTextEdit* m_layers = nullptr;
    QLabel* m_lrNote = nullptr;
    LrPreviewChart* m_lrPreview = nullptr;
};

} // namespace studio
