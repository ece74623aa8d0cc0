#include "spec/MachineSettings.h"

#include "spec/ConfigFields.h"

#include <nlohmann/json.hpp>

namespace mnist {

TrainConfig withMachineSettings(TrainConfig experiment, const TrainConfig& machine)
{
    for (const ConfigField* f : fieldsWhere(FieldScope::Machine))
        f->set(experiment, f->get(machine));
    return experiment;
}

} // namespace mnist
