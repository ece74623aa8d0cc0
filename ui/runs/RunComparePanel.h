#pragma once
// The Runs tab's comparison of two or more selected runs beside their chart: one column per run,
// one row per setting (spec/ConfigDiff.h: only those that differ while "Differences only" is on,
// the differing ones in bold) under the honest and final test accuracies; Ctrl+C copies the table
// as tab-separated text. Its "Group by" choice (a setting that differs, or any other) tells the
// chart to draw each group's mean and min-max band instead of every run.
#include "run/RunIndex.h"

#include <QStringList>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QTableWidget;

namespace studio {

class RunComparePanel : public QWidget {
    Q_OBJECT
public:
    explicit RunComparePanel(QWidget* parent = nullptr);

    // Replaces the runs compared (damaged ones are left out); hidden with fewer than two.
    void setRuns(const std::vector<mnist::RunRecord>& runs);

    // The setting key the chart groups by: the combo's choice with two runs or more, else "".
    QString groupBy() const;
    // Chooses the group-by setting by key ("" for none); false when the combo does not offer it.
    bool setGroupBy(const QString& key);

    // The rows' labels, top to bottom ("Honest accuracy", "Final accuracy", then the settings').
    QStringList rowLabels() const;
    // The table as tab-separated text: a header line ("Setting" and the run names), a line per row.
    QString tsv() const;

    QTableWidget* table() const { return m_table; }
    QCheckBox* differencesOnly() const { return m_differencesOnly; }
    QComboBox* groupByCombo() const { return m_groupBy; }

Q_SIGNALS:
    void groupByChanged(const QString& key);

private:
    void rebuild();
    void fillGroupChoices();
    void emitGroupByIfChanged();

    std::vector<mnist::RunRecord> m_runs;
    QString m_emittedGroupBy;
    QCheckBox* m_differencesOnly = nullptr;
    QComboBox* m_groupBy = nullptr;
    QLabel* m_note = nullptr;
    QTableWidget* m_table = nullptr;
};

} // namespace studio
