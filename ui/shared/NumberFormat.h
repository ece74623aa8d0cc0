#pragma once
// Numbers and dates as every tab writes them: English digits and separators ("60,000",
// "99.12"), whatever the desktop's locale, so that a figure reads the same in the window, in a
// screenshot and in the README. The one place that picks that locale.
#include <QString>

class QDateTime;

namespace studio {

// "60,000": a whole number with thousands separators.
QString formatCount(qint64 n);
// "99.12", "1,234.5": `decimals` digits after the point.
QString formatReal(double v, int decimals);
// "0.00123", "1.5e+03": `digits` significant digits.
QString formatSignificant(double v, int digits);
// "99.1%": formatReal and a percent sign.
QString formatPercent(double v, int decimals);
// "4:05", "1:02:03": a duration of whole seconds as a clock shows it.
QString formatDuration(qint64 seconds);
// A date and time in the English locale's words for `format` ("yyyy-MM-dd HH:mm", "MMM d").
QString formatDateTime(const QDateTime& t, const QString& format);

} // namespace studio
