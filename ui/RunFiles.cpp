#include "RunFiles.h"

#include <QFile>
#include <QObject>
#include <QTextStream>

namespace studio {

bool readLrCsv(const QString& path, QVector<double>* lrPerIteration, QString* error)
{
    lrPerIteration->clear();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (error)
            *error = QObject::tr("Cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    QTextStream in(&file);
    int line = 0;
    while (!in.atEnd()) {
        const QString text = in.readLine().trimmed();
        ++line;
        if (line == 1 || text.isEmpty())
            continue; // the header
        const int comma = text.indexOf(QLatin1Char(','));
        bool ok = comma > 0;
        const double lr = ok ? text.mid(comma + 1).toDouble(&ok) : 0;
        if (!ok) {
            // A crash can cut the last line short: what came before is still good.
            if (in.atEnd())
                break;
            if (error)
                *error = QObject::tr("%1, line %2: expected \"iteration,lr\", found \"%3\"").arg(path).arg(line).arg(text);
            return false;
        }
        lrPerIteration->append(lr);
    }
    return true;
}

} // namespace studio
