#pragma once
// The misclassified test images of one evaluation as a list model for the gallery: filtered by
// true and predicted class, ordered by confidence. Thumbnails are drawn on demand, so a poor model
// with thousands of mistakes costs only the visible ones.
#include "train/Predictions.h"

#include <QAbstractListModel>

#include <memory>
#include <string>
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

    // Thumbnails are the 28x28 images scaled up by this factor (nearest, so pixels stay visible).
    static constexpr int ThumbnailScale = 3;

    explicit MisclassifiedModel(QObject* parent = nullptr);

    // Shows the mistakes of `predictions`; `dataset` decides how labels read (class names).
    void setPredictions(std::shared_ptr<const mnist::TestPredictions> predictions, const std::string& dataset);
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
    std::string m_dataset;
    std::vector<int> m_all;  // every mistake, in file order
    std::vector<int> m_rows; // the filtered, ordered ones
    int m_trueFilter = -1;
    int m_predictedFilter = -1;
    Qt::SortOrder m_order = Qt::DescendingOrder;
};

} // namespace studio
