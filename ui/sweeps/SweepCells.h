#pragma once
// Cells of the Sweeps tab's tables and chart, shared by its models and the parallel coordinates.
#include "shared/KeyedTableModel.h"

#include <nlohmann/json.hpp>

namespace studio {

// A setting's value: numbers as numbers (sorting by value), booleans and text as text.
QVariant sweepValue(const nlohmann::json& v);
// A right-aligned figure rounded to `decimals` (a number, sorting by value), with two more
// decimals as its tooltip; empty (sorting last) when not `present`.
KeyedTableModel::Cell figureCell(double v, int decimals, bool present = true);

} // namespace studio
