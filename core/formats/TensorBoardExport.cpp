#include "formats/TensorBoardExport.h"

#include "Error.h"
#include "run/RunFiles.h"
#include "run/RunIndex.h"
#include "formats/TensorBoardEvents.h"
#include "run/RunLayout.h"
#include "sweep/SweepFolder.h"
#include "spec/ConfigFields.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace mnist {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// A lone run's settings worth a column of TensorBoard's HParams table.
const char* const kRunHParams[] = {"arch", "epochs", "batch_size", "lr", "optimizer", "weight_decay", "label_smoothing",
                                   "ema_decay", "scheduler.type", "seed"};

HParamValue hparamOf(const json& v)
{
    if (v.is_boolean())
        return HParamValue::ofBool(v.get<bool>());
    if (v.is_number())
        return HParamValue::ofNumber(v.get<double>());
    if (v.is_string())
        return HParamValue::ofText(v.get<std::string>());
    return HParamValue::ofText(v.dump());
}

double startTime(const std::string& runDir)
{
    std::error_code ec;
    const auto t = fs::last_write_time(RunLayout(runDir).config(), ec);
    if (ec)
        return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    // file_time_type's clock is not the system clock: convert through "now" on both.
    const auto now = fs::file_time_type::clock::now();
    const auto sys = std::chrono::system_clock::now() + std::chrono::duration_cast<std::chrono::system_clock::duration>(t - now);
    return std::chrono::duration<double>(sys.time_since_epoch()).count();
}

std::string exportRun(const RunRecord& run, const std::vector<std::pair<std::string, HParamValue>>& hparams,
                      const std::string& outDir)
{
    if (run.damaged)
        throw IoError(run.dir + " cannot be exported: " + run.problem);
    const double start = startTime(run.dir);
    TensorBoardEventWriter writer((fs::path(outDir) / run.name).string(), start);
    const std::vector<std::string> metrics = {"epoch/test_acc", "epoch/valid_loss", "epoch/train_loss", "run/test_acc_at_best_valid"};
    writer.addHParams(hparams, metrics, start);

    std::vector<double> lr, loss;
    const RunLayout files(run.dir);
    if (fs::exists(files.lr()))
        lr = readLrCsv(files.lr());
    if (fs::exists(files.loss()))
        loss = readLossCsv(files.loss());
    // Wall times: each epoch ends its seconds after the one before; its iterations are spread
    // evenly over it (lr.csv holds the same number for every finished epoch).
    const size_t epochs = run.epochs.size();
    std::vector<double> epochEnd(epochs);
    double elapsed = 0;
    for (size_t e = 0; e < epochs; ++e)
        epochEnd[e] = elapsed += run.epochs[e].seconds;
    const size_t perEpoch = epochs > 0 ? std::max<size_t>(1, lr.size() / epochs) : 1;
    for (size_t step = 0; step < std::max(lr.size(), loss.size()); ++step) {
        const size_t e = std::min(step / perEpoch, epochs > 0 ? epochs - 1 : 0);
        const double begin = e > 0 ? epochEnd[e - 1] : 0.0;
        const double length = epochs > 0 ? epochEnd[e] - begin : 0.0;
        const double t = start + begin + length * static_cast<double>(step - e * perEpoch + 1) / static_cast<double>(perEpoch);
        if (step < lr.size())
            writer.addScalar("iteration/lr", static_cast<int64_t>(step), static_cast<float>(lr[step]), t);
        if (step < loss.size())
            writer.addScalar("iteration/loss", static_cast<int64_t>(step), static_cast<float>(loss[step]), t);
    }
    for (size_t e = 0; e < epochs; ++e) {
        const EpochMetrics& m = run.epochs[e];
        const double t = start + epochEnd[e];
        writer.addScalar("epoch/train_loss", m.epoch, static_cast<float>(m.trainLoss), t);
        writer.addScalar("epoch/valid_loss", m.epoch, static_cast<float>(m.validLoss), t);
        writer.addScalar("epoch/test_acc", m.epoch, static_cast<float>(m.testAccuracy), t);
        writer.addScalar("epoch/lr", m.epoch, static_cast<float>(m.lr), t);
    }
    if (epochs > 0)
        writer.addScalar("run/test_acc_at_best_valid", run.epochs.back().epoch, static_cast<float>(run.stats.testAccuracyAtBestValid),
                         start + elapsed);
    // A run still going (or killed) has no end: the dashboard shows it as unknown.
    if (run.state == RunState::Finished)
        writer.endHParamsSession(HParamsSessionStatus::Success, start + elapsed);
    const std::string path = writer.path();
    writer.close();
    return path;
}

} // namespace

std::vector<std::string> exportTensorBoard(const std::string& source, const std::string& outDir)
{
    std::vector<std::string> files;
    std::string sweepDir;
    if (isSweepFile(source, &sweepDir)) {
        const SweepFolder sweep = readSweepFolder(sweepDir);
        for (const SweepTrial& t : sweep.plan.trials) {
            const std::string dir = trialDir(sweep, t);
            if (!RunLayout(dir).isRunFolder())
                continue; // not begun
            std::vector<std::pair<std::string, HParamValue>> hparams;
            for (const std::string& key : sweep.plan.keys)
                hparams.emplace_back(key, hparamOf(t.params.value(key, json())));
            hparams.emplace_back("seed", HParamValue::ofNumber(static_cast<double>(t.seed)));
            files.push_back(exportRun(readRun(dir), hparams, outDir));
        }
        return files;
    }
    if (!RunLayout(source).isRunFolder())
        throw IoError(source + " is neither a run folder (" + RunLayout::kConfig + ") nor a sweep folder (" + kSweepFile + ")");
    const RunRecord run = readRun(source);
    std::vector<std::pair<std::string, HParamValue>> hparams;
    for (const char* key : kRunHParams)
        if (const ConfigField* f = findField(key))
            hparams.emplace_back(key, hparamOf(f->get(run.config)));
    files.push_back(exportRun(run, hparams, outDir));
    return files;
}

} // namespace mnist
