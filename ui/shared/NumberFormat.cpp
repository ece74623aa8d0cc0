#include "shared/NumberFormat.h"

#include <QDateTime>
#include <QLocale>

namespace studio {
namespace {

const QLocale& english()
{
    static const QLocale locale(QLocale::English);
    return locale;
}

} // namespace

QString formatCount(qint64 n)
{
    return english().toString(n);
}

QString formatReal(double v, int decimals)
{
    return english().toString(v, 'f', decimals);
}

QString formatSignificant(double v, int digits)
{
    return english().toString(v, 'g', digits);
}

QString formatPercent(double v, int decimals)
{
    return formatReal(v, decimals) + QLatin1Char('%');
}

QString formatDuration(qint64 s)
{
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString formatDateTime(const QDateTime& t, const QString& format)
{
    return english().toString(t, format);
}

} // namespace studio
