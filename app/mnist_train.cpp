// mnist-train: the core, headless. Exit codes: 0 done, 1 data/training/IO error, 2 bad flags or
// values, 130 stopped by Ctrl-C (after saving what was trained).
#include "DescribeArch.h"
#include "ListRuns.h"
#include "PretrainedCommands.h"
#include "SweepCommands.h"
#include "TrainCommand.h"

#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "data/Dataset.h"
#include "data/IdxWriter.h"
#include "io/Checkpoint.h"
#include "io/OnnxExport.h"
#include "io/RunFolder.h"
#include "io/RunLayout.h"
#include "io/TensorBoardExport.h"
#include "models/ModelRegistry.h"
#include "models/NetworkSpec.h"
#include "optim/LrScheduler.h"
#include "train/Device.h"
#include "train/Ensemble.h"
#include "train/Recipes.h"
#include "train/Allocator.h"
#include "train/ConfigFields.h"
#include "train/MachineSettings.h"
#include "train/Threading.h"
#include "train/Trainer.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <set>

// OpenMP's waiting and malloc's huge pages set before any library starts (train/Threading.h).
MNIST_STUDIO_SETTINGS_AT_LOAD

namespace {

mnist::StopToken g_stop;

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
    const std::shared_ptr<mnist::Network> net = mnist::loadNetwork(config, weights);
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
    // One option per field of the core's field table, applied only when given.
    std::vector<std::pair<CLI::Option*, std::function<void(mnist::TrainConfig&)>>> overrides;
    std::map<std::string, std::string> texts; // stable references for CLI11
    std::map<std::string, bool> flags;
    std::string recipeName;
    app.add_option("--recipe", recipeName, "Start from a recipe: fast (LeNetBN, 2 epochs), balanced (SimpleNet, 4 epochs), best (SimpleNet, label smoothing, 15 epochs), all one-cycle; flags override it; accuracies in docs/accuracy.md")
        ->check(CLI::IsMember({"fast", "balanced", "best"}));
    std::vector<std::string> ensembleDirs;
    app.add_option("--ensemble", ensembleDirs, "Average the softmax of these finished run folders on the test set and exit")
        ->check(CLI::ExistingDirectory);
    app.add_option("--config", configPath, "Read settings from a JSON config file (flags override it)")->check(CLI::ExistingFile);
    std::string augmentPreset, normalize;
    // Before the fields: a preset is a starting point that --crop-scale, --rotate and so on refine.
    overrides.emplace_back(app.add_option("--augment", augmentPreset,
                                          "notebook (crop scale 0.8-1.2 + rotation 30) | light (crop 0.85-1.0, aspect 0.9-1.1, "
                                          "rotation 12) | none")
                               ->check(CLI::IsMember({"notebook", "light", "none"})),
                           [&](auto& c) {
                               c.augment = augmentPreset == "notebook" ? mnist::notebookAugmentation()
                                           : augmentPreset == "light" ? mnist::lightAugmentation()
                                                                      : mnist::AugmentConfig{};
                           });
    for (const mnist::ConfigField& f : mnist::configFields()) {
        if (f.flag.empty())
            continue;
        std::string help = f.tooltip;
        if (f.kind == mnist::FieldKind::Choice && !f.choices.empty()) {
            help += " (";
            for (size_t i = 0; i < f.choices.size(); ++i)
                help += (i ? " | " : "") + f.choices[i].value;
            help += ")";
        }
        if (f.kind == mnist::FieldKind::Flag) {
            auto* o = app.add_flag("--" + f.flag + ",!--no-" + f.flag, flags[f.key], help);
            overrides.emplace_back(o, [&f, &flags](auto& c) { f.set(c, flags[f.key]); });
        } else {
            const mnist::TrainConfig defaults;
            if (f.kind != mnist::FieldKind::Path && f.kind != mnist::FieldKind::Text)
                help += " [default " + mnist::fieldText(f, defaults) + "]";
            using K = mnist::FieldKind;
            const char* type = f.kind == K::Integer || f.kind == K::Seed ? "N"
                               : f.kind == K::Real                    ? "X"
                               : f.kind == K::RealPair                ? "A,B"
                               : f.kind == K::Path                    ? (f.fileFilter.empty() ? "DIR" : "FILE")
                                                                      : "NAME";
            auto* o = app.add_option("--" + f.flag, texts[f.key], help)->type_name(type);
            overrides.emplace_back(o, [&f, &texts](auto& c) { mnist::setFieldFromText(c, f, texts[f.key]); });
        }
    }
    overrides.emplace_back(app.add_option("--normalize", normalize, "Normalize(MEAN, STD) on every split, e.g. 0.5,0.5 (sets "
                                                                    "--normalize-mean and --normalize-std)"),
                           [&](auto& c) {
                               mnist::ConfigField pair = *mnist::findField("augment.random_resized_crop.scale");
                               pair.flag = "normalize";
                               const nlohmann::json ms = mnist::parseFieldText(pair, normalize);
                               c.augment.normalize = true;
                               c.augment.mean = ms[0].get<double>();
                               c.augment.std = ms[1].get<double>();
                           });
    int64_t exportAugmentedCount = -1;
    app.add_option("--export-augmented", exportAugmentedCount,
                   "Write the first N training images after augmentation (before Normalize) to the IDX file given by --out, and exit")
        ->check(CLI::PositiveNumber);

    std::string evaluatePath, onnxPath, pretrainedName, exportPretrainedDir, trainedOn;
    auto* evaluateOpt = app.add_option("--evaluate", evaluatePath,
                                       "Evaluate saved weights (.safetensors with PyTorch names, or .pt) on the test set and exit; "
                                       "with --pretrained and no file, the shipped pretrained model")
                            ->expected(0, 1);
    auto* pretrainedOpt = app.add_option("--pretrained", pretrainedName,
                                         "Use the pretrained model shipped with MNIST Studio (NAME: one of resources/models; "
                                         "default the first): its architecture, normalisation and weights, for --evaluate "
                                         "and --export-onnx")
                              ->expected(0, 1);
    app.add_option("--export-pretrained", exportPretrainedDir,
                   "Write a finished run's weights of its lowest valid loss as a pretrained model: --out DIR/NAME.json "
                   "(the record) and NAME.safetensors beside it, evaluated on the test set, and exit")
        ->check(CLI::ExistingDirectory);
    app.add_option("--trained-on", trainedOn, "--export-pretrained: the machine and date of the training, for the record");
    app.add_option("--export-onnx", onnxPath, "Write the trained (or --evaluate'd) model as ONNX (opset 13, input 'input', output 'logits')");
    std::string resumeDir;
    app.add_option("--resume", resumeDir, "Continue the run in RUN_DIR from its last checkpoint (flags such as --epochs still apply)")
        ->check(CLI::ExistingDirectory);

    bool noSave = false;
    app.add_flag("--no-save", noSave, "Write no run folder (by default a run goes to $MNIST_STUDIO_RUNS_DIR or ~/.local/share/mnist-studio/runs)");

    app.add_option("--out", outDir, "Write a run folder (config.json, metrics.csv, lr.csv, model.safetensors, model.pt)");
    app.add_flag("--json", json, "Print a JSON summary on stdout (epoch lines then go to stderr)");
    app.add_flag("--list-archs", listArchs,
                 "List the built-in and user networks (~/.local/share/mnist-studio/architectures) with their "
                 "parameter counts and exit; with --json as JSON");
    std::string describeArch;
    app.add_option("--describe-arch", describeArch,
                   "Print each layer of a network (a name or a spec file) with its output shape, parameters and "
                   "multiply-adds, and exit; with --json also its state_dict names and shapes");
    std::string listRunsDir;
    auto* listRunsOpt = app.add_option("--list-runs", listRunsDir,
                                       "List the runs under DIR (default $MNIST_STUDIO_RUNS_DIR or ~/.local/share/mnist-studio/runs) "
                                       "with their state and accuracy, and exit; with --json as JSON")
                            ->expected(0, 1);
    SweepRequest sweep;
    std::string sweepTaskDir, sweepSummaryDir, summaryCsv;
    int64_t sweepIndex = -1;
    app.add_option("--sweep", sweep.specPath,
                                    "Run a sweep (a JSON spec: base, grid, random, seeds; docs/sweeps.md) into --out DIR, --jobs trials "
                                    "at a time; the same command (or --sweep DIR/sweep.json) continues a stopped or killed sweep")
                         ->check(CLI::ExistingPath);
    app.add_option("--jobs", sweep.jobs, "--sweep: trials at once (default: one per core, one on a GPU)")->check(CLI::PositiveNumber);
    app.add_flag("--slurm", sweep.slurm, "--sweep: write DIR/sweep.sbatch (a Slurm job array, one task per trial) and submit it with sbatch");
    app.add_option("--sbatch-args", sweep.sbatchArgs, "--slurm: more sbatch options, e.g. \"--partition=gpu --gres=gpu:1 --time=1:00:00\"");
    app.add_flag("--kubernetes", sweep.kubernetes, "--sweep: write DIR/sweep-job.yaml, a Kubernetes Indexed Job (one index per trial), to kubectl apply");
    app.add_option("--image", sweep.image, "--kubernetes: the container image holding mnist-train [default mnist-studio:latest]");
    app.add_option("--claim", sweep.claim, "--kubernetes: the PersistentVolumeClaim holding the sweep folder [default mnist-sweeps]");
    app.add_flag("--dry-run", sweep.dryRun, "--slurm: write the script, submit nothing");
    app.add_option("--sweep-task", sweepTaskDir, "Train trial --index of the sweep in DIR (what each job array task runs): skipped when "
                                                 "finished, resumed when begun")
        ->check(CLI::ExistingDirectory);
    app.add_option("--index", sweepIndex, "--sweep-task: the trial (0-based, as $SLURM_ARRAY_TASK_ID)")->check(CLI::NonNegativeNumber);
    app.add_option("--sweep-summary", sweepSummaryDir, "Print the sweep in DIR per configuration (seeds pooled: mean, std, min, max), "
                                                       "best first, and exit; with --json as JSON")
        ->check(CLI::ExistingDirectory);
    std::string tensorBoardSource;
    app.add_option("--export-tensorboard", tensorBoardSource,
                   "Write a run folder or a sweep folder as TensorBoard logs (one sub-folder per run) into --out DIR, and exit")
        ->check(CLI::ExistingDirectory);
    app.add_option("--csv", summaryCsv, "--sweep-summary: also write the table as CSV to FILE");
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
        if (listRunsOpt->count() > 0)
            return listRunsCommand(listRunsDir.empty() ? mnist::defaultRunsDir() : listRunsDir, json);
        if (listArchs)
            return listArchsCommand(json);
        if (!describeArch.empty())
            return describeArchCommand(describeArch, json);

        if (!exportPretrainedDir.empty()) {
            if (outDir.empty())
                throw mnist::ConfigError("--export-pretrained needs --out DIR/NAME.json: the record to write");
            return exportPretrainedCommand(exportPretrainedDir, outDir, trainedOn);
        }
        if (evaluateOpt->count() > 0 && evaluatePath.empty() && pretrainedOpt->count() == 0)
            throw mnist::ConfigError("--evaluate needs a weights file, or --pretrained for the shipped model");
        if (!sweepSummaryDir.empty())
            return sweepSummaryCommand(sweepSummaryDir, json, summaryCsv);
        if (!tensorBoardSource.empty()) {
            if (outDir.empty())
                throw mnist::ConfigError("--export-tensorboard needs --out DIR: the log folder for tensorboard --logdir");
            for (const std::string& file : mnist::exportTensorBoard(tensorBoardSource, outDir))
                std::printf("wrote %s\n", file.c_str());
            std::printf("view them with: tensorboard --logdir %s\n", outDir.c_str());
            return 0;
        }
        if (!sweep.specPath.empty() || !sweepTaskDir.empty()) {
            // A trial's settings are the sweep's; only the machine's may be given here.
            const std::set<std::string> machine = {"--threads", "--device", "--data-dir"};
            for (auto& [opt, apply] : overrides)
                if (opt->count() > 0 && !machine.count(opt->get_name()))
                    throw mnist::ConfigError(opt->get_name() + " cannot be given to a sweep: its settings are in the spec (base, "
                                             "grid, random); only --threads, --device and --data-dir can");
            if (!configPath.empty() || !recipeName.empty() || !resumeDir.empty())
                throw mnist::ConfigError("--config, --recipe and --resume do not go with a sweep: give the recipe as the spec's "
                                         "base.recipe");
            mnist::TrainConfig machineConfig;
            for (auto& [opt, apply] : overrides)
                if (opt->count() > 0)
                    apply(machineConfig);
            if (!sweepTaskDir.empty()) {
                if (sweepIndex < 0)
                    throw mnist::ConfigError("--sweep-task needs --index N");
                return sweepTaskCommand(sweepTaskDir, sweepIndex, machineConfig.threads, g_stop);
            }
            sweep.outDir = outDir;
            const auto given = [&](const char* name) {
                return std::any_of(overrides.begin(), overrides.end(), [&](auto& o) { return o.first->get_name() == name && o.first->count() > 0; });
            };
            sweep.threads = given("--threads") ? machineConfig.threads : 0;
            sweep.dataDir = given("--data-dir") ? machineConfig.dataDir : std::string();
            sweep.device = given("--device") ? machineConfig.device : std::string();
            if (sweep.slurm && sweep.kubernetes)
                throw mnist::ConfigError("--slurm and --kubernetes: choose one scheduler");
            std::error_code ec;
            sweep.self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
            if (ec)
                sweep.self = argv[0];
            return sweepCommand(sweep, g_stop);
        }
        if (!resumeDir.empty() && (!configPath.empty() || !outDir.empty()))
            throw mnist::ConfigError(std::string("--resume takes the run folder's own ") + mnist::RunLayout::kConfig +
                                     " and writes into it: drop --config and --out");
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
        mnist::TrainConfig config = !resumeDir.empty()      ? mnist::loadRunConfig(resumeDir)
                                    : !recipeName.empty() ? mnist::findRecipe(recipeName)->config
                                    : configPath.empty()  ? mnist::TrainConfig{}
                                                          : mnist::loadTrainConfig(configPath);
        for (auto& [opt, apply] : overrides)
            if (opt->count() > 0)
                apply(config);
        // A spec file names its network: folder names, lists and summaries use that name.
        mnist::nameArchitectureFromFile(config);

        if (printLrSteps >= 0) {
            // One-cycle needs the run's length; the training file is assumed to hold 60,000 images.
            const auto trainSize = static_cast<int64_t>(60000 * config.trainFraction);
            const int64_t total = config.epochs * mnist::iterationsPerEpoch(trainSize, config.batchSize);
            for (double lr : mnist::lrSequence(config.scheduler, config.lr, total, printLrSteps))
                std::printf("%.17g\n", lr);
            return 0;
        }

        if (!ensembleDirs.empty()) {
            const auto r = mnist::evaluateEnsemble(ensembleDirs, config.dataDir, config.device);
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
        if (!evaluatePath.empty() || pretrainedOpt->count() > 0) {
            if (!evaluatePath.empty() && !std::filesystem::is_regular_file(evaluatePath))
                throw mnist::ConfigError("--evaluate: " + evaluatePath + " is not a file");
            if (pretrainedOpt->count() > 0) {
                if (!evaluatePath.empty())
                    throw mnist::ConfigError("--pretrained evaluates the shipped weights: give --evaluate no file with it");
                if (!configPath.empty() || !recipeName.empty() || !resumeDir.empty())
                    throw mnist::ConfigError("--pretrained brings its own set-up: drop --config, --recipe and --resume");
                const mnist::PretrainedModel model = pretrainedOrThrow(pretrainedName);
                config = mnist::withMachineSettings(model.config, config);
                evaluatePath = model.weightsPath;
                if (!json)
                    std::printf("pretrained model %s (%s): epoch %lld of seed %llu, recorded test accuracy %.2f%%\n",
                                model.name.c_str(), model.recordPath.c_str(), static_cast<long long>(model.epoch),
                                static_cast<unsigned long long>(model.seed), model.testAccuracy);
            }
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

        TrainRequest request;
        request.config = config;
        request.outDir = outDir;
        request.resumeDir = resumeDir;
        request.noSave = noSave;
        request.json = json;
        request.onnxPath = onnxPath;
        return trainCommand(std::move(request), g_stop);
    } catch (const mnist::ConfigError& e) {
        std::cerr << "mnist-train: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "mnist-train: " << e.what() << "\n";
        return 1;
    }
}
