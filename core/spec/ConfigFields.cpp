#include "spec/ConfigFields.h"

#include "Error.h"
#include "JsonInteger.h"
#include "spec/Architectures.h"
#include "spec/DeviceName.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <type_traits>

namespace mnist {
namespace {

using nlohmann::json;

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::vector<FieldChoice> same(std::initializer_list<const char*> values)
{
    std::vector<FieldChoice> out;
    for (const char* v : values)
        out.push_back({v, v});
    return out;
}

// Rows are built from an accessor, a generic lambda returning a reference to the member, so get
// and set cannot name different members.
template <class Ref>
ConfigField row(std::string key, std::string flag, std::string label, std::string section, FieldKind kind, Ref ref,
                std::string tooltip)
{
    ConfigField f;
    f.key = std::move(key);
    f.flag = std::move(flag);
    f.label = std::move(label);
    f.section = std::move(section);
    f.kind = kind;
    f.tooltip = std::move(tooltip);
    f.get = [ref](const TrainConfig& c) { return json(ref(c)); };
    f.set = [ref](TrainConfig& c, const json& v) {
        using T = std::remove_reference_t<decltype(ref(c))>;
        if constexpr (std::is_same_v<T, bool>) {
            ref(c) = v.get<bool>();
        } else if constexpr (std::is_integral_v<T>) {
            ref(c) = jsonInteger<T>(v);
        } else if constexpr (std::is_floating_point_v<T>) {
            if (!v.is_number())
                throw std::invalid_argument("expected a number, got " + v.dump());
            ref(c) = v.get<double>();
        } else {
            if (!v.is_string())
                throw std::invalid_argument("expected a string, got " + v.dump());
            ref(c) = v.get<std::string>();
        }
    };
    return f;
}

ConfigField& range(ConfigField& f, double min, double max, bool minOpen = false, bool maxOpen = false)
{
    f.min = min;
    f.max = max;
    f.minOpen = minOpen;
    f.maxOpen = maxOpen;
    return f;
}

template <class RefA, class RefB>
ConfigField pairRow(std::string key, std::string flag, std::string label, std::string parent, RefA lo, RefB hi,
                    std::string tooltip)
{
    ConfigField f;
    f.key = std::move(key);
    f.flag = std::move(flag);
    f.label = std::move(label);
    f.section = "augment";
    f.kind = FieldKind::RealPair;
    f.parent = std::move(parent);
    f.tooltip = std::move(tooltip);
    f.get = [lo, hi](const TrainConfig& c) { return json::array({lo(c), hi(c)}); };
    f.set = [lo, hi](TrainConfig& c, const json& v) {
        if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number())
            throw std::invalid_argument("expected two numbers [min, max]");
        lo(c) = v[0].get<double>();
        hi(c) = v[1].get<double>();
    };
    return f;
}

// The gamma a scheduler uses when none is given: PyTorch's defaults.
double defaultGamma(const std::string& type)
{
    return type == "step" ? 0.1 : type == "exponential" ? 0.9999 : 1.0;
}

constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// Appends a row; the reference holds until the next row is added.
ConfigField& addRow(std::vector<ConfigField>& t, ConfigField f)
{
    t.push_back(std::move(f));
    return t.back();
}

// Scopes the field to the machine (FieldScope::Machine): what follows from that is said here once.
ConfigField& ofMachine(ConfigField& f)
{
    f.machine = true;
    f.sweepable = false;
    f.changesOnResume = true;
    return f;
}

// The images and their split.
void addDataFields(std::vector<ConfigField>& t)
{
    const auto add = [&t](ConfigField f) -> ConfigField& { return addRow(t, std::move(f)); };
    using K = FieldKind;
    auto& dataset = add(row("dataset", "dataset", "Dataset", "data", K::Choice, [](auto& c) -> auto& { return c.dataset; },
                            "The images: MNIST, Fashion-MNIST, or the four IDX files of the data folder (idx)"));
    dataset.choices = {{"mnist", "MNIST"},       {"fashion-mnist", "Fashion-MNIST"}, {"idx", "IDX folder"},
                       {"folder", "Image folder"}, {"csv", "CSV (Kaggle)"},          {"emnist", "EMNIST"},
                       {"kmnist", "KMNIST"},       {"qmnist", "QMNIST"}};
    // An unknown dataset is the dataset row's problem alone: asking for its folder would be a
    // second. The choices are copied now, as the row reference does not outlive the next add().
    const auto knownDataset = [choices = dataset.choices](const std::string& name) {
        return std::any_of(choices.begin(), choices.end(), [&](const auto& choice) { return choice.value == name; });
    };
    // Shown with the data, but where the files lie is the machine's: a recipe, a record or a
    // sweep names the data set, never a folder of the computer it was made on.
    auto& dataDir = ofMachine(add(row("data_dir", "data-dir", "Data folder", "data", K::Path,
                                      [](auto& c) -> auto& { return c.dataDir; },
                                      "The data: a folder of IDX files (train-images-idx3-ubyte, ... plain or .gz), of "
                                      "class folders of images (ROOT/<class>/<image>), of an EMNIST, KMNIST or QMNIST "
                                      "release, or a Kaggle CSV file. Empty: data/<dataset> for MNIST and Fashion-MNIST")));
    dataDir.check = [knownDataset](const TrainConfig& c) {
        return knownDataset(c.dataset) && c.dataset != "mnist" && c.dataset != "fashion-mnist" && c.dataDir.empty()
                   ? "dataset '" + c.dataset + "' needs a data folder (--data-dir)"
                   : std::string();
    };
    auto& imageSize = add(row("image_size", "image-size", "Image size", "data", K::Text,
                              [](auto& c) -> auto& { return c.imageSize; },
                              "Resize every image to N x N or H x W (e.g. 28 or 32x32), bilinear; empty: every image "
                              "must have the same size"));
    imageSize.check = [](const TrainConfig& c) {
        int64_t h = 0, w = 0;
        return parseImageSize(c.imageSize, h, w) ? std::string()
                                                 : "image_size '" + c.imageSize + "' is not N or HxW (1 to 4096)";
    };
    range(add(row("train_fraction", "train-fraction", "Train fraction", "data", K::Real,
                  [](auto& c) -> auto& { return c.trainFraction; },
                  "Train = the first part of the training file, valid = the rest (the notebook: 0.8, i.e. 48,000 / 12,000)")),
          0, 1, true, true);
    add(row("shuffle", "shuffle", "Shuffle", "data", K::Flag, [](auto& c) -> auto& { return c.shuffle; },
            "Shuffle the training set every epoch (the notebook keeps a fixed order)"));

}

// The network: a built-in or user architecture, or a spec file.
void addModelFields(std::vector<ConfigField>& t)
{
    const auto add = [&t](ConfigField f) -> ConfigField& { return addRow(t, std::move(f)); };
    using K = FieldKind;
    auto& arch = add(row("arch", "arch", "Architecture", "model", K::Choice, [](auto& c) -> auto& { return c.arch; },
                         "The network (mnist-train --list-archs lists them with their parameter counts)"));
    // A spec file names its own network: arch is then only its name.
    arch.applies = [](const TrainConfig& c) { return c.archFile.empty(); };
    // No fixed choices: the table is built once, and the user's networks can change while a
    // program runs (the layer editor saves them), so the registry is asked at every check.
    arch.check = [](const TrainConfig& c) {
        if (!c.archFile.empty())
            return std::string();
        std::string known;
        const auto list = architectures();
        for (size_t i = 0; i < list.size(); ++i) {
            if (list[i].name == c.arch)
                return std::string();
            known += (i == 0 ? "" : i + 1 == list.size() ? " or " : ", ") + list[i].name;
        }
        return "architecture '" + c.arch + "' is unknown (choose " + known + ")";
    };
    auto& archFile = add(row("arch_file", "arch-file", "Network file", "model", K::Path,
                             [](auto& c) -> auto& { return c.archFile; },
                             "A JSON network spec (docs/networks.md) to train instead of the architecture above; "
                             "empty: the architecture"));
    archFile.fileFilter = "Network specs (*.json)";
    archFile.check = [](const TrainConfig& c) {
        if (c.archFile.empty())
            return std::string();
        try {
            readNetworkSpecFile(c.archFile);
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
        return std::string();
    };

}

// The optimisation: epochs, batches, optimizer, loss and seed.
void addTrainingFields(std::vector<ConfigField>& t)
{
    const auto add = [&t](ConfigField f) -> ConfigField& { return addRow(t, std::move(f)); };
    using K = FieldKind;
    // More epochs continue a finished run; the checkpoint holds where it stopped.
    range(add(row("epochs", "epochs", "Epochs", "training", K::Integer, [](auto& c) -> auto& { return c.epochs; },
                  "Number of passes over the training set")),
          1, 100000)
        .changesOnResume = true;
    range(add(row("batch_size", "batch-size", "Batch size", "training", K::Integer, [](auto& c) -> auto& { return c.batchSize; },
                  "Training batch size")),
          1, 65536);
    auto& optimizer = add(row("optimizer", "optimizer", "Optimizer", "training", K::Choice,
                              [](auto& c) -> auto& { return c.optimizer; }, "PyTorch's Adam, AdamW or SGD with its defaults otherwise"));
    optimizer.choices = {{"adam", "Adam"}, {"adamw", "AdamW"}, {"sgd", "SGD"}};
    range(add(row("lr", "lr", "Learning rate", "training", K::Real, [](auto& c) -> auto& { return c.lr; },
                  "Optimizer learning rate; the base LR of cosine, warm-restarts, step and exponential (cyclic starts "
                  "at base_lr, one-cycle at max_lr / div_factor)")),
          0, 100, true, false);
    const auto sgd = [](const TrainConfig& c) { return c.optimizer == "sgd"; };
    range(add(row("momentum", "momentum", "Momentum", "training", K::Real, [](auto& c) -> auto& { return c.momentum; },
                  "SGD momentum")),
          0, 1, false, true)
        .applies = sgd;
    auto& nesterov = add(row("nesterov", "nesterov", "Nesterov", "training", K::Flag, [](auto& c) -> auto& { return c.nesterov; },
                             "SGD with Nesterov momentum (needs a momentum above 0)"));
    nesterov.applies = sgd;
    nesterov.check = [](const TrainConfig& c) {
        return c.optimizer == "sgd" && c.nesterov && c.momentum <= 0 ? std::string("Nesterov momentum needs a momentum above 0")
                                                                       : std::string();
    };
    range(add(row("weight_decay", "weight-decay", "Weight decay", "training", K::Real,
                  [](auto& c) -> auto& { return c.weightDecay; },
                  "L2 penalty (Adam, SGD) or decoupled decay (AdamW; PyTorch's default 0.01 is not applied)")),
          0, 1);
    range(add(row("label_smoothing", "label-smoothing", "Label smoothing", "training", K::Real,
                  [](auto& c) -> auto& { return c.labelSmoothing; },
                  "CrossEntropyLoss(label_smoothing) for the training and the valid loss")),
          0, 1, false, true);
    range(add(row("ema_decay", "ema-decay", "EMA decay", "training", K::Real, [](auto& c) -> auto& { return c.emaDecay; },
                  "Evaluate, keep and save an exponential moving average of the weights with this decay (0: off; "
                  "e.g. 0.999)")),
          0, 1, false, true);
    // A resumed run may stop sooner or later than it would have: the rule reads only the epochs.
    range(add(row("early_stop_patience", "early-stop-patience", "Early-stop patience", "training", K::Integer,
                  [](auto& c) -> auto& { return c.earlyStopPatience; },
                  "End the run, finished, after this many epochs in a row without a lower valid loss (0: off); "
                  "the best epoch's weights stay in best.safetensors")),
          0, 100000)
        .changesOnResume = true;
    auto& minDelta = range(add(row("early_stop_min_delta", "early-stop-min-delta", "Early-stop min delta", "training",
                                   K::Real, [](auto& c) -> auto& { return c.earlyStopMinDelta; },
                                   "Early stopping: a valid loss counts as lower only when it is below the best by more "
                                   "than this")),
                           0, kUnbounded);
    minDelta.changesOnResume = true;
    minDelta.applies = [](const TrainConfig& c) { return c.earlyStopPatience > 0; };
    // A sweep lists its seeds apart ("seeds"), so that trials differing only in it form a group.
    add(row("seed", "seed", "Seed", "training", K::Seed, [](auto& c) -> auto& { return c.seed; },
            "Random seed of the initial weights, the batch order and the augmentation"))
        .sweepable = false;
    // Numbers, not only speed (unlike memory_format): bf16 rounds every convolution's inputs, so
    // it belongs to the experiment and a recipe may name it. Saved only when not fp32, so configs
    // from before it existed stay as they were. Not changed on resume: a bf16 run goes on in bf16.
    auto& precision = add(row("precision", "precision", "Precision", "training", K::Choice,
                              [](auto& c) -> auto& { return c.precision; },
                              "Arithmetic of the convolutions and linear layers: fp32 (exact, PyTorch's plain "
                              "path), bf16 (autocast: faster where the CPU has AVX512-BF16 or AMX, or on a "
                              "GPU), fp16 (autocast with loss scaling, CUDA only) or auto (the fastest here, "
                              "measured once per network and batch size). Saved weights are fp32 either way"));
    precision.choices = {{"fp32", "fp32"}, {"bf16", "bf16"}, {"fp16", "fp16 (CUDA)"}, {"auto", "auto"}};
    precision.savedOnlyWhenNotDefault = true;

}

// How this computer runs it (each in FieldScope::Machine; data_dir, shown with the data, too).
void addMachineFields(std::vector<ConfigField>& t)
{
    const auto add = [&t](ConfigField f) -> ConfigField& { return addRow(t, std::move(f)); };
    using K = FieldKind;
    auto& device = ofMachine(add(row("device", "device", "Device", "machine", K::Text, [](auto& c) -> auto& { return c.device; },
                                     "auto (CUDA when present, else the CPU), cpu, cuda or cuda:N")));
    device.check = [](const TrainConfig& c) { return deviceSyntaxProblem(c.device); };
    range(ofMachine(add(row("threads", "threads", "Threads", "machine", K::Integer, [](auto& c) -> auto& { return c.threads; },
                            "CPU threads (0: automatic, all cores)"))),
          0, 1024);
    // The layout that is fastest depends on the device (auto: measured per machine), and the
    // weights are saved contiguous either way: a speed choice of the computer, like the device.
    auto& layout = ofMachine(add(row("memory_format", "memory-format", "Memory format", "machine", K::Choice,
                                     [](auto& c) -> auto& { return c.memoryFormat; },
                                     "Layout of the activations while training: auto (on the CPU whichever trains faster "
                                     "here, measured once per network and batch size; contiguous on a GPU), contiguous or "
                                     "channels-last. Saved weights are the same either way")));
    layout.choices = {{"auto", "auto"}, {"contiguous", "contiguous"}, {"channels-last", "channels-last"}};
    // The valid and test passes have no gradient: their batch changes only the speed and memory.
    range(ofMachine(add(row("eval_batch_size", "eval-batch-size", "Evaluation batch size", "machine", K::Integer,
                            [](auto& c) -> auto& { return c.evalBatchSize; }, "Batch size of the valid and test passes"))),
          1, 65536);

}

// The LR schedule: PyTorch's parameter names, so a config reads like the Python call it reproduces.
void addSchedulerFields(std::vector<ConfigField>& t)
{
    const auto add = [&t](ConfigField f) -> ConfigField& { return addRow(t, std::move(f)); };
    using K = FieldKind;
    const auto sched = [](std::initializer_list<const char*> types) {
        std::vector<std::string> names(types.begin(), types.end());
        return [names](const TrainConfig& c) {
            for (const auto& n : names)
                if (c.scheduler.type == n)
                    return true;
            return false;
        };
    };
    auto& type = add(row("scheduler.type", "scheduler", "Scheduler", "scheduler", K::Choice,
                         [](auto& c) -> auto& { return c.scheduler.type; },
                         "How the LR changes, stepped after every iteration as the notebook does"));
    type.choices = {{"none", "None (constant LR)"},
                    {"cosine", "Cosine annealing (CosineAnnealingLR)"},
                    {"cyclic", "Cyclic (CyclicLR)"},
                    {"warm-restarts", "Warm restarts (CosineAnnealingWarmRestarts)"},
                    {"one-cycle", "One cycle (OneCycleLR)"},
                    {"step", "Step (StepLR)"},
                    {"exponential", "Exponential (ExponentialLR)"}};
    const auto schedRow = [&](ConfigField f, std::function<bool(const TrainConfig&)> when) -> ConfigField& {
        f.applies = std::move(when);
        f.savedOnlyWhenApplies = true;
        return add(std::move(f));
    };
    constexpr double kIterations = kUnbounded; // any count int64 holds (the spin boxes stop at 2^31 - 1)
    range(schedRow(row("scheduler.T_max", "t-max", "T_max", "scheduler", K::Integer, [](auto& c) -> auto& { return c.scheduler.tMax; },
                       "cosine: iterations from the LR down to eta_min"),
                   sched({"cosine"})),
          1, kIterations);
    range(schedRow(row("scheduler.eta_min", "eta-min", "eta_min", "scheduler", K::Real, [](auto& c) -> auto& { return c.scheduler.etaMin; },
                       "cosine, warm-restarts: the lowest LR"),
                   sched({"cosine", "warm-restarts"})),
          0, kUnbounded);
    auto& baseLr = range(schedRow(row("scheduler.base_lr", "base-lr", "base_lr", "scheduler", K::Real,
                                      [](auto& c) -> auto& { return c.scheduler.baseLr; },
                                      "cyclic: the lower LR bound (the first iteration's LR)"),
                                  sched({"cyclic"})),
                         0, kUnbounded, true);
    baseLr.check = [](const TrainConfig& c) {
        const auto& s = c.scheduler;
        return s.type == "cyclic" && s.baseLr > s.maxLr
                   ? "base_lr (" + num(s.baseLr) + ") must not exceed max_lr (" + num(s.maxLr) + ")"
                   : std::string();
    };
    range(schedRow(row("scheduler.max_lr", "max-lr", "max_lr", "scheduler", K::Real,
                       [](auto& c) -> auto& { return c.scheduler.maxLr; }, "cyclic, one-cycle: the upper LR bound"),
                   sched({"cyclic", "one-cycle"})),
          0, kUnbounded, true);
    range(schedRow(row("scheduler.step_size_up", "step-size-up", "step_size_up", "scheduler", K::Integer,
                       [](auto& c) -> auto& { return c.scheduler.stepSizeUp; }, "cyclic: iterations of the rising half"),
                   sched({"cyclic"})),
          1, kIterations);
    auto& down = range(schedRow(row("scheduler.step_size_down", "step-size-down", "step_size_down", "scheduler", K::Integer,
                                    [](auto& c) -> auto& { return c.scheduler.stepSizeDown; },
                                    "cyclic: iterations of the falling half (0: as many as the rising half)"),
                                sched({"cyclic"})),
                       0, kIterations);
    {
        auto plain = down.set;
        down.set = [plain](TrainConfig& c, const json& v) { // PyTorch's None
            if (v.is_null())
                c.scheduler.stepSizeDown = 0;
            else
                plain(c, v);
        };
    }
    schedRow(row("scheduler.mode", "mode", "mode", "scheduler", K::Choice, [](auto& c) -> auto& { return c.scheduler.mode; },
                 "cyclic: triangular, triangular2 or exp_range (momentum cycling is off)"),
             sched({"cyclic"}))
        .choices = same({"triangular", "triangular2", "exp_range"});
    auto& gamma = schedRow(ConfigField{}, [stepOrExponential = sched({"step", "exponential"})](const TrainConfig& c) {
        return (c.scheduler.type == "cyclic" && c.scheduler.mode == "exp_range") || stepOrExponential(c);
    });
    gamma.key = "scheduler.gamma";
    gamma.flag = "gamma";
    gamma.label = "gamma";
    gamma.section = "scheduler";
    gamma.kind = K::Real;
    gamma.tooltip = "cyclic exp_range (default 1), step (0.1), exponential (0.9999): the LR factor";
    range(gamma, 0, kUnbounded, true);
    // One field of the config, but each scheduler has its own default: unset, it shows the chosen one's.
    gamma.get = [](const TrainConfig& c) { return json(c.scheduler.gammaOr(defaultGamma(c.scheduler.type))); };
    gamma.set = [](TrainConfig& c, const json& v) {
        if (!v.is_number())
            throw std::invalid_argument("expected a number, got " + v.dump());
        c.scheduler.gamma = v.get<double>();
    };
    range(schedRow(row("scheduler.T_0", "t0", "T_0", "scheduler", K::Integer, [](auto& c) -> auto& { return c.scheduler.t0; },
                       "warm-restarts: iterations of the first period"),
                   sched({"warm-restarts"})),
          1, kIterations);
    auto& tMult = range(schedRow(row("scheduler.T_mult", "t-mult", "T_mult", "scheduler", K::Real,
                                     [](auto& c) -> auto& { return c.scheduler.tMult; },
                                     "warm-restarts: each period is T_mult times the previous (a whole number)"),
                                 sched({"warm-restarts"})),
                        1, kUnbounded);
    tMult.check = [](const TrainConfig& c) {
        const double m = c.scheduler.tMult;
        return c.scheduler.type == "warm-restarts" && std::isfinite(m) && std::floor(m) != m
                   ? "T_mult must be an integer of at least 1 (got " + num(m) + ")"
                   : std::string();
    };
    range(schedRow(row("scheduler.pct_start", "pct-start", "pct_start", "scheduler", K::Real,
                       [](auto& c) -> auto& { return c.scheduler.pctStart; }, "one-cycle: fraction of the run spent rising to max_lr"),
                   sched({"one-cycle"})),
          0, 1, true, true);
    schedRow(row("scheduler.anneal_strategy", "anneal", "anneal_strategy", "scheduler", K::Choice,
                 [](auto& c) -> auto& { return c.scheduler.anneal; }, "one-cycle: cos or linear"),
             sched({"one-cycle"}))
        .choices = same({"cos", "linear"});
    range(schedRow(row("scheduler.div_factor", "div-factor", "div_factor", "scheduler", K::Real,
                       [](auto& c) -> auto& { return c.scheduler.divFactor; }, "one-cycle: the first LR is max_lr / div_factor"),
                   sched({"one-cycle"})),
          0, kUnbounded, true);
    range(schedRow(row("scheduler.final_div_factor", "final-div-factor", "final_div_factor", "scheduler", K::Real,
                       [](auto& c) -> auto& { return c.scheduler.finalDivFactor; },
                       "one-cycle: the last LR is the first / final_div_factor"),
                   sched({"one-cycle"})),
          0, kUnbounded, true);
    range(schedRow(row("scheduler.step_size", "step-size", "step_size", "scheduler", K::Integer,
                       [](auto& c) -> auto& { return c.scheduler.stepSize; }, "step: iterations between two multiplications by gamma"),
                   sched({"step"})),
          1, kIterations);

}

// A member of the augmentation settings as a row's accessor.
template <class T>
auto augmentMember(T AugmentConfig::*member)
{
    return [member](auto& c) -> auto& { return c.augment.*member; };
}

// The rows of one torchvision transform: its switch (the presence of its JSON object) and its
// parameters, which apply, are saved and are given only while it is on.
class TransformRows {
public:
    TransformRows(std::vector<ConfigField>& table, std::string key, bool AugmentConfig::*on, const char* label,
                  const char* tooltip)
        : m_table(table), m_key(std::move(key)), m_on(on)
    {
        // A sweep varies the parameters; the transform's presence is a base of its own.
        addRow(m_table, row(m_key, "", label, "augment", FieldKind::Toggle, augmentMember(on), tooltip)).sweepable = false;
    }

    template <class Ref>
    ConfigField& value(const char* name, const char* flag, const char* label, FieldKind kind, Ref ref, const char* tooltip)
    {
        return child(row(m_key + "." + name, flag, label, "augment", kind, ref, tooltip));
    }

    ConfigField& pair(const char* name, const char* flag, const char* label, double AugmentConfig::*lo,
                      double AugmentConfig::*hi, const char* tooltip)
    {
        return child(pairRow(m_key + "." + name, flag, label, m_key, augmentMember(lo), augmentMember(hi), tooltip));
    }

    void interpolation(const char* flag, bool AugmentConfig::*bilinear)
    {
        ConfigField f;
        f.key = m_key + ".interpolation";
        f.flag = flag;
        f.label = "Interpolation";
        f.section = "augment";
        f.kind = FieldKind::Choice;
        f.tooltip = "nearest (torchvision's default) or bilinear";
        f.choices = same({"nearest", "bilinear"});
        f.get = [bilinear](const TrainConfig& c) { return json(c.augment.*bilinear ? "bilinear" : "nearest"); };
        f.set = [bilinear](TrainConfig& c, const json& v) {
            const std::string mode = v.get<std::string>();
            if (mode != "nearest" && mode != "bilinear")
                throw std::invalid_argument("interpolation must be nearest or bilinear");
            c.augment.*bilinear = mode == "bilinear";
        };
        child(std::move(f));
    }

private:
    ConfigField& child(ConfigField f)
    {
        f.parent = m_key;
        f.applies = [on = m_on](const TrainConfig& c) { return c.augment.*on; };
        f.savedOnlyWhenApplies = true;
        return addRow(m_table, std::move(f));
    }

    std::vector<ConfigField>& m_table;
    std::string m_key;
    bool AugmentConfig::*m_on;
};

// Augmentation: torchvision's transforms, each on when its JSON object is present.
void addAugmentFields(std::vector<ConfigField>& t)
{
    using K = FieldKind;
    TransformRows crop(t, "augment.random_resized_crop", &AugmentConfig::crop, "Random resized crop",
                       "RandomResizedCrop(28, scale, ratio): a random area and aspect, resized back to 28 x 28 (bilinear)");
    range(crop.pair("scale", "crop-scale", "Crop scale", &AugmentConfig::cropScaleMin, &AugmentConfig::cropScaleMax,
                    "RandomResizedCrop scale range A,B: the fraction of the image area (above 1 is allowed)"),
          0, 4, true);
    range(crop.pair("ratio", "crop-ratio", "Crop ratio", &AugmentConfig::cropRatioMin, &AugmentConfig::cropRatioMax,
                    "RandomResizedCrop aspect ratio range A,B (torchvision's default 0.75,1.3333)"),
          0, 100, true);

    TransformRows rotate(t, "augment.random_rotation", &AugmentConfig::rotate, "Random rotation",
                         "RandomRotation(degrees): an angle uniform in [-degrees, degrees], fill 0");
    range(rotate.value("degrees", "rotate", "Rotation degrees", K::Real, augmentMember(&AugmentConfig::degrees),
                       "RandomRotation: the largest angle, in [0, 180]"),
          0, 180);
    rotate.interpolation("rotate-interp", &AugmentConfig::rotateBilinear);

    TransformRows affine(t, "augment.random_affine", &AugmentConfig::affine, "Random affine",
                         "RandomAffine(degrees, translate, scale, shear): rotation, whole-pixel shift, scale and x shear "
                         "about the centre, fill 0");
    range(affine.value("degrees", "affine-degrees", "Affine degrees", K::Real, augmentMember(&AugmentConfig::affineDegrees),
                       "RandomAffine: the largest rotation angle, in [0, 180] (0: no rotation)"),
          0, 180);
    auto& translate = affine.pair("translate", "translate", "Translate", &AugmentConfig::translateX, &AugmentConfig::translateY,
                                  "RandomAffine translate A,B: the largest horizontal and vertical shift as fractions of "
                                  "the width and height (0.1,0.1 moves up to 3 pixels on 28 x 28)");
    translate.pairIsRange = false;
    range(translate, 0, 1);
    range(affine.pair("scale", "affine-scale", "Affine scale", &AugmentConfig::affineScaleMin, &AugmentConfig::affineScaleMax,
                      "RandomAffine scale range A,B (1,1: no scaling)"),
          0, 10, true);
    range(affine.pair("shear", "shear", "Shear", &AugmentConfig::shearMin, &AugmentConfig::shearMax,
                      "RandomAffine shear range A,B in degrees, parallel to the x axis (0,0: none)"),
          -80, 80);
    affine.interpolation("affine-interp", &AugmentConfig::affineBilinear);

    TransformRows erase(t, "augment.random_erasing", &AugmentConfig::erase, "Random erasing",
                        "RandomErasing(p, scale, ratio, value 0): a random rectangle set to 0");
    range(erase.value("p", "erase", "Erasing probability", K::Real, augmentMember(&AugmentConfig::eraseP),
                      "RandomErasing: the probability of erasing an image"),
          0, 1);
    range(erase.pair("scale", "erase-scale", "Erasing scale", &AugmentConfig::eraseScaleMin, &AugmentConfig::eraseScaleMax,
                     "RandomErasing area fraction range A,B (default 0.02,0.2)"),
          0, 1, true);
    range(erase.pair("ratio", "erase-ratio", "Erasing ratio", &AugmentConfig::eraseRatioMin, &AugmentConfig::eraseRatioMax,
                     "RandomErasing aspect ratio range A,B (default 0.3,3.3)"),
          0, 100, true);

    TransformRows normalize(t, "augment.normalize", &AugmentConfig::normalize, "Normalize",
                            "Normalize(mean, std) on every split (training, valid, test)");
    range(normalize.value("mean", "normalize-mean", "Normalize mean", K::Real, augmentMember(&AugmentConfig::mean),
                          "Normalize: subtracted from every pixel (in [0, 1])"),
          -kUnbounded, kUnbounded);
    range(normalize.value("std", "normalize-std", "Normalize std", K::Real, augmentMember(&AugmentConfig::std),
                          "Normalize: every pixel is divided by it"),
          0, kUnbounded, true);
    normalize
        .value("per_channel", "normalize-per-channel", "Per channel from the data", K::Flag,
               augmentMember(&AugmentConfig::normalizePerChannel),
               "Normalize each channel by its own mean and std over the training split (measured when the data "
               "is loaded) instead of the mean and std above")
        .savedOnlyWhenNotDefault = true;
}

// Every field, in the order the panel and --help show them.
std::vector<ConfigField> makeFields()
{
    std::vector<ConfigField> t;
    addDataFields(t);
    addModelFields(t);
    addTrainingFields(t);
    addMachineFields(t);
    addSchedulerFields(t);
    addAugmentFields(t);
    return t;
}

bool isChoice(const ConfigField& f, const std::string& value)
{
    for (const auto& ch : f.choices)
        if (ch.value == value)
            return true;
    return false;
}

bool inRange(const ConfigField& f, double v)
{
    if (!std::isfinite(v))
        return false;
    const bool lowOk = f.minOpen ? v > f.min : v >= f.min;
    const bool highOk = f.maxOpen ? v < f.max : v <= f.max;
    return lowOk && highOk;
}

std::string rangeText(const ConfigField& f)
{
    if (std::isinf(f.min) && std::isinf(f.max))
        return "a finite number";
    if (std::isinf(f.max))
        return (f.minOpen ? "above " : "at least ") + num(f.min);
    if (f.kind == FieldKind::Integer)
        return "between " + num(f.min) + " and " + num(f.max);
    return std::string("in ") + (f.minOpen ? "(" : "[") + num(f.min) + ", " + num(f.max) + (f.maxOpen ? ")" : "]");
}

std::string choiceList(const ConfigField& f)
{
    std::string s;
    for (size_t i = 0; i < f.choices.size(); ++i)
        s += (i == 0 ? "" : i + 1 == f.choices.size() ? " or " : ", ") + f.choices[i].value;
    return s;
}

std::string valueText(const json& v)
{
    return v.is_string() ? v.get<std::string>() : v.is_number_float() ? num(v.get<double>()) : v.dump();
}

// The range, choice and own check of one field.
void checkField(const ConfigField& f, const TrainConfig& c, std::vector<FieldProblem>& out)
{
    const bool applies = fieldApplies(f, c);
    // A value that is saved is checked, so that no config.json holds a value a run would refuse.
    if (applies || !f.savedOnlyWhenApplies) {
        const json v = f.get(c);
        const std::string subject = fieldSubject(f);
        if (f.kind == FieldKind::Choice && !f.choices.empty()) {
            // A choice that does not apply (arch beside an arch_file) may hold any name.
            if (applies && !isChoice(f, v.get<std::string>()))
                out.push_back({f.key, subject + " '" + v.get<std::string>() + "' is unknown (choose " + choiceList(f) + ")"});
        } else if (f.kind == FieldKind::RealPair) {
            const double lo = v[0].get<double>(), hi = v[1].get<double>();
            if (!inRange(f, lo) || !inRange(f, hi))
                out.push_back({f.key, subject + " must lie " + rangeText(f) + " (got " + num(lo) + ", " + num(hi) + ")"});
            if (f.pairIsRange && lo > hi)
                out.push_back({f.key, subject + ": minimum " + num(lo) + " exceeds maximum " + num(hi)});
        } else if (f.kind == FieldKind::Integer || f.kind == FieldKind::Real) {
            const double d = v.get<double>();
            if (!inRange(f, d))
                out.push_back({f.key, subject + " must be " + rangeText(f) + " (got " + valueText(v) + ")"});
        }
    }
    if (f.check)
        if (std::string p = f.check(c); !p.empty())
            out.push_back({f.key, p});
}

bool isGroup(const std::string& path)
{
    for (const auto& f : configFields())
        if (f.key.size() > path.size() && f.key.compare(0, path.size(), path) == 0 && f.key[path.size()] == '.')
            return true;
    return false;
}

void readObject(const json& j, const std::string& prefix, TrainConfig& c)
{
    if (!j.is_object())
        throw ConfigError((prefix.empty() ? std::string("a configuration") : "config key '" + prefix + "'") +
                          " must be a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
        // Keys nest as objects; a dotted key is not the field it spells.
        const ConfigField* f = it.key().find('.') == std::string::npos ? findField(path) : nullptr;
        if (f && f->kind == FieldKind::Toggle) {
            f->set(c, true);
            readObject(it.value(), path, c);
        } else if (f) {
            try {
                f->set(c, it.value());
            } catch (const std::exception& e) {
                throw ConfigError("config key '" + path + "': " + e.what());
            }
        } else if (it.key().find('.') == std::string::npos && isGroup(path)) {
            readObject(it.value(), path, c);
        } else {
            throw ConfigError("unknown key '" + it.key() + "'" + (prefix.empty() ? "" : " in '" + prefix + "'"));
        }
    }
}

} // namespace

const std::vector<ConfigField>& configFields()
{
    static const std::vector<ConfigField> fields = makeFields();
    return fields;
}

const ConfigField* findField(const std::string& key)
{
    static const std::map<std::string, const ConfigField*> byKey = [] {
        std::map<std::string, const ConfigField*> m;
        for (const auto& f : configFields())
            m[f.key] = &f;
        return m;
    }();
    const auto it = byKey.find(key);
    return it == byKey.end() ? nullptr : it->second;
}

bool fieldApplies(const ConfigField& field, const TrainConfig& c)
{
    if (!field.parent.empty())
        if (const ConfigField* p = findField(field.parent); p && !p->get(c).get<bool>())
            return false;
    return !field.applies || field.applies(c);
}

bool inScope(const ConfigField& field, FieldScope scope)
{
    switch (scope) {
    case FieldScope::Machine:
        return field.machine;
    case FieldScope::Sweepable:
        return field.sweepable;
    case FieldScope::ChangesOnResume:
        return field.changesOnResume;
    }
    return false;
}

std::vector<const ConfigField*> fieldsWhere(FieldScope scope)
{
    std::vector<const ConfigField*> out;
    for (const auto& f : configFields())
        if (inScope(f, scope))
            out.push_back(&f);
    return out;
}

bool isMachineField(const std::string& key)
{
    const ConfigField* f = findField(key);
    return f && f->machine;
}

std::string flagList(FieldScope scope)
{
    std::vector<std::string> flags;
    for (const ConfigField* f : fieldsWhere(scope))
        if (!f->flag.empty())
            flags.push_back("--" + f->flag);
    std::string out;
    for (size_t i = 0; i < flags.size(); ++i)
        out += (i == 0 ? "" : i + 1 == flags.size() ? " and " : ", ") + flags[i];
    return out;
}

nlohmann::json fieldDefault(const ConfigField& field)
{
    return field.get(TrainConfig{});
}

std::string fieldSubject(const ConfigField& field)
{
    std::string s = field.label;
    if (s.size() > 1 && std::isupper(static_cast<unsigned char>(s[0])) && std::islower(static_cast<unsigned char>(s[1])))
        s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

std::vector<FieldProblem> fieldProblems(const TrainConfig& c, const std::string& section)
{
    std::vector<FieldProblem> out;
    for (const auto& f : configFields()) {
        if (!section.empty() && f.section != section)
            continue;
        // An unknown scheduler makes its parameters meaningless: say only that.
        if (f.section == "scheduler" && f.key != "scheduler.type" && !isChoice(*findField("scheduler.type"), c.scheduler.type))
            continue;
        checkField(f, c, out);
    }
    return out;
}

void to_json(nlohmann::json& j, const TrainConfig& c)
{
    j = json::object();
    for (const auto& f : configFields()) {
        if (f.savedOnlyWhenApplies && !fieldApplies(f, c))
            continue;
        if (f.savedOnlyWhenNotDefault && f.get(c) == fieldDefault(f))
            continue;
        if (!f.parent.empty() && !fieldApplies(*findField(f.parent), c))
            continue;
        const json::json_pointer at("/" + [&] {
            std::string p = f.key;
            for (char& ch : p)
                if (ch == '.')
                    ch = '/';
            return p;
        }());
        if (f.kind == FieldKind::Toggle) {
            if (f.get(c).get<bool>())
                j[at] = json::object();
            else if (!j.contains(at.parent_pointer()))
                j[at.parent_pointer()] = json::object(); // "augment": {} when every transform is off
        } else {
            j[at] = f.get(c);
        }
    }
    if (c.data != DataShape{})
        j["data"] = json{{"shape", c.data.input()}, {"classes", c.data.classes}};
    if (!c.augment.channelMean.empty() && j.contains("augment") && j["augment"].contains("normalize")) {
        j["augment"]["normalize"]["channel_mean"] = c.augment.channelMean;
        j["augment"]["normalize"]["channel_std"] = c.augment.channelStd;
    }
}

namespace {

// augment.normalize.channel_mean / channel_std: measured statistics, not settings, so the field
// table does not read them; taken out of `j` here and kept.
void takeChannelStatistics(json& j, std::vector<double>& mean, std::vector<double>& std)
{
    if (!j.is_object() || !j.contains("augment") || !j["augment"].is_object() || !j["augment"].contains("normalize") ||
        !j["augment"]["normalize"].is_object())
        return;
    json& n = j["augment"]["normalize"];
    if (!n.contains("channel_mean") && !n.contains("channel_std"))
        return;
    const auto list = [](const json& v) {
        return v.is_array() && !v.empty() && v.size() <= 4 &&
               std::all_of(v.begin(), v.end(), [](const json& x) { return x.is_number() && std::isfinite(x.get<double>()); });
    };
    if (!n.contains("channel_mean") || !n.contains("channel_std") || !list(n["channel_mean"]) || !list(n["channel_std"]) ||
        n["channel_mean"].size() != n["channel_std"].size())
        throw ConfigError("augment.normalize: channel_mean and channel_std must be two lists of as many finite numbers");
    mean = n["channel_mean"].get<std::vector<double>>();
    std = n["channel_std"].get<std::vector<double>>();
    if (std::any_of(std.begin(), std.end(), [](double s) { return !(s > 0); }))
        throw ConfigError("augment.normalize: every channel_std must be above 0");
    n.erase("channel_mean");
    n.erase("channel_std");
}

// The settings and the data's shape; from_json() adds the channel statistics.
void readSettings(const nlohmann::json& j, TrainConfig& c);

} // namespace

void from_json(const nlohmann::json& input, TrainConfig& c)
{
    std::vector<double> channelMean, channelStd;
    json j = input;
    takeChannelStatistics(j, channelMean, channelStd);
    readSettings(j, c);
    c.augment.channelMean = std::move(channelMean);
    c.augment.channelStd = std::move(channelStd);
}

namespace {

void readSettings(const nlohmann::json& j, TrainConfig& c)
{
    c = TrainConfig{};
    if (j.is_object() && j.contains("data")) {
        // What the run's images were (TrainConfig.h's DataShape), kept beside the settings.
        const json& d = j.at("data");
        const auto bad = [](const std::string& what) { return ConfigError("data: " + what); };
        if (!d.is_object() || !d.contains("shape") || !d.contains("classes"))
            throw bad("expected {\"shape\": [C, H, W], \"classes\": [names]}");
        const json& shape = d.at("shape");
        if (!shape.is_array() || shape.size() != 3 || !std::all_of(shape.begin(), shape.end(), [](const json& v) {
                return v.is_number_integer() && v.get<int64_t>() >= 1 && v.get<int64_t>() <= 4096;
            }))
            throw bad("shape must be [C, H, W], three whole numbers 1..4096");
        const json& classes = d.at("classes");
        if (!classes.is_array() || classes.size() < 2 || classes.size() > 100000 ||
            !std::all_of(classes.begin(), classes.end(), [](const json& v) { return v.is_string(); }))
            throw bad("classes must be a list of at least two names");
        c.data.channels = shape[0].get<int64_t>();
        c.data.height = shape[1].get<int64_t>();
        c.data.width = shape[2].get<int64_t>();
        c.data.classes = classes.get<std::vector<std::string>>();
        json rest = j;
        rest.erase("data");
        const DataShape keep = c.data;
        readObject(rest, "", c);
        c.data = keep;
        return;
    }
    readObject(j, "", c);
}

} // namespace

nlohmann::json parseFieldText(const ConfigField& f, const std::string& text)
{
    const auto bad = [&](const std::string& what) {
        return ConfigError("--" + f.flag + " " + text + ": " + what);
    };
    try {
        switch (f.kind) {
        case FieldKind::Text:
        case FieldKind::Path:
        case FieldKind::Choice: // an unknown choice is validate()'s to report, with the field
            return text;
        case FieldKind::Flag:
        case FieldKind::Toggle:
            if (text.empty() || text == "true" || text == "1" || text == "on")
                return true;
            if (text == "false" || text == "0" || text == "off")
                return false;
            throw bad("expected true or false");
        case FieldKind::Integer: {
            size_t used = 0;
            const long long v = std::stoll(text, &used);
            if (used != text.size())
                throw bad("expected a whole number");
            return v;
        }
        case FieldKind::Seed: {
            size_t used = 0;
            if (!text.empty() && text[0] == '-')
                throw bad("expected a whole number from 0 to 18446744073709551615");
            const unsigned long long v = std::stoull(text, &used);
            if (used != text.size())
                throw bad("expected a whole number from 0 to 18446744073709551615");
            return v;
        }
        case FieldKind::Real: {
            size_t used = 0;
            const double v = std::stod(text, &used);
            if (used != text.size())
                throw bad("expected a number");
            return v;
        }
        case FieldKind::RealPair: {
            const auto comma = text.find(',');
            if (comma == std::string::npos)
                throw bad("expected two numbers separated by a comma, e.g. 0.8,1.2");
            size_t used = 0;
            const std::string a = text.substr(0, comma), b = text.substr(comma + 1);
            const double x = std::stod(a, &used);
            if (used != a.size())
                throw bad("expected two numbers separated by a comma, e.g. 0.8,1.2");
            const double y = std::stod(b, &used);
            if (used != b.size())
                throw bad("expected two numbers separated by a comma, e.g. 0.8,1.2");
            return json::array({x, y});
        }
        }
    } catch (const ConfigError&) {
        throw;
    } catch (const std::out_of_range&) {
        throw bad("out of range");
    } catch (const std::exception&) {
        throw bad(f.kind == FieldKind::RealPair ? "expected two numbers separated by a comma, e.g. 0.8,1.2"
                  : f.kind == FieldKind::Real   ? "expected a number"
                                                : "expected a whole number");
    }
    return text;
}

void setFieldFromText(TrainConfig& c, const ConfigField& f, const std::string& text)
{
    const json v = parseFieldText(f, text);
    try {
        f.set(c, v);
    } catch (const std::exception& e) {
        throw ConfigError("--" + f.flag + " " + text + ": " + e.what());
    }
    // Giving a transform's parameter asks for the transform.
    if (!f.parent.empty())
        findField(f.parent)->set(c, true);
}

void setFieldFromJson(TrainConfig& c, const ConfigField& f, const json& value)
{
    try {
        f.set(c, value);
    } catch (const std::exception& e) {
        throw ConfigError("'" + f.key + "' = " + value.dump() + ": " + e.what());
    }
    if (!f.parent.empty())
        findField(f.parent)->set(c, true);
}

std::string fieldText(const ConfigField& f, const TrainConfig& c)
{
    // nlohmann writes the shortest text that reads back as the same double ("0.8", not 0.80000000000000004).
    const json v = f.get(c);
    if (f.kind == FieldKind::RealPair)
        return v[0].dump() + "," + v[1].dump();
    return v.is_string() ? v.get<std::string>() : v.dump();
}

} // namespace mnist
