#pragma once
// An observer that requests a stop when epoch `epoch` ends (0: the first epoch that ends): how
// the tests interrupt a run to resume it.
#include "train/StopToken.h"
#include "train/TrainingObserver.h"

struct StopAfterEpoch : mnist::TrainingObserver {
    mnist::StopToken* token = nullptr;
    int64_t epoch = 0;
    void onEpoch(const mnist::EpochMetrics& m) override
    {
        if (epoch == 0 || m.epoch == epoch)
            token->requestStop();
    }
};
