#pragma once
// The epochs of the run in the training dashboard, one row each, the best epoch (the core's
// RunStats rule) in bold. The dashboard's charts read the same list: the model is its only store.
#include "train/TrainingObserver.h"

#include <QAbstractTableModel>
#include <QVector>

namespace studio {

class EpochTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { EpochColumn, TrainLossColumn, ValidLossColumn, TestAccuracyColumn, LrColumn, SecondsColumn,
                  RateColumn, ColumnCount };

    explicit EpochTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void append(const mnist::EpochMetrics& m);
    void clear();

    const QVector<mnist::EpochMetrics>& epochs() const { return m_epochs; }
    // Row of the best epoch by test accuracy (RunStats::bestEpoch), -1 while there is none.
    int bestRow() const { return m_bestRow; }

private:
    QVector<mnist::EpochMetrics> m_epochs;
    int m_bestRow = -1;
};

} // namespace studio
