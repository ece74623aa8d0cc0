#include "evaluation/MisclassifiedModel.h"

#include "shared/PlaneImage.h"
#include "shared/NumberFormat.h"

#include <QImage>
#include <QPixmap>

#include <algorithm>

namespace studio {

MisclassifiedModel::MisclassifiedModel(QObject* parent) : QAbstractListModel(parent) {}

void MisclassifiedModel::setPredictions(std::shared_ptr<const mnist::TestPredictions> predictions,
                                        const QStringList& classNames)
{
    m_predictions = std::move(predictions);
    m_names = classNames;
    m_all.clear();
    if (m_predictions) {
        for (int64_t i = 0; i < m_predictions->size(); ++i) {
            const auto s = static_cast<std::size_t>(i);
            if (m_predictions->labels[s] != m_predictions->predicted[s])
                m_all.push_back(static_cast<int>(i));
        }
    }
    rebuild();
}

void MisclassifiedModel::setFilter(int trueLabel, int predictedLabel)
{
    if (trueLabel == m_trueFilter && predictedLabel == m_predictedFilter)
        return;
    m_trueFilter = trueLabel;
    m_predictedFilter = predictedLabel;
    rebuild();
}

void MisclassifiedModel::setConfidenceOrder(Qt::SortOrder order)
{
    if (order == m_order)
        return;
    m_order = order;
    rebuild();
}

void MisclassifiedModel::rebuild()
{
    beginResetModel();
    m_rows.clear();
    if (m_predictions) {
        const auto& p = *m_predictions;
        for (const int i : m_all) {
            const auto s = static_cast<std::size_t>(i);
            if ((m_trueFilter < 0 || p.labels[s] == m_trueFilter) && (m_predictedFilter < 0 || p.predicted[s] == m_predictedFilter))
                m_rows.push_back(i);
        }
        // Stable: equal confidences keep file order, so the gallery does not shuffle between refreshes.
        std::stable_sort(m_rows.begin(), m_rows.end(), [&p, this](int a, int b) {
            const float ca = p.confidence[static_cast<std::size_t>(a)];
            const float cb = p.confidence[static_cast<std::size_t>(b)];
            return m_order == Qt::AscendingOrder ? ca < cb : ca > cb;
        });
    }
    endResetModel();
}

QString MisclassifiedModel::name(int label) const
{
    return label >= 0 && label < m_names.size() ? m_names[label] : QString::number(label);
}

int MisclassifiedModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant MisclassifiedModel::data(const QModelIndex& index, int role) const
{
    if (!m_predictions || !index.isValid() || index.row() < 0 || index.row() >= rowCount())
        return {};
    const auto& p = *m_predictions;
    const int image = m_rows[static_cast<std::size_t>(index.row())];
    const auto s = static_cast<std::size_t>(image);
    switch (role) {
    case Qt::DisplayRole:
        return tr("true: %1\npred: %2 (%3%)")
            .arg(name(p.labels[s]), name(p.predicted[s]),
                 formatReal(100.0 * static_cast<double>(p.confidence[s]), 1));
    case Qt::DecorationRole: {
        const auto pixels = static_cast<std::size_t>(p.channels) * static_cast<std::size_t>(p.rows) *
                            static_cast<std::size_t>(p.cols);
        if (p.images.size() < (s + 1) * pixels)
            return {};
        return QPixmap::fromImage(fitImage(imageFromPlanes(p.images.data() + s * pixels, p.channels, p.rows, p.cols),
                                           ThumbnailSide));
    }
    case Qt::ToolTipRole: {
        QString tip =
            tr("Test image %1\nTrue: %2\nPredicted: %3").arg(image).arg(name(p.labels[s]), name(p.predicted[s]));
        // The three most probable classes say how close the call was.
        std::vector<int> order(static_cast<std::size_t>(p.classes));
        for (int k = 0; k < p.classes; ++k)
            order[static_cast<std::size_t>(k)] = k;
        const float* prob = p.probabilities.data() + s * static_cast<std::size_t>(p.classes);
        std::stable_sort(order.begin(), order.end(), [prob](int a, int b) { return prob[a] > prob[b]; });
        for (std::size_t r = 0; r < std::min<std::size_t>(3, order.size()); ++r)
            tip += QStringLiteral("\n%1: %2%").arg(name(order[r]),
                                                    formatReal(100.0 * static_cast<double>(prob[order[r]]), 1));
        return tip;
    }
    case ImageIndexRole: return image;
    case TrueLabelRole: return p.labels[s];
    case PredictedLabelRole: return p.predicted[s];
    case ConfidenceRole: return p.confidence[s];
    default: return {};
    }
}

} // namespace studio
