#include "spec/ConfigDiff.h"

#include "Error.h"
#include "run/RunLayout.h"
#include "spec/ConfigFields.h"

#include <algorithm>
#include <filesystem>

namespace mnist {

namespace {

std::string appliedText(const ConfigField& f, const TrainConfig& c)
{
    if (!fieldApplies(f, c))
        return "";
    if (!f.parent.empty() && !fieldApplies(*findField(f.parent), c))
        return "";
    return fieldText(f, c);
}

} // namespace

std::vector<SettingRow> compareSettings(const std::vector<TrainConfig>& configs, bool differencesOnly)
{
    std::vector<SettingRow> rows;
    for (const ConfigField& f : configFields()) {
        if (inScope(f, FieldScope::Machine))
            continue;
        SettingRow row{f.key, f.label, {}, false};
        row.values.reserve(configs.size());
        for (const TrainConfig& c : configs)
            row.values.push_back(appliedText(f, c));
        if (std::all_of(row.values.begin(), row.values.end(), [](const std::string& v) { return v.empty(); }))
            continue;
        row.differs = std::any_of(row.values.begin(), row.values.end(),
                                  [&](const std::string& v) { return v != row.values.front(); });
        if (differencesOnly && !row.differs)
            continue;
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string settingText(const TrainConfig& c, const std::string& key)
{
    const ConfigField* f = findField(key);
    if (!f)
        throw ConfigError("unknown setting '" + key + "'");
    return appliedText(*f, c);
}

TrainConfig runConfigForComparison(TrainConfig c, const std::string& runDir)
{
    std::error_code ec;
    if (!c.archFile.empty() && !runDir.empty() &&
        std::filesystem::equivalent(c.archFile, RunLayout(runDir).arch(), ec) && !ec)
        c.archFile.clear();
    return c;
}

} // namespace mnist
