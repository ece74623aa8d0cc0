// mnist-train: the core, headless. Exit codes: 0 done, 1 data/training/IO error, 2 bad flags or
// values, 130 stopped by Ctrl-C (after saving what was trained).
#include "ConsoleReporter.h"

#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "data/Dataset.h"
#include "data/IdxWriter.h"
#include "io/Checkpoint.h"
#include "io/OnnxExport.h"
#include "io/StateDict.h"
#include "io/RunFolder.h"
#include "io/RunIndex.h"
#include "models/ModelRegistry.h"
#include "optim/LrScheduler.h"
#include "train/Device.h"
#include "train/Ensemble.h"
#include "train/Recipes.h"
#include "train/Allocator.h"
#include "train/Threading.h"
#include "train/Trainer.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <cstdio>
#include <functional>
#include <iostream>
#include <set>

namespace {

mnist::StopToken g_stop;

extern "C" void onSigint(int)
{
    // A second Ctrl-C falls back to the default action and ends the process at once.
    g_stop.requestStopFromSignal();
    std::signal(SIGINT, SIG_DFL);
}

// "A,B" -> two numbers; false when the text is not exactly that.
bool parsePair(const std::string& text, double& a, double& b)
{
    const auto comma = text.find(',');
    if (comma == std::string::npos)
        return false;
    try {
        size_t used = 0;
        a = std::stod(text.substr(0, comma), &used);
        if (used != comma)
            return false;
        const std::string rest = text.substr(comma + 1);
        b = std::stod(rest, &used);
        return used == rest.size();
    } catch (const std::exception&) {
        return false;
    }
}

const auto kPairCheck = CLI::Validator(
    [](std::string& text) {
        double a, b;
        return parsePair(text, a, b) ? std::string() : "expected two numbers separated by a comma, e.g. 0.8,1.2";
    },
    "A,B");

// Writes the first `count` training images after the random transforms (before Normalize) as
// an IDX file, rounded to 0..255.
void exportAugmented(const mnist::TrainConfig& config, int64_t count, const std::string& path)
{
    const mnist::Dataset train = mnist::splitNotebook(mnist::loadIdxFolder(mnist::resolveDataDir(config), true),
                                                      mnist::loadIdxFolder(mnist::resolveDataDir(config), false),
                                                      config.trainFraction).train;
    if (count > train.size())
        throw mnist::ConfigError("--export-augmented " + std::to_string(count) + " exceeds the " +
                                 std::to_string(train.size()) + " training images");
    const torch::Tensor x = mnist::imagesToInput(train.images.narrow(0, 0, count), torch::kCPU);
    const mnist::BatchAugmenter augmenter(config.augment);
    const torch::Tensor out = augmenter.augment(x, mnist::makeCpuGenerator(config.seed));
    mnist::writeIdxImages(path, out.mul(255.0).round().clamp(0, 255).to(torch::kUInt8).squeeze(1));
}

// --evaluate: test accuracy and confusion counts of saved weights (.safetensors with PyTorch names,
// or a LibTorch archive .pt). Returns the network for a following --export-onnx.
std::shared_ptr<mnist::Network> evaluateWeights(const mnist::TrainConfig& config, const std::string& weights, bool json)
{
    const std::shared_ptr<mnist::Network> net = mnist::loadNetwork(config.arch, weights);
    const mnist::TestPredictions predictions = mnist::predictTestSet(*net, config);
    const std::vector<int64_t>& confusion = predictions.confusion;
    const int64_t correct = predictions.correct();
    const double accuracy = predictions.accuracy();
    if (json) {
        nlohmann::json rows = nlohmann::json::array();
        for (int t = 0; t < 10; ++t)
            rows.push_back(std::vector<int64_t>(confusion.begin() + t * 10, confusion.begin() + t * 10 + 10));
        std::cout << nlohmann::json{{"arch", config.arch}, {"weights", weights}, {"test_acc", accuracy},
                                    {"correct", correct}, {"total", predictions.size()}, {"confusion", rows}}
                         .dump(2)
                  << std::endl;
    } else {
        std::printf("%s, %s: test accuracy %.2f%% (%lld/%lld)\nconfusion counts (rows: true label, columns: predicted)\n",
                    config.arch.c_str(), weights.c_str(), accuracy, static_cast<long long>(correct),
                    static_cast<long long>(predictions.size()));
        std::printf("     ");
        for (int p = 0; p < 10; ++p)
            std::printf("%6d", p);
        std::printf("\n");
        for (int t = 0; t < 10; ++t) {
            std::printf("%4d ", t);
            for (int p = 0; p < 10; ++p)
                std::printf("%6lld", static_cast<long long>(confusion[static_cast<size_t>(t * 10 + p)]));
            std::printf("\n");
        }
    }
    net->to(torch::kCPU);
    return net;
}

nlohmann::json summaryJson(const mnist::TrainConfig& c, const mnist::TrainResult& r, const std::string& runDir)
{
    nlohmann::json epochs = nlohmann::json::array();
    for (const auto& m : r.epochs)
        epochs.push_back({{"epoch", m.epoch},       {"train_loss", m.trainLoss}, {"valid_loss", m.validLoss},
                          {"test_acc", m.testAccuracy}, {"lr", m.lr},            {"seconds", m.seconds},
                          {"images_per_s", m.imagesPerSecond}});
    return {{"arch", c.arch},
            {"parameters", r.info.parameterCount},
            {"device", r.info.device},
            {"threads", r.info.threads},
            {"best_test_acc", r.bestTestAccuracy},
            {"best_epoch", r.bestEpoch},
            {"test_acc_at_best_valid", r.testAccuracyAtBestValid},
            {"best_valid_epoch", r.bestValidEpoch},
            {"final_test_acc", r.finalTestAccuracy},
            {"train_images_per_s", r.trainImagesPerSecond},
            {"stopped", r.stopped},
            {"run_dir", runDir},
            {"epochs", epochs}};
}

} // namespace

int main(int argc, char** argv)
{
    mnist::useCooperativeOpenMpThreads(argv);
    mnist::keepFreedMemoryForReuse();
    CLI::App app{"mnist-train: train the MNIST Studio networks from the command line"};
    app.set_help_flag("-h,--help", "Show this help and exit");

    std::string configPath, outDir;
    bool json = false, listArchs = false;
    int64_t printLrSteps = -1;
    mnist::TrainConfig v; // holds the flags' values; only flags actually given are applied
    std::vector<std::pair<CLI::Option*, std::function<void(mnist::TrainConfig&)>>> overrides;
    const auto field = [&](CLI::Option* o, std::function<void(mnist::TrainConfig&)> apply) {
        overrides.emplace_back(o, std::move(apply));
        return o;
    };
    double gamma = 1.0;
    bool shuffle = false, noShuffle = false;

    std::string recipeName;
    app.add_option("--recipe", recipeName, "Start from a recipe: fast (LeNetBN, 2 epochs), balanced (SimpleNet, 4 epochs), best (SimpleNet, label smoothing, 15 epochs), all one-cycle; flags override it; accuracies in docs/accuracy.md")
        ->check(CLI::IsMember({"fast", "balanced", "best"}));
    std::vector<std::string> ensembleDirs;
    app.add_option("--ensemble", ensembleDirs, "Average the softmax of these finished run folders on the test set and exit")
        ->check(CLI::ExistingDirectory);
    app.add_option("--config", configPath, "Read settings from a JSON config file (flags override it)")->check(CLI::ExistingFile);
    field(app.add_option("--data-dir", v.dataDir, "Folder with the four IDX files (default data/<dataset>)"),
          [&](auto& c) { c.dataDir = v.dataDir; });
    field(app.add_option("--dataset", v.dataset, "mnist | fashion-mnist | idx")->check(CLI::IsMember({"mnist", "fashion-mnist", "idx"})),
          [&](auto& c) { c.dataset = v.dataset; });
    field(app.add_option("--train-fraction", v.trainFraction, "Share of the training file used for training; the rest is the valid set (default 0.8)"),
          [&](auto& c) { c.trainFraction = v.trainFraction; });
    field(app.add_option("--arch", v.arch, "Architecture (see --list-archs)"), [&](auto& c) { c.arch = v.arch; });
    field(app.add_option("--epochs", v.epochs, "Number of epochs"), [&](auto& c) { c.epochs = v.epochs; });
    field(app.add_option("--batch-size", v.batchSize, "Training batch size"), [&](auto& c) { c.batchSize = v.batchSize; });
    field(app.add_option("--lr", v.lr, "Optimizer learning rate (base LR of cosine, warm-restarts, step, exponential)"),
          [&](auto& c) { c.lr = v.lr; });
    field(app.add_option("--optimizer", v.optimizer, "adam | adamw | sgd")->check(CLI::IsMember({"adam", "adamw", "sgd"})),
          [&](auto& c) { c.optimizer = v.optimizer; });
    field(app.add_option("--momentum", v.momentum, "SGD momentum"), [&](auto& c) { c.momentum = v.momentum; });
    field(app.add_flag("--nesterov", v.nesterov, "SGD with Nesterov momentum"), [&](auto& c) { c.nesterov = v.nesterov; });
    field(app.add_option("--weight-decay", v.weightDecay, "Weight decay"), [&](auto& c) { c.weightDecay = v.weightDecay; });
    field(app.add_option("--label-smoothing", v.labelSmoothing, "Label smoothing of the training and valid loss, in [0, 1)"),
          [&](auto& c) { c.labelSmoothing = v.labelSmoothing; });
    field(app.add_option("--ema-decay", v.emaDecay, "Evaluate, keep and save an exponential moving average of the weights with this decay, in [0, 1) (0: off; e.g. 0.999)"),
          [&](auto& c) { c.emaDecay = v.emaDecay; });
    field(app.add_option("--seed", v.seed, "Random seed (default 1234)"), [&](auto& c) { c.seed = v.seed; });
    field(app.add_option("--threads", v.threads, "CPU threads (0: all cores)"), [&](auto& c) { c.threads = v.threads; });
    field(app.add_option("--device", v.device, "auto | cpu | cuda | cuda:N"), [&](auto& c) { c.device = v.device; });
    field(app.add_option("--memory-format", v.memoryFormat, "Layout while training: auto (channels-last on the CPU, contiguous on a GPU) | contiguous | channels-last")
              ->check(CLI::IsMember({"auto", "contiguous", "channels-last"})),
          [&](auto& c) { c.memoryFormat = v.memoryFormat; });
    auto* shuffleOpt = field(app.add_flag("--shuffle", shuffle, "Shuffle the training set every epoch"),
                             [&](auto& c) { c.shuffle = true; });
    field(app.add_flag("--no-shuffle", noShuffle, "Keep the notebook's fixed order (default)"), [&](auto& c) { c.shuffle = false; })
        ->excludes(shuffleOpt);

    auto& s = v.scheduler;
    field(app.add_option("--scheduler", s.type, "none | cosine | cyclic | warm-restarts | one-cycle | step | exponential (stepped every iteration)")
              ->check(CLI::IsMember(mnist::schedulerTypes())),
          [&](auto& c) { c.scheduler.type = s.type; });
    field(app.add_option("--t-max", s.tMax, "cosine: T_max in iterations"), [&](auto& c) { c.scheduler.tMax = s.tMax; });
    field(app.add_option("--eta-min", s.etaMin, "cosine, warm-restarts: minimum LR"), [&](auto& c) { c.scheduler.etaMin = s.etaMin; });
    field(app.add_option("--base-lr", s.baseLr, "cyclic: lower LR bound (the first iteration's LR)"),
          [&](auto& c) { c.scheduler.baseLr = s.baseLr; });
    field(app.add_option("--max-lr", s.maxLr, "cyclic, one-cycle: upper LR bound"), [&](auto& c) { c.scheduler.maxLr = s.maxLr; });
    field(app.add_option("--step-size-up", s.stepSizeUp, "cyclic: iterations of the rising half"),
          [&](auto& c) { c.scheduler.stepSizeUp = s.stepSizeUp; });
    field(app.add_option("--step-size-down", s.stepSizeDown, "cyclic: iterations of the falling half (default: = up)"),
          [&](auto& c) { c.scheduler.stepSizeDown = s.stepSizeDown; });
    field(app.add_option("--mode", s.mode, "cyclic: triangular | triangular2 | exp_range (momentum cycling is off)"),
          [&](auto& c) { c.scheduler.mode = s.mode; });
    field(app.add_option("--gamma", gamma, "cyclic exp_range (default 1), step (0.1), exponential (0.9999)"),
          [&](auto& c) { c.scheduler.gamma = gamma; });
    field(app.add_option("--t0", s.t0, "warm-restarts: T_0, iterations of the first period"), [&](auto& c) { c.scheduler.t0 = s.t0; });
    field(app.add_option("--t-mult", s.tMult, "warm-restarts: integer period multiplier"), [&](auto& c) { c.scheduler.tMult = s.tMult; });
    field(app.add_option("--pct-start", s.pctStart, "one-cycle: fraction of iterations spent warming up"),
          [&](auto& c) { c.scheduler.pctStart = s.pctStart; });
    field(app.add_option("--anneal", s.anneal, "one-cycle: cos | linear"), [&](auto& c) { c.scheduler.anneal = s.anneal; });
    field(app.add_option("--div-factor", s.divFactor, "one-cycle: initial LR = max_lr / div_factor"),
          [&](auto& c) { c.scheduler.divFactor = s.divFactor; });
    field(app.add_option("--final-div-factor", s.finalDivFactor, "one-cycle: final LR = initial LR / final_div_factor"),
          [&](auto& c) { c.scheduler.finalDivFactor = s.finalDivFactor; });
    field(app.add_option("--step-size", s.stepSize, "step: iterations between LR drops"), [&](auto& c) { c.scheduler.stepSize = s.stepSize; });

    auto& a = v.augment;
    std::string augmentPreset, cropScale, cropRatio, eraseScale, eraseRatio, normalize, rotateInterp;
    field(app.add_option("--augment", augmentPreset,
                         "notebook (crop scale 0.8-1.2 + rotation 30) | light (crop 0.85-1.0, aspect 0.9-1.1, rotation 12) | none")
              ->check(CLI::IsMember({"notebook", "light", "none"})),
          [&](auto& c) {
              c.augment = augmentPreset == "notebook" ? mnist::notebookAugmentation()
                          : augmentPreset == "light" ? mnist::lightAugmentation()
                                                     : mnist::AugmentConfig{};
          });
    field(app.add_option("--crop-scale", cropScale, "RandomResizedCrop scale range A,B (enables it)")->check(kPairCheck),
          [&](auto& c) { c.augment.crop = true; parsePair(cropScale, c.augment.cropScaleMin, c.augment.cropScaleMax); });
    field(app.add_option("--crop-ratio", cropRatio, "RandomResizedCrop aspect ratio range A,B (default 0.75,1.3333)")->check(kPairCheck),
          [&](auto& c) { parsePair(cropRatio, c.augment.cropRatioMin, c.augment.cropRatioMax); });
    field(app.add_option("--rotate", a.degrees, "RandomRotation: angle uniform in [-DEG, DEG] (enables it)"),
          [&](auto& c) { c.augment.rotate = true; c.augment.degrees = a.degrees; });
    field(app.add_option("--rotate-interp", rotateInterp, "nearest (default) | bilinear")->check(CLI::IsMember({"nearest", "bilinear"})),
          [&](auto& c) { c.augment.rotateBilinear = rotateInterp == "bilinear"; });
    field(app.add_option("--erase", a.eraseP, "RandomErasing with probability P (enables it)"),
          [&](auto& c) { c.augment.erase = true; c.augment.eraseP = a.eraseP; });
    field(app.add_option("--erase-scale", eraseScale, "RandomErasing area fraction range A,B (default 0.02,0.2)")->check(kPairCheck),
          [&](auto& c) { parsePair(eraseScale, c.augment.eraseScaleMin, c.augment.eraseScaleMax); });
    field(app.add_option("--erase-ratio", eraseRatio, "RandomErasing aspect ratio range A,B (default 0.3,3.3)")->check(kPairCheck),
          [&](auto& c) { parsePair(eraseRatio, c.augment.eraseRatioMin, c.augment.eraseRatioMax); });
    field(app.add_option("--normalize", normalize, "Normalize(MEAN, STD) on every split, e.g. 0.5,0.5")->check(kPairCheck),
          [&](auto& c) { c.augment.normalize = true; parsePair(normalize, c.augment.mean, c.augment.std); });
    int64_t exportAugmentedCount = -1;
    app.add_option("--export-augmented", exportAugmentedCount,
                   "Write the first N training images after augmentation (before Normalize) to the IDX file given by --out, and exit")
        ->check(CLI::PositiveNumber);

    std::string evaluatePath, onnxPath;
    app.add_option("--evaluate", evaluatePath, "Evaluate saved weights (.safetensors with PyTorch names, or .pt) on the test set and exit")
        ->check(CLI::ExistingFile);
    app.add_option("--export-onnx", onnxPath, "Write the trained (or --evaluate'd) model as ONNX (opset 13, input 'input', output 'logits')");
    std::string resumeDir;
    app.add_option("--resume", resumeDir, "Continue the run in RUN_DIR from its last checkpoint (flags such as --epochs still apply)")
        ->check(CLI::ExistingDirectory);

    bool noSave = false;
    app.add_flag("--no-save", noSave, "Write no run folder (by default a run goes to $MNIST_STUDIO_RUNS_DIR or ~/.local/share/mnist-studio/runs)");

    app.add_option("--out", outDir, "Write a run folder (config.json, metrics.csv, lr.csv, model.safetensors, model.pt)");
    app.add_flag("--json", json, "Print a JSON summary on stdout (epoch lines then go to stderr)");
    app.add_flag("--list-archs", listArchs, "List the architectures with their parameter counts and exit");
    app.add_option("--print-lr-schedule", printLrSteps, "Print the LR of iterations 0..N-1 and exit (no data needed)")
        ->check(CLI::NonNegativeNumber);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "mnist-train: " << e.what() << "\n(run mnist-train --help for the options)\n";
        return 2;
    }

    try {
        if (listArchs) {
            for (const auto& a : mnist::architectures())
                std::printf("%-12s %8lld  %s\n", a.name.c_str(),
                            static_cast<long long>(mnist::parameterCount(*mnist::createNetwork(a.name))),
                            a.description.c_str());
            return 0;
        }

        if (!resumeDir.empty() && (!configPath.empty() || !outDir.empty()))
            throw mnist::ConfigError("--resume takes the run folder's own config.json and writes into it: drop --config and --out");
        if (!resumeDir.empty()) {
            // Anything but these would make the checkpoint describe another run than config.json.
            const std::set<std::string> allowed = {"--epochs", "--threads", "--device", "--data-dir"};
            for (auto& [opt, apply] : overrides)
                if (opt->count() > 0 && !allowed.count(opt->get_name()))
                    throw mnist::ConfigError(opt->get_name() + " cannot change a run being resumed (only --epochs, --threads, "
                                             "--device and --data-dir can)");
        }
        if (!recipeName.empty() && (!configPath.empty() || !resumeDir.empty()))
            throw mnist::ConfigError("--recipe is a starting set-up: it cannot be combined with --config or --resume");
        mnist::TrainConfig config = !resumeDir.empty()      ? mnist::loadTrainConfig(resumeDir + "/config.json")
                                    : !recipeName.empty() ? mnist::findRecipe(recipeName)->config
                                    : configPath.empty()  ? mnist::TrainConfig{}
                                                          : mnist::loadTrainConfig(configPath);
        for (auto& [opt, apply] : overrides)
            if (opt->count() > 0)
                apply(config);

        if (printLrSteps >= 0) {
            // One-cycle needs the run's length; the training file is assumed to hold 60,000 images.
            const auto trainSize = static_cast<int64_t>(60000 * config.trainFraction);
            const int64_t total = config.epochs * mnist::iterationsPerEpoch(trainSize, config.batchSize);
            for (double lr : mnist::lrSequence(config.scheduler, config.lr, total, printLrSteps))
                std::printf("%.17g\n", lr);
            return 0;
        }

        if (!ensembleDirs.empty()) {
            const auto r = mnist::evaluateEnsemble(ensembleDirs, v.dataDir, config.device);
            nlohmann::json members = nlohmann::json::array();
            for (const auto& m : r.members) {
                members.push_back({{"run_dir", m.runDir}, {"arch", m.arch}, {"test_acc", m.testAccuracy}});
                if (!json)
                    std::printf("%-60s %-12s %.2f%%\n", m.runDir.c_str(), m.arch.c_str(), m.testAccuracy);
            }
            if (json)
                std::cout << nlohmann::json{{"members", members}, {"ensemble_test_acc", r.testAccuracy}, {"test_size", r.testSize}}.dump(2)
                          << std::endl;
            else
                std::printf("ensemble of %zu runs (averaged softmax): %.2f%%\n", r.members.size(), r.testAccuracy);
            return 0;
        }
        if (!evaluatePath.empty()) {
            mnist::throwIfInvalid(config);
            const auto net = evaluateWeights(config, evaluatePath, json);
            if (!onnxPath.empty()) {
                mnist::exportOnnx(*net, onnxPath, config.augment);
                std::fprintf(stderr, "wrote %s\n", onnxPath.c_str());
            }
            return 0;
        }
        if (!onnxPath.empty() && !mnist::onnxExportAvailable())
            throw mnist::ConfigError("--export-onnx: this build has no ONNX support (install libonnx-dev and rebuild)");

        if (exportAugmentedCount > 0) {
            if (outDir.empty())
                throw mnist::ConfigError("--export-augmented needs --out FILE");
            mnist::throwIfInvalid(config);
            exportAugmented(config, exportAugmentedCount, outDir);
            std::fprintf(stderr, "wrote %lld augmented images to %s\n", static_cast<long long>(exportAugmentedCount), outDir.c_str());
            return 0;
        }

        mnist::Trainer trainer(config); // validates, checks the device
        const std::string dataDir = mnist::resolveDataDir(config);
        const mnist::DataSplits data = mnist::loadSplits(dataDir, config.trainFraction);

        std::unique_ptr<mnist::RunFolder> folder;
        if (!resumeDir.empty()) {
            const std::string checkpoint = resumeDir + "/checkpoint.pt";
            const bool haveCheckpoint = std::filesystem::exists(checkpoint);
            // Killed in its first epoch, a run has no checkpoint yet: it starts over in its folder.
            const mnist::CheckpointState saved = haveCheckpoint ? mnist::readCheckpointSummary(checkpoint) : mnist::CheckpointState{};
            // Killed after its last epoch but before the model was written: the resume only writes it.
            const bool unfinished = !std::filesystem::exists(resumeDir + "/model.safetensors") ||
                                    !std::filesystem::exists(resumeDir + "/summary.json");
            if (saved.epoch > config.epochs || (saved.epoch == config.epochs && !unfinished))
                throw mnist::ConfigError(resumeDir + " already finished " + std::to_string(saved.epoch) +
                                         " epochs; pass --epochs N with N > " + std::to_string(saved.epoch) + " to train on");
            const int64_t iters = mnist::iterationsPerEpoch(data.train.size(), config.batchSize);
            if (saved.step != saved.epoch * iters)
                throw mnist::ConfigError(resumeDir + ": the checkpoint covers " + std::to_string(saved.step) + " iterations in " +
                                         std::to_string(saved.epoch) + " epochs but this data gives " + std::to_string(iters) +
                                         " per epoch: is it the same dataset?");
            const mnist::TrainConfig original = mnist::loadTrainConfig(resumeDir + "/config.json");
            if (config.scheduler.type == "one-cycle" && config.epochs != original.epochs)
                throw mnist::ConfigError("one-cycle spans the whole run: --epochs cannot change when resuming it");
            folder = std::make_unique<mnist::RunFolder>(resumeDir, config, mnist::RunFolder::Mode::Resume);
            folder->rewriteHistory(saved.metrics, mnist::lrSequence(config.scheduler, config.lr, iters * config.epochs, saved.step));
            if (haveCheckpoint)
                trainer.setResumeCheckpoint(checkpoint);
            trainer.setCheckpointDir(resumeDir);
            outDir = resumeDir;
            if (haveCheckpoint)
                std::fprintf(stderr, "resuming %s after epoch %lld\n", resumeDir.c_str(), static_cast<long long>(saved.epoch));
            else
                std::fprintf(stderr, "%s has no checkpoint (it stopped in its first epoch): training it from the start\n",
                             resumeDir.c_str());
        } else if (!noSave) {
            if (outDir.empty()) {
                const std::string base = mnist::defaultRunsDir() + "/" + mnist::defaultRunName(config.arch);
                outDir = base;
                for (int k = 2; std::filesystem::exists(outDir); ++k)
                    outDir = base + "-" + std::to_string(k);
            }
            folder = std::make_unique<mnist::RunFolder>(outDir, config);
            std::fprintf(stderr, "run folder: %s\n", outDir.c_str());
            trainer.setCheckpointDir(outDir);
        }

        ConsoleReporter reporter(json ? stderr : stdout);
        std::unique_ptr<mnist::RunRecorder> recorder;
        mnist::TrainingObserver* observer = &reporter;
        if (folder) {
            recorder = std::make_unique<mnist::RunRecorder>(*folder, &reporter);
            observer = recorder.get();
        }

        std::signal(SIGINT, onSigint);
        mnist::TrainResult result;
        try {
            result = trainer.run(data, *observer, g_stop);
        } catch (const mnist::IoError& e) {
            reporter.clearBar();
            // The checkpoint and the CSV rows written before the failure are intact.
            throw mnist::IoError(std::string(e.what()) + "\ntraining stopped; the run folder keeps every finished epoch up to its "
                                 "last checkpoint: once the problem is fixed, continue with mnist-train --resume " + outDir);
        }
        reporter.clearBar();
        std::signal(SIGINT, SIG_DFL);

        const nlohmann::json summary = summaryJson(config, result, outDir);
        if (folder) {
            folder->writeModel(*result.model);
            folder->writeSummary(summary.dump(2));
        }
        if (!onnxPath.empty()) {
            result.model->to(torch::kCPU);
            mnist::exportOnnx(*result.model, onnxPath, config.augment);
            std::fprintf(stderr, "wrote %s\n", onnxPath.c_str());
        }
        std::fprintf(json ? stderr : stdout,
                     "best test accuracy %.2f%% at epoch %lld (notebook's metric); %.2f%% at the lowest valid loss, epoch %lld; "
                     "%.0f train images/s%s\n",
                     result.bestTestAccuracy, static_cast<long long>(result.bestEpoch), result.testAccuracyAtBestValid,
                     static_cast<long long>(result.bestValidEpoch), result.trainImagesPerSecond,
                     result.stopped ? " (stopped early)" : "");
        if (json)
            std::cout << summary.dump(2) << std::endl;
        return result.stopped ? 130 : 0;
    } catch (const mnist::ConfigError& e) {
        std::cerr << "mnist-train: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "mnist-train: " << e.what() << "\n";
        return 1;
    }
}
