#pragma once
// The field table: every setting of a TrainConfig described once. The JSON reader and writer,
// validate(), the command-line options of mnist-train and mnist-studio, and the set-up panel's
// rows are all made from it, so adding a setting is one row here plus the code that uses it.
// No LibTorch in this header.
#include "spec/TrainConfig.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace mnist {

enum class FieldKind {
    Text,     // free text (JSON string)
    Path,     // a folder (JSON string); the panel offers a folder chooser
    Choice,   // one of `choices` (JSON string)
    Integer,  // whole number within [min, max]
    Seed,     // whole number 0..2^64-1
    Real,     // number within min/max (open or closed ends)
    Flag,     // true/false
    Toggle,   // a transform switched on by the presence of its JSON object; its fields nest in it
    RealPair, // [low, high] (JSON array of two numbers; "A,B" on the command line); see pairIsRange
};

struct FieldChoice {
    std::string value; // what JSON and the CLI hold
    std::string label; // what a person reads
};

// Whom a setting belongs to, beyond the section it is shown in. Every list of "the machine's
// settings" or "what a sweep may vary" is derived from these (fieldsWhere()), none written out.
enum class FieldScope {
    // The computer that runs, not the experiment: how a run is computed (device, threads, data
    // folder, layout, evaluation batch), never what. A recipe, a pretrained record and a sweep's
    // trials take these from where they run; a sweep is given them on its command line; a resumed
    // run may change them. Such a field is never sweepable and always changes on resume.
    Machine,
    // May be an axis of a sweep (its grid or random space). Not the seed (the spec's "seeds"), not
    // the machine's settings, not a transform's switch (its parameters are).
    Sweepable,
    // May differ when a run is resumed from its checkpoint: the epochs and the machine's settings.
    // Any other change would make the checkpoint describe another run than config.json.
    ChangesOnResume,
};

struct ConfigField {
    std::string key;     // JSON path, dots between levels: "lr", "scheduler.T_max", "augment.random_rotation.degrees"
    std::string flag;    // command-line option without dashes ("batch-size"); empty: none
    std::string label;   // "Batch size"; messages use it with a lower-case first letter ("batch size must ...")
    std::string tooltip; // one or two sentences; also the CLI help text
    std::string section; // "data", "model", "training", "machine", "scheduler", "augment"; where it is shown
    bool machine = false;          // FieldScope::Machine
    bool sweepable = true;         // FieldScope::Sweepable
    bool changesOnResume = false;  // FieldScope::ChangesOnResume
    FieldKind kind = FieldKind::Text;
    double min = 0, max = 0;          // Integer and Real (and each end of a RealPair)
    bool minOpen = false, maxOpen = false;
    bool pairIsRange = true;          // RealPair: [low, high] (low <= high); false: two separate values (x, y)
    std::vector<FieldChoice> choices; // Choice
    std::string fileFilter;           // Path: a file of this kind ("JSON (*.json)"); empty: a folder
    std::string parent;               // the Toggle this field belongs to, or empty
    // Whether the field takes part in a run of `c` (e.g. momentum only for SGD); null: always.
    // Fields of a scheduler or a transform are written to JSON only when they apply.
    std::function<bool(const TrainConfig&)> applies;
    bool savedOnlyWhenApplies = false;
    // Written to JSON only when not its default: the files made before it existed stay as they were.
    bool savedOnlyWhenNotDefault = false;
    std::function<nlohmann::json(const TrainConfig&)> get;
    // Sets the field from a JSON value; throws std::exception for a value of the wrong type or range.
    std::function<void(TrainConfig&, const nlohmann::json&)> set;
    // A problem beyond the kind's range and choices (e.g. base_lr above max_lr); empty when none.
    std::function<std::string(const TrainConfig&)> check;
};

// Every field, in the order the panel and --help show them.
const std::vector<ConfigField>& configFields();
// The field with this JSON key, or null.
const ConfigField* findField(const std::string& key);
bool fieldApplies(const ConfigField& field, const TrainConfig& c);
bool inScope(const ConfigField& field, FieldScope scope);
// The fields in `scope`, in table order.
std::vector<const ConfigField*> fieldsWhere(FieldScope scope);
// Whether `key` names a field of the machine (FieldScope::Machine); false for an unknown key.
bool isMachineField(const std::string& key);
// "--threads, --device and --data-dir": the command-line flags of the fields in `scope`, for messages.
std::string flagList(FieldScope scope);
// The field's value in a default TrainConfig.
nlohmann::json fieldDefault(const ConfigField& field);

// A problem of a config, keyed by the field it is about.
struct FieldProblem {
    std::string field;   // a ConfigField key
    std::string message; // in words, naming the field, e.g. "batch size must be between 1 and 65536 (got 0)"
};
// Every problem of `c`; empty when it can be run. `section`, when given, limits it to that section.
std::vector<FieldProblem> fieldProblems(const TrainConfig& c, const std::string& section = {});

// The value a command-line text stands for, as the field's JSON: "1e-3" for a Real, "0.8,1.2" for a
// RealPair, "true"/"false" (or empty) for a Flag. Throws ConfigError naming the flag.
nlohmann::json parseFieldText(const ConfigField& field, const std::string& text);
// Sets the field from a command-line text (and switches its transform on, when it belongs to one).
void setFieldFromText(TrainConfig& c, const ConfigField& field, const std::string& text);
// Sets the field from a JSON value, switching its transform on likewise (sweeps set fields so).
// Throws ConfigError naming the key for a value of the wrong type or range.
void setFieldFromJson(TrainConfig& c, const ConfigField& field, const nlohmann::json& value);
// The field's value as a command-line text, the inverse of parseFieldText.
std::string fieldText(const ConfigField& field, const TrainConfig& c);

// "batch size" from "Batch size"; "EMA decay" and "T_max" stay as they are.
std::string fieldSubject(const ConfigField& field);

} // namespace mnist
