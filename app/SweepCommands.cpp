#include "SweepCommands.h"

#include "TrainCommand.h"

#include "Error.h"
#include "AtomicFile.h"
#include "run/RunFolder.h"
#include "run/RunIndex.h"
#include "run/RunLayout.h"
#include "sweep/JobScripts.h"
#include "sweep/SweepFolder.h"
#include "sweep/SweepLock.h"
#include "sweep/SweepScheduler.h"
#include "sweep/SweepSpec.h"
#include "sweep/SweepSummary.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace {

namespace fs = std::filesystem;

std::string absolute(const std::string& path)
{
    return fs::absolute(path).lexically_normal().string();
}

int cores()
{
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// "trial-0003 (batch_size=64, lr=0.003; seed 1)".
std::string trialName(const mnist::SweepTrial& t)
{
    return t.runName + " (" + (t.params.empty() ? std::string() : mnist::describeParams(t.params) + "; ") + "seed " +
           std::to_string(t.seed) + ")";
}

// The last non-empty line of a log, for a failure's message.
std::string lastLine(const std::string& path)
{
    std::ifstream in(path);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty() && line.find('\r') == std::string::npos)
            last = line;
    return last;
}

// Epochs a run folder has finished (its metrics.csv rows), quietly 0 when unreadable.
size_t epochsDone(const std::string& runDir)
{
    std::ifstream in(mnist::RunLayout(runDir).metrics());
    size_t lines = 0;
    std::string line;
    while (std::getline(in, line))
        lines += !line.empty();
    return lines > 0 ? lines - 1 : 0;
}

// One trial's process: `self --sweep-task DIR --index I --threads T`, its output appended to
// DIR/logs/trial-NNNN.log, holding the trial's lease with the worker. Returns its pid; throws
// IoError when it cannot be started.
pid_t startTrial(const std::string& self, const std::string& dir, const mnist::SweepTrial& t, const mnist::TrialLease& lease,
                 int threads)
{
    const std::string log = (fs::path(dir) / "logs" / (t.runName + ".log")).string();
    const std::string index = std::to_string(t.index), threadText = std::to_string(threads);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0)
        throw mnist::IoError(std::string("cannot start a trial's process: ") + std::strerror(errno));
    if (pid == 0) {
        // Its own process group: a Ctrl-C in the terminal reaches the sweep, which passes one on
        // (two would end the trial without saving). Killed with the sweep, it stops as on Ctrl-C.
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGINT);
        if (getppid() != parent)
            _exit(130);
        lease.passOn();
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        const char* argv[] = {self.c_str(), "--sweep-task", dir.c_str(), "--index", index.c_str(),
                              "--threads", threadText.c_str(), nullptr};
        execv(self.c_str(), const_cast<char* const*>(argv));
        std::fprintf(stderr, "mnist-train: cannot run %s: %s\n", self.c_str(), std::strerror(errno));
        _exit(127);
    }
    return pid;
}

std::string describeOutcome(const mnist::SweepFolder& sweep, const mnist::SweepTrial& t, const mnist::TrialStatus& s)
{
    std::ostringstream out;
    out << mnist::trialStateName(s.state);
    if (s.state == mnist::TrialState::Finished || s.state == mnist::TrialState::Stopped) {
        const mnist::RunRecord run = mnist::readRun(mnist::trialDir(sweep, t));
        char figures[128];
        std::snprintf(figures, sizeof figures, ", %.2f%% at the lowest valid loss, %.0f s", run.stats.testAccuracyAtBestValid,
                      run.stats.seconds);
        out << figures;
    }
    if (!s.message.empty())
        out << ": " << s.message;
    return out.str();
}

// The sweep's counts now, for the progress lines: "[finished/trials]".
std::string progress(const mnist::SweepFolder& sweep)
{
    const auto finished = std::count_if(sweep.status.begin(), sweep.status.end(), [](const mnist::TrialStatus& s) {
        return s.state == mnist::TrialState::Finished || s.state == mnist::TrialState::Pruned || s.state == mnist::TrialState::Diverged;
    });
    return "[" + std::to_string(finished) + "/" + std::to_string(mnist::plannedTrialCount(sweep.plan)) + "]";
}

// The worker loop, the same here and in each Slurm task: claim a trial from the sweep folder
// (sweep/SweepScheduler.h), run it in a process of its own, `slots` at a time, until the search is
// over. Returns the exit code.
int runWorker(const std::string& dir, const std::string& self, int slots, int threads, mnist::StopToken& stop)
{
    struct Running {
        int64_t trial = 0;
        mnist::TrialLease lease;
        size_t epochs = 0;
    };
    std::map<pid_t, Running> running;
    std::set<int64_t> failedHere; // not claimed again by this worker
    bool failed = false, stopping = false, over = false;
    auto lastPoll = std::chrono::steady_clock::now();
    auto lastClaim = std::chrono::steady_clock::time_point{};
    while (!(over || stopping) || !running.empty()) {
        if (stop.stopRequested() && !stopping) {
            stopping = true;
            std::printf("stopping: each running trial saves a checkpoint; the same command continues the sweep\n");
            std::fflush(stdout);
            for (const auto& [pid, r] : running)
                kill(pid, SIGINT);
        }
        // Fill the free slots; with none to claim now, ask again a little later (another worker's
        // trial may end, and ASHA promote, or TPE have something to learn from).
        const bool retry = std::chrono::steady_clock::now() - lastClaim > std::chrono::seconds(2);
        while (!stopping && !over && static_cast<int>(running.size()) < slots && retry) {
            mnist::TrialClaim claim = mnist::claimNextTrial(dir, failedHere);
            if (claim.index < 0) {
                over = claim.searchOver && running.empty();
                lastClaim = std::chrono::steady_clock::now();
                if (!claim.searchOver || !running.empty())
                    break;
                continue;
            }
            const mnist::SweepFolder sweep = mnist::readSweepFolder(dir);
            const mnist::SweepTrial& t = sweep.plan.trials[static_cast<size_t>(claim.index)];
            const pid_t pid = startTrial(self, dir, t, claim.lease, threads);
            running[pid] = Running{claim.index, std::move(claim.lease), epochsDone(mnist::trialDir(sweep, t))};
            std::printf("%s %s: %s\n", progress(sweep).c_str(), trialName(t).c_str(), claim.why.c_str());
            std::fflush(stdout);
        }
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0 && running.count(pid)) {
            const int64_t index = running[pid].trial;
            running.erase(pid); // releases the lease: the trial is not running any more
            const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            mnist::SweepFolder sweep = mnist::readSweepFolder(dir);
            const mnist::SweepTrial t = sweep.plan.trials[static_cast<size_t>(index)]; // a copy: the refresh below replaces `sweep`
            if (code != 0 && code != 130) {
                const std::string log = (fs::path(dir) / "logs" / (t.runName + ".log")).string();
                mnist::recordTrialEnd(dir, index, {mnist::TrialState::Failed, "exit code " + std::to_string(code) + ": " + lastLine(log)});
            }
            mnist::refreshSweepStatus(sweep);
            const mnist::TrialStatus& s = sweep.status[static_cast<size_t>(index)];
            if (s.state == mnist::TrialState::Failed) {
                failed = true;
                failedHere.insert(index);
            }
            std::printf("%s %s: %s\n", progress(sweep).c_str(), trialName(t).c_str(), describeOutcome(sweep, t, s).c_str());
            std::fflush(stdout);
            lastClaim = {};
            continue;
        }
        // Each running trial's epochs, once a second.
        if (std::chrono::steady_clock::now() - lastPoll > std::chrono::seconds(1)) {
            lastPoll = std::chrono::steady_clock::now();
            for (auto& [p, r] : running) {
                const std::string runDir = (fs::path(dir) / mnist::trialRunName(r.trial)).string();
                const size_t done = epochsDone(runDir);
                if (done != r.epochs) {
                    r.epochs = done;
                    std::printf("  %s: epoch %zu\n", mnist::trialRunName(r.trial).c_str(), done);
                    std::fflush(stdout);
                }
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (stopping)
        return 130;
    return failed ? 1 : 0;
}

std::vector<std::string> splitWords(const std::string& text)
{
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;)
        words.push_back(w);
    return words;
}

// Runs a command, returns its stdout; throws IoError with its output when it fails.
std::string runCommand(const std::vector<std::string>& words)
{
    std::string command;
    for (const std::string& w : words)
        command += (command.empty() ? "" : " ") + mnist::shellQuote(w);
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (!p)
        throw mnist::IoError("cannot run " + command);
    std::string out;
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    const int status = pclose(p);
    if (status != 0)
        throw mnist::IoError(command + " failed" + (out.empty() ? std::string() : ":\n" + out));
    return out;
}

// Sets each of `given`'s settings (by JSON key) in `config`.
void applyGiven(mnist::TrainConfig& config, const nlohmann::json& given)
{
    for (auto it = given.begin(); it != given.end(); ++it)
        mnist::setFieldFromJson(config, *mnist::findField(it.key()), it.value());
}

} // namespace

int sweepCommand(const SweepRequest& r, mnist::StopToken& stop)
{
    // A sweep folder's own sweep.json continues that sweep; any other file is a spec.
    std::string dir, existing;
    mnist::SweepFolder sweep;
    bool gpu = false;
    if (mnist::isSweepFile(r.specPath, &existing)) {
        if (!r.outDir.empty() && absolute(r.outDir) != existing)
            throw mnist::ConfigError(r.specPath + " is the sweep of " + existing + ": drop --out, or give that folder");
        dir = existing;
        sweep = mnist::readSweepFolder(dir);
        gpu = sweep.plan.base.device.rfind("cuda", 0) == 0;
        for (const mnist::SweepTrial& t : sweep.plan.trials)
            gpu = gpu || t.config.device.rfind("cuda", 0) == 0;
    } else {
        if (r.outDir.empty())
            throw mnist::ConfigError("--sweep needs --out DIR: the sweep's folder (sweep.json and one run folder per trial)");
        mnist::SweepPlan plan = mnist::loadSweepSpec(r.specPath);
        applyGiven(plan.base, r.machine);
        for (mnist::SweepTrial& t : plan.trials)
            applyGiven(t.config, r.machine);
        gpu = mnist::applyMachineSettings(plan, {}, {});
        dir = absolute(r.outDir);
        sweep = mnist::openSweepFolder(dir, plan);
    }
    mnist::refreshSweepStatus(sweep);
    const int64_t done = std::count_if(sweep.status.begin(), sweep.status.end(),
                                       [](const mnist::TrialStatus& s) { return s.state == mnist::TrialState::Finished; });
    const bool tpe = sweep.plan.search.sampler == "tpe";
    const int64_t planned = mnist::plannedTrialCount(sweep.plan);
    std::printf("sweep %s: %lld trials (%lld configurations%s x %zu seeds), %lld finished; %s\n", dir.c_str(),
                static_cast<long long>(planned), static_cast<long long>(tpe ? sweep.plan.search.tpeTrials : sweep.plan.groups),
                tpe ? " drawn by TPE" : "", sweep.plan.seeds.size(), static_cast<long long>(done),
                sweep.plan.pruner.type == "none" ? "no pruner" : ("pruner " + sweep.plan.pruner.type).c_str());

    const int given = r.machine.value("threads", 0);
    const int jobs = r.jobs > 0 ? r.jobs : gpu ? 1 : (given > 0 ? std::max(1, cores() / given) : cores());
    const int threads = given > 0 ? given : std::max(1, cores() / jobs);

    if (r.slurm || r.kubernetes) {
        // Planned or still to be drawn, less those that ended for good.
        const int64_t left = planned - std::count_if(sweep.status.begin(), sweep.status.end(), [](const mnist::TrialStatus& s) {
                                           return s.state == mnist::TrialState::Finished || s.state == mnist::TrialState::Diverged;
                                       });
        if (left == 0) {
            std::printf("every trial is finished: nothing to submit\n");
            return 0;
        }
        mnist::ClusterJob job;
        job.mnistTrain = absolute(r.self);
        job.threads = threads;
        // Without --jobs, as many workers as trials to run: the cluster decides how many run at once.
        job.workers = r.jobs > 0 ? r.jobs : left;
        const std::string file = (fs::path(dir) / (r.slurm ? "sweep.sbatch" : "sweep-job.yaml")).string();
        const std::string text = r.slurm ? mnist::slurmArrayScript(sweep, job) : mnist::kubernetesIndexedJob(sweep, job, r.image, r.claim);
        mnist::writeFileAtomically(file, [&](std::ostream& out) { out << text; });
        std::printf("wrote %s\n", file.c_str());
        if (r.kubernetes) {
            std::printf("apply it with: kubectl apply -f %s\n", file.c_str());
            return 0;
        }
        if (r.dryRun) {
            std::printf("submit it with: sbatch %s%s\n", r.sbatchArgs.empty() ? "" : (r.sbatchArgs + " ").c_str(), file.c_str());
            return 0;
        }
        std::vector<std::string> words = {"sbatch", "--parsable"};
        for (const std::string& w : splitWords(r.sbatchArgs))
            words.push_back(w);
        words.push_back(file);
        std::string id = runCommand(words);
        id.erase(id.find_last_not_of(" \n\r\t") + 1);
        id = id.substr(id.find_last_of('\n') + 1); // sbatch may print warnings first
        std::printf("submitted Slurm job %s (%lld workers); follow it with: squeue -j %s; then: mnist-train --sweep-summary %s\n",
                    id.c_str(), static_cast<long long>(job.workers), id.c_str(), dir.c_str());
        return 0;
    }
    std::printf("%d at a time with %d thread%s each; logs in %s/logs\n", jobs, threads, threads == 1 ? "" : "s", dir.c_str());
    std::fflush(stdout);
    catchInterrupts(&stop);
    const int code = runWorker(dir, r.self, jobs, threads, stop);
    catchInterrupts(nullptr);
    std::printf("\n%s", mnist::sweepSummaryTable(mnist::summarizeSweep(dir)).c_str());
    return code;
}

int sweepWorkerCommand(const std::string& dirArg, const std::string& self, const nlohmann::json& machine, mnist::StopToken& stop)
{
    const std::string dir = absolute(dirArg);
    mnist::readSweepFolder(dir); // a clear error for a folder that is not a sweep
    const int threads = std::max(1, machine.value("threads", cores()));
    std::printf("worker on %s for the sweep %s\n", [] {
        char host[256] = "?";
        gethostname(host, sizeof host - 1);
        return std::string(host);
    }().c_str(), dir.c_str());
    std::fflush(stdout);
    catchInterrupts(&stop);
    const int code = runWorker(dir, self, 1, threads, stop);
    catchInterrupts(nullptr);
    return code;
}

int sweepTaskCommand(const std::string& dirArg, int64_t index, const nlohmann::json& machine, mnist::StopToken& stop)
{
    const std::string dir = absolute(dirArg);
    const mnist::SweepFolder sweep = mnist::readSweepFolder(dir);
    if (index < 0 || index >= static_cast<int64_t>(sweep.plan.trials.size()))
        throw mnist::ConfigError("--index " + std::to_string(index) + ": the sweep in " + dir + " has trials 0 to " +
                                 std::to_string(static_cast<int64_t>(sweep.plan.trials.size()) - 1));
    const mnist::SweepTrial& t = sweep.plan.trials[static_cast<size_t>(index)];
    const std::string runDir = mnist::trialDir(sweep, t);
    const mnist::TrialStatus s = mnist::trialStatusOnDisk(sweep, t);
    std::fprintf(stderr, "sweep %s, %s\n", dir.c_str(), trialName(t).c_str());
    if (s.state == mnist::TrialState::Finished) {
        std::fprintf(stderr, "%s is finished: nothing to do\n", runDir.c_str());
        return 0;
    }
    TrainRequest request;
    const bool begun = mnist::RunLayout(runDir).isRunFolder();
    request.config = begun ? mnist::loadRunConfig(runDir) : t.config;
    applyGiven(request.config, machine); // a begun trial resumes: the machine's settings may change then
    (begun ? request.resumeDir : request.outDir) = runDir;
    // The pruner decides after each recorded epoch, from every trial's curve in the sweep folder.
    bool pruned = false;
    if (sweep.plan.pruner.type != "none")
        request.afterEpoch = [&](const mnist::EpochMetrics& m) {
            const mnist::EpochDecision d = mnist::decideAfterEpoch(dir, index, m.epoch);
            if (!d.goOn) {
                pruned = true;
                std::fprintf(stderr, "%s\n", d.why.c_str());
            }
            return d.goOn;
        };
    try {
        const int code = trainCommand(std::move(request), stop);
        return pruned ? 0 : code;
    } catch (const mnist::DivergedError& e) {
        // A result, not a failure: the search counts it as its worst objective and goes on.
        mnist::recordTrialEnd(dir, index, {mnist::TrialState::Diverged, e.what()});
        std::fprintf(stderr, "diverged: %s\n", e.what());
        return 0;
    }
}

int sweepSummaryCommand(const std::string& dir, bool json, const std::string& csvPath)
{
    const mnist::SweepSummary summary = mnist::summarizeSweep(dir);
    if (json)
        std::cout << mnist::sweepSummaryJson(summary).dump(2) << std::endl;
    else
        std::cout << mnist::sweepSummaryTable(summary);
    if (!csvPath.empty()) {
        mnist::writeSweepSummaryCsv(summary, csvPath);
        std::fprintf(stderr, "wrote %s\n", csvPath.c_str());
    }
    return 0;
}
