#pragma once
// The runs of a runs folder as a table (RunTableModel) and the Runs tab's sorted, filtered view
// of it (RunFilterModel): any column sorts by its value, not its text; the filter matches the
// name, architecture, recipe and state, and an architecture can be picked on its own.
#include "run/RunIndex.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QStringList>

#include <vector>

namespace studio {

class RunTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, DateColumn, ArchColumn, RecipeColumn, BestColumn, HonestColumn, FinalColumn,
                  DurationColumn, EpochsColumn, StateColumn, ColumnCount };
    enum Role {
        DirRole = Qt::UserRole,   // the run folder (QString)
        SortRole,                 // the cell's value for sorting (number, date or text)
        FilterRole,               // the text the filter searches (name, architecture, recipe, state)
        ArchRole,                 // the architecture; empty for a damaged run
    };

    explicit RunTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void setRuns(std::vector<mnist::RunRecord> runs);
    const std::vector<mnist::RunRecord>& runs() const { return m_runs; }
    // The row of a run folder, or -1.
    int rowOf(const QString& dir) const;
    // The architectures of the readable runs, sorted, each once.
    QStringList architectures() const;

private:
    QVariant display(const mnist::RunRecord& r, int column) const;
    QVariant sortValue(const mnist::RunRecord& r, int column) const;

    std::vector<mnist::RunRecord> m_runs;
    std::vector<QString> m_recipes; // recipeSummary() of each run, made once per listing
};

class RunFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RunFilterModel(QObject* parent = nullptr);

    // Case-insensitive words, all of which must appear; empty shows every run.
    void setFilterText(const QString& text);
    QString filterText() const { return m_words.join(QLatin1Char(' ')); }
    // Exactly this architecture; empty for all.
    void setArchitecture(const QString& arch);
    QString architecture() const { return m_arch; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QStringList m_words;
    QString m_arch;
};

// Two paths from the core ("runs/x") and from Qt ("runs//x/") that name the same folder.
bool sameRunDir(const QString& a, const QString& b);

} // namespace studio
