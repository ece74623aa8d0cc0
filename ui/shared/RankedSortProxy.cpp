#include "shared/RankedSortProxy.h"

namespace studio {

RankedSortProxy::RankedSortProxy(int rankRole, QObject* parent) : QSortFilterProxyModel(parent), m_rankRole(rankRole) {}

bool RankedSortProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    // An empty cell (no figure yet, e.g. a configuration whose trials were all pruned) goes last
    // whichever way the column is sorted: compared as a tie it would make the order depend on
    // the rows' places (it ties with rows that do not tie with each other).
    const bool l = left.data(sortRole()).isValid(), r = right.data(sortRole()).isValid();
    if (l != r)
        return sortOrder() == Qt::AscendingOrder ? l : r;
    if (QSortFilterProxyModel::lessThan(left, right))
        return true;
    if (QSortFilterProxyModel::lessThan(right, left))
        return false;
    // A descending sort puts the rows this calls greater first: the better rank must be greater then.
    const int a = left.data(m_rankRole).toInt(), b = right.data(m_rankRole).toInt();
    return sortOrder() == Qt::AscendingOrder ? a < b : a > b;
}

} // namespace studio
