#pragma once
// A canvas to draw a digit on with the mouse or a pen (pressure widens a pen's stroke), or to
// show an opened picture. The canvas keeps its own pixels (280 x 280 for drawing, or the
// picture's size) and is painted scaled to fit; strokes are drawn in canvas pixels.
#include <QImage>
#include <QWidget>

#include <cstdint>
#include <vector>

namespace studio {

class DrawingPad : public QWidget {
    Q_OBJECT
public:
    static constexpr int CanvasSide = 280; // ten times MNIST's 28

    explicit DrawingPad(QWidget* parent = nullptr);

    // Grayscale (Format_Grayscale8): what preprocessing reads.
    const QImage& canvas() const { return m_canvas; }
    // The canvas as tightly packed bytes, row-major (QImage pads its rows to 4 bytes).
    std::vector<uint8_t> grayBytes() const;
    // Replaces the canvas with a picture of any size (converted to grayscale); strokes then go on
    // top of it in its own pixels.
    void setImage(const QImage& image);
    // Nothing drawn since the last clear (an opened picture counts as drawn).
    bool isEmpty() const { return m_empty; }

    // Stroke diameter in screen pixels of the pad (a pen's pressure scales it from 30% to 130%).
    void setStrokeWidth(int pixels);
    int strokeWidth() const { return m_strokeWidth; }

    QSize sizeHint() const override { return {CanvasSide + 2, CanvasSide + 2}; }
    QSize minimumSizeHint() const override { return {140, 140}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return width; }

public Q_SLOTS:
    // Back to an empty white 280 x 280 canvas.
    void clear();

Q_SIGNALS:
    // The canvas changed (every stroke segment, a clear, an opened picture): listeners coalesce.
    void changed();
    // A stroke ended (mouse or pen released).
    void strokeFinished();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void tabletEvent(QTabletEvent* event) override;

private:
    QRectF canvasRect() const; // where the canvas is painted, in widget coordinates
    QPointF toCanvas(const QPointF& widgetPos) const;
    void beginStroke(const QPointF& widgetPos, double pressure);
    void continueStroke(const QPointF& widgetPos, double pressure);
    void endStroke();

    QImage m_canvas;
    bool m_empty = true;
    bool m_drawing = false;
    QPointF m_last;           // canvas coordinates of the stroke's last point
    int m_inkLevel = 0;       // black on a light canvas, white on a dark picture
    int m_strokeWidth = 18;
};

} // namespace studio
