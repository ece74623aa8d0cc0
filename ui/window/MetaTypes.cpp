#include "window/MetaTypes.h"

namespace studio {

void registerMetaTypes()
{
    static const bool once = [] {
        qRegisterMetaType<mnist::IterationPoint>("mnist::IterationPoint");
        qRegisterMetaType<mnist::EpochMetrics>("mnist::EpochMetrics");
        qRegisterMetaType<mnist::RunInfo>("mnist::RunInfo");
        qRegisterMetaType<studio::RunSummary>("studio::RunSummary");
        qRegisterMetaType<std::shared_ptr<const mnist::TestPredictions>>("std::shared_ptr<const mnist::TestPredictions>");
        qRegisterMetaType<QVector<mnist::IterationPoint>>("QVector<mnist::IterationPoint>");
        qRegisterMetaType<QVector<mnist::EpochMetrics>>("QVector<mnist::EpochMetrics>");
        return true;
    }();
    (void)once;
}

} // namespace studio
