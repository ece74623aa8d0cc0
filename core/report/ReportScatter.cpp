#include "report/ReportScatter.h"

namespace mnist {

std::optional<ReportScatter> reportScatter(const RunRecord& /*run*/, const TrainConfig& /*config*/,
                                           const std::string& /*weightsPath*/)
{
    // TODO(issue 38): fill from core/inspect/Embedding.h once the projector is merged (it is on
    // the projector branch, not on main yet); htmlReport() already draws what this returns:
    //   const auto net = loadNetwork(config, weightsPath);
    //   const PenultimateFeatures f = penultimateFeatures(*net, config, 1000); // the first 1,000 test images
    //   const PcaProjection pca = pcaProject(f.features);
    //   x, y = pca.points[:, 0], [:, 1]; label = f.labels; predicted = f.predicted;
    //   classNames = config.data.classes
    // Until then the report has no projection section.
    return std::nullopt;
}

} // namespace mnist
