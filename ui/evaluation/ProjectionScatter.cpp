#include "evaluation/ProjectionScatter.h"

#include "runs/RunComparisonChart.h"
#include "shared/PlaneImage.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <limits>

namespace studio {
namespace {

constexpr double kRadius = 2.6;      // a point's dot
constexpr double kRingRadius = 4.6;  // the ring around a misclassified one
constexpr double kPickRadius = 7.0;  // how far from a dot the pointer still picks it
constexpr int kLegendWidth = 150;
constexpr int kMargin = 12;
constexpr int kCardImage = 84;       // the hover card's image side

// The class palette: matplotlib's tab10, as the run comparison uses, then its hues again darker.
QColor classColor(int label)
{
    const QColor c = RunComparisonChart::runColor(label);
    return label < 10 ? c : c.darker(100 + 40 * (label / 10));
}

} // namespace

ProjectionScatter::ProjectionScatter(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("projectionScatter"));
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_card = new QFrame(this, Qt::ToolTip);
    m_card->setObjectName(QStringLiteral("projectionHoverCard"));
    static_cast<QFrame*>(m_card)->setFrameShape(QFrame::Box);
    auto* layout = new QHBoxLayout(m_card);
    layout->setContentsMargins(6, 6, 6, 6);
    m_cardImage = new QLabel;
    m_cardImage->setFixedSize(kCardImage, kCardImage);
    m_cardText = new QLabel;
    layout->addWidget(m_cardImage);
    layout->addWidget(m_cardText);
    m_card->hide();
}

ProjectionScatter::~ProjectionScatter() = default;

QWidget* ProjectionScatter::hoverCard() const
{
    return m_card;
}

void ProjectionScatter::setProjection(std::shared_ptr<const mnist::Projection> projection, const QStringList& classLabels)
{
    m_projection = std::move(projection);
    m_classLabels = classLabels;
    m_hovered = -1;
    m_pressed = -1;
    m_card->hide();
    updateMapping();
    update();
}

QRectF ProjectionScatter::plotArea() const
{
    return QRectF(kMargin, kMargin, std::max(1, width() - 2 * kMargin - kLegendWidth), std::max(1, height() - 2 * kMargin));
}

void ProjectionScatter::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    updateMapping();
}

// One scale for both axes: distances in the picture are distances in the projection.
void ProjectionScatter::updateMapping()
{
    if (!m_projection || m_projection->size() == 0)
        return;
    const auto [xMin, xMax] = std::minmax_element(m_projection->x.begin(), m_projection->x.end());
    const auto [yMin, yMax] = std::minmax_element(m_projection->y.begin(), m_projection->y.end());
    const double spanX = std::max(double(*xMax - *xMin), 1e-12);
    const double spanY = std::max(double(*yMax - *yMin), 1e-12);
    const QRectF area = plotArea().adjusted(kRingRadius, kRingRadius, -kRingRadius, -kRingRadius);
    m_scale = std::min(area.width() / spanX, area.height() / spanY);
    const double midX = (double(*xMin) + double(*xMax)) / 2, midY = (double(*yMin) + double(*yMax)) / 2;
    m_offset = QPointF(area.center().x() - midX * m_scale, area.center().y() + midY * m_scale);
}

QPointF ProjectionScatter::pointPosition(int row) const
{
    if (!m_projection || row < 0 || row >= m_projection->size())
        return {};
    const auto r = static_cast<size_t>(row);
    return {m_projection->x[r] * m_scale + m_offset.x(), -m_projection->y[r] * m_scale + m_offset.y()};
}

int ProjectionScatter::pointAt(const QPointF& pos) const
{
    if (!m_projection)
        return -1;
    int best = -1;
    double bestDistance = kPickRadius * kPickRadius;
    for (int row = 0; row < m_projection->size(); ++row) {
        const QPointF d = pointPosition(row) - pos;
        const double distance = d.x() * d.x() + d.y() * d.y();
        if (distance <= bestDistance) { // <=: of dots on top of each other, the one drawn last
            bestDistance = distance;
            best = row;
        }
    }
    return best;
}

void ProjectionScatter::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    p.setRenderHint(QPainter::Antialiasing);
    const QColor text = palette().color(QPalette::Text);
    if (!m_projection || m_projection->size() == 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("Choose PCA or t-SNE and press Run to see the test images' penultimate features in 2-D."));
        return;
    }
    p.setPen(QPen(palette().color(QPalette::Mid), 1));
    p.drawRect(plotArea());
    const mnist::Projection& pr = *m_projection;
    // Correct images first, the mistakes on top of them where they can be seen.
    for (const bool mistakes : {false, true}) {
        for (int row = 0; row < pr.size(); ++row) {
            if (pr.misclassified(row) != mistakes)
                continue;
            const QPointF at = pointPosition(row);
            const QColor colour = classColor(pr.labels[static_cast<size_t>(row)]);
            if (mistakes) {
                p.setPen(QPen(text, 1.4));
                p.setBrush(Qt::NoBrush);
                p.drawEllipse(at, kRingRadius, kRingRadius);
            }
            p.setPen(Qt::NoPen);
            p.setBrush(colour);
            p.drawEllipse(at, kRadius, kRadius);
        }
    }
    if (m_hovered >= 0) {
        p.setPen(QPen(text, 2));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(pointPosition(m_hovered), kRingRadius + 2, kRingRadius + 2);
    }

    // The legend: a dot per class with its count, then the ring.
    std::vector<int> counts(static_cast<size_t>(std::max(pr.classes, 1)));
    for (int label : pr.labels)
        if (label >= 0 && label < pr.classes)
            ++counts[static_cast<size_t>(label)];
    const QFontMetrics metrics(font());
    const int line = metrics.height() + 2;
    double y = kMargin + line / 2.0;
    const double x = width() - kLegendWidth + 4;
    for (int k = 0; k < pr.classes; ++k, y += line) {
        p.setPen(Qt::NoPen);
        p.setBrush(classColor(k));
        p.drawEllipse(QPointF(x + 5, y), 4, 4);
        p.setPen(text);
        const QString name = k < m_classLabels.size() ? m_classLabels[k] : QString::number(k);
        p.drawText(QRectF(x + 14, y - line / 2.0, kLegendWidth - 20, line), Qt::AlignVCenter | Qt::AlignLeft,
                   metrics.elidedText(QStringLiteral("%1 (%2)").arg(name).arg(counts[static_cast<size_t>(k)]),
                                      Qt::ElideMiddle, kLegendWidth - 20));
    }
    y += line / 2.0;
    p.setPen(QPen(text, 1.4));
    p.setBrush(Qt::NoBrush);
    p.drawEllipse(QPointF(x + 5, y), kRingRadius, kRingRadius);
    p.drawText(QRectF(x + 14, y - line / 2.0, kLegendWidth - 20, line), Qt::AlignVCenter | Qt::AlignLeft, tr("misclassified"));
}

void ProjectionScatter::hover(int row, const QPoint& globalPos)
{
    if (row == m_hovered) {
        if (row >= 0)
            m_card->move(globalPos + QPoint(16, 16));
        return;
    }
    m_hovered = row;
    update();
    if (row < 0 || !m_projection) {
        m_card->hide();
        return;
    }
    const mnist::Projection& pr = *m_projection;
    const auto r = static_cast<size_t>(row);
    const size_t bytes = static_cast<size_t>(pr.channels) * static_cast<size_t>(pr.rows) * static_cast<size_t>(pr.cols);
    if (pr.images.size() >= (r + 1) * bytes)
        m_cardImage->setPixmap(QPixmap::fromImage(fitImage(imageFromPlanes(pr.images.data() + r * bytes, pr.channels, pr.rows, pr.cols), kCardImage)));
    else
        m_cardImage->clear();
    const auto name = [this](int label) {
        return label >= 0 && label < m_classLabels.size() ? m_classLabels[label] : QString::number(label);
    };
    QString text = tr("Test image %1\nTrue: %2\nPredicted: %3")
                       .arg(pr.indices[r])
                       .arg(name(pr.labels[r]), name(pr.predicted[r]));
    if (pr.misclassified(row))
        text += tr("\n(misclassified)");
    m_cardText->setText(text + tr("\n\nClick to inspect it"));
    m_card->adjustSize();
    m_card->move(globalPos + QPoint(16, 16));
    m_card->show();
}

void ProjectionScatter::mouseMoveEvent(QMouseEvent* event)
{
    hover(pointAt(event->position()), event->globalPosition().toPoint());
}

void ProjectionScatter::leaveEvent(QEvent* event)
{
    hover(-1, {});
    QWidget::leaveEvent(event);
}

void ProjectionScatter::mousePressEvent(QMouseEvent* event)
{
    m_pressed = event->button() == Qt::LeftButton ? pointAt(event->position()) : -1;
}

void ProjectionScatter::mouseReleaseEvent(QMouseEvent* event)
{
    const int row = event->button() == Qt::LeftButton ? pointAt(event->position()) : -1;
    if (row >= 0 && row == m_pressed) {
        hover(-1, {});
        Q_EMIT pointClicked(row);
    }
    m_pressed = -1;
}

} // namespace studio
