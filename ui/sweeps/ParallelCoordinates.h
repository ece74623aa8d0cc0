#pragma once
// A parallel-coordinates chart (as TensorBoard's HParams dashboard and Weights & Biases draw one):
// one vertical axis per setting and a last one for the metric, one line per configuration,
// coloured from low (dark) to high (bright) metric. Numeric axes are linear, or logarithmic when
// all values are positive and span 20x or more; text axes place their values evenly, sorted.
// Clicking a line (or rowSelected) picks that configuration.
#include <QStringList>
#include <QVariant>
#include <QVector>
#include <QWidget>

namespace studio {

class ParallelCoordinates : public QWidget {
    Q_OBJECT
public:
    explicit ParallelCoordinates(QWidget* parent = nullptr);

    // `columns`: the settings' names, then the metric's; each row holds one value per column (an
    // invalid QVariant: none, e.g. a metric not measured yet: drawn grey and dashed).
    void setData(const QStringList& columns, const QVector<QVector<QVariant>>& rows);
    void setSelectedRow(int row); // -1: none
    int selectedRow() const { return m_selected; }
    int rowCount() const { return static_cast<int>(m_rows.size()); }
    // Whether an axis is drawn on a log scale (for tests).
    bool isLogAxis(int column) const;
    // The row whose line passes nearest `pos` (within a few pixels), or -1.
    int rowAt(const QPoint& pos) const;

    QSize sizeHint() const override { return {520, 260}; }
    QSize minimumSizeHint() const override { return {240, 160}; }

Q_SIGNALS:
    void rowClicked(int row);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    struct Axis {
        QString name;
        bool numeric = true, log = false;
        double lo = 0, hi = 1;
        QStringList categories; // text axes
    };
    void layoutAxes();
    // Where a value sits on its axis: 0 (bottom) to 1 (top); -1 for none.
    double position(int column, const QVariant& value) const;
    QPointF pointFor(int column, double position) const;
    QRectF plotRect() const;
    QString axisLabel(const Axis& axis, bool top) const;

    QVector<Axis> m_axes;
    QVector<QVector<QVariant>> m_rows;
    int m_selected = -1;
};

} // namespace studio
