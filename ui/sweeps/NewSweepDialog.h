#pragma once
// Run ▸ New sweep…: a sweep of the set-up panel's run. The search: a grid, random samples, or
// TPE (which samples where the good trials were). Each row sweeps one setting: a list of values
// or a linear or logarithmic range of N points (the grid), or a distribution (uniform,
// log-uniform, whole numbers, or a choice) that random search and TPE sample; then an optional
// pruner (ASHA or the median rule), the seeds and how many trials run at once. The spec is checked
// as it is typed (sweep/SweepSpec.h's problems, each with its key) and the trial count shown.
#include "spec/TrainConfig.h"

#include <QDialog>

#include <nlohmann/json.hpp>

#include <vector>

class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QVBoxLayout;

namespace studio {

class NewSweepDialog : public QDialog {
    Q_OBJECT
public:
    enum class Mode { Values, LinearRange, LogRange, RandomUniform, RandomLogUniform, RandomChoice, RandomIntUniform };
    // Grid: value lists and ranges. Random: those crossed with random samples of the distribution
    // rows. TPE: distribution rows only.
    enum class Search { Grid, Random, Tpe };
    enum class Pruner { None, Asha, Median };

    explicit NewSweepDialog(const mnist::TrainConfig& base, QWidget* parent = nullptr);

    // Rows: setting (a field table key), how, and its text ("0.01, 0.001"; "1e-4, 1e-2, 5" for a
    // range of 5 points; "0, 0.2" for a random interval).
    void clearSettings();
    void addSetting(const QString& key, Mode mode, const QString& text);
    void setSeeds(const QString& text);
    void setRandomTrials(int trials); // random search's samples, TPE's trials
    // Switches the search; the rows' modes become the new search's kinds (a value list becomes a
    // choice and back, a range an interval and back).
    void setSearch(Search search);
    Search search() const;
    void setTpe(int trials, int startup, int seed);
    void setPruner(Pruner pruner);
    void setAsha(int minEpochs, int reductionFactor);
    void setMedianWarmup(int epochs);
    void setSweepName(const QString& name);
    void setParallelRuns(int jobs);

    QString sweepName() const;
    int parallelRuns() const;
    nlohmann::json spec() const;
    // What is wrong with the spec or the name, one per line; empty when it can be created.
    QString problems() const;
    // A problem found after OK (e.g. the folder exists): shown, the dialog opens again as it was.
    void showProblem(const QString& text);
    QString summaryText() const;

private:
    struct Row {
        QWidget* widget = nullptr;
        QComboBox* field = nullptr;
        QComboBox* mode = nullptr;
        QLineEdit* text = nullptr;
    };
    void update();
    void removeRow(QWidget* widget);
    // Enables the row's modes that the search allows, converting its mode when it is not one of them.
    void fitRowToSearch(Row& row);
    void showSearchRows();

    mnist::TrainConfig m_base;
    std::vector<Row> m_rows;
    QLineEdit* m_name = nullptr;
    QVBoxLayout* m_rowsLayout = nullptr;
    QComboBox* m_search = nullptr;
    QSpinBox* m_trials = nullptr;
    QSpinBox* m_startup = nullptr;
    QSpinBox* m_tpeSeed = nullptr;
    QComboBox* m_pruner = nullptr;
    QSpinBox* m_minEpochs = nullptr;
    QSpinBox* m_reduction = nullptr;
    QSpinBox* m_warmup = nullptr;
    QFormLayout* m_searchForm = nullptr;
    QLineEdit* m_seeds = nullptr;
    QSpinBox* m_jobs = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_problems = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    QString m_extraProblem;
};

} // namespace studio
