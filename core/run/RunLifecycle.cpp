#include "run/RunLifecycle.h"

#include "run/RunFolder.h"
#include "run/RunLayout.h"

#include "Error.h"
#include "optim/LrScheduler.h"
#include "train/Trainer.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace fs = std::filesystem;

namespace mnist {

std::string uniqueRunDir(const std::string& runsDir, const std::string& arch)
{
    const std::string base = (fs::path(runsDir) / defaultRunName(arch)).string();
    std::string dir = base;
    std::error_code ec;
    for (int k = 2; fs::exists(dir, ec); ++k)
        dir = base + "-" + std::to_string(k);
    return dir;
}

ResumePlan planResume(const std::string& runDir, const TrainConfig& config, int64_t trainSize)
{
    ResumePlan plan;
    plan.dir = runDir;
    const RunLayout run(runDir);
    if (!run.isRunFolder())
        throw ConfigError(runDir + " is not a run folder (no " + RunLayout::kConfig + ")");
    std::error_code ec;
    const std::string checkpoint = run.checkpoint();
    plan.fromCheckpoint = fs::exists(checkpoint, ec);
    if (plan.fromCheckpoint)
        plan.saved = readCheckpointSummary(checkpoint);
    // Killed after its last epoch but before the model and summary were written: resuming writes them.
    const bool unfinished = !run.isFinished();
    const int64_t done = plan.saved.epoch;
    if (done > config.epochs || (done == config.epochs && !unfinished))
        throw ConfigError(runDir + " already finished " + std::to_string(done) + " epochs; set more epochs (mnist-train --epochs N, or Epochs in the window) than " +
                          std::to_string(done) + " to train on");
    // Ended by early stopping: finished unless this config's rule would have trained on (a larger
    // patience or min delta may continue it, exactly as if it had been given from the start).
    if (!unfinished && done < config.epochs)
        if (const EarlyStop early = earlyStopAt(plan.saved.metrics, config.earlyStopPatience, config.earlyStopMinDelta);
            early.happened())
            throw ConfigError(runDir + " already finished: early stopping ends it after epoch " + std::to_string(done) +
                              " (no lower valid loss since epoch " + std::to_string(early.bestEpoch) + " for " +
                              std::to_string(config.earlyStopPatience) +
                              " epochs); give a larger --early-stop-patience (or 0) to train on");
    const int64_t iters = iterationsPerEpoch(trainSize, config.batchSize);
    if (plan.saved.step != done * iters)
        throw ConfigError(runDir + ": the checkpoint covers " + std::to_string(plan.saved.step) + " iterations in " +
                          std::to_string(done) + " epochs but this data gives " + std::to_string(iters) +
                          " per epoch: is it the same dataset?");
    const TrainConfig original = loadRunConfig(runDir);
    if (config.scheduler.type == "one-cycle" && config.epochs != original.epochs)
        throw ConfigError("one-cycle spans the whole run: its number of epochs cannot change when resuming it");
    plan.lrPerIteration = lrSequence(config.scheduler, config.lr, iters * config.epochs, plan.saved.step);
    plan.message = plan.fromCheckpoint
                       ? "resuming " + runDir + " after epoch " + std::to_string(done)
                       : runDir + " has no checkpoint (it stopped in its first epoch): training it from the start";
    return plan;
}

std::unique_ptr<RunFolder> startRecording(const std::string& dir, const TrainConfig& config, Trainer& trainer)
{
    auto folder = std::make_unique<RunFolder>(dir, config);
    trainer.setCheckpointDir(dir);
    return folder;
}

std::unique_ptr<RunFolder> resumeRecording(const ResumePlan& plan, const TrainConfig& config, Trainer& trainer)
{
    auto folder = std::make_unique<RunFolder>(plan.dir, config, RunFolder::Mode::Resume);
    folder->rewriteHistory(plan.saved.metrics, plan.lrPerIteration);
    if (plan.fromCheckpoint)
        trainer.setResumeCheckpoint(RunLayout(plan.dir).checkpoint());
    trainer.setCheckpointDir(plan.dir);
    return folder;
}

nlohmann::json runSummaryJson(const TrainConfig& c, const TrainResult& r, const std::string& runDir)
{
    nlohmann::json epochs = nlohmann::json::array();
    for (const auto& m : r.epochs)
        epochs.push_back({{"epoch", m.epoch},       {"train_loss", m.trainLoss}, {"valid_loss", m.validLoss},
                          {"test_acc", m.testAccuracy}, {"lr", m.lr},            {"seconds", m.seconds},
                          {"images_per_s", m.imagesPerSecond}});
    nlohmann::json summary = {{"arch", c.arch},
            {"parameters", r.info.parameterCount},
            {"device", r.info.device},
            {"threads", r.info.threads},
            {"precision", r.info.precision},
            {"best_test_acc", r.stats.bestTestAccuracy},
            {"best_epoch", r.stats.bestEpoch},
            {"test_acc_at_best_valid", r.stats.testAccuracyAtBestValid},
            {"best_valid_epoch", r.stats.bestValidEpoch},
            {"final_test_acc", r.stats.finalTestAccuracy},
            {"train_images_per_s", r.trainImagesPerSecond},
            {"stopped", r.stopped},
            {"run_dir", runDir},
            {"epochs", epochs}};
    // Only when it happened: a summary without the key is a run that trained every epoch (or was stopped).
    if (r.earlyStop.happened())
        summary["early_stop"] = {{"epoch", r.earlyStop.epoch}, {"best_epoch", r.earlyStop.bestEpoch}};
    return summary;
}

void finishRecording(RunFolder& folder, const TrainConfig& config, const TrainResult& result)
{
    if (!result.epochs.empty() && result.model)
        folder.writeModel(*result.model);
    folder.writeSummary(runSummaryJson(config, result, folder.dir()).dump(2));
}

} // namespace mnist
