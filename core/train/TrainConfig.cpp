#include "train/TrainConfig.h"

#include "Error.h"
#include "JsonInteger.h"
#include "io/AtomicFile.h"
#include "models/ModelRegistry.h"
#include "train/Device.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

namespace mnist {

std::vector<std::string> TrainConfig::validate() const
{
    std::vector<std::string> p;
    if (dataset != "mnist" && dataset != "fashion-mnist" && dataset != "idx")
        p.push_back("dataset '" + dataset + "' is unknown (choose mnist, fashion-mnist or idx)");
    if (dataset == "idx" && dataDir.empty())
        p.push_back("dataset 'idx' needs a data folder");
    if (!(trainFraction > 0 && trainFraction < 1))
        p.push_back("train fraction must lie strictly between 0 and 1 (got " + std::to_string(trainFraction) + ")");
    if (!isKnownArchitecture(arch))
        p.push_back("architecture '" + arch + "' is unknown (known: " + architectureNames() + ")");
    if (epochs < 1 || epochs > 100000)
        p.push_back("epochs must be between 1 and 100000 (got " + std::to_string(epochs) + ")");
    if (batchSize < 1 || batchSize > 65536)
        p.push_back("batch size must be between 1 and 65536 (got " + std::to_string(batchSize) + ")");
    if (evalBatchSize < 1 || evalBatchSize > 65536)
        p.push_back("evaluation batch size must be between 1 and 65536 (got " + std::to_string(evalBatchSize) + ")");
    if (!std::isfinite(lr) || lr <= 0 || lr > 100)
        p.push_back("learning rate must be positive and at most 100 (got " + std::to_string(lr) + ")");
    if (optimizer != "adam" && optimizer != "adamw" && optimizer != "sgd")
        p.push_back("optimizer '" + optimizer + "' is unknown (choose adam, adamw or sgd)");
    if (!std::isfinite(momentum) || momentum < 0 || momentum >= 1)
        p.push_back("momentum must be in [0, 1) (got " + std::to_string(momentum) + ")");
    if (optimizer == "sgd" && nesterov && momentum <= 0)
        p.push_back("Nesterov momentum needs a momentum above 0");
    if (!std::isfinite(weightDecay) || weightDecay < 0 || weightDecay > 1)
        p.push_back("weight decay must be in [0, 1] (got " + std::to_string(weightDecay) + ")");
    if (!std::isfinite(labelSmoothing) || labelSmoothing < 0 || labelSmoothing >= 1)
        p.push_back("label smoothing must be in [0, 1) (got " + std::to_string(labelSmoothing) + ")");
    if (!std::isfinite(emaDecay) || emaDecay < 0 || emaDecay >= 1)
        p.push_back("EMA decay must be in [0, 1), 0 for off (got " + std::to_string(emaDecay) + ")");
    if (threads < 0 || threads > 1024)
        p.push_back("threads must be between 0 (all cores) and 1024 (got " + std::to_string(threads) + ")");
    if (memoryFormat != "auto" && memoryFormat != "contiguous" && memoryFormat != "channels-last")
        p.push_back("memory format '" + memoryFormat + "' is unknown (choose auto, contiguous or channels-last)");
    if (std::string why = deviceSyntaxProblem(device); !why.empty())
        p.push_back(why);
    for (auto& s : validateScheduler(scheduler))
        p.push_back(s);
    for (auto& s : augment.validate())
        p.push_back(s);
    return p;
}

void throwIfInvalid(const TrainConfig& c)
{
    const auto problems = c.validate();
    if (problems.empty())
        return;
    std::string msg = "invalid configuration:";
    for (const auto& p : problems)
        msg += "\n  " + p;
    throw ConfigError(msg);
}

void to_json(nlohmann::json& j, const TrainConfig& c)
{
    j = nlohmann::json{
        {"dataset", c.dataset},     {"data_dir", c.dataDir},       {"train_fraction", c.trainFraction},
        {"arch", c.arch},           {"epochs", c.epochs},          {"batch_size", c.batchSize},
        {"eval_batch_size", c.evalBatchSize}, {"lr", c.lr},       {"optimizer", c.optimizer},
        {"momentum", c.momentum},   {"nesterov", c.nesterov},      {"weight_decay", c.weightDecay},
        {"label_smoothing", c.labelSmoothing}, {"ema_decay", c.emaDecay},
        {"scheduler", c.scheduler}, {"augment", c.augment}, {"seed", c.seed},              {"threads", c.threads},
        {"device", c.device},       {"shuffle", c.shuffle},        {"memory_format", c.memoryFormat},
    };
}

void from_json(const nlohmann::json& j, TrainConfig& c)
{
    if (!j.is_object())
        throw ConfigError("a configuration must be a JSON object");
    c = TrainConfig{};
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const auto& v = it.value();
        try {
            if (k == "dataset") c.dataset = v.get<std::string>();
            else if (k == "data_dir") c.dataDir = v.get<std::string>();
            else if (k == "train_fraction") c.trainFraction = v.get<double>();
            else if (k == "arch") c.arch = v.get<std::string>();
            else if (k == "epochs") c.epochs = jsonInteger<int64_t>(v);
            else if (k == "batch_size") c.batchSize = jsonInteger<int64_t>(v);
            else if (k == "eval_batch_size") c.evalBatchSize = jsonInteger<int64_t>(v);
            else if (k == "lr") c.lr = v.get<double>();
            else if (k == "optimizer") c.optimizer = v.get<std::string>();
            else if (k == "momentum") c.momentum = v.get<double>();
            else if (k == "nesterov") c.nesterov = v.get<bool>();
            else if (k == "weight_decay") c.weightDecay = v.get<double>();
            else if (k == "label_smoothing") c.labelSmoothing = v.get<double>();
            else if (k == "ema_decay") c.emaDecay = v.get<double>();
            else if (k == "scheduler") c.scheduler = v.get<SchedulerConfig>();
            else if (k == "augment") c.augment = v.get<AugmentConfig>();
            else if (k == "seed") c.seed = jsonInteger<uint64_t>(v);
            else if (k == "threads") c.threads = jsonInteger<int>(v);
            else if (k == "device") c.device = v.get<std::string>();
            else if (k == "shuffle") c.shuffle = v.get<bool>();
            else if (k == "memory_format") c.memoryFormat = v.get<std::string>();
            else throw ConfigError("unknown key '" + k + "'");
        } catch (const ConfigError&) {
            throw;
        } catch (const std::exception& e) {
            throw ConfigError("config key '" + k + "': " + e.what());
        }
    }
}

std::string toJsonText(const TrainConfig& c)
{
    return nlohmann::json(c).dump(2) + "\n";
}

TrainConfig trainConfigFromJsonText(const std::string& text)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw ConfigError(std::string("not valid JSON: ") + e.what());
    }
    return j.get<TrainConfig>();
}

TrainConfig loadTrainConfig(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw ConfigError("config file " + path + " cannot be opened");
    std::stringstream buf;
    buf << in.rdbuf();
    try {
        return trainConfigFromJsonText(buf.str());
    } catch (const ConfigError& e) {
        throw ConfigError(path + ": " + e.what());
    }
}

void saveTrainConfig(const TrainConfig& c, const std::string& path)
{
    const std::string text = toJsonText(c);
    writeFileAtomically(path, [&](std::ostream& out) { out << text; });
}

} // namespace mnist
