#pragma once
// mnist-train --lr-find: the LR range test (train/LrFinder.h) of the set-up the flags give, with
// its suggestion and the setting it belongs in.
#include "spec/TrainConfig.h"
#include "train/LrFinder.h"
#include "train/StopToken.h"

// Runs the test; prints a progress line on stderr and the suggestion on stdout, or with `json`
// exactly {"suggested_lr": x, "points": [[lr, loss], ...]} on stdout. Ctrl-C (`stop`) ends it with
// the points so far. Returns the exit code (0, 130 stopped); throws what the core throws.
int lrFindCommand(const mnist::TrainConfig& config, const mnist::LrFinderOptions& options, bool json, mnist::StopToken& stop);
