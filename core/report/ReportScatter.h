#pragma once
// The report's projection section for one run: the projector's PCA of its test images.
#include "report/HtmlReport.h"

#include <optional>

namespace mnist {

// The first two principal components of the penultimate features of the run's test images, with
// their labels and predictions; nullopt where there is none to draw. `config` is the run's set-up
// as the report evaluates it (machine settings applied), `weightsPath` the weights it evaluates.
std::optional<ReportScatter> reportScatter(const RunRecord& run, const TrainConfig& config, const std::string& weightsPath);

} // namespace mnist
