#include "sweep/SweepScheduler.h"

#include "Error.h"

#include <algorithm>
#include <cmath>

namespace mnist {
namespace {

bool resumable(TrialState s)
{
    return s == TrialState::Interrupted || s == TrialState::Stopped || s == TrialState::Failed;
}

// Marks trial i running with `lease` taken, saves, and fills the claim; false when someone else holds its lease.
bool take(SweepFolder& sweep, size_t i, const std::string& why, TrialClaim& claim)
{
    TrialLease lease = TrialLease::tryTake(sweep.dir, sweep.plan.trials[i].runName);
    if (!lease.held())
        return false;
    sweep.status[i] = {TrialState::Running, {}, 0};
    saveSweepFolder(sweep);
    claim.index = static_cast<int64_t>(i);
    claim.why = why;
    claim.lease = std::move(lease);
    return true;
}

} // namespace

std::vector<search::TrialCurve> trialCurves(const std::vector<TrialResult>& results)
{
    std::vector<search::TrialCurve> curves;
    for (const TrialResult& r : results) {
        search::TrialCurve c;
        c.validLoss = r.validLoss;
        c.paused = r.state == "pruned";
        c.finished = r.state == "finished";
        curves.push_back(std::move(c));
    }
    return curves;
}

TrialClaim claimNextTrial(const std::string& dir, const std::set<int64_t>& skip)
{
    const SweepLock lock(dir);
    SweepReading reading = readSweep(dir, &lock);
    SweepFolder& sweep = reading.folder;
    const std::vector<TrialResult> results = trialResults(reading);
    TrialClaim claim;
    const size_t n = sweep.plan.trials.size();
    const auto skipped = [&](size_t i) { return skip.count(static_cast<int64_t>(i)) > 0; };
    const int64_t running = std::count_if(sweep.status.begin(), sweep.status.end(),
                                          [](const TrialStatus& s) { return s.state == TrialState::Running; });
    bool pending = false, toResume = false;
    for (size_t i = 0; i < n; ++i) {
        pending = pending || (sweep.status[i].state == TrialState::Pending && !skipped(i));
        toResume = toResume || (resumable(sweep.status[i].state) && !skipped(i));
    }
    const bool drawsLeft = sweep.plan.search.sampler == "tpe" && sweep.plan.groups < sweep.plan.search.tpeTrials;

    // 1. ASHA's promotions first: a paused trial that now ranks in its rung's top 1/eta.
    if (sweep.plan.pruner.type == "asha") {
        const bool draining = !pending && !toResume && !drawsLeft && running == 0;
        const int64_t p = search::ashaPromotion(sweep.plan.pruner.asha, trialCurves(results), draining);
        if (p >= 0 && !skipped(static_cast<size_t>(p)) &&
            take(sweep, static_cast<size_t>(p), "promoted at epoch " + std::to_string(results[static_cast<size_t>(p)].epochs), claim))
            return claim;
    }
    // 2. What was begun and did not end: killed, stopped, or failed (once per worker).
    for (size_t i = 0; i < n; ++i)
        if (resumable(sweep.status[i].state) && !skipped(i) && take(sweep, i, "resumed", claim))
            return claim;
    // 3. The planned trials, in order.
    for (size_t i = 0; i < n; ++i)
        if (sweep.status[i].state == TrialState::Pending && !skipped(i) && take(sweep, i, "new", claim))
            return claim;
    // 4. TPE draws a configuration from the trials ended by now.
    if (drawsLeft) {
        const int64_t group = sweep.plan.groups;
        const nlohmann::json params = drawTpeConfiguration(sweep.plan, group, trialObservations(results));
        const size_t first = sweep.plan.trials.size();
        const std::vector<FieldProblem> problems = appendConfiguration(sweep.plan, params);
        sweep.status.resize(sweep.plan.trials.size());
        if (!problems.empty()) {
            // The space's ends were checked when the sweep was planned; a value inside it that a
            // setting still refuses is recorded, not retried.
            std::string message;
            for (const FieldProblem& fp : problems)
                message += (message.empty() ? "" : "; ") + fp.field + ": " + fp.message;
            for (size_t i = first; i < sweep.plan.trials.size(); ++i)
                sweep.status[i] = {TrialState::Failed, message, 0};
            saveSweepFolder(sweep);
            claim.searchOver = false;
            return claim; // the caller asks again: the next draw is another group
        }
        saveSweepFolder(sweep);
        if (take(sweep, first, "drawn by TPE", claim))
            return claim;
    }
    claim.searchOver = running == 0 && !drawsLeft;
    return claim;
}

EpochDecision decideAfterEpoch(const std::string& dir, int64_t index, int64_t epoch)
{
    const SweepLock lock(dir);
    SweepReading reading = readSweep(dir, &lock);
    SweepFolder& sweep = reading.folder;
    EpochDecision d;
    if (index < 0 || index >= static_cast<int64_t>(sweep.plan.trials.size()))
        return d;
    const auto i = static_cast<size_t>(index);
    const SweepPruner& pruner = sweep.plan.pruner;
    if (pruner.type == "none" || epoch >= sweep.plan.trials[i].config.epochs)
        return d;
    const std::vector<TrialResult> results = trialResults(reading);
    if (results[i].epochs < epoch)
        return d; // its run folder does not show the epoch: nothing to decide on
    std::vector<search::TrialCurve> curves = trialCurves(results);
    int64_t reached = 0;
    const int64_t rank = search::rankAtEpoch(curves, i, epoch, &reached);
    if (pruner.type == "asha") {
        if (search::ashaContinues(pruner.asha, curves, i, epoch))
            return d;
        const int64_t top = reached / pruner.asha.reductionFactor;
        d.why = "paused at rung " + std::to_string(epoch) + ": " + std::to_string(rank + 1) + " of the " + std::to_string(reached) +
                " trials there, " +
                (top == 0 ? "where none goes on until " + std::to_string(pruner.asha.reductionFactor) + " have arrived"
                          : "where the top " + std::to_string(top) + " go on") +
                " (it may be promoted later)";
    } else {
        if (!search::medianPrunes(pruner.median, curves, i, epoch))
            return d;
        d.why = "pruned at epoch " + std::to_string(epoch) + ": its valid loss is worse than the median of the " +
                std::to_string(reached - 1) + " other trials there";
    }
    d.goOn = false;
    sweep.status[i] = {TrialState::Pruned, d.why, epoch};
    saveSweepFolder(sweep);
    return d;
}

void recordTrialEnd(const std::string& dir, int64_t index, const TrialStatus& status)
{
    const SweepLock lock(dir);
    SweepReading reading = readSweep(dir, &lock);
    SweepFolder& sweep = reading.folder;
    if (index < 0 || index >= static_cast<int64_t>(sweep.plan.trials.size()))
        return;
    const auto i = static_cast<size_t>(index);
    const TrialState now = sweep.status[i].state;
    if (now == TrialState::Finished || now == TrialState::Pruned || now == TrialState::Diverged)
        return;
    sweep.status[i] = status;
    sweep.status[i].epochs = static_cast<int64_t>(reading.runs[i].epochs.size());
    saveSweepFolder(sweep);
}

} // namespace mnist
