#pragma once
// A read-only table whose rows each carry a key (a sweep's configuration or trial number), for
// views refreshed from files every few seconds. setContents() takes the whole new table and
// changes the model in place: rows with a new key are inserted, rows whose key is gone removed,
// changed rows reported with dataChanged. A view's selection, sort order and scroll position
// therefore survive a refresh, as they would not if it were refilled.
#include <QAbstractTableModel>
#include <QMap>
#include <QString>
#include <QVariant>
#include <QVector>

namespace studio {

class KeyedTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // data(index, KeyRole): the row's key, in every column.
    static constexpr int KeyRole = Qt::UserRole + 1;

    using Cell = QMap<int, QVariant>; // role → value
    struct Row {
        qint64 key = 0;
        QVector<Cell> cells; // one per column
    };
    struct Column {
        QString title;
        QString toolTip;
    };

    explicit KeyedTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // The new table. Other columns (another sweep's settings) reset the model; otherwise kept rows
    // keep their place, and new ones are appended in the order given.
    void setContents(const QVector<Column>& columns, const QVector<Row>& rows);
    // Empty, columns included (a reset): another sweep is about to be shown.
    void clear();
    // The row holding `key`; -1 when none.
    int rowOfKey(qint64 key) const;
    qint64 keyAt(int row) const { return m_rows.at(row).key; }

private:
    QVector<Column> m_columns;
    QVector<Row> m_rows;
};

} // namespace studio
