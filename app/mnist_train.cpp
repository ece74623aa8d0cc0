// mnist-train: the core, headless. Exit codes: 0 done, 1 data/training/IO error, 2 bad flags or
// values, 130 stopped by Ctrl-C (after saving what was trained).
#include "DataCommands.h"
#include "DescribeArch.h"
#include "ListRuns.h"
#include "LrFindCommand.h"
#include "PretrainedCommands.h"
#include "ReportCommand.h"
#include "SweepCommands.h"
#include "TrainCommand.h"

#include "Error.h"
#include "augment/BatchAugmenter.h"
#include "data/Dataset.h"
#include "data/IdxWriter.h"
#include "run/Checkpoint.h"
#include "formats/OnnxExport.h"
#include "run/RunFolder.h"
#include "run/RunIndex.h"
#include "formats/TensorBoardExport.h"
#include "run/RunLayout.h"
#include "models/ModelRegistry.h"
#include "spec/NetworkSpec.h"
#include "optim/LrScheduler.h"
#include "train/Device.h"
#include "train/Ensemble.h"
#include "spec/Recipes.h"
#include "train/Allocator.h"
#include "spec/ConfigFields.h"
#include "spec/MachineSettings.h"
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
#include <cctype>

// OpenMP's waiting and malloc's huge pages set before any library starts (train/Threading.h).
MNIST_STUDIO_SETTINGS_AT_LOAD

namespace {

mnist::StopToken g_stop;

// Writes the first `count` training images after the random transforms (before Normalize) as
// an IDX file, rounded to 0..255.
void exportAugmented(const mnist::TrainConfig& config, int64_t count, const std::string& path)
{
    const mnist::Dataset train = mnist::loadData(config).train;
    if (count > train.size())
        throw mnist::ConfigError("--export-augmented " + std::to_string(count) + " exceeds the " +
                                 std::to_string(train.size()) + " training images");
    const torch::Tensor x = mnist::imagesToInput(train.images.narrow(0, 0, count), torch::kCPU);
    const mnist::BatchAugmenter augmenter(config.augment);
    const torch::Tensor out = augmenter.augment(x, mnist::makeCpuGenerator(config.seed));
    if (out.size(1) != 1)
        throw mnist::ConfigError("--export-augmented writes IDX files, which hold grey images; these have " +
                                 std::to_string(out.size(1)) + " channels");
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
    const int k = predictions.classes;
    if (json) {
        nlohmann::json rows = nlohmann::json::array();
        for (int t = 0; t < k; ++t)
            rows.push_back(std::vector<int64_t>(confusion.begin() + t * k, confusion.begin() + t * k + k));
        std::cout << nlohmann::json{{"arch", config.arch}, {"weights", weights}, {"test_acc", accuracy},
                                    {"correct", correct}, {"total", predictions.size()}, {"classes", config.data.classes},
                                    {"confusion", rows}}
                         .dump(2)
                  << std::endl;
    } else {
        std::printf("%s, %s: test accuracy %.2f%% (%lld/%lld)\nconfusion counts (rows: true label, columns: predicted)\n",
                    config.arch.c_str(), weights.c_str(), accuracy, static_cast<long long>(correct),
                    static_cast<long long>(predictions.size()));
        // Class names cut to 5 characters keep the columns aligned; the JSON has them whole.
        const auto name = [&](int c) { return config.data.classes.at(static_cast<size_t>(c)).substr(0, 5); };
        std::printf("      ");
        for (int p = 0; p < k; ++p)
            std::printf("%6s", name(p).c_str());
        std::printf("\n");
        for (int t = 0; t < k; ++t) {
            std::printf("%5s ", name(t).c_str());
            for (int p = 0; p < k; ++p)
                std::printf("%6lld", static_cast<long long>(confusion[static_cast<size_t>(t * k + p)]));
            std::printf("\n");
        }
    }
    net->to(torch::kCPU);
    return net;
}

// Every option of mnist-train, as CLI11 fills it. It stays where main() made it: the field
// options' callbacks hold references into it.
struct Options {
    std::string configPath, outDir, recipeName, augmentPreset, normalize;
    bool json = false, listArchs = false, noSave = false, lrFind = false;
    mnist::LrFinderOptions lrFindOptions;
    int64_t printLrSteps = -1, exportAugmentedCount = -1;
    std::vector<std::string> ensembleDirs, reportRuns, tagArgs, untagArgs, noteArgs;
    std::string evaluatePath, onnxPath, pretrainedName, exportPretrainedDir, trainedOn, resumeDir;
    std::string describeArch, listRunsDir, tensorBoardSource, describeData, predictRun;
    SweepRequest sweep;
    std::string sweepTaskDir, sweepWorkerDir, sweepSummaryDir, summaryCsv;
    int64_t sweepIndex = -1;

    // What a set-up option does to the config, in the order they are applied: the --augment
    // preset, one per field of the core's field table (`field` set), then --normalize.
    struct Override {
        CLI::Option* option;
        const mnist::ConfigField* field; // null for a preset
        std::function<void(mnist::TrainConfig&)> apply;
    };
    std::vector<Override> overrides;
    std::map<std::string, std::string> texts; // stable references for CLI11
    std::map<std::string, bool> flags;

    CLI::Option *config = nullptr, *recipe = nullptr, *resume = nullptr, *out = nullptr, *evaluate = nullptr,
                *pretrained = nullptr, *listRuns = nullptr, *sweepSpec = nullptr, *sweepTask = nullptr,
                *sweepWorker = nullptr, *lrFindFlag = nullptr;
};

std::string fieldHelp(const mnist::ConfigField& f)
{
    std::string help = f.tooltip;
    if (f.kind == mnist::FieldKind::Choice && !f.choices.empty()) {
        help += " (";
        for (size_t i = 0; i < f.choices.size(); ++i)
            help += (i ? " | " : "") + f.choices[i].value;
        help += ")";
    }
    if (f.kind != mnist::FieldKind::Flag && f.kind != mnist::FieldKind::Path && f.kind != mnist::FieldKind::Text)
        help += " [default " + mnist::fieldText(f, mnist::TrainConfig{}) + "]";
    return help;
}

// One option per field of the table, grouped by its section, with the presets that refine them.
void addSettingOptions(CLI::App& app, Options& o)
{
    std::map<std::string, CLI::Option_group*> groups;
    for (const mnist::ConfigField& f : mnist::configFields())
        if (!groups.count(f.section)) {
            std::string title = f.section + " settings";
            title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
            groups[f.section] = app.add_option_group(title);
        }
    CLI::Option_group* augment = groups.at("augment");
    // Before the fields: a preset is a starting point that --crop-scale, --rotate and so on refine.
    o.overrides.push_back({augment->add_option("--augment", o.augmentPreset,
                                               "notebook (crop scale 0.8-1.2 + rotation 30) | light (crop 0.85-1.0, aspect "
                                               "0.9-1.1, rotation 12) | none")
                               ->check(CLI::IsMember({"notebook", "light", "none"})),
                           nullptr, [&o](auto& c) {
                               c.augment = o.augmentPreset == "notebook" ? mnist::notebookAugmentation()
                                           : o.augmentPreset == "light" ? mnist::lightAugmentation()
                                                                        : mnist::AugmentConfig{};
                           }});
    for (const mnist::ConfigField& f : mnist::configFields()) {
        if (f.flag.empty())
            continue;
        CLI::Option_group* group = groups.at(f.section);
        if (f.kind == mnist::FieldKind::Flag) {
            auto* opt = group->add_flag("--" + f.flag + ",!--no-" + f.flag, o.flags[f.key], fieldHelp(f));
            o.overrides.push_back({opt, &f, [&f, &o](auto& c) { f.set(c, o.flags[f.key]); }});
        } else {
            using K = mnist::FieldKind;
            const char* type = f.kind == K::Integer || f.kind == K::Seed ? "N"
                               : f.kind == K::Real                    ? "X"
                               : f.kind == K::RealPair                ? "A,B"
                               : f.kind == K::Path                    ? (f.fileFilter.empty() ? "DIR" : "FILE")
                                                                      : "NAME";
            auto* opt = group->add_option("--" + f.flag, o.texts[f.key], fieldHelp(f))->type_name(type);
            o.overrides.push_back({opt, &f, [&f, &o](auto& c) { mnist::setFieldFromText(c, f, o.texts[f.key]); }});
        }
    }
    o.overrides.push_back({augment->add_option("--normalize", o.normalize,
                                               "Normalize(MEAN, STD) on every split, e.g. 0.5,0.5 (sets --normalize-mean "
                                               "and --normalize-std)"),
                           nullptr, [&o](auto& c) {
                               mnist::ConfigField pair = *mnist::findField("augment.random_resized_crop.scale");
                               pair.flag = "normalize";
                               const nlohmann::json ms = mnist::parseFieldText(pair, o.normalize);
                               c.augment.normalize = true;
                               c.augment.mean = ms[0].get<double>();
                               c.augment.std = ms[1].get<double>();
                           }});
}

// Where a run's set-up starts: a recipe, a config file or a run to resume; and where it goes.
void addRunOptions(CLI::App& app, Options& o)
{
    CLI::Option_group* g = app.add_option_group("Run", "A training run (the default): its set-up and its run folder");
    std::vector<std::string> recipeNames;
    for (const mnist::Recipe& r : mnist::recipes())
        recipeNames.push_back(r.name);
    o.recipe = g->add_option("--recipe", o.recipeName,
                             "Start from a recipe: fast (LeNetBN, 2 epochs), balanced (SimpleNet, 4 epochs), best (SimpleNet, "
                             "label smoothing, 15 epochs), all one-cycle; flags override it; accuracies in docs/accuracy.md")
                   ->check(CLI::IsMember(recipeNames));
    o.config = g->add_option("--config", o.configPath, "Read settings from a JSON config file (flags override it)")
                   ->check(CLI::ExistingFile);
    o.resume = g->add_option("--resume", o.resumeDir,
                             "Continue the run in RUN_DIR from its last checkpoint, with its own config.json (" +
                                 mnist::flagList(mnist::FieldScope::ChangesOnResume) + " may change)")
                   ->check(CLI::ExistingDirectory);
    o.out = g->add_option("--out", o.outDir, "Write a run folder (config.json, metrics.csv, lr.csv, model.safetensors, model.pt)");
    g->add_flag("--no-save", o.noSave,
                "Write no run folder (by default a run goes to $MNIST_STUDIO_RUNS_DIR or ~/.local/share/mnist-studio/runs)");
    g->add_flag("--json", o.json, "Print a JSON summary on stdout (epoch lines then go to stderr)");
}

// The commands that do something else than train, each then exiting.
void addCommandOptions(CLI::App& app, Options& o)
{
    CLI::Option_group* g = app.add_option_group("Other commands", "Each does its work and exits; --json where it prints");
    o.evaluate = g->add_option("--evaluate", o.evaluatePath,
                               "Evaluate saved weights (.safetensors with PyTorch names, or .pt) on the test set and exit; "
                               "with --pretrained and no file, the shipped pretrained model")
                     ->expected(0, 1);
    o.pretrained = g->add_option("--pretrained", o.pretrainedName,
                                 "Use the pretrained model shipped with MNIST Studio (NAME: one of resources/models; default "
                                 "the first): its architecture, normalisation and weights, for --evaluate and --export-onnx")
                       ->expected(0, 1);
    g->add_option("--export-onnx", o.onnxPath,
                  "Write the trained (or --evaluate'd) model as ONNX (opset 13, input 'input', output 'logits')");
    auto* exportPretrained = g->add_option("--export-pretrained", o.exportPretrainedDir,
                                           "Write a finished run's weights of its lowest valid loss as a pretrained model: "
                                           "--out DIR/NAME.json (the record) and NAME.safetensors beside it, evaluated on the "
                                           "test set, and exit")
                                 ->check(CLI::ExistingDirectory);
    g->add_option("--trained-on", o.trainedOn, "--export-pretrained: the machine and date of the training, for the record")
        ->needs(exportPretrained);
    auto* exportAugmented = g->add_option("--export-augmented", o.exportAugmentedCount,
                                          "Write the first N training images after augmentation (before Normalize) to the "
                                          "IDX file given by --out, and exit")
                                ->check(CLI::PositiveNumber);
    auto* exportTensorBoard = g->add_option("--export-tensorboard", o.tensorBoardSource,
                                            "Write a run folder or a sweep folder as TensorBoard logs (one sub-folder per run) "
                                            "into --out DIR, and exit")
                                  ->check(CLI::ExistingDirectory);
    g->add_option("--ensemble", o.ensembleDirs, "Average the softmax of these finished run folders on the test set and exit")
        ->check(CLI::ExistingDirectory);
    auto* report = g->add_option("--report", o.reportRuns,
                                 "Write an HTML report of these runs (run folders, or names in the runs folder) to --out "
                                 "FILE.html, one self-contained file: set-up (the differences for several), accuracy, loss, "
                                 "accuracy and LR charts, and per run its weights' confusion matrix and misclassified test "
                                 "images, and exit")
                       ->type_name("RUN");
    g->add_flag("--list-archs", o.listArchs,
                "List the built-in and user networks (~/.local/share/mnist-studio/architectures) with their parameter counts "
                "and exit; with --json as JSON");
    g->add_option("--describe-data", o.describeData,
                  "Describe the dataset at PATH (a folder or a CSV file; --dataset KIND, else detected): classes, "
                  "shape, split sizes, per-class counts and the files that cannot be used; exits 1 when there are some")
        ->type_name("PATH");
    g->add_option("--predict", o.predictRun,
                  "Classify every image of --data-dir (a CSV file, or a folder searched recursively) with the trained "
                  "run folder RUN; write --out FILE.csv (Kaggle's ImageId,Label for a CSV; file,label,probability "
                  "for a folder)")
        ->type_name("RUN");
    g->add_option("--describe-arch", o.describeArch,
                  "Print each layer of a network (a name or a spec file) with its output shape, parameters and multiply-adds, "
                  "and exit; with --json also its state_dict names and shapes");
    o.listRuns = g->add_option("--list-runs", o.listRunsDir,
                               "List the runs under DIR (default $MNIST_STUDIO_RUNS_DIR or ~/.local/share/mnist-studio/runs) "
                               "with their state and accuracy, and exit; with --json as JSON")
                     ->expected(0, 1);
    auto* tag = g->add_option("--tag", o.tagArgs,
                  "Add tags (single words) to the run RUN (a run folder, or a run's name under the runs folder, "
                  "e.g. SWEEP/trial-0003), kept in its notes.json, and exit; --list-runs and the Runs tab show them")
        ->expected(2, 10000)
        ->type_name("RUN TAG...");
    auto* untag = g->add_option("--untag", o.untagArgs, "Remove tags from the run RUN and exit")
                      ->expected(2, 10000)
                      ->type_name("RUN TAG...");
    auto* note = g->add_option("--note", o.noteArgs, "Set the free-text note of the run RUN (\"\" or no text clears it) and exit")
        ->expected(1, 2)
        ->type_name("RUN TEXT");
    tag->excludes(untag)->excludes(note);
    untag->excludes(note);
    g->add_option("--print-lr-schedule", o.printLrSteps, "Print the LR of iterations 0..N-1 and exit (no data needed)")
        ->check(CLI::NonNegativeNumber);
    auto* lrFind = o.lrFindFlag = g->add_flag("--lr-find", o.lrFind,
                               "LR range test of the set-up: train a throwaway copy for at most one epoch with the LR rising "
                               "exponentially, print the suggested LR (steepest descent of the smoothed loss) and exit; with "
                               "--json {\"suggested_lr\", \"points\": [[lr, loss], ...]}");
    g->add_option("--lr-find-start", o.lrFindOptions.startLr, "--lr-find: the first LR")->capture_default_str()->needs(lrFind);
    g->add_option("--lr-find-end", o.lrFindOptions.endLr, "--lr-find: the highest LR")->capture_default_str()->needs(lrFind);
    g->add_option("--lr-find-iterations", o.lrFindOptions.maxIterations, "--lr-find: at most N iterations (0: one epoch)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber)
        ->needs(lrFind);
    for (CLI::Option* writes : {exportPretrained, exportAugmented, exportTensorBoard, report})
        writes->needs(o.out);
}

void addSweepOptions(CLI::App& app, Options& o)
{
    CLI::Option_group* g = app.add_option_group("Sweeps", "Many runs of one set-up (docs/sweeps.md)");
    SweepRequest& s = o.sweep;
    o.sweepSpec = g->add_option("--sweep", s.specPath,
                                "Run a sweep (a JSON spec: base, grid, random or tpe, pruner, seeds; docs/sweeps.md) into --out DIR, --jobs "
                                "trials at a time; the same command (or --sweep DIR/sweep.json) continues a stopped or killed "
                                "sweep. Of the settings, only " +
                                    mnist::flagList(mnist::FieldScope::Machine) + " can be given with it")
                      ->check(CLI::ExistingPath);
    auto* jobs = g->add_option("--jobs", s.jobs, "--sweep: trials at once (default: one per core, one on a GPU)")
                     ->check(CLI::PositiveNumber);
    auto* slurm = g->add_flag("--slurm", s.slurm,
                              "--sweep: write DIR/sweep.sbatch (a Slurm job array of --jobs workers, default one per trial "
                              "to run) and submit it with sbatch");
    auto* sbatchArgs = g->add_option("--sbatch-args", s.sbatchArgs,
                                     "--slurm: more sbatch options, e.g. \"--partition=gpu --gres=gpu:1 --time=1:00:00\"");
    auto* dryRun = g->add_flag("--dry-run", s.dryRun, "--slurm: write the script, submit nothing");
    auto* kubernetes = g->add_flag("--kubernetes", s.kubernetes,
                                   "--sweep: write DIR/sweep-job.yaml, a Kubernetes Indexed Job of --jobs workers, to "
                                   "kubectl apply");
    auto* image = g->add_option("--image", s.image, "--kubernetes: the container image holding mnist-train [default mnist-studio:latest]");
    auto* claim = g->add_option("--claim", s.claim, "--kubernetes: the PersistentVolumeClaim holding the sweep folder [default mnist-sweeps]");
    o.sweepTask = g->add_option("--sweep-task", o.sweepTaskDir,
                                "Train trial --index of the sweep in DIR (what a worker runs for each trial): skipped when "
                                "finished, resumed when begun, paused when the sweep's pruner says so")
                      ->check(CLI::ExistingDirectory);
    o.sweepWorker = g->add_option("--sweep-worker", o.sweepWorkerDir,
                                  "Work on the sweep in DIR (what each Slurm array task runs): claim its next trial under "
                                  "the folder's lock, run it, repeat until the search is over")
                        ->check(CLI::ExistingDirectory);
    auto* index = g->add_option("--index", o.sweepIndex, "--sweep-task: the trial (0-based, as $SLURM_ARRAY_TASK_ID)")
                      ->check(CLI::NonNegativeNumber);
    auto* summary = g->add_option("--sweep-summary", o.sweepSummaryDir,
                                  "Print the sweep in DIR per configuration (seeds pooled: mean, std, min, max), best first, "
                                  "and exit; with --json as JSON")
                        ->check(CLI::ExistingDirectory);
    g->add_option("--csv", o.summaryCsv, "--sweep-summary: also write the table as CSV to FILE")->needs(summary);

    for (CLI::Option* sub : {jobs, slurm, kubernetes})
        sub->needs(o.sweepSpec);
    for (CLI::Option* sub : {sbatchArgs, dryRun})
        sub->needs(slurm);
    for (CLI::Option* sub : {image, claim})
        sub->needs(kubernetes);
    slurm->excludes(kubernetes);
    o.sweepTask->needs(index);
    index->needs(o.sweepTask);
    o.sweepTask->excludes(o.sweepSpec);
    o.sweepWorker->excludes(o.sweepSpec)->excludes(o.sweepTask);
}

// The combinations of starting points that contradict each other. A sweep's trials take their
// set-up from its spec ("base.recipe" for a recipe); a resumed run, a recipe and a pretrained
// model bring their own.
void addExclusions(Options& o)
{
    for (CLI::Option* own : {o.sweepSpec, o.sweepTask, o.sweepWorker, o.pretrained, o.evaluate})
        own->excludes(o.lrFindFlag);
    for (CLI::Option* own : {o.sweepSpec, o.sweepTask, o.sweepWorker, o.pretrained})
        for (CLI::Option* start : {o.config, o.recipe, o.resume})
            own->excludes(start);
    o.resume->excludes(o.config)->excludes(o.out)->excludes(o.recipe);
    o.recipe->excludes(o.config);
}

// Set-up flags a command cannot take, by the field table's scopes: a sweep only the machine's, a
// resumed run only what may change on resume. Throws ConfigError naming both flags.
void checkScopes(const Options& o)
{
    const bool sweep = o.sweepSpec->count() > 0 || o.sweepTask->count() > 0 || o.sweepWorker->count() > 0;
    const char* sweepFlag = o.sweepSpec->count() > 0 ? "--sweep" : o.sweepTask->count() > 0 ? "--sweep-task" : "--sweep-worker";
    for (const Options::Override& ov : o.overrides) {
        if (ov.option->count() == 0)
            continue;
        if (sweep && !(ov.field && inScope(*ov.field, mnist::FieldScope::Machine)))
            throw mnist::ConfigError(ov.option->get_name() + " cannot be given to a sweep (" + sweepFlag +
                                     "): its settings are in the spec (base, grid, random); only " +
                                     mnist::flagList(mnist::FieldScope::Machine) + " can");
        // Anything else would make the checkpoint describe another run than config.json.
        if (o.resume->count() > 0 && !(ov.field && inScope(*ov.field, mnist::FieldScope::ChangesOnResume)))
            throw mnist::ConfigError(ov.option->get_name() + " cannot change a run being resumed (--resume): only " +
                                     mnist::flagList(mnist::FieldScope::ChangesOnResume) + " can");
    }
}

// The config the flags give: the starting point (a run to resume, a recipe, a config file or the
// defaults) with every given set-up flag applied in order.
mnist::TrainConfig givenConfig(Options& o)
{
    mnist::TrainConfig config = !o.resumeDir.empty()    ? mnist::loadRunConfig(o.resumeDir)
                                : !o.recipeName.empty() ? mnist::findRecipe(o.recipeName)->config
                                : o.configPath.empty()  ? mnist::TrainConfig{}
                                                        : mnist::loadTrainConfig(o.configPath);
    for (const Options::Override& ov : o.overrides)
        if (ov.option->count() > 0)
            ov.apply(config);
    return config;
}

// The machine's settings given on the command line, by JSON key, for a sweep's trials.
nlohmann::json givenMachineSettings(Options& o)
{
    const mnist::TrainConfig given = givenConfig(o);
    nlohmann::json machine = nlohmann::json::object();
    for (const Options::Override& ov : o.overrides)
        if (ov.option->count() > 0 && ov.field)
            machine[ov.field->key] = ov.field->get(given);
    return machine;
}

int sweepCommands(Options& o, const char* argv0)
{
    const nlohmann::json machine = givenMachineSettings(o);
    if (!o.sweepTaskDir.empty())
        return sweepTaskCommand(o.sweepTaskDir, o.sweepIndex, machine, g_stop);
    std::error_code ec;
    std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec)
        self = argv0;
    if (!o.sweepWorkerDir.empty())
        return sweepWorkerCommand(o.sweepWorkerDir, self, machine, g_stop);
    SweepRequest& sweep = o.sweep;
    sweep.outDir = o.outDir;
    sweep.machine = machine;
    sweep.self = self;
    return sweepCommand(sweep, g_stop);
}

void printLrSchedule(const mnist::TrainConfig& config, int64_t steps)
{
    // One-cycle needs the run's length; the training file is assumed to hold 60,000 images.
    const auto trainSize = static_cast<int64_t>(60000 * config.trainFraction);
    const int64_t total = config.epochs * mnist::iterationsPerEpoch(trainSize, config.batchSize);
    for (double lr : mnist::lrSequence(config.scheduler, config.lr, total, steps))
        std::printf("%.17g\n", lr);
}

int ensembleCommand(const Options& o, const mnist::TrainConfig& config)
{
    const auto r = mnist::evaluateEnsemble(o.ensembleDirs, config.dataDir, config.device);
    nlohmann::json members = nlohmann::json::array();
    for (const auto& m : r.members) {
        members.push_back({{"run_dir", m.runDir}, {"arch", m.arch}, {"test_acc", m.testAccuracy}});
        if (!o.json)
            std::printf("%-60s %-12s %.2f%%\n", m.runDir.c_str(), m.arch.c_str(), m.testAccuracy);
    }
    if (o.json)
        std::cout << nlohmann::json{{"members", members}, {"ensemble_test_acc", r.testAccuracy}, {"test_size", r.testSize}}.dump(2)
                  << std::endl;
    else
        std::printf("ensemble of %zu runs (averaged softmax): %.2f%%\n", r.members.size(), r.testAccuracy);
    return 0;
}

// --evaluate FILE, or --pretrained [--evaluate]: scores the weights, then --export-onnx if given.
int evaluateCommand(Options& o, mnist::TrainConfig config)
{
    std::string weights = o.evaluatePath;
    if (!weights.empty() && !std::filesystem::is_regular_file(weights))
        throw mnist::ConfigError("--evaluate: " + weights + " is not a file");
    if (o.pretrained->count() > 0) {
        if (!weights.empty())
            throw mnist::ConfigError("--pretrained evaluates the shipped weights: give --evaluate no file with it");
        const mnist::PretrainedModel model = pretrainedOrThrow(o.pretrainedName);
        if (config.dataset != "mnist" && config.dataset != model.config.dataset)
            throw mnist::ConfigError("the pretrained model " + model.name + " was trained on " + model.config.dataset + " (" +
                                     mnist::formatShape(model.config.data.input()) + ", " +
                                     std::to_string(model.config.data.classCount()) + " classes); it cannot score " +
                                     config.dataset + " data: train a model on it instead");
        config = mnist::withMachineSettings(model.config, config);
        weights = model.weightsPath;
        if (!o.json)
            std::printf("pretrained model %s (%s): epoch %lld of seed %llu, recorded test accuracy %.2f%%\n", model.name.c_str(),
                        model.recordPath.c_str(), static_cast<long long>(model.epoch),
                        static_cast<unsigned long long>(model.seed), model.testAccuracy);
    }
    mnist::throwIfInvalid(config);
    if (o.pretrained->count() == 0)
        mnist::applyDataShape(config, mnist::loadData(config)); // the weights are for the data's shape
    const auto net = evaluateWeights(config, weights, o.json);
    if (!o.onnxPath.empty()) {
        mnist::exportOnnx(*net, o.onnxPath, config.augment);
        std::fprintf(stderr, "wrote %s\n", o.onnxPath.c_str());
    }
    return 0;
}

// Everything after parsing; throws what the commands throw.
int runCommand(Options& o, const char* argv0)
{
    if (o.listRuns->count() > 0)
        return listRunsCommand(o.listRunsDir.empty() ? mnist::defaultRunsDir() : o.listRunsDir, o.json);
    if (!o.tagArgs.empty())
        return tagRunCommand(o.tagArgs, true, mnist::defaultRunsDir());
    if (!o.untagArgs.empty())
        return tagRunCommand(o.untagArgs, false, mnist::defaultRunsDir());
    if (!o.noteArgs.empty())
        return noteRunCommand(o.noteArgs, mnist::defaultRunsDir());
    if (o.listArchs)
        return listArchsCommand(o.json);
    if (!o.describeArch.empty())
        return describeArchCommand(o.describeArch, o.json);
    if (!o.exportPretrainedDir.empty())
        return exportPretrainedCommand(o.exportPretrainedDir, o.outDir, o.trainedOn);
    if (o.evaluate->count() > 0 && o.evaluatePath.empty() && o.pretrained->count() == 0)
        throw mnist::ConfigError("--evaluate needs a weights file, or --pretrained for the shipped model");
    if (!o.sweepSummaryDir.empty())
        return sweepSummaryCommand(o.sweepSummaryDir, o.json, o.summaryCsv);
    if (!o.tensorBoardSource.empty()) {
        for (const std::string& file : mnist::exportTensorBoard(o.tensorBoardSource, o.outDir))
            std::printf("wrote %s\n", file.c_str());
        std::printf("view them with: tensorboard --logdir %s\n", o.outDir.c_str());
        return 0;
    }
    if (!o.reportRuns.empty())
        return reportCommand(o.reportRuns, o.outDir, givenConfig(o));
    if (!o.describeData.empty()) {
        mnist::TrainConfig c = givenConfig(o);
        return describeDataCommand(o.describeData, o.texts["dataset"], c, o.json);
    }
    if (!o.predictRun.empty())
        return predictCommand(o.predictRun, o.texts["data_dir"], o.outDir, givenConfig(o), o.json);
    checkScopes(o);
    if (o.sweepSpec->count() > 0 || o.sweepTask->count() > 0 || o.sweepWorker->count() > 0)
        return sweepCommands(o, argv0);

    mnist::TrainConfig config = givenConfig(o);
    // A spec file names its network: folder names, lists and summaries use that name.
    mnist::nameArchitectureFromFile(config);
    if (o.lrFind)
        return lrFindCommand(config, o.lrFindOptions, o.json, g_stop);
    if (o.printLrSteps >= 0) {
        printLrSchedule(config, o.printLrSteps);
        return 0;
    }
    if (!o.ensembleDirs.empty())
        return ensembleCommand(o, config);
    if (!o.evaluatePath.empty() || o.pretrained->count() > 0)
        return evaluateCommand(o, config);
    if (!o.onnxPath.empty() && !mnist::onnxExportAvailable())
        throw mnist::ConfigError("--export-onnx: this build has no ONNX support (install libonnx-dev and rebuild)");
    if (o.exportAugmentedCount > 0) {
        mnist::throwIfInvalid(config);
        exportAugmented(config, o.exportAugmentedCount, o.outDir);
        std::fprintf(stderr, "wrote %lld augmented images to %s\n", static_cast<long long>(o.exportAugmentedCount),
                     o.outDir.c_str());
        return 0;
    }
    TrainRequest request;
    request.config = config;
    request.outDir = o.outDir;
    request.resumeDir = o.resumeDir;
    request.noSave = o.noSave;
    request.json = o.json;
    request.onnxPath = o.onnxPath;
    return trainCommand(std::move(request), g_stop);
}

} // namespace

int main(int argc, char** argv)
{
    mnist::useCooperativeOpenMpThreads(argv);
    mnist::keepFreedMemoryForReuse();
    CLI::App app{"mnist-train: train the MNIST Studio networks from the command line"};
    app.set_help_flag("-h,--help", "Show this help and exit");
    Options o;
    addRunOptions(app, o);
    addSettingOptions(app, o);
    addCommandOptions(app, o);
    addSweepOptions(app, o);
    addExclusions(o);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "mnist-train: " << e.what() << "\n(run mnist-train --help for the options)\n";
        return 2;
    }
    try {
        return runCommand(o, argv[0]);
    } catch (const mnist::ConfigError& e) {
        std::cerr << "mnist-train: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "mnist-train: " << e.what() << "\n";
        return 1;
    }
}
