#pragma once
// The projector's scatter: one dot per test image at its 2-D projection, coloured by its true
// class, misclassified images ringed; a legend of the classes. Painted by hand rather than with
// QtCharts, whose per-point items are slow for ten thousand points and know nothing of hovering a
// point's image. Hovering a point shows its image and classes; clicking one emits pointClicked().
#include "inspect/Projection.h"

#include <QStringList>
#include <QWidget>

#include <memory>

class QLabel;

namespace studio {

class ProjectionScatter : public QWidget {
    Q_OBJECT
public:
    explicit ProjectionScatter(QWidget* parent = nullptr);
    ~ProjectionScatter() override;

    // The points to draw (null: none) and each class's name in label order.
    void setProjection(std::shared_ptr<const mnist::Projection> projection, const QStringList& classLabels);
    const mnist::Projection* projection() const { return m_projection.get(); }

    // Where point `row` is drawn, in widget coordinates; and the point under `pos` (the nearest
    // within a few pixels), -1 for none.
    QPointF pointPosition(int row) const;
    int pointAt(const QPointF& pos) const;
    // The point whose image the hover card shows, -1 for none.
    int hoveredPoint() const { return m_hovered; }
    QWidget* hoverCard() const;

    QSize sizeHint() const override { return {640, 480}; }
    QSize minimumSizeHint() const override { return {240, 180}; }

Q_SIGNALS:
    void pointClicked(int row);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    QRectF plotArea() const;
    void updateMapping();
    void hover(int row, const QPoint& globalPos);

    std::shared_ptr<const mnist::Projection> m_projection;
    QStringList m_classLabels;
    // Data to widget: x * m_scale + m_offset.x(), -y * m_scale + m_offset.y() (y grows upwards).
    double m_scale = 1;
    QPointF m_offset;
    int m_hovered = -1;
    int m_pressed = -1;
    QWidget* m_card = nullptr;
    QLabel* m_cardImage = nullptr;
    QLabel* m_cardText = nullptr;
};

} // namespace studio
