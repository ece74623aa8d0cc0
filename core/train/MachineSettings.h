#pragma once
// The settings that belong to the machine and its user, not to an experiment: the fields of
// FieldScope::Machine in the field table (train/ConfigFields.h). Recipes, pretrained models'
// records and exported records carry an experiment; these come from where it runs.
#include "train/TrainConfig.h"

namespace mnist {

// `experiment` with every machine setting (FieldScope::Machine) of `machine`.
TrainConfig withMachineSettings(TrainConfig experiment, const TrainConfig& machine);

} // namespace mnist
