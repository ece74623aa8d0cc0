#pragma once
// The settings that belong to the machine and its user, not to an experiment: the data folder, the
// device, the thread count and the evaluation batch size. Recipes, pretrained models' records and
// exported records carry an experiment; these come from where it runs.
#include "spec/TrainConfig.h"

namespace mnist {

// `experiment` with `machine`'s data folder, device, threads and evaluation batch size.
TrainConfig withMachineSettings(TrainConfig experiment, const TrainConfig& machine);

} // namespace mnist
