#pragma once
// The runs of a runs folder as a table (RunTableModel) and the Runs tab's sorted, filtered view
// of it (RunFilterModel): any column sorts by its value, not its text; the filter matches the
// name, architecture, recipe, state, sweep, note and tags (tag:NAME one tag exactly), and an
// architecture can be picked on its own. A sweep's trials are rows like any run's, their sweep in
// the Sweep column: sorted by it, they stand together (by name within it). What the filter searches is
// made once per listing, not per keystroke (thousands of runs filter as fast as they type).
#include "run/RunIndex.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QSortFilterProxyModel>
#include <QStringList>

#include <vector>

namespace studio {

class RunTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, DateColumn, ArchColumn, RecipeColumn, BestColumn, HonestColumn, FinalColumn,
                  DurationColumn, EpochsColumn, StateColumn, GroupColumn, TagsColumn, ColumnCount };
    enum Role {
        DirRole = Qt::UserRole,   // the run folder (QString)
        SortRole,                 // the cell's value for sorting (number, date or text)
        FilterRole,               // the text the filter searches, lower case (name, architecture, recipe, state, sweep, note, tags)
        ArchRole,                 // the architecture; empty for a damaged run
        TagsRole,                 // the run's tags (QStringList)
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
    // A run's note and tags after they were saved (the rest of the run is unchanged).
    void setNotes(int row, const std::string& note, const std::vector<std::string>& tags);

private:
    QVariant display(const mnist::RunRecord& r, int column) const;
    QVariant sortValue(const mnist::RunRecord& r, int column) const;
    // What a row shows and searches that costs to make: made once, when the row's run is set.
    struct RowCache {
        QString recipe;     // recipeSummary(), or the damage
        QDateTime date;     // from the name, else the folder's time (a file system call)
        QString filterText; // lower case
        QStringList tags;
    };
    RowCache makeRowCache(const mnist::RunRecord& r) const;

    std::vector<mnist::RunRecord> m_runs;
    std::vector<RowCache> m_rows;
};

class RunFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RunFilterModel(QObject* parent = nullptr);

    // Case-insensitive words, all of which must appear; "tag:NAME" must be one of the run's tags
    // exactly; empty shows every run.
    void setFilterText(const QString& text);
    QString filterText() const;
    // Exactly this architecture; empty for all.
    void setArchitecture(const QString& arch);
    QString architecture() const { return m_arch; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QStringList m_words; // lower case
    QStringList m_tags;  // tag:NAME
    QString m_arch;
};

// Two paths from the core ("runs/x") and from Qt ("runs//x/") that name the same folder.
bool sameRunDir(const QString& a, const QString& b);

} // namespace studio
