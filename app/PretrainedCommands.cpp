#include "PretrainedCommands.h"

#include "Error.h"
#include "run/RunFiles.h"
#include "run/RunFolder.h"
#include "run/RunLayout.h"
#include "models/ModelRegistry.h"
#include "spec/MachineSettings.h"
#include "train/Predictions.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

mnist::PretrainedModel pretrainedOrThrow(const std::string& name)
{
    if (auto model = mnist::findPretrainedModel(name))
        return *model;
    std::string dirs;
    for (const std::string& d : mnist::pretrainedModelDirs())
        dirs += (dirs.empty() ? "" : ", ") + d;
    throw mnist::ConfigError(name.empty() ? "--pretrained: no pretrained model is installed (looked in " + dirs + ")"
                                          : "--pretrained: no model named '" + name + "' (looked in " + dirs + ")");
}

int exportPretrainedCommand(const std::string& runDir, const std::string& recordPath, const std::string& trainedOn)
{
    if (fs::path(recordPath).extension() != ".json")
        throw mnist::ConfigError("--export-pretrained: --out must name the record, NAME.json (got '" + recordPath + "')");
    const mnist::TrainConfig runConfig = mnist::loadRunConfig(runDir);
    const mnist::RunLayout run(runDir);
    const mnist::RunSummary summary = mnist::readRunSummary(run.summary());
    if (summary.bestValidEpoch < 1)
        throw mnist::ConfigError("--export-pretrained: " + runDir + " has no finished epoch");
    const std::vector<mnist::EpochMetrics> epochs = mnist::readMetricsCsv(run.metrics());
    const std::string best = run.bestWeights();
    if (!fs::is_regular_file(best))
        throw mnist::ConfigError("--export-pretrained: " + best + " is missing (the weights of the lowest valid loss)");

    // The record names its network by a spec that ships with the program (resources/architectures/).
    const auto archs = mnist::architectures();
    const bool builtin = std::any_of(archs.begin(), archs.end(), [&](const mnist::ArchitectureInfo& a) {
        return a.builtin && a.name == runConfig.arch;
    });
    if (!builtin)
        throw mnist::ConfigError("--export-pretrained: " + runDir + " trained '" + runConfig.arch +
                                 "', which is not a built-in network: add its spec to resources/architectures/ first");

    mnist::PretrainedModel m;
    m.name = fs::path(recordPath).stem().string();
    // Machine settings are the user's, not the model's.
    const mnist::TrainConfig defaults;
    m.config = mnist::withMachineSettings(runConfig, defaults);
    m.config.archFile.clear(); // the run folder's copy of the spec; the built-in one is the same network
    m.seed = m.config.seed;
    m.epoch = summary.bestValidEpoch;
    m.epochRule = "the epoch with the lowest valid loss (the valid split is held out of training; the test set chose nothing)";
    for (const auto& e : epochs)
        if (e.epoch == m.epoch)
            m.validLoss = e.validLoss;
    m.trainedOn = trainedOn;

    // The run's own test set (its data folder as it was trained), on this machine's default device.
    mnist::TrainConfig evalConfig = runConfig;
    evalConfig.device = defaults.device;
    const mnist::TestPredictions predictions = mnist::predictTestSet(best, evalConfig);
    m.testCorrect = predictions.correct();
    m.testTotal = predictions.size();
    m.testAccuracy = predictions.accuracy();

    const fs::path weights = fs::path(recordPath).replace_extension(".safetensors");
    m.weightsPath = weights.string();
    fs::create_directories(weights.parent_path().empty() ? fs::path(".") : weights.parent_path());
    fs::copy_file(best, weights, fs::copy_options::overwrite_existing);
    mnist::writePretrainedRecord(m, recordPath);
    std::printf("wrote %s and %s: %s epoch %lld, valid loss %.4f, test accuracy %.2f%% (%lld/%lld); the run's summary "
                "says %.2f%%\n",
                recordPath.c_str(), weights.string().c_str(), m.config.arch.c_str(), static_cast<long long>(m.epoch),
                m.validLoss, m.testAccuracy, static_cast<long long>(m.testCorrect), static_cast<long long>(m.testTotal),
                summary.testAccuracyAtBestValid);
    return 0;
}
