#include "sweeps/SweepCells.h"

#include "shared/NumberFormat.h"
#include "shared/QtText.h"
#include "shared/Theme.h"

#include "sweep/SweepSpec.h"
#include "sweep/SweepSummary.h"

#include <QCoreApplication>

#include <cmath>

namespace studio {

QVariant sweepValue(const nlohmann::json& v)
{
    if (v.is_number())
        return v.get<double>();
    if (v.is_boolean())
        return v.get<bool>() ? QStringLiteral("true") : QStringLiteral("false");
    return fromStd(v.is_string() ? v.get<std::string>() : v.dump());
}

KeyedTableModel::Cell figureCell(double v, int decimals, bool present)
{
    KeyedTableModel::Cell cell;
    cell.insert(Qt::TextAlignmentRole, static_cast<int>(Qt::AlignRight | Qt::AlignVCenter)); // as QTableWidgetItem stores it
    if (present) {
        // Rounded as shown, so that equal-looking figures sort as equal (the C locale: no separators to parse).
        cell.insert(Qt::DisplayRole, QString::number(v, 'f', decimals).toDouble());
        cell.insert(Qt::ToolTipRole, formatReal(v, decimals + 2));
    }
    return cell;
}

QColor trialStateColor(const std::string& state)
{
    const bool dark = darkPalette();
    if (state == "finished")
        return dark ? QColor(0x5a, 0xa9, 0xe6) : QColor(0x1f, 0x77, 0xb4);
    if (state == "pruned")
        return dark ? QColor(0xb0, 0xb0, 0xb0) : QColor(0x8c, 0x8c, 0x8c);
    if (state == "diverged")
        return dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xd6, 0x27, 0x28);
    if (state == "running")
        return dark ? QColor(0x4d, 0xd8, 0xe6) : QColor(0x17, 0xbe, 0xcf);
    if (state == "failed")
        return dark ? QColor(0xc3, 0x8d, 0xe0) : QColor(0x8e, 0x44, 0xad);
    return dark ? QColor(0x70, 0x70, 0x70) : QColor(0xc0, 0xc0, 0xc0); // planned
}

QString trialStateText(const mnist::TrialResult& trial)
{
    if (trial.state == "pruned")
        return QCoreApplication::translate("studio::SweepCells", "pruned at epoch %1").arg(trial.epochs);
    if (trial.state == "diverged")
        return QCoreApplication::translate("studio::SweepCells", "diverged at epoch %1").arg(trial.epochs);
    return fromStd(trial.state);
}

QString trialToolTip(const mnist::TrialResult& trial)
{
    const QString params = fromStd(mnist::describeParams(trial.params));
    QString objective;
    if (std::isinf(trial.objective))
        objective = QCoreApplication::translate("studio::SweepCells", "valid loss diverged");
    else if (std::isnan(trial.objective))
        objective = QCoreApplication::translate("studio::SweepCells", "no epoch yet");
    else
        objective = QCoreApplication::translate("studio::SweepCells", "valid loss %1 after %2 of %3 epochs")
                        .arg(formatReal(trial.objective, 4))
                        .arg(trial.epochs)
                        .arg(trial.maxEpochs);
    return QStringLiteral("%1 (%2, seed %3)\n%4\n%5")
        .arg(fromStd(trial.name), trialStateText(trial))
        .arg(trial.seed)
        .arg(params.isEmpty() ? QCoreApplication::translate("studio::SweepCells", "the base set-up") : params, objective);
}

} // namespace studio
