#pragma once
// The core's plain structs travel through queued signals between the worker thread and the GUI
// thread, so Qt's meta-type system must know them.
#include "shared/RunSummary.h"
#include "train/TrainingObserver.h"

#include <QMetaType>
#include <QVector>

#include <memory>

Q_DECLARE_METATYPE(mnist::IterationPoint)
Q_DECLARE_METATYPE(mnist::EpochMetrics)
Q_DECLARE_METATYPE(mnist::RunInfo)
// Shared, not copied: a test set's predictions carry its images (7.8 MB for MNIST).
Q_DECLARE_METATYPE(std::shared_ptr<const mnist::TestPredictions>)

namespace studio {

// Registers the types above (and QVector<IterationPoint>, QVector<EpochMetrics>) once; safe to call repeatedly.
void registerMetaTypes();

} // namespace studio
