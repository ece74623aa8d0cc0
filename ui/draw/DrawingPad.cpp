#include "draw/DrawingPad.h"

#include "data/DigitPreprocess.h"

#include <QMouseEvent>
#include <QPainter>
#include <QTabletEvent>

#include <algorithm>

namespace studio {

DrawingPad::DrawingPad(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("drawingPad"));
    setAttribute(Qt::WA_StaticContents);
    setCursor(Qt::CrossCursor);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    clear();
}

void DrawingPad::clear()
{
    m_canvas = QImage(CanvasSide, CanvasSide, QImage::Format_Grayscale8);
    m_canvas.fill(255);
    m_inkLevel = 0;
    m_empty = true;
    m_drawing = false;
    update();
    Q_EMIT changed();
}

void DrawingPad::setImage(const QImage& image)
{
    if (image.isNull())
        return;
    m_canvas = image.convertToFormat(QImage::Format_Grayscale8);
    // Strokes added to a picture use its ink's polarity, judged as the preprocessing judges it.
    const std::vector<uint8_t> bytes = grayBytes();
    m_inkLevel = mnist::hasLightBackground(bytes.data(), m_canvas.width(), m_canvas.height()) ? 0 : 255;
    m_empty = false;
    m_drawing = false;
    update();
    Q_EMIT changed();
}

std::vector<uint8_t> DrawingPad::grayBytes() const
{
    const int w = m_canvas.width();
    std::vector<uint8_t> bytes(static_cast<std::size_t>(w) * static_cast<std::size_t>(m_canvas.height()));
    for (int y = 0; y < m_canvas.height(); ++y)
        std::copy_n(m_canvas.constScanLine(y), w, bytes.begin() + static_cast<std::ptrdiff_t>(y) * w);
    return bytes;
}

void DrawingPad::setStrokeWidth(int pixels)
{
    m_strokeWidth = std::clamp(pixels, 1, 80);
}

QRectF DrawingPad::canvasRect() const
{
    const QSizeF area = QSizeF(size()) - QSizeF(2, 2);
    const QSizeF fitted = QSizeF(m_canvas.size()).scaled(area, Qt::KeepAspectRatio);
    return QRectF(QPointF((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted);
}

QPointF DrawingPad::toCanvas(const QPointF& widgetPos) const
{
    const QRectF r = canvasRect();
    if (r.isEmpty())
        return {};
    return {(widgetPos.x() - r.left()) * m_canvas.width() / r.width(), (widgetPos.y() - r.top()) * m_canvas.height() / r.height()};
}

void DrawingPad::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Mid));
    const QRectF r = canvasRect();
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(r, m_canvas);
    p.setPen(QPen(palette().color(QPalette::Dark), 1));
    p.drawRect(r.adjusted(-0.5, -0.5, 0.5, 0.5));
    if (m_empty) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(r, Qt::AlignCenter, tr("Draw a digit here"));
    }
}

void DrawingPad::beginStroke(const QPointF& widgetPos, double pressure)
{
    m_drawing = true;
    m_last = toCanvas(widgetPos);
    continueStroke(widgetPos, pressure);
}

void DrawingPad::continueStroke(const QPointF& widgetPos, double pressure)
{
    if (!m_drawing)
        return;
    const QPointF to = toCanvas(widgetPos);
    const QRectF r = canvasRect();
    // The width is chosen on screen; the canvas may be larger or smaller than what shows of it.
    const double canvasPerScreen = r.width() > 0 ? m_canvas.width() / r.width() : 1.0;
    const double w = std::max(1.0, m_strokeWidth * canvasPerScreen * (0.3 + std::clamp(pressure, 0.0, 1.0)));
    QPainter p(&m_canvas);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(QColor(m_inkLevel, m_inkLevel, m_inkLevel), w, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.drawLine(m_last, to);
    p.end();
    m_last = to;
    m_empty = false;
    update();
    Q_EMIT changed();
}

void DrawingPad::endStroke()
{
    if (!m_drawing)
        return;
    m_drawing = false;
    Q_EMIT strokeFinished();
}

void DrawingPad::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    beginStroke(event->position(), 0.7); // a mouse draws at the pen's middle pressure
}

void DrawingPad::mouseMoveEvent(QMouseEvent* event)
{
    continueStroke(event->position(), 0.7);
}

void DrawingPad::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        continueStroke(event->position(), 0.7);
        endStroke();
    }
}

void DrawingPad::tabletEvent(QTabletEvent* event)
{
    // Accepted, so Qt does not also synthesise mouse events for the same stroke.
    event->accept();
    switch (event->type()) {
    case QEvent::TabletPress: beginStroke(event->position(), event->pressure()); break;
    case QEvent::TabletMove: continueStroke(event->position(), event->pressure()); break;
    case QEvent::TabletRelease:
        continueStroke(event->position(), event->pressure());
        endStroke();
        break;
    default: event->ignore(); break;
    }
}

} // namespace studio
