#include "report/ReportScatter.h"

namespace mnist {

std::optional<ReportScatter> reportScatter(const RunRecord& /*run*/, const TrainConfig& /*config*/,
                                           const std::string& /*weightsPath*/)
{
    // TODO(issue 38): fill from core/inspect/Embedding.h (the penultimate features of the test
    // set's first N images, then pcaProject()) once it is merged; until then the report has no
    // projection section. htmlReport() already draws a ReportScatter given to it.
    return std::nullopt;
}

} // namespace mnist
