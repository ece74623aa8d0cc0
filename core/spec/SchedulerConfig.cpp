#include "spec/SchedulerConfig.h"

#include "spec/ConfigFields.h"

#include <nlohmann/json.hpp>


namespace mnist {

const std::vector<std::string>& schedulerTypes()
{
    static const std::vector<std::string> types = {"none", "cosine", "cyclic", "warm-restarts",
                                                   "one-cycle", "step", "exponential"};
    return types;
}

std::vector<std::string> validateScheduler(const SchedulerConfig& c)
{
    TrainConfig t;
    t.scheduler = c;
    std::vector<std::string> out;
    for (auto& p : fieldProblems(t, "scheduler"))
        out.push_back(std::move(p.message));
    return out;
}

void to_json(nlohmann::json& j, const SchedulerConfig& c)
{
    TrainConfig t;
    t.scheduler = c;
    j = nlohmann::json(t).at("scheduler");
}

void from_json(const nlohmann::json& j, SchedulerConfig& c)
{
    c = nlohmann::json{{"scheduler", j}}.get<TrainConfig>().scheduler;
}

} // namespace mnist
