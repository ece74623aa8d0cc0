#pragma once
// mnist-train's pretrained-model commands: --export-pretrained (a finished run's honest weights as
// a shipped model with its record) and the lookup behind --pretrained.
#include "run/PretrainedModel.h"

#include <string>

// The installed model `name` (empty: the first). Throws ConfigError naming the folders looked in
// when there is none, or naming the record when it cannot be read.
mnist::PretrainedModel pretrainedOrThrow(const std::string& name);

// Writes `recordPath` (NAME.json) and NAME.safetensors beside it from the run folder `runDir`: the
// weights of its lowest valid loss (best.safetensors), evaluated on the test set so the record says
// what these very weights score. `trainedOn` is free text (machine, date). Returns the exit code.
int exportPretrainedCommand(const std::string& runDir, const std::string& recordPath, const std::string& trainedOn);
