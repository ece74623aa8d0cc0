#include "ListRuns.h"

#include "Error.h"
#include "run/RunIndex.h"
#include "run/RunNotes.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace {

void printRow(const mnist::RunRecord& r, const std::string& name)
{
    if (r.damaged) {
        std::printf("%-36s %-12s %-9s  %s\n", name.c_str(), "", "damaged", r.problem.c_str());
        return;
    }
    const std::string epochs = std::to_string(r.epochs.size()) + "/" + std::to_string(r.config.epochs);
    if (r.epochs.empty())
        std::printf("%-36s %-12s %-9s %9s %8s %8s %8s\n", name.c_str(), r.config.arch.c_str(),
                    mnist::runStateName(r.state), epochs.c_str(), "-", "-", "-");
    else
        std::printf("%-36s %-12s %-9s %9s %7.2f%% %7.2f%% %7.2f%%\n", name.c_str(), r.config.arch.c_str(),
                    mnist::runStateName(r.state), epochs.c_str(), r.stats.bestTestAccuracy, r.stats.testAccuracyAtBestValid,
                    r.stats.finalTestAccuracy);
}

// The note's first line and the tags under the run's row, so that the table stays one row per run.
void printNotes(const mnist::RunRecord& r)
{
    if (!r.tags.empty()) {
        std::string tags;
        for (const std::string& t : r.tags)
            tags += (tags.empty() ? "" : " ") + t;
        std::printf("    tags: %s\n", tags.c_str());
    }
    if (!r.note.empty()) {
        const size_t end = r.note.find('\n');
        std::printf("    note: %s%s\n", r.note.substr(0, end).c_str(), end == std::string::npos ? "" : " ...");
    }
    if (!r.notesProblem.empty())
        std::printf("    notes unreadable: %s\n", r.notesProblem.c_str());
}

} // namespace

int listRunsCommand(const std::string& runsDir, bool json)
{
    const std::vector<mnist::RunRecord> runs = mnist::listRuns(runsDir);
    if (json) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& r : runs) {
            nlohmann::json row = {{"name", r.name},
                                  {"dir", r.dir},
                                  {"group", r.group},
                                  {"note", r.note},
                                  {"tags", r.tags},
                                  {"state", mnist::runStateName(r.state)},
                                  {"arch", r.damaged ? "" : r.config.arch},
                                  {"epochs_done", r.epochs.size()},
                                  {"epochs_planned", r.damaged ? 0 : r.config.epochs}};
            if (!r.damaged && !r.epochs.empty())
                row.update({{"best_test_acc", r.stats.bestTestAccuracy},
                            {"best_epoch", r.stats.bestEpoch},
                            {"test_acc_at_best_valid", r.stats.testAccuracyAtBestValid},
                            {"best_valid_epoch", r.stats.bestValidEpoch},
                            {"final_test_acc", r.stats.finalTestAccuracy}});
            if (r.damaged)
                row["problem"] = r.problem;
            if (!r.notesProblem.empty())
                row["notes_problem"] = r.notesProblem;
            rows.push_back(row);
        }
        std::cout << nlohmann::json{{"runs_dir", runsDir}, {"runs", rows}}.dump(2) << std::endl;
        return 0;
    }
    if (runs.empty()) {
        std::printf("no runs in %s\n", runsDir.c_str());
        return 0;
    }
    std::printf("%-36s %-12s %-9s %9s %8s %8s %8s\n", "run", "arch", "state", "epochs", "best", "honest", "final");
    for (const auto& r : runs) {
        // A trial is named by its sweep: trial-0003 alone says nothing.
        const std::string name = r.group.empty() ? r.name : r.group + "/" + r.name;
        printRow(r, name);
        printNotes(r);
    }
    std::printf("best: the notebook's metric (highest test accuracy of any epoch); honest: at the lowest valid loss; "
                "final: the last epoch\n");
    return 0;
}

namespace {

// The run's notes, to be changed: a damaged notes.json is refused rather than overwritten, so that
// what the user wrote is not lost to a typo made by hand.
mnist::RunNotes notesToChange(const std::string& dir)
{
    try {
        return mnist::readRunNotes(dir);
    } catch (const mnist::IoError& e) {
        throw mnist::IoError(std::string(e.what()) + " (fix or delete it first)");
    }
}

} // namespace

int tagRunCommand(const std::vector<std::string>& args, bool add, const std::string& runsDir)
{
    const char* flag = add ? "--tag" : "--untag";
    if (args.size() < 2)
        throw mnist::ConfigError(std::string(flag) + " needs a run and at least one tag: " + flag + " RUN TAG...");
    const std::string dir = mnist::resolveRunDir(args[0], runsDir);
    mnist::RunNotes notes = notesToChange(dir);
    std::vector<std::string> given;
    try {
        given = mnist::cleanTags({args.begin() + 1, args.end()});
    } catch (const mnist::ConfigError& e) {
        throw mnist::ConfigError(std::string(flag) + " " + args[0] + ": " + e.what());
    }
    if (add) {
        notes.tags.insert(notes.tags.end(), given.begin(), given.end());
    } else {
        for (const std::string& t : given) {
            const auto it = std::find(notes.tags.begin(), notes.tags.end(), t);
            if (it == notes.tags.end())
                std::fprintf(stderr, "mnist-train: %s has no tag \"%s\"\n", args[0].c_str(), t.c_str());
            else
                notes.tags.erase(it);
        }
    }
    mnist::writeRunNotes(dir, notes);
    notes.tags = mnist::cleanTags(notes.tags);
    std::string tags;
    for (const std::string& t : notes.tags)
        tags += " " + t;
    std::printf("%s: tags%s\n", dir.c_str(), tags.empty() ? " (none)" : tags.c_str());
    return 0;
}

int noteRunCommand(const std::vector<std::string>& args, const std::string& runsDir)
{
    // CLI11 drops an empty argument: `--note RUN ""` arrives as RUN alone, and clears the note.
    if (args.empty() || args.size() > 2)
        throw mnist::ConfigError("--note needs a run and the text: --note RUN TEXT (\"\" clears the note)");
    const std::string dir = mnist::resolveRunDir(args[0], runsDir);
    mnist::RunNotes notes = notesToChange(dir);
    notes.note = args.size() == 2 ? args[1] : std::string();
    mnist::writeRunNotes(dir, notes);
    std::printf("%s: %s\n", dir.c_str(), notes.note.empty() ? "note cleared" : "note saved");
    return 0;
}
