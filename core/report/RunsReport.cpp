#include "report/RunsReport.h"

#include "Error.h"
#include "report/HtmlReport.h"
#include "report/ReportScatter.h"
#include "run/RunLayout.h"
#include "spec/MachineSettings.h"
#include "train/CalibrationCache.h"
#include "train/Predictions.h"

#include <torch/cuda.h>
#include <torch/version.h>

#include <ctime>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;

namespace mnist {
namespace {

std::string utcNow()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

TrainConfig evaluationConfig(const TrainConfig& run, const std::optional<TrainConfig>& machine)
{
    if (!machine)
        return run;
    TrainConfig c = withMachineSettings(run, *machine);
    // Data trained from a folder of its own is found there unless another was asked for.
    if (machine->dataDir.empty())
        c.dataDir = run.dataDir;
    return c;
}

ReportRun reportRun(const std::string& dir, const RunsReportRequest& request, std::vector<std::string>& notes)
{
    ReportRun r;
    r.record = readRun(dir);
    const std::string& name = r.record.name;
    const auto note = [&](const std::string& text) {
        r.notes.push_back(text);
        notes.push_back(name + ": " + text);
    };
    if (r.record.damaged) {
        note("damaged, so not evaluated: " + r.record.problem);
        return r;
    }
    const std::string weights = RunLayout(dir).weightsToUse();
    if (weights.empty()) {
        note("no weights yet (they appear when its first epoch ends): no confusion matrix or misclassified images");
        return r;
    }
    const TrainConfig config = evaluationConfig(r.record.config, request.machine);
    try {
        r.predictions = predictTestSet(weights, config);
        r.weightsFile = fs::path(weights).filename().string();
    } catch (const std::exception& e) {
        note(std::string("could not evaluate its weights on its test set: ") + e.what());
        return r;
    }
    try {
        r.scatter = reportScatter(r.record, config, weights);
    } catch (const std::exception& e) {
        note(std::string("no projection: ") + e.what());
    }
    return r;
}

} // namespace

RunsReportResult writeRunsReport(const RunsReportRequest& request)
{
    if (request.runDirs.empty())
        throw ConfigError("a report needs at least one run");
    for (const std::string& dir : request.runDirs) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec))
            throw IoError(dir + ": no such run folder");
        if (!RunLayout(dir).isRunFolder())
            throw IoError(dir + ": not a run folder (it has no " + RunLayout::kConfig + ")");
    }
    RunsReportResult result;
    std::vector<ReportRun> runs;
    for (const std::string& dir : request.runDirs)
        runs.push_back(reportRun(dir, request, result.notes));
    ReportInfo info;
    info.title = runs.size() == 1 ? "MNIST Studio report: " + runs.front().record.name
                                  : "MNIST Studio report: " + std::to_string(runs.size()) + " runs";
    info.machine = reportMachineText();
    info.version = request.version;
    info.created = utcNow();
    writeHtmlReport(request.outPath, runs, info);
    result.path = request.outPath;
    return result;
}

std::string reportMachineText()
{
    std::string text = cpuModelName() + ", " + std::to_string(std::thread::hardware_concurrency()) + " logical cores";
    if (torch::cuda::is_available())
        text += ", " + std::to_string(torch::cuda::device_count()) + " CUDA device(s)";
    return text + ", LibTorch " + TORCH_VERSION;
}

} // namespace mnist
