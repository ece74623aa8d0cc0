#include "sweeps/SweepCells.h"

#include "shared/NumberFormat.h"
#include "shared/QtText.h"

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

} // namespace studio
