#include "spec/ConfigFields.h"

#include "Error.h"
#include "JsonInteger.h"
#include "spec/Architectures.h"
#include "spec/DeviceName.h"

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

std::vector<ConfigField> makeFields()
{
    std::vector<ConfigField> t;
    auto add = [&](ConfigField f) -> ConfigField& {
        t.push_back(std::move(f));
        return t.back();
    };
    const auto sched = [](std::initializer_list<const char*> types) {
        std::vector<std::string> names(types.begin(), types.end());
        return [names](const TrainConfig& c) {
            for (const auto& n : names)
                if (c.scheduler.type == n)
                    return true;
            return false;
        };
    };
    using K = FieldKind;

    // Data
    auto& dataset = add(row("dataset", "dataset", "Dataset", "data", K::Choice, [](auto& c) -> auto& { return c.dataset; },
                            "The images: MNIST, Fashion-MNIST, or the four IDX files of the data folder (idx)"));
    dataset.choices = {{"mnist", "MNIST"}, {"fashion-mnist", "Fashion-MNIST"}, {"idx", "IDX folder"}};
    auto& dataDir = add(row("data_dir", "data-dir", "Data folder", "data", K::Path, [](auto& c) -> auto& { return c.dataDir; },
                            "Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and "
                            "t10k-labels-idx1-ubyte (plain or .gz). Empty: data/<dataset>"));
    dataDir.check = [](const TrainConfig& c) {
        return c.dataset == "idx" && c.dataDir.empty() ? std::string("dataset 'idx' needs a data folder") : std::string();
    };
    range(add(row("train_fraction", "train-fraction", "Train fraction", "data", K::Real,
                  [](auto& c) -> auto& { return c.trainFraction; },
                  "Train = the first part of the training file, valid = the rest (the notebook: 0.8, i.e. 48,000 / 12,000)")),
          0, 1, true, true);
    add(row("shuffle", "shuffle", "Shuffle", "data", K::Flag, [](auto& c) -> auto& { return c.shuffle; },
            "Shuffle the training set every epoch (the notebook keeps a fixed order)"));

    // Model
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

    // Training
    range(add(row("epochs", "epochs", "Epochs", "training", K::Integer, [](auto& c) -> auto& { return c.epochs; },
                  "Number of passes over the training set")),
          1, 100000);
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
    auto& momentum = range(add(row("momentum", "momentum", "Momentum", "training", K::Real,
                                   [](auto& c) -> auto& { return c.momentum; }, "SGD momentum")),
                           0, 1, false, true);
    momentum.applies = [](const TrainConfig& c) { return c.optimizer == "sgd"; };
    auto& nesterov = add(row("nesterov", "nesterov", "Nesterov", "training", K::Flag, [](auto& c) -> auto& { return c.nesterov; },
                             "SGD with Nesterov momentum (needs a momentum above 0)"));
    nesterov.applies = momentum.applies;
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
    add(row("seed", "seed", "Seed", "training", K::Seed, [](auto& c) -> auto& { return c.seed; },
            "Random seed of the initial weights, the batch order and the augmentation"));

    // Machine
    auto& device = add(row("device", "device", "Device", "machine", K::Text, [](auto& c) -> auto& { return c.device; },
                           "auto (CUDA when present, else the CPU), cpu, cuda or cuda:N"));
    device.check = [](const TrainConfig& c) { return deviceSyntaxProblem(c.device); };
    range(add(row("threads", "threads", "Threads", "machine", K::Integer, [](auto& c) -> auto& { return c.threads; },
                  "CPU threads (0: automatic, all cores)")),
          0, 1024);
    auto& layout = add(row("memory_format", "memory-format", "Memory format", "machine", K::Choice,
                           [](auto& c) -> auto& { return c.memoryFormat; },
                           "Layout of the activations while training: auto (on the CPU whichever trains faster here, "
                           "measured once per network and batch size; contiguous on a GPU), contiguous or "
                           "channels-last. Saved weights are the same either way"));
    layout.choices = {{"auto", "auto"}, {"contiguous", "contiguous"}, {"channels-last", "channels-last"}};
    range(add(row("eval_batch_size", "eval-batch-size", "Evaluation batch size", "machine", K::Integer,
                  [](auto& c) -> auto& { return c.evalBatchSize; }, "Batch size of the valid and test passes")),
          1, 65536);

    // Scheduler: PyTorch's parameter names, so a config reads like the Python call it reproduces.
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
    constexpr double kUnbounded = std::numeric_limits<double>::infinity();
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

    // Augmentation: torchvision's transforms, each on when its JSON object is present.
    const auto toggle = [&](const char* key, const char* label, auto ref, const char* tip) -> ConfigField& {
        auto& f = add(row(key, "", label, "augment", K::Toggle, ref, tip));
        return f;
    };
    const auto child = [&](ConfigField f, const std::string& parent, bool (*on)(const TrainConfig&)) -> ConfigField& {
        f.parent = parent;
        f.applies = on;
        f.savedOnlyWhenApplies = true;
        return add(std::move(f));
    };
    using AC = bool (*)(const TrainConfig&);
    const auto interpolation = [&](const std::string& parent, const char* flag, AC on, bool AugmentConfig::*bilinear) {
        auto& f = child(ConfigField{}, parent, on);
        f.key = parent + ".interpolation";
        f.flag = flag;
        f.label = "Interpolation";
        f.section = "augment";
        f.kind = K::Choice;
        f.tooltip = "nearest (torchvision's default) or bilinear";
        f.choices = same({"nearest", "bilinear"});
        f.get = [bilinear](const TrainConfig& c) { return json(c.augment.*bilinear ? "bilinear" : "nearest"); };
        f.set = [bilinear](TrainConfig& c, const json& v) {
            const std::string mode = v.get<std::string>();
            if (mode != "nearest" && mode != "bilinear")
                throw std::invalid_argument("interpolation must be nearest or bilinear");
            c.augment.*bilinear = mode == "bilinear";
        };
    };
    const AC cropOn = [](const TrainConfig& c) { return c.augment.crop; };
    const AC rotateOn = [](const TrainConfig& c) { return c.augment.rotate; };
    const AC affineOn = [](const TrainConfig& c) { return c.augment.affine; };
    const AC eraseOn = [](const TrainConfig& c) { return c.augment.erase; };
    const AC normalizeOn = [](const TrainConfig& c) { return c.augment.normalize; };
    const std::string crop = "augment.random_resized_crop";
    toggle(crop.c_str(), "Random resized crop", [](auto& c) -> auto& { return c.augment.crop; },
           "RandomResizedCrop(28, scale, ratio): a random area and aspect, resized back to 28 x 28 (bilinear)");
    {
        auto lo = [](auto& c) -> auto& { return c.augment.cropScaleMin; };
        auto hi = [](auto& c) -> auto& { return c.augment.cropScaleMax; };
        auto& f = child(pairRow(crop + ".scale", "crop-scale", "Crop scale", crop, lo, hi,
                                "RandomResizedCrop scale range A,B: the fraction of the image area (above 1 is allowed)"),
                        crop, cropOn);
        range(f, 0, 4, true);
    }
    {
        auto lo = [](auto& c) -> auto& { return c.augment.cropRatioMin; };
        auto hi = [](auto& c) -> auto& { return c.augment.cropRatioMax; };
        auto& f = child(pairRow(crop + ".ratio", "crop-ratio", "Crop ratio", crop, lo, hi,
                                "RandomResizedCrop aspect ratio range A,B (torchvision's default 0.75,1.3333)"),
                        crop, cropOn);
        range(f, 0, 100, true);
    }
    const std::string rotate = "augment.random_rotation";
    toggle(rotate.c_str(), "Random rotation", [](auto& c) -> auto& { return c.augment.rotate; },
           "RandomRotation(degrees): an angle uniform in [-degrees, degrees], fill 0");
    range(child(row(rotate + ".degrees", "rotate", "Rotation degrees", "augment", K::Real,
                    [](auto& c) -> auto& { return c.augment.degrees; }, "RandomRotation: the largest angle, in [0, 180]"),
                rotate, rotateOn),
          0, 180);
    interpolation(rotate, "rotate-interp", rotateOn, &AugmentConfig::rotateBilinear);
    const std::string affine = "augment.random_affine";
    toggle(affine.c_str(), "Random affine", [](auto& c) -> auto& { return c.augment.affine; },
           "RandomAffine(degrees, translate, scale, shear): rotation, whole-pixel shift, scale and x shear about "
           "the centre, fill 0");
    range(child(row(affine + ".degrees", "affine-degrees", "Affine degrees", "augment", K::Real,
                    [](auto& c) -> auto& { return c.augment.affineDegrees; },
                    "RandomAffine: the largest rotation angle, in [0, 180] (0: no rotation)"),
                affine, affineOn),
          0, 180);
    {
        auto x = [](auto& c) -> auto& { return c.augment.translateX; };
        auto y = [](auto& c) -> auto& { return c.augment.translateY; };
        auto& f = child(pairRow(affine + ".translate", "translate", "Translate", affine, x, y,
                                "RandomAffine translate A,B: the largest horizontal and vertical shift as fractions of "
                                "the width and height (0.1,0.1 moves up to 3 pixels on 28 x 28)"),
                        affine, affineOn);
        f.pairIsRange = false;
        range(f, 0, 1);
    }
    {
        auto lo = [](auto& c) -> auto& { return c.augment.affineScaleMin; };
        auto hi = [](auto& c) -> auto& { return c.augment.affineScaleMax; };
        auto& f = child(pairRow(affine + ".scale", "affine-scale", "Affine scale", affine, lo, hi,
                                "RandomAffine scale range A,B (1,1: no scaling)"),
                        affine, affineOn);
        range(f, 0, 10, true);
    }
    {
        auto lo = [](auto& c) -> auto& { return c.augment.shearMin; };
        auto hi = [](auto& c) -> auto& { return c.augment.shearMax; };
        auto& f = child(pairRow(affine + ".shear", "shear", "Shear", affine, lo, hi,
                                "RandomAffine shear range A,B in degrees, parallel to the x axis (0,0: none)"),
                        affine, affineOn);
        range(f, -80, 80);
    }
    interpolation(affine, "affine-interp", affineOn, &AugmentConfig::affineBilinear);
    const std::string erase = "augment.random_erasing";
    toggle(erase.c_str(), "Random erasing", [](auto& c) -> auto& { return c.augment.erase; },
           "RandomErasing(p, scale, ratio, value 0): a random rectangle set to 0");
    range(child(row(erase + ".p", "erase", "Erasing probability", "augment", K::Real,
                    [](auto& c) -> auto& { return c.augment.eraseP; }, "RandomErasing: the probability of erasing an image"),
                erase, eraseOn),
          0, 1);
    {
        auto lo = [](auto& c) -> auto& { return c.augment.eraseScaleMin; };
        auto hi = [](auto& c) -> auto& { return c.augment.eraseScaleMax; };
        auto& f = child(pairRow(erase + ".scale", "erase-scale", "Erasing scale", erase, lo, hi,
                                "RandomErasing area fraction range A,B (default 0.02,0.2)"),
                        erase, eraseOn);
        range(f, 0, 1, true);
    }
    {
        auto lo = [](auto& c) -> auto& { return c.augment.eraseRatioMin; };
        auto hi = [](auto& c) -> auto& { return c.augment.eraseRatioMax; };
        auto& f = child(pairRow(erase + ".ratio", "erase-ratio", "Erasing ratio", erase, lo, hi,
                                "RandomErasing aspect ratio range A,B (default 0.3,3.3)"),
                        erase, eraseOn);
        range(f, 0, 100, true);
    }
    const std::string normalize = "augment.normalize";
    toggle(normalize.c_str(), "Normalize", [](auto& c) -> auto& { return c.augment.normalize; },
           "Normalize(mean, std) on every split (training, valid, test)");
    auto& mean = child(row(normalize + ".mean", "normalize-mean", "Normalize mean", "augment", K::Real,
                           [](auto& c) -> auto& { return c.augment.mean; }, "Normalize: subtracted from every pixel (in [0, 1])"),
                       normalize, normalizeOn);
    range(mean, -kUnbounded, kUnbounded);
    range(child(row(normalize + ".std", "normalize-std", "Normalize std", "augment", K::Real,
                    [](auto& c) -> auto& { return c.augment.std; }, "Normalize: every pixel is divided by it"),
                normalize, normalizeOn),
          0, kUnbounded, true);
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
}

void from_json(const nlohmann::json& j, TrainConfig& c)
{
    c = TrainConfig{};
    readObject(j, "", c);
}

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
