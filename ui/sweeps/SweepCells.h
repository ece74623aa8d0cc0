#pragma once
// Cells of the Sweeps tab's tables and charts, shared by its models, the parallel coordinates and
// the search's charts (history, intermediate values, slices).
#include "shared/KeyedTableModel.h"

#include <QColor>

#include <nlohmann/json.hpp>

namespace mnist {
struct TrialResult;
}

namespace studio {

// A setting's value: numbers as numbers (sorting by value), booleans and text as text.
QVariant sweepValue(const nlohmann::json& v);
// A right-aligned figure rounded to `decimals` (a number, sorting by value), with two more
// decimals as its tooltip; empty (sorting last) when not `present`.
KeyedTableModel::Cell figureCell(double v, int decimals, bool present = true);

// A trial's state as the charts colour it (mnist::TrialResult::state: finished, pruned, diverged,
// running, planned, failed); lighter shades on a dark palette.
QColor trialStateColor(const std::string& state);
// The state as the trial table says it: "pruned at epoch 3", "diverged at epoch 2", else the state.
QString trialStateText(const mnist::TrialResult& trial);
// What a chart's tooltip says of a trial: its name, settings, state and objective.
QString trialToolTip(const mnist::TrialResult& trial);

} // namespace studio
