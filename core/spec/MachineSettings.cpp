#include "spec/MachineSettings.h"

namespace mnist {

TrainConfig withMachineSettings(TrainConfig experiment, const TrainConfig& machine)
{
    experiment.dataDir = machine.dataDir;
    experiment.device = machine.device;
    experiment.threads = machine.threads;
    experiment.evalBatchSize = machine.evalBatchSize;
    return experiment;
}

} // namespace mnist
