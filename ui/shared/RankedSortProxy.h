#pragma once
// Sorts a table by the column a user clicked, rows that tie in it in the order of a rank role
// (e.g. the best configuration first), whichever way the column is sorted; empty cells last.
#include <QSortFilterProxyModel>

namespace studio {

class RankedSortProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    RankedSortProxy(int rankRole, QObject* parent = nullptr);

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    int m_rankRole;
};

} // namespace studio
