#pragma once
// The misclassified test images of one evaluation as a list model for the gallery: filtered by
// true and predicted class, ordered by confidence. Thumbnails are drawn on demand, so a poor model
// with thousands of mistakes costs only the visible ones.
#include "train/Predictions.h"

#include <QAbstractListModel>
#include <QStringList>

#include <memory>
#include <vector>

namespace studio {

class MisclassifiedModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        ImageIndexRole = Qt::UserRole, // int: index of the image in the test file
        TrueLabelRole,                 // int
        PredictedLabelRole,            // int
        ConfidenceRole                 // float in [0, 1]: the predicted class's softmax probability
    };

    // Thumbnails fit a square of this side, keeping the image's aspect: a 28 x 28 image is drawn
    // 3x (nearest, so pixels stay visible), a large photo shrunk smoothly.
    static constexpr int ThumbnailSide = 84;

    explicit MisclassifiedModel(QObject* parent = nullptr);

    // Shows the mistakes of `predictions`; `classNames` (in label order) is how labels read, the
    // label's number where it has none.
    void setPredictions(std::shared_ptr<const mnist::TestPredictions> predictions, const QStringList& classNames);
    // -1: any class.
    void setFilter(int trueLabel, int predictedLabel);
    // Ascending: the least confident mistakes first.
    void setConfidenceOrder(Qt::SortOrder order);

    int trueFilter() const { return m_trueFilter; }
    int predictedFilter() const { return m_predictedFilter; }
    Qt::SortOrder confidenceOrder() const { return m_order; }
    // Every misclassified image, whatever the filter.
    int totalMistakes() const { return static_cast<int>(m_all.size()); }
    // Test-file indices of the rows shown, in row order.
    const std::vector<int>& shownImages() const { return m_rows; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    void rebuild();

    std::shared_ptr<const mnist::TestPredictions> m_predictions;
    QString name(int label) const;

    QStringList m_names;
    std::vector<int> m_all;  // every mistake, in file order
    std::vector<int> m_rows; // the filtered, ordered ones
    int m_trueFilter = -1;
    int m_predictedFilter = -1;
    Qt::SortOrder m_order = Qt::DescendingOrder;
};

} // namespace studio
