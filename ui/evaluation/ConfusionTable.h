#pragma once
// A confusion matrix as a table: rows are true classes, columns predicted ones, and a last column
// with each class's accuracy. Cells are shaded as a heat map (green diagonal, red mistakes) and
// carry their share of the class in a tooltip. Used by the Evaluation tab and the Evaluate
// weights dialog.
#include <QStringList>
#include <QTableWidget>

#include <cstdint>
#include <vector>

namespace studio {

class ConfusionTable : public QTableWidget {
    Q_OBJECT
public:
    static constexpr int Classes = 10;
    static constexpr int AccuracyColumn = Classes;

    explicit ConfusionTable(QWidget* parent = nullptr);

    // Row and column headers: digits by default, class names for Fashion-MNIST.
    void setClassLabels(const QStringList& labels);
    // `counts`: classes x classes, row-major (true, predicted). Only the first 10 classes are shown.
    void setCounts(const std::vector<int64_t>& counts, int classes);
    void clearCounts()
    {
        m_counts.clear();
        clearContents();
    }

    // The count shown in a cell, or -1 when empty; the accuracy column's text of a row.
    int count(int trueLabel, int predicted) const;
    QString accuracyText(int trueLabel) const;

protected:
    void changeEvent(QEvent* event) override;

private:
    QStringList m_labels;
    std::vector<int64_t> m_counts; // what setCounts() showed, shaded again when the palette changes
    int m_classes = 0;
};

} // namespace studio
