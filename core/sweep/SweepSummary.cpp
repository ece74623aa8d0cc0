#include "sweep/SweepSummary.h"

#include "Error.h"
#include "AtomicFile.h"
#include "run/RunIndex.h"
#include "run/RunLayout.h"
#include "search/Importance.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

namespace mnist {
namespace {

using json = nlohmann::json;

json spreadJson(const Spread& s)
{
    if (s.n == 0)
        return nullptr;
    return {{"mean", s.mean}, {"std", s.std}, {"min", s.min}, {"max", s.max}, {"n", s.n}};
}

std::string valueText(const json& v)
{
    return v.is_string() ? v.get<std::string>() : v.dump();
}

// "99.12 ± 0.05" (n > 1), "99.12" (n = 1), "-" (none).
std::string meanStd(const Spread& s, int decimals)
{
    if (s.n == 0)
        return "-";
    char text[64];
    if (s.n == 1)
        std::snprintf(text, sizeof text, "%.*f", decimals, s.mean);
    else
        std::snprintf(text, sizeof text, "%.*f ± %.*f", decimals, s.mean, decimals, s.std);
    return text;
}

// A CSV cell: quoted when it holds a comma, a quote or a line break.
std::string csvCell(const std::string& s)
{
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string q = "\"";
    for (char c : s)
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

} // namespace

Spread spreadOf(const std::vector<double>& values)
{
    Spread s;
    s.n = static_cast<int64_t>(values.size());
    if (values.empty())
        return s;
    double sum = 0;
    for (double v : values)
        sum += v;
    s.mean = sum / static_cast<double>(values.size());
    double squares = 0;
    for (double v : values)
        squares += (v - s.mean) * (v - s.mean);
    s.std = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
    s.min = *std::min_element(values.begin(), values.end());
    s.max = *std::max_element(values.begin(), values.end());
    return s;
}

const char* trialResultState(TrialState state)
{
    switch (state) {
    case TrialState::Finished: return "finished";
    case TrialState::Pruned: return "pruned";
    case TrialState::Diverged: return "diverged";
    case TrialState::Running: return "running";
    case TrialState::Failed:
    case TrialState::Damaged: return "failed";
    case TrialState::Pending:
    case TrialState::Interrupted:
    case TrialState::Stopped: break;
    }
    return "planned"; // not begun, or to be resumed
}

std::vector<TrialResult> trialResults(const SweepReading& reading)
{
    namespace fs = std::filesystem;
    const SweepFolder& sweep = reading.folder;
    std::vector<TrialResult> out;
    for (size_t i = 0; i < sweep.plan.trials.size(); ++i) {
        const SweepTrial& t = sweep.plan.trials[i];
        const RunRecord& run = reading.runs[i];
        const TrialStatus& status = sweep.status[i];
        TrialResult r;
        r.index = t.index;
        r.group = t.group;
        r.name = t.runName;
        r.params = t.params;
        r.seed = t.seed;
        r.state = trialResultState(status.state);
        r.message = status.message;
        r.maxEpochs = t.config.epochs;
        for (const EpochMetrics& m : run.epochs)
            r.validLoss.push_back(m.validLoss);
        r.epochs = static_cast<int64_t>(r.validLoss.size());
        if (status.state == TrialState::Diverged)
            r.objective = std::numeric_limits<double>::infinity();
        else if (!r.validLoss.empty())
            r.objective = std::isfinite(r.validLoss.back()) ? r.validLoss.back() : std::numeric_limits<double>::infinity();
        if (!r.validLoss.empty() && sweep.created > 0) {
            // The metrics file was last written when its last epoch ended.
            std::error_code ec;
            const auto written = fs::last_write_time(RunLayout(run.dir).metrics(), ec);
            if (!ec) {
                const auto now = std::chrono::duration<double>(fs::file_time_type::clock::now().time_since_epoch()).count();
                const auto at = std::chrono::duration<double>(written.time_since_epoch()).count();
                const double wall = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
                r.finishedAt = std::max(0.0, wall - (now - at) - sweep.created);
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

bool isSearch(const SweepSummary& summary)
{
    return summary.sampler == "tpe" || summary.pruner != "none";
}

std::vector<search::Observation> trialObservations(const std::vector<TrialResult>& results)
{
    std::vector<search::Observation> out;
    for (const TrialResult& r : results)
        if ((r.state == "finished" || r.state == "pruned" || r.state == "diverged") && !std::isnan(r.objective))
            out.push_back({r.params, r.objective});
    return out;
}

SweepSummary summarizeSweep(const std::string& dir)
{
    return summarizeSweep(readSweep(dir));
}

SweepSummary summarizeSweep(const SweepReading& reading)
{
    const SweepFolder& sweep = reading.folder;
    SweepSummary summary;
    summary.dir = sweep.dir;
    summary.keys = sweep.plan.keys;
    summary.trials = static_cast<int64_t>(sweep.plan.trials.size());
    std::map<int64_t, size_t> byGroup;
    struct Values {
        std::vector<double> honest, best, final, seconds;
    };
    std::vector<Values> values;
    for (size_t i = 0; i < sweep.plan.trials.size(); ++i) {
        const SweepTrial& t = sweep.plan.trials[i];
        auto [it, added] = byGroup.emplace(t.group, summary.groups.size());
        if (added) {
            SweepGroup g;
            g.group = t.group;
            g.params = t.params;
            summary.groups.push_back(std::move(g));
            values.emplace_back();
        }
        SweepGroup& g = summary.groups[it->second];
        ++g.runs;
        g.runDirs.push_back(trialDir(sweep, t));
        if (sweep.status[i].state != TrialState::Finished)
            continue;
        const RunRecord& run = reading.runs[i];
        if (run.damaged)
            continue;
        ++g.finished;
        ++summary.finished;
        Values& v = values[it->second];
        v.honest.push_back(run.stats.testAccuracyAtBestValid);
        v.best.push_back(run.stats.bestTestAccuracy);
        v.final.push_back(run.stats.finalTestAccuracy);
        v.seconds.push_back(run.stats.seconds);
    }
    for (size_t i = 0; i < summary.groups.size(); ++i) {
        SweepGroup& g = summary.groups[i];
        g.testAccAtBestValid = spreadOf(values[i].honest);
        g.bestTestAcc = spreadOf(values[i].best);
        g.finalTestAcc = spreadOf(values[i].final);
        g.seconds = spreadOf(values[i].seconds);
    }
    // Best first; a group with nothing finished has no mean to rank by and goes last, in plan order.
    std::stable_sort(summary.groups.begin(), summary.groups.end(), [](const SweepGroup& a, const SweepGroup& b) {
        if ((a.testAccAtBestValid.n > 0) != (b.testAccAtBestValid.n > 0))
            return a.testAccAtBestValid.n > 0;
        return a.testAccAtBestValid.mean > b.testAccAtBestValid.mean;
    });
    summary.trialResults = trialResults(reading);
    summary.sampler = sweep.plan.search.sampler;
    summary.pruner = sweep.plan.pruner.type;
    if (summary.pruner == "asha")
        summary.rungs = search::ashaRungs(sweep.plan.pruner.asha);
    const std::vector<search::Observation> seen = trialObservations(summary.trialResults);
    if (!summary.keys.empty() && seen.size() >= 2)
        summary.importance = search::paramImportance(sweepSpace(sweep.plan), seen);
    return summary;
}

nlohmann::json sweepSummaryJson(const SweepSummary& summary)
{
    json groups = json::array();
    for (const SweepGroup& g : summary.groups)
        groups.push_back({{"params", g.params},
                          {"runs", g.runs},
                          {"finished", g.finished},
                          {"test_acc_at_best_valid", spreadJson(g.testAccAtBestValid)},
                          {"best_test_acc", spreadJson(g.bestTestAcc)},
                          {"final_test_acc", spreadJson(g.finalTestAcc)},
                          {"seconds", spreadJson(g.seconds)},
                          {"run_dirs", g.runDirs}});
    json trials = json::array();
    for (const TrialResult& t : summary.trialResults) {
        trials.push_back({{"name", t.name},
                          {"state", t.state},
                          {"epochs", t.epochs},
                          {"params", t.params},
                          {"seed", t.seed},
                          {"objective", std::isfinite(t.objective) ? json(t.objective) : json(nullptr)}});
        if (!t.message.empty())
            trials.back()["message"] = t.message;
    }
    json importance = json::object();
    for (const auto& [key, share] : summary.importance)
        importance[key] = share;
    return {{"dir", summary.dir},         {"trials", std::move(trials)}, {"finished", summary.finished},
            {"keys", summary.keys},       {"groups", std::move(groups)}, {"sampler", summary.sampler},
            {"pruner", summary.pruner},   {"rungs", summary.rungs},      {"importance", std::move(importance)},
            {"trial_count", summary.trials}};
}

std::string sweepSummaryTable(const SweepSummary& summary)
{
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header = summary.keys;
    for (const char* h : {"runs", "honest test acc %", "best test acc %", "final test acc %", "seconds"})
        header.push_back(h);
    rows.push_back(header);
    for (const SweepGroup& g : summary.groups) {
        std::vector<std::string> row;
        for (const std::string& k : summary.keys)
            row.push_back(g.params.contains(k) ? valueText(g.params[k]) : "");
        row.push_back(std::to_string(g.finished) + "/" + std::to_string(g.runs));
        row.push_back(meanStd(g.testAccAtBestValid, 2));
        row.push_back(meanStd(g.bestTestAcc, 2));
        row.push_back(meanStd(g.finalTestAcc, 2));
        row.push_back(meanStd(g.seconds, 0));
        rows.push_back(std::move(row));
    }
    // Column widths in characters (± counts as one).
    auto width = [](const std::string& s) {
        size_t n = 0;
        for (unsigned char c : s)
            n += (c & 0xC0) != 0x80;
        return n;
    };
    std::vector<size_t> widths(header.size(), 0);
    for (const auto& row : rows)
        for (size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], width(row[c]));
    std::ostringstream out;
    out << summary.dir << ": " << summary.finished << " of " << summary.trials << " trials finished, " << summary.groups.size()
        << (summary.groups.size() == 1 ? " configuration" : " configurations") << " (mean ± sample std over seeds)\n";
    for (size_t r = 0; r < rows.size(); ++r) {
        for (size_t c = 0; c < rows[r].size(); ++c)
            out << (c ? "  " : "") << rows[r][c] << std::string(widths[c] - width(rows[r][c]), ' ');
        out << '\n';
        if (r == 0) {
            for (size_t c = 0; c < widths.size(); ++c)
                out << (c ? "  " : "") << std::string(widths[c], '-');
            out << '\n';
        }
    }
    if (isSearch(summary)) {
        out << "\nsearch: " << summary.sampler << ", pruner " << summary.pruner;
        for (size_t i = 0; i < summary.rungs.size(); ++i)
            out << (i ? ", " : " (rungs at epochs ") << summary.rungs[i] << (i + 1 == summary.rungs.size() ? ")" : "");
        out << "\n";
    }
    if (!summary.trialResults.empty()) {
        out << "\ntrial       state     epochs  objective (valid loss)  settings\n";
        for (const TrialResult& t : summary.trialResults) {
            char line[160];
            const std::string objective = std::isnan(t.objective)    ? "-"
                                          : std::isinf(t.objective) ? "inf"
                                                                    : [&] {
                                                                          char v[32];
                                                                          std::snprintf(v, sizeof v, "%.5f", t.objective);
                                                                          return std::string(v);
                                                                      }();
            std::snprintf(line, sizeof line, "%-10s  %-8s  %3lld/%-3lld %-22s  ", t.name.c_str(), t.state.c_str(),
                          static_cast<long long>(t.epochs), static_cast<long long>(t.maxEpochs), objective.c_str());
            out << line << (t.params.empty() ? std::string("base") : describeParams(t.params)) << "; seed " << t.seed;
            if (t.state == "failed" || t.state == "diverged")
                out << "\n            " << t.message;
            out << '\n';
        }
    }
    if (!summary.importance.empty()) {
        std::vector<std::pair<double, std::string>> ranked;
        for (const auto& [key, share] : summary.importance)
            ranked.push_back({share, key});
        std::sort(ranked.rbegin(), ranked.rend());
        out << "\nimportance (fANOVA over the finished and pruned trials' valid loss):\n";
        for (const auto& [share, key] : ranked) {
            char line[128];
            std::snprintf(line, sizeof line, "  %-28s %5.1f%%\n", key.c_str(), 100 * share);
            out << line;
        }
    }
    return out.str();
}

void writeSweepSummaryCsv(const SweepSummary& summary, const std::string& path)
{
    writeFileAtomically(path, [&](std::ostream& out) {
        out.precision(17);
        for (const std::string& k : summary.keys)
            out << csvCell(k) << ',';
        out << "runs,finished";
        for (const char* f : {"test_acc_at_best_valid", "best_test_acc", "final_test_acc", "seconds"})
            for (const char* s : {"mean", "std", "min", "max"})
                out << ',' << f << '_' << s;
        out << '\n';
        for (const SweepGroup& g : summary.groups) {
            for (const std::string& k : summary.keys)
                out << csvCell(g.params.contains(k) ? valueText(g.params[k]) : "") << ',';
            out << g.runs << ',' << g.finished;
            for (const Spread* s : {&g.testAccAtBestValid, &g.bestTestAcc, &g.finalTestAcc, &g.seconds}) {
                if (s->n == 0)
                    out << ",,,,";
                else
                    out << ',' << s->mean << ',' << s->std << ',' << s->min << ',' << s->max;
            }
            out << '\n';
        }
    });
}

} // namespace mnist
