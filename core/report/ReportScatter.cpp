#include "report/ReportScatter.h"

#include "inspect/Projection.h"

namespace mnist {

namespace {
// Enough points for the classes' clouds to show, few enough to keep the page small.
constexpr int64_t kReportScatterPoints = 1000;
} // namespace

std::optional<ReportScatter> reportScatter(const RunRecord& /*run*/, const TrainConfig& config,
                                           const std::string& weightsPath)
{
    ProjectionRequest request;
    request.method = ProjectionMethod::Pca;
    request.count = kReportScatterPoints;
    Projection p = projectTestSet(weightsPath, config, request);
    if (p.stopped || p.size() == 0)
        return std::nullopt;
    ReportScatter s;
    s.x = std::move(p.x);
    s.y = std::move(p.y);
    s.label = std::move(p.labels);
    s.predicted = std::move(p.predicted);
    s.classNames = std::move(p.classNames);
    return s;
}

} // namespace mnist
