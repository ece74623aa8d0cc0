#pragma once
// Several runs' set-ups side by side, in the field table's order: what the Runs tab's comparison,
// its "differences only" switch, its group-by choices and the HTML report show.
#include "spec/TrainConfig.h"

#include <string>
#include <vector>

namespace mnist {

struct SettingRow {
    std::string key;                 // the ConfigField key, e.g. "augment.random_rotation.degrees"
    std::string label;               // "Rotation degrees"
    std::vector<std::string> values; // one per config, as the command line writes it; "" where it does not apply
    bool differs = false;            // not every config has the same value
};

// One row per setting of the field table that applies to at least one of `configs` (a scheduler's
// or a transform's parameters only where it is on), the machine's settings excluded: they say
// where a run ran, not what it was. `differencesOnly` keeps the rows whose values differ.
std::vector<SettingRow> compareSettings(const std::vector<TrainConfig>& configs, bool differencesOnly);

// The value `c` has for the setting `key` as compareSettings() writes it; "" where it does not
// apply. Throws ConfigError for an unknown key. Runs grouped by a setting share this text.
std::string settingText(const TrainConfig& c, const std::string& key);

// A recorded run's set-up as the comparison shows it. A run folder keeps its network as its own
// arch.json (RunLayout::arch()), which loadRunConfig() reads back as arch_file, and that path
// differs between any two runs while saying nothing about them: it is dropped, so that the
// network's name (arch, from the spec file) is compared instead. Any other arch_file is kept.
TrainConfig runConfigForComparison(TrainConfig c, const std::string& runDir);

} // namespace mnist
