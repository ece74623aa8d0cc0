#pragma once
// The HTML report of one or more runs (issue 38): a single self-contained file to share, viewed
// in any browser without a network or a script: inline CSS, charts as inline SVG (SvgChart),
// pictures as PNG data: URIs. Plain std types, no LibTorch, no Qt: the window includes it.
#include "run/RunIndex.h"
#include "train/Predictions.h"

#include <optional>
#include <string>
#include <vector>

namespace mnist {

// The test set's penultimate features projected on two axes (the projector's PCA), one point per
// image: drawn as a scatter coloured by the true class, hollow where the prediction is wrong.
struct ReportScatter {
    std::vector<float> x, y;
    std::vector<int> label, predicted;
    std::vector<std::string> classNames;
};

// One run of the report and what was computed for it beside its folder.
struct ReportRun {
    RunRecord record;
    std::optional<TestPredictions> predictions; // its weights on its test set: confusion, gallery
    std::string weightsFile;                    // the weights those predictions are of
    std::optional<ReportScatter> scatter;
    std::vector<std::string> notes;             // why a section is missing ("no weights", an error)
};

struct ReportInfo {
    std::string title = "MNIST Studio report";
    std::string machine;  // where the report was made (the predictions computed)
    std::string version;  // the program's
    std::string created;  // when, as text (UTC)
    int misclassifiedSamples = 24; // per run
};

// The report as HTML text. One run: all its settings; several: only the settings that differ
// (compareSettings()), an accuracy table of every run, the loss (train solid, valid dashed, log
// scale), test accuracy and LR charts with a line per run, then per run its confusion matrix, a
// sample of misclassified images and its scatter when there are predictions. Every text from a
// run (names, class names, problems) is escaped.
std::string htmlReport(const std::vector<ReportRun>& runs, const ReportInfo& info);

// htmlReport() written to `path` atomically (a failed write leaves no partial file). Throws IoError
// naming the path.
void writeHtmlReport(const std::string& path, const std::vector<ReportRun>& runs, const ReportInfo& info);

} // namespace mnist
