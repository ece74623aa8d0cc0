#include "shared/KeyedTableModel.h"

#include <QHash>

namespace studio {

KeyedTableModel::KeyedTableModel(QObject* parent) : QAbstractTableModel(parent) {}

int KeyedTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int KeyedTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_columns.size());
}

QVariant KeyedTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row& row = m_rows[index.row()];
    if (role == KeyRole)
        return row.key;
    return index.column() < row.cells.size() ? row.cells[index.column()].value(role) : QVariant();
}

QVariant KeyedTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= m_columns.size())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return m_columns[section].title;
    if (role == Qt::ToolTipRole && !m_columns[section].toolTip.isEmpty())
        return m_columns[section].toolTip;
    return {};
}

void KeyedTableModel::clear()
{
    beginResetModel();
    m_columns.clear();
    m_rows.clear();
    endResetModel();
}

int KeyedTableModel::rowOfKey(qint64 key) const
{
    for (int r = 0; r < m_rows.size(); ++r)
        if (m_rows[r].key == key)
            return r;
    return -1;
}

void KeyedTableModel::setContents(const QVector<Column>& columns, const QVector<Row>& rows)
{
    const auto titles = [](const QVector<Column>& cs) {
        QStringList t;
        for (const Column& c : cs)
            t << c.title;
        return t;
    };
    if (titles(columns) != titles(m_columns)) {
        beginResetModel();
        m_columns = columns;
        m_rows = rows;
        endResetModel();
        return;
    }
    m_columns = columns; // the same titles; a tooltip may differ
    QHash<qint64, int> incoming;
    for (int i = 0; i < rows.size(); ++i)
        incoming.insert(rows[i].key, i);
    // From the end, so that the rows still to look at keep their numbers.
    for (int r = static_cast<int>(m_rows.size()) - 1; r >= 0; --r)
        if (!incoming.contains(m_rows[r].key)) {
            beginRemoveRows({}, r, r);
            m_rows.remove(r);
            endRemoveRows();
        }
    QHash<qint64, int> kept;
    for (int r = 0; r < m_rows.size(); ++r) {
        kept.insert(m_rows[r].key, r);
        const Row& now = rows[incoming.value(m_rows[r].key)];
        if (now.cells != m_rows[r].cells) {
            m_rows[r].cells = now.cells;
            Q_EMIT dataChanged(index(r, 0), index(r, static_cast<int>(m_columns.size()) - 1));
        }
    }
    QVector<Row> added;
    for (const Row& row : rows)
        if (!kept.contains(row.key))
            added.push_back(row);
    if (added.isEmpty())
        return;
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    m_rows += added;
    endInsertRows();
}

} // namespace studio
