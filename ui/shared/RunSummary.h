#pragma once
// How a run ended, as the GUI needs it (the core's TrainResult holds LibTorch objects).
#include <QMetaType>
#include <QString>

#include <cstdint>

namespace studio {

struct RunSummary {
    bool stopped = false;           // ended on request before the last epoch
    bool failed = false;            // ended by an error (reported through failed() before)
    int64_t epochsDone = 0;
    double finalTestAccuracy = 0;   // percent
    QString earlyStop;              // why early stopping ended the (finished) run; empty when it did not
};

} // namespace studio

// Declared here, not in MetaTypes.h: every file that sees the struct in a signal sees this too.
Q_DECLARE_METATYPE(studio::RunSummary)
