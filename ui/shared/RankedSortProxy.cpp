#include "shared/RankedSortProxy.h"

namespace studio {

RankedSortProxy::RankedSortProxy(int rankRole, QObject* parent) : QSortFilterProxyModel(parent), m_rankRole(rankRole) {}

bool RankedSortProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    if (QSortFilterProxyModel::lessThan(left, right))
        return true;
    if (QSortFilterProxyModel::lessThan(right, left))
        return false;
    // A descending sort puts the rows this calls greater first: the better rank must be greater then.
    const int a = left.data(m_rankRole).toInt(), b = right.data(m_rankRole).toInt();
    return sortOrder() == Qt::AscendingOrder ? a < b : a > b;
}

} // namespace studio
