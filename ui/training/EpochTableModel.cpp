#include "training/EpochTableModel.h"

#include "shared/NumberFormat.h"

#include "train/RunStats.h"

#include <QFont>

#include <cmath>
#include <vector>

namespace studio {

EpochTableModel::EpochTableModel(QObject* parent) : QAbstractTableModel(parent) {}

int EpochTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_epochs.size());
}

int EpochTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EpochTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_epochs.size())
        return {};
    const mnist::EpochMetrics& m = m_epochs[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case EpochColumn: return QString::number(m.epoch);
        case TrainLossColumn: return QString::number(m.trainLoss, 'f', 5);
        case ValidLossColumn: return QString::number(m.validLoss, 'f', 5);
        case TestAccuracyColumn: return QString::number(m.testAccuracy, 'f', 2);
        case LrColumn: return QString::number(m.lr, 'g', 4);
        case SecondsColumn: return QString::number(m.seconds, 'f', 1);
        case RateColumn: return formatCount(std::llround(m.imagesPerSecond));
        default: return {};
        }
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    case Qt::FontRole:
        if (index.row() == m_bestRow) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    default:
        return {};
    }
}

QVariant EpochTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        const QString titles[ColumnCount] = {tr("Epoch"), tr("Train loss"), tr("Valid loss"), tr("Test %"), tr("LR"),
                                             tr("s"), tr("img/s")};
        return titles[section];
    }
    if (role == Qt::ToolTipRole) {
        const QString tips[ColumnCount] = {tr("Epoch"), tr("Mean of the epoch's batch losses"),
                                           tr("Mean loss over the valid split"), tr("Accuracy on the test split, percent"),
                                           tr("LR of the epoch's last iteration"),
                                           tr("Wall time of the epoch, evaluation included"),
                                           tr("Training images per second")};
        return tips[section];
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

void EpochTableModel::append(const mnist::EpochMetrics& m)
{
    const int row = static_cast<int>(m_epochs.size());
    beginInsertRows({}, row, row);
    m_epochs.append(m);
    endInsertRows();
    const mnist::RunStats stats = mnist::computeRunStats(std::vector<mnist::EpochMetrics>(m_epochs.begin(), m_epochs.end()));
    int best = -1;
    for (int k = 0; k < m_epochs.size() && best < 0; ++k)
        if (m_epochs[k].epoch == stats.bestEpoch)
            best = k;
    if (best == m_bestRow)
        return;
    // Only the rows whose weight changes are repainted.
    const int old = m_bestRow;
    m_bestRow = best;
    for (int r : {old, best})
        if (r >= 0)
            Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1), {Qt::FontRole});
}

void EpochTableModel::clear()
{
    beginResetModel();
    m_epochs.clear();
    m_bestRow = -1;
    endResetModel();
}

} // namespace studio
