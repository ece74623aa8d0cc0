#pragma once
// The settings that belong to the machine and its user, not to an experiment: the fields of
// FieldScope::Machine in the field table (spec/ConfigFields.h). Recipes, pretrained models'
// records and exported records carry an experiment; these come from where it runs.
#include "spec/TrainConfig.h"

namespace mnist {

// `experiment` with every machine setting (FieldScope::Machine) of `machine`.
TrainConfig withMachineSettings(TrainConfig experiment, const TrainConfig& machine);

} // namespace mnist
