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
    // Up to this many classes the columns share the width; more get columns of their own width
    // and the table scrolls (EMNIST's 62 classes).
    static constexpr int StretchedClasses = 12;

    explicit ConfusionTable(QWidget* parent = nullptr);

    // Row and column headers, one per class (digits by default); sets the table's size to
    // labels.size() classes plus the accuracy column. Long names are shortened in the column
    // headers and given in full in their tooltips.
    void setClassLabels(const QStringList& labels);
    int classCount() const { return static_cast<int>(m_labels.size()); }
    // The per-class accuracy column, after the predicted classes.
    int accuracyColumn() const { return classCount(); }
    // `counts`: classes x classes, row-major (true, predicted). Classes beyond the labels are not shown.
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
