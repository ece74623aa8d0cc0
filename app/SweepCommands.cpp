#include "SweepCommands.h"

#include "TrainCommand.h"

#include "Error.h"
#include "AtomicFile.h"
#include "run/RunFolder.h"
#include "run/RunIndex.h"
#include "run/RunLayout.h"
#include "sweep/JobScripts.h"
#include "sweep/SweepFolder.h"
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
// DIR/logs/trial-NNNN.log. Returns its pid; throws IoError when it cannot be started.
pid_t startTrial(const std::string& self, const mnist::SweepFolder& sweep, const mnist::SweepTrial& t, int threads)
{
    const std::string log = (fs::path(sweep.dir) / "logs" / (t.runName + ".log")).string();
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
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        const char* argv[] = {self.c_str(), "--sweep-task", sweep.dir.c_str(), "--index", index.c_str(),
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

// Runs the unfinished trials here, `jobs` at a time. Returns the exit code.
int runLocally(mnist::SweepFolder& sweep, const std::string& self, int jobs, int threads, mnist::StopToken& stop)
{
    std::vector<size_t> queue;
    for (size_t i = 0; i < sweep.plan.trials.size(); ++i)
        if (sweep.status[i].state != mnist::TrialState::Finished)
            queue.push_back(i);
    const size_t total = sweep.plan.trials.size();
    size_t finished = total - queue.size();
    std::printf("%zu of %zu trials to run, %d at a time with %d thread%s each; logs in %s/logs\n", queue.size(), total, jobs,
                threads, threads == 1 ? "" : "s", sweep.dir.c_str());
    std::fflush(stdout);

    struct Running {
        size_t trial;
        size_t epochs = 0;
    };
    std::map<pid_t, Running> running;
    size_t next = 0;
    bool failed = false, stopping = false;
    auto lastPoll = std::chrono::steady_clock::now();
    while (next < queue.size() || !running.empty()) {
        if (stop.stopRequested() && !stopping) {
            stopping = true;
            std::printf("stopping: each running trial saves a checkpoint; the same command continues the sweep\n");
            std::fflush(stdout);
            for (const auto& [pid, r] : running)
                kill(pid, SIGINT);
        }
        while (!stopping && next < queue.size() && static_cast<int>(running.size()) < jobs) {
            const size_t i = queue[next++];
            const mnist::SweepTrial& t = sweep.plan.trials[i];
            running[startTrial(self, sweep, t, threads)] = Running{i};
            sweep.status[i] = {mnist::TrialState::Running, {}};
            mnist::saveSweepFolder(sweep);
            std::printf("[%zu/%zu] %s: started\n", finished, total, trialName(t).c_str());
            std::fflush(stdout);
        }
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0 && running.count(pid)) {
            const size_t i = running[pid].trial;
            running.erase(pid);
            const mnist::SweepTrial& t = sweep.plan.trials[i];
            mnist::TrialStatus s = mnist::trialStatusOnDisk(sweep, t);
            const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            if (code != 0 && code != 130 && s.state != mnist::TrialState::Finished) {
                const std::string log = (fs::path(sweep.dir) / "logs" / (t.runName + ".log")).string();
                s = {mnist::TrialState::Failed, "exit code " + std::to_string(code) + ": " + lastLine(log)};
                failed = true;
            }
            finished += s.state == mnist::TrialState::Finished;
            sweep.status[i] = s;
            mnist::saveSweepFolder(sweep);
            std::printf("[%zu/%zu] %s: %s\n", finished, total, trialName(t).c_str(), describeOutcome(sweep, t, s).c_str());
            std::fflush(stdout);
            continue;
        }
        // Each running trial's epochs, once a second.
        if (std::chrono::steady_clock::now() - lastPoll > std::chrono::seconds(1)) {
            lastPoll = std::chrono::steady_clock::now();
            for (auto& [p, r] : running) {
                const mnist::SweepTrial& t = sweep.plan.trials[r.trial];
                const size_t done = epochsDone(mnist::trialDir(sweep, t));
                if (done != r.epochs) {
                    r.epochs = done;
                    std::printf("[%zu/%zu] %s: epoch %zu of %lld\n", finished, total, t.runName.c_str(), done,
                                static_cast<long long>(t.config.epochs));
                    std::fflush(stdout);
                }
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::printf("\n%s", mnist::sweepSummaryTable(mnist::summarizeSweep(sweep.dir)).c_str());
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
        for (const mnist::SweepTrial& t : sweep.plan.trials)
            gpu = gpu || t.config.device.rfind("cuda", 0) == 0;
    } else {
        if (r.outDir.empty())
            throw mnist::ConfigError("--sweep needs --out DIR: the sweep's folder (sweep.json and one run folder per trial)");
        mnist::SweepPlan plan = mnist::loadSweepSpec(r.specPath);
        for (mnist::SweepTrial& t : plan.trials)
            applyGiven(t.config, r.machine);
        gpu = mnist::applyMachineSettings(plan, {}, {});
        dir = absolute(r.outDir);
        sweep = mnist::openSweepFolder(dir, plan);
    }
    mnist::refreshSweepStatus(sweep);
    const int64_t done = std::count_if(sweep.status.begin(), sweep.status.end(),
                                       [](const mnist::TrialStatus& s) { return s.state == mnist::TrialState::Finished; });
    std::printf("sweep %s: %zu trials (%lld configurations x %zu seeds), %lld finished\n", dir.c_str(), sweep.plan.trials.size(),
                static_cast<long long>(sweep.plan.groups), sweep.plan.seeds.size(), static_cast<long long>(done));

    const int given = r.machine.value("threads", 0);
    const int jobs = r.jobs > 0 ? r.jobs : gpu ? 1 : (given > 0 ? std::max(1, cores() / given) : cores());
    const int threads = given > 0 ? given : std::max(1, cores() / jobs);
    mnist::ClusterJob job;
    job.mnistTrain = absolute(r.self);
    job.threads = threads;
    job.parallel = r.jobs;
    for (size_t i = 0; i < sweep.plan.trials.size(); ++i)
        if (sweep.status[i].state != mnist::TrialState::Finished)
            job.indices.push_back(sweep.plan.trials[i].index);

    if (r.slurm || r.kubernetes) {
        if (job.indices.empty()) {
            std::printf("every trial is finished: nothing to submit\n");
            return 0;
        }
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
        std::printf("submitted Slurm job %s (%zu array tasks); follow it with: squeue -j %s; then: mnist-train --sweep-summary %s\n",
                    id.c_str(), job.indices.size(), id.c_str(), dir.c_str());
        return 0;
    }
    catchInterrupts(&stop);
    const int code = runLocally(sweep, r.self, jobs, threads, stop);
    catchInterrupts(nullptr);
    return code;
}

int sweepTaskCommand(const std::string& dirArg, int64_t index, const nlohmann::json& machine, mnist::StopToken& stop)
{
    const std::string dir = absolute(dirArg);
    const mnist::SweepFolder sweep = mnist::readSweepFolder(dir);
    if (index < 0 || index >= static_cast<int64_t>(sweep.plan.trials.size()))
        throw mnist::ConfigError("--index " + std::to_string(index) + ": the sweep in " + dir + " has trials 0 to " +
                                 std::to_string(sweep.plan.trials.size() - 1));
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
    return trainCommand(std::move(request), stop);
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
