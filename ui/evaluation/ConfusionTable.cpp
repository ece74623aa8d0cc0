#include "evaluation/ConfusionTable.h"

#include "shared/ClassNames.h"
#include "shared/NumberFormat.h"

#include <QEvent>

#include <QFontMetrics>
#include <QHeaderView>

#include <algorithm>
#include <cmath>

namespace studio {

namespace {

QColor blend(const QColor& from, const QColor& to, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(static_cast<float>(from.redF() + (to.redF() - from.redF()) * t),
                            static_cast<float>(from.greenF() + (to.greenF() - from.greenF()) * t),
                            static_cast<float>(from.blueF() + (to.blueF() - from.blueF()) * t));
}

QString percent(double value)
{
    return formatPercent(value, 1);
}

} // namespace

ConfusionTable::ConfusionTable(QWidget* parent) : QTableWidget(parent)
{
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionMode(QAbstractItemView::SingleSelection);
    // Every count column fits four digits (a class of MNIST's test set holds up to 1,135 images).
    // A narrow window scrolls instead of cutting a number.
    horizontalHeader()->setMinimumSectionSize(QFontMetrics(font()).horizontalAdvance(QStringLiteral("0000")) + 8);
    QStringList digits;
    for (int k = 0; k < 10; ++k)
        digits << QString::number(k);
    setClassLabels(digits);
}

void ConfusionTable::setClassLabels(const QStringList& labels)
{
    if (labels == m_labels && columnCount() == labels.size() + 1)
        return;
    m_labels = labels;
    const int n = static_cast<int>(labels.size());
    clearContents();
    setRowCount(n);
    setColumnCount(n + 1);
    for (int k = 0; k < n; ++k) {
        // Rows have room for a name; columns get a short one, its full name on hover.
        auto* row = new QTableWidgetItem(labels[k]);
        row->setToolTip(labels[k]);
        setVerticalHeaderItem(k, row);
        auto* column = new QTableWidgetItem(shortClassName(labels[k], n > StretchedClasses ? 6 : 12));
        column->setToolTip(labels[k]);
        setHorizontalHeaderItem(k, column);
    }
    auto* accuracy = new QTableWidgetItem(tr("Acc."));
    accuracy->setToolTip(tr("Per-class accuracy: the share of the class's test images predicted correctly"));
    setHorizontalHeaderItem(n, accuracy);
    const bool stretch = n <= StretchedClasses;
    horizontalHeader()->setSectionResizeMode(stretch ? QHeaderView::Stretch : QHeaderView::ResizeToContents);
    verticalHeader()->setSectionResizeMode(stretch ? QHeaderView::Stretch : QHeaderView::ResizeToContents);
    // The accuracy column fits "100.0%" in bold and its header.
    horizontalHeader()->setSectionResizeMode(n, QHeaderView::ResizeToContents);
}

void ConfusionTable::changeEvent(QEvent* event)
{
    QTableWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_counts.empty())
        setCounts(std::vector<int64_t>(m_counts), m_classes); // shaded from the new palette
}

void ConfusionTable::setCounts(const std::vector<int64_t>& counts, int classes)
{
    m_counts = counts;
    m_classes = classes;
    clearContents();
    if (classes <= 0 || counts.size() < static_cast<std::size_t>(classes * classes))
        return;
    const int n = std::min(classes, classCount());
    auto at = [&](int t, int c) { return counts[static_cast<std::size_t>(t * classes + c)]; };
    // Blended from the table's own background, so a dark palette gets a dark table.
    const QColor base = palette().color(QPalette::Base), good(46, 125, 50), bad(198, 40, 40);
    for (int t = 0; t < n; ++t) {
        int64_t rowTotal = 0;
        for (int c = 0; c < classes; ++c)
            rowTotal += at(t, c);
        for (int c = 0; c < n; ++c) {
            const int64_t count = at(t, c);
            auto* item = new QTableWidgetItem(QString::number(count));
            item->setTextAlignment(Qt::AlignCenter);
            const double share = rowTotal > 0 ? static_cast<double>(count) / static_cast<double>(rowTotal) : 0.0;
            // sqrt: a few mistakes in a cell still show, next to a diagonal of hundreds.
            const double shade = t == c ? share : std::sqrt(share);
            const QColor fill = blend(base, t == c ? good : bad, shade);
            item->setBackground(fill);
            item->setForeground(fill.lightness() < 128 ? QColor(Qt::white) : QColor(Qt::black));
            item->setToolTip(tr("True %1, predicted %2: %3 images (%4 of the class)")
                                 .arg(m_labels.value(t), m_labels.value(c))
                                 .arg(count)
                                 .arg(percent(100.0 * share)));
            setItem(t, c, item);
        }
        auto* item = new QTableWidgetItem(rowTotal > 0 ? percent(100.0 * static_cast<double>(at(t, t)) /
                                                                 static_cast<double>(rowTotal))
                                                       : QStringLiteral("—"));
        item->setTextAlignment(Qt::AlignCenter);
        QFont f = item->font();
        f.setBold(true);
        item->setFont(f);
        item->setToolTip(tr("Share of the %1 test images of %2 predicted correctly").arg(rowTotal).arg(m_labels.value(t)));
        setItem(t, accuracyColumn(), item);
    }
}

int ConfusionTable::count(int trueLabel, int predicted) const
{
    const QTableWidgetItem* cell = item(trueLabel, predicted);
    return cell ? cell->text().toInt() : -1;
}

QString ConfusionTable::accuracyText(int trueLabel) const
{
    const QTableWidgetItem* cell = item(trueLabel, accuracyColumn());
    return cell ? cell->text() : QString();
}

} // namespace studio
