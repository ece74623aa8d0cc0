#include "TrainCommand.h"

#include "ConsoleReporter.h"

#include "Error.h"
#include "data/DataLocations.h"
#include "data/Dataset.h"
#include "formats/OnnxExport.h"
#include "run/RunFolder.h"
#include "run/RunIndex.h"
#include "run/RunLifecycle.h"
#include "run/RunLayout.h"
#include "train/Trainer.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>

namespace {

mnist::StopToken* g_interruptTarget = nullptr;

extern "C" void onSigint(int)
{
    // A second Ctrl-C falls back to the default action and ends the process at once.
    if (g_interruptTarget)
        g_interruptTarget->requestStopFromSignal();
    std::signal(SIGINT, SIG_DFL);
}

// Passes every event on to `next`, then asks `afterEpoch` whether the run goes on.
class EpochHook : public mnist::TrainingObserver {
public:
    EpochHook(mnist::TrainingObserver& next, std::function<bool(const mnist::EpochMetrics&)> afterEpoch, mnist::StopToken& stop)
        : m_next(next), m_afterEpoch(std::move(afterEpoch)), m_stop(stop)
    {
    }
    void onRunStarted(const mnist::RunInfo& info) override { m_next.onRunStarted(info); }
    void onIteration(const mnist::IterationPoint& p) override { m_next.onIteration(p); }
    void onEpoch(const mnist::EpochMetrics& m) override
    {
        m_next.onEpoch(m);
        if (!m_afterEpoch(m))
            m_stop.requestStop();
    }
    bool wantsTestPredictions() const override { return m_next.wantsTestPredictions(); }
    void onTestPredictions(int64_t epoch, const mnist::TestPredictions& p) override { m_next.onTestPredictions(epoch, p); }
    void onLayerStats(const mnist::EpochLayerStats& stats) override { m_next.onLayerStats(stats); }

private:
    mnist::TrainingObserver& m_next;
    std::function<bool(const mnist::EpochMetrics&)> m_afterEpoch;
    mnist::StopToken& m_stop;
};

} // namespace

void catchInterrupts(mnist::StopToken* stop)
{
    g_interruptTarget = stop;
    std::signal(SIGINT, stop ? onSigint : SIG_DFL);
}

int trainCommand(TrainRequest request, mnist::StopToken& stop)
{
    mnist::TrainConfig& config = request.config;
    const std::string& resumeDir = request.resumeDir;
    std::string& outDir = request.outDir;
    const bool json = request.json;
    const std::string& onnxPath = request.onnxPath;
    static_cast<void>(mnist::Trainer(config)); // validates and checks the device before the data is read
    const mnist::DataSplits data = mnist::loadData(config);
    mnist::applyDataShape(config, data); // the network, the run folder and the exports follow the data
    mnist::Trainer trainer(config);

    std::unique_ptr<mnist::RunFolder> folder;
    if (!resumeDir.empty()) {
        const mnist::ResumePlan plan = mnist::planResume(resumeDir, config, data.train.size());
        folder = mnist::resumeRecording(plan, config, trainer);
        outDir = resumeDir;
        std::fprintf(stderr, "%s\n", plan.message.c_str());
    } else if (!request.noSave) {
        if (outDir.empty())
            outDir = mnist::uniqueRunDir(mnist::defaultRunsDir(), config.arch);
        folder = mnist::startRecording(outDir, config, trainer);
        std::fprintf(stderr, "run folder: %s\n", outDir.c_str());
    }

    ConsoleReporter reporter(json ? stderr : stdout);
    std::unique_ptr<mnist::RunRecorder> recorder;
    mnist::TrainingObserver* observer = &reporter;
    if (folder) {
        recorder = std::make_unique<mnist::RunRecorder>(*folder, &reporter);
        observer = recorder.get();
    }
    std::unique_ptr<EpochHook> hook;
    if (request.afterEpoch) {
        hook = std::make_unique<EpochHook>(*observer, request.afterEpoch, stop);
        observer = hook.get();
    }

    catchInterrupts(&stop);
    mnist::TrainResult result;
    try {
        result = trainer.run(data, *observer, stop);
    } catch (const mnist::IoError& e) {
        reporter.clearBar();
        // The checkpoint and the CSV rows written before the failure are intact.
        throw mnist::IoError(std::string(e.what()) + "\ntraining stopped; the run folder keeps every finished epoch up to its "
                             "last checkpoint: once the problem is fixed, continue with mnist-train --resume " + outDir);
    }
    reporter.clearBar();
    catchInterrupts(nullptr);

    const nlohmann::json summary = mnist::runSummaryJson(config, result, outDir);
    if (folder)
        mnist::finishRecording(*folder, config, result);
    if (!onnxPath.empty()) {
        result.model->to(torch::kCPU);
        mnist::exportOnnx(*result.model, onnxPath, config.augment);
        std::fprintf(stderr, "wrote %s\n", onnxPath.c_str());
    }
    std::string ending = result.stopped ? " (stopped early)" : "";
    if (result.earlyStop.happened())
        ending = " (" + mnist::describeEarlyStop(result.earlyStop, config.earlyStopPatience, config.earlyStopMinDelta) + ")";
    std::fprintf(json ? stderr : stdout,
                 "best test accuracy %.2f%% at epoch %lld (notebook's metric); %.2f%% at the lowest valid loss, epoch %lld; "
                 "%.0f train images/s%s\n",
                 result.stats.bestTestAccuracy, static_cast<long long>(result.stats.bestEpoch), result.stats.testAccuracyAtBestValid,
                 static_cast<long long>(result.stats.bestValidEpoch), result.trainImagesPerSecond,
                 ending.c_str());
    if (json)
        std::cout << summary.dump(2) << std::endl;
    return result.stopped ? 130 : 0;
}
