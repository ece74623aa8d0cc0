// mnist-bench: training, evaluation and augmentation throughput of the core on this machine,
// beside our own first (plain) loop measured in the same run, written to bench/results/latest.json.
// The notebook's PyTorch pipeline is measured against whole mnist-train processes by
// bench/peer-compare.sh, which uses this program's --model-py and --augment-only.
#include "HandWrittenNetworks.h"
#include "SourceDir.h"
#include "augment/BatchAugmenter.h"
#include "data/Dataset.h"
#include "AtomicFile.h"
#include "formats/ModelPy.h"
#include "models/MemoryLayout.h"
#include "models/ModelRegistry.h"
#include "models/PoolTail.h"
#include "models/SpecNetwork.h"
#include "train/Allocator.h"
#include "train/CalibrationCache.h"
#include "train/Device.h"
#include "train/Precision.h"
#include "spec/Recipes.h"
#include "train/Threading.h"
#include "train/Trainer.h"

#include <nlohmann/json.hpp>
#include <torch/csrc/autograd/profiler_kineto.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sys/resource.h>
#include <thread>

// OpenMP's waiting and malloc's huge pages set before any library starts (train/Threading.h).
MNIST_STUDIO_SETTINGS_AT_LOAD

namespace {

using Clock = std::chrono::steady_clock;

struct Case {
    std::string arch;
    int64_t batch;
    bool augment;
    int64_t trainImages; // a partial epoch keeps the suite short
};

double peakRssMiB()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// The notebook's transforms over the first `n` training images (a multiple of 100) in batches of
// 100: images per second, through augment() or, for comparison, the tensor ops it replaces on the CPU.
double augmentationRate(const mnist::DataSplits& data, const torch::Device& dev, int64_t n, bool tensorOps = false)
{
    const mnist::BatchAugmenter augmenter(mnist::notebookAugmentation());
    const torch::Tensor x = mnist::imagesToInput(data.train.images.narrow(0, 0, n), dev);
    const auto run = [&](const torch::Tensor& batch) {
        return tensorOps ? augmenter.augmentWithTensorOps(batch) : augmenter.augment(batch);
    };
    run(x.narrow(0, 0, 100));
    const auto t0 = Clock::now();
    for (int64_t start = 0; start < n; start += 100)
        run(x.narrow(0, start, 100));
    if (dev.is_cuda())
        torch::cuda::synchronize();
    return static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

mnist::DataSplits subset(const mnist::DataSplits& all, int64_t train)
{
    mnist::DataSplits s;
    s.train = {all.train.images.narrow(0, 0, train), all.train.labels.narrow(0, 0, train)};
    s.valid = {all.valid.images.narrow(0, 0, 500), all.valid.labels.narrow(0, 0, 500)};
    s.test = {all.test.images.narrow(0, 0, 500), all.test.labels.narrow(0, 0, 500)};
    return s;
}

// One step of a plain loop (no augmentation, no scheduler) on the training images from `start`:
// returns the loss.
torch::Tensor plainStep(mnist::Network& net, torch::optim::Optimizer& optimizer, const mnist::DataSplits& data, int64_t start,
                        int64_t batch, const torch::Device& dev)
{
    const torch::Tensor x = mnist::imagesToInput(data.train.images.narrow(0, start, batch), dev);
    const torch::Tensor y = data.train.labels.narrow(0, start, batch).to(dev);
    optimizer.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(net.forward(x), y);
    loss.backward();
    optimizer.step();
    return loss;
}

// Our first, unoptimised path, kept as the baseline: each batch converted from bytes when it is
// used, a plain Adam step, the loss read back every iteration, contiguous layout; run in a child
// process with glibc's default allocator (MNIST_STUDIO_DEFAULT_MALLOC=1, no huge pages), the conv
// blocks in their PyTorch order (MNIST_STUDIO_POOL_LAST=1) and LibTorch's own ops
// (MNIST_STUDIO_UNFUSED=1), and OpenMP threads that do not spin, so the whole difference is measured.
double plainLoopRate(const mnist::DataSplits& data, const std::string& arch, int64_t batch, int64_t images, torch::Device dev)
{
    torch::manual_seed(1);
    auto net = mnist::createNetwork(arch);
    net->to(dev);
    net->train();
    torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
    const auto step = [&](int64_t start) {
        return plainStep(*net, adam, data, start, batch, dev).item<double>();
    };
    for (int64_t start = 0; start < 5 * batch; start += batch) // warm-up, as for the trainer
        step(start);
    const auto t0 = Clock::now();
    for (int64_t start = 0; start + batch <= images; start += batch)
        step(start);
    return static_cast<double>(images / batch * batch) / std::chrono::duration<double>(Clock::now() - t0).count();
}

// Training images per second of `net` with the trainer's layout (channels-last on the CPU) and a
// plain Adam loop: the same loop for a spec-built and a hand-written network, so the difference
// is the network's own.
double networkTrainRate(mnist::Network& net, const mnist::DataSplits& data, int64_t batch, int64_t images, torch::Device dev)
{
    net.to(dev);
    if (dev.is_cpu())
        mnist::setConvWeightLayout(net, torch::MemoryFormat::ChannelsLast);
    net.train();
    torch::optim::Adam adam(net.parameters(), torch::optim::AdamOptions(1e-3));
    const auto step = [&](int64_t start) {
        plainStep(net, adam, data, start, batch, dev);
    };
    for (int64_t start = 0; start < 5 * batch; start += batch)
        step(start);
    if (dev.is_cuda())
        torch::cuda::synchronize();
    const auto t0 = Clock::now();
    for (int64_t start = 0; start + batch <= images; start += batch)
        step(start);
    if (dev.is_cuda())
        torch::cuda::synchronize();
    return static_cast<double>(images / batch * batch) / std::chrono::duration<double>(Clock::now() - t0).count();
}

// Where a training step's time goes: `steps` steps of networkTrainRate's loop under the LibTorch
// profiler, each operator's self time (its time less that of the operators it called, on the
// calling thread, which runs the forward, the backward and Adam on the CPU), largest first.
void profileSteps(const mnist::DataSplits& data, const std::string& arch, int64_t batch, int64_t steps, torch::Device dev)
{
    namespace prof = torch::autograd::profiler;
    torch::manual_seed(1);
    auto net = mnist::createNetwork(arch);
    net->to(dev);
    if (dev.is_cpu())
        mnist::setConvWeightLayout(*net, torch::MemoryFormat::ChannelsLast);
    net->train();
    torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
    const auto step = [&](int64_t i) {
        const int64_t start = (i * batch) % (data.train.size() - batch);
        plainStep(*net, adam, data, start, batch, dev);
    };
    for (int64_t i = 0; i < 10; ++i)
        step(i);
    prof::enableProfiler(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::KINETO),
                         {torch::profiler::impl::ActivityType::CPU});
    const auto t0 = Clock::now();
    for (int64_t i = 0; i < steps; ++i)
        step(i);
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const std::unique_ptr<prof::ProfilerResult> result = prof::disableProfiler();

    struct Span {
        uint64_t start, end;
        std::string name;
    };
    std::map<uint64_t, std::vector<Span>> byThread;
    for (const prof::KinetoEvent& e : result->events())
        byThread[e.startThreadId()].push_back({e.startUs(), e.startUs() + e.durationUs(), e.name()});
    std::map<std::string, std::pair<double, int64_t>> self; // name -> (self microseconds, calls)
    double total = 0;
    for (auto& [thread, spans] : byThread) {
        std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
            return a.start != b.start ? a.start < b.start : a.end > b.end; // a parent before its first child
        });
        std::vector<const Span*> open;
        std::vector<double> childTime;
        const auto close = [&] {
            const Span* s = open.back();
            auto& entry = self[s->name];
            entry.first += static_cast<double>(s->end - s->start) - childTime.back();
            entry.second += 1;
            open.pop_back();
            childTime.pop_back();
            if (!childTime.empty())
                childTime.back() += static_cast<double>(s->end - s->start);
            else
                total += static_cast<double>(s->end - s->start);
        };
        for (const Span& s : spans) {
            while (!open.empty() && open.back()->end <= s.start)
                close();
            open.push_back(&s);
            childTime.push_back(0);
        }
        while (!open.empty())
            close();
    }
    std::vector<std::pair<std::string, std::pair<double, int64_t>>> rows(self.begin(), self.end());
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    std::printf("machine: %s, %d threads; %s, batch %lld, %lld steps: %.2f ms per step under the profiler (%.0f images/s)\n",
                mnist::cpuModelName().c_str(), torch::get_num_threads(), arch.c_str(), static_cast<long long>(batch),
                static_cast<long long>(steps), 1000.0 * seconds / static_cast<double>(steps),
                static_cast<double>(steps * batch) / seconds);
    std::printf("| operator | self ms per step | share | calls per step |\n|---|---|---|---|\n");
    double shown = 0;
    for (size_t i = 0; i < rows.size() && i < 30; ++i) {
        const double ms = rows[i].second.first / 1000.0 / static_cast<double>(steps);
        shown += rows[i].second.first;
        std::printf("| %s | %.3f | %.1f%% | %.1f |\n", rows[i].first.c_str(), ms, 100.0 * rows[i].second.first / total,
                    static_cast<double>(rows[i].second.second) / static_cast<double>(steps));
    }
    std::printf("(the top %zu of %zu operators: %.1f%% of the profiled time)\n", std::min<size_t>(rows.size(), 30), rows.size(),
                100.0 * shown / total);
}

// The fused block tail (PoolTail.h) against the LibTorch ops it replaces, forward and backward,
// on each notebook network's tail shapes (training, channels-last then contiguous): microseconds
// per call, medians of alternated rounds.
void comparePoolTail(int rounds)
{
    struct Shape {
        const char* where;
        std::vector<int64_t> sizes;
        double pre;
        mnist::TailDropout post;
        double postP;
    };
    const std::vector<Shape> shapes = {
        {"LeNet block1", {100, 16, 28, 28}, 0.0, mnist::TailDropout::None, 0.0},
        {"LeNet block2", {100, 32, 14, 14}, 0.0, mnist::TailDropout::None, 0.0},
        {"LeNetDeep block1", {100, 16, 28, 28}, 0.125, mnist::TailDropout::None, 0.0},
        {"LeNetDeep block2", {100, 32, 14, 14}, 0.125, mnist::TailDropout::None, 0.0},
        {"LeNetDeep block3", {100, 64, 7, 7}, 0.125, mnist::TailDropout::None, 0.0},
        {"LeNetDeep block4", {100, 128, 3, 3}, 0.125, mnist::TailDropout::None, 0.0},
        {"SimpleNet block2", {250, 32, 28, 28}, 0.0, mnist::TailDropout::Elementwise, 0.25},
        {"SimpleNet block4", {250, 64, 14, 14}, 0.0, mnist::TailDropout::Elementwise, 0.25},
    };
    std::printf("\n| block tail (training) | fused us (forward + backward) | unfused us | unfused / fused |\n|---|---|---|---|\n");
    for (const bool channelsLast : {true, false})
    for (const Shape& s : shapes) {
        mnist::PoolTailParams p;
        p.preChannelsP = s.pre;
        p.post = s.post;
        p.postP = s.postP;
        const torch::Tensor input =
            torch::randn(s.sizes).contiguous(channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous);
        // Microseconds of the forward and of the backward.
        const auto once = [&](bool fused) {
            torch::Tensor x = input.detach().requires_grad_(true);
            const auto t0 = Clock::now();
            torch::Tensor y;
            if (fused) {
                y = mnist::poolTail(x, p, true, true);
            } else {
                y = x;
                if (s.pre > 0)
                    y = torch::feature_dropout(y, s.pre, true);
                y = torch::max_pool2d(y, {2, 2});
                if (s.post == mnist::TailDropout::Elementwise)
                    y = torch::dropout(y, s.postP, true);
                y = torch::relu(y);
            }
            const torch::Tensor g = torch::ones_like(y);
            const auto t1 = Clock::now();
            y.backward(g);
            const auto t2 = Clock::now();
            return std::make_pair(1e6 * std::chrono::duration<double>(t1 - t0).count(),
                                  1e6 * std::chrono::duration<double>(t2 - t1).count());
        };
        std::vector<double> fused, plain, fusedForward, plainForward, fusedBackward, plainBackward;
        for (int i = 0; i < 3; ++i) {
            once(true);
            once(false);
        }
        for (int i = 0; i < rounds; ++i) {
            const auto f = once(true), u = once(false);
            fusedForward.push_back(f.first);
            fusedBackward.push_back(f.second);
            fused.push_back(f.first + f.second);
            plainForward.push_back(u.first);
            plainBackward.push_back(u.second);
            plain.push_back(u.first + u.second);
        }
        const double f = median(fused), u = median(plain);
        std::printf("| %s %s %s | %.0f (%.0f + %.0f) | %.0f (%.0f + %.0f) | %.2f |\n", s.where, channelsLast ? "NHWC" : "NCHW",
                    c10::str(at::IntArrayRef(s.sizes)).c_str(), f, median(fusedForward), median(fusedBackward), u,
                    median(plainForward), median(plainBackward), u / f);
        std::fflush(stdout);
    }
}

// Two ways of building the same network trained by the same loop, alternated (the order swaps
// every pair, so neither side always runs on a warmer machine), median of `pairs` per network.
using NetworkMaker = std::function<std::shared_ptr<mnist::Network>(const std::string& arch)>;

nlohmann::json compareNetworks(const mnist::DataSplits& data, torch::Device dev, int pairs, const std::string& title,
                               const std::string& aName, const NetworkMaker& a, const std::string& bName, const NetworkMaker& b)
{
    struct AbCase {
        const char* arch;
        int64_t batch;
        int64_t images;
    };
    const std::vector<AbCase> abCases = {{"LeNet", 100, 6000}, {"LeNetDeep", 100, 3000}, {"SimpleNet", 250, 1500}};
    std::printf("\n%s (same loop, alternated, median of %d):\n", title.c_str(), pairs);
    std::printf("| network | %s train images/s | %s train images/s | %s / %s |\n|---|---|---|---|\n", aName.c_str(),
                bName.c_str(), aName.c_str(), bName.c_str());
    nlohmann::json out = nlohmann::json::array();
    for (const AbCase& c : abCases) {
        std::vector<double> rates[2];
        for (int i = 0; i < pairs; ++i) {
            for (int side = 0; side < 2; ++side) {
                const bool aSide = (side == 0) == (i % 2 == 0);
                torch::manual_seed(1);
                const auto net = aSide ? a(c.arch) : b(c.arch);
                if (mnist::parameterCount(*net) != mnist::parameterCount(*mnist::createNetwork(std::string(c.arch))))
                    throw std::runtime_error(std::string("the ") + (aSide ? aName : bName) + " " + c.arch + " differs from its spec");
                rates[aSide ? 0 : 1].push_back(networkTrainRate(*net, data, c.batch, c.images, dev));
            }
        }
        const double ra = median(rates[0]), rb = median(rates[1]);
        std::printf("| %s, batch %lld | %.0f | %.0f | %.3f |\n", c.arch, static_cast<long long>(c.batch), ra, rb, ra / rb);
        std::fflush(stdout);
        out.push_back({{"arch", c.arch}, {"batch", c.batch}, {aName + "_images_per_s", rates[0]},
                       {bName + "_images_per_s", rates[1]}, {"ratio_of_medians", ra / rb}});
    }
    return out;
}

// Spec-built against the hand-written classes they replaced.
nlohmann::json compareSpecBuilt(const mnist::DataSplits& data, torch::Device dev, int pairs)
{
    return compareNetworks(
        data, dev, pairs, "spec-built networks against the hand-written classes they replaced", "spec",
        [](const std::string& arch) { return mnist::createNetwork(arch); }, "hand_written",
        [](const std::string& arch) { return bench::createHandWrittenNetwork(arch); });
}

// The fusion pass of the spec networks (PoolTail, DropoutMask) on and off.
nlohmann::json compareFused(const mnist::DataSplits& data, torch::Device dev, int pairs)
{
    const auto maker = [](bool fused) {
        return [fused](const std::string& arch) {
            mnist::SpecNetworkOptions options = mnist::defaultSpecNetworkOptions();
            options.fusedKernels = fused;
            return mnist::buildNetwork(mnist::findNetworkSpec(arch), options);
        };
    };
    return compareNetworks(data, dev, pairs, "the fused CPU kernels on and off", "fused", maker(true), "unfused", maker(false));
}

// Training images per second of each network in each precision the device runs (fp32 always;
// bf16 on the CPU, emulated where it lacks bf16 instructions; fp16 and bf16 on a GPU): partial
// epochs through the Trainer, the precisions alternated within each of `rounds` rounds, medians.
nlohmann::json comparePrecisions(const mnist::DataSplits& data, const std::string& device, torch::Device dev, int threads,
                                 int rounds)
{
    std::vector<std::string> precisions{"fp32", "bf16"};
    if (dev.is_cuda())
        precisions.push_back("fp16");
    struct Net {
        std::string arch;
        int64_t batch, images;
    };
    const std::vector<Net> nets = {{"LeNet", 100, 12000}, {"LeNetDeep", 100, 6000}, {"SimpleNet", 250, 2500}};
    std::printf("\n| precision (train images/s, median of %d rounds) |", rounds);
    for (const auto& p : precisions)
        std::printf(" %s |", p.c_str());
    for (size_t i = 1; i < precisions.size(); ++i)
        std::printf(" %s / fp32 |", precisions[i].c_str());
    std::printf("\n|---|");
    for (size_t i = 0; i < 2 * precisions.size() - 1; ++i)
        std::printf("---|");
    std::printf("\n");
    nlohmann::json out = nlohmann::json::array();
    for (const Net& n : nets) {
        const int64_t images = dev.is_cuda() ? std::min<int64_t>(4 * n.images, data.train.size()) : n.images;
        const mnist::DataSplits part = subset(data, images);
        struct Quiet : mnist::TrainingObserver {} quiet;
        const auto rate = [&](const std::string& precision) {
            mnist::TrainConfig config;
            config.arch = n.arch;
            config.batchSize = n.batch;
            config.epochs = 1;
            config.lr = 1e-3;
            config.device = device;
            config.threads = threads;
            config.precision = precision;
            mnist::StopToken stop;
            return mnist::Trainer(config).run(part, quiet, stop).epochs.at(0).imagesPerSecond;
        };
        for (const auto& p : precisions) // warm-up: kernels chosen, layouts measured
            rate(p);
        std::vector<std::vector<double>> rates(precisions.size());
        for (int r = 0; r < rounds; ++r)
            for (size_t k = 0; k < precisions.size(); ++k) {
                const size_t i = (r + k) % precisions.size();
                rates[i].push_back(rate(precisions[i]));
            }
        nlohmann::json row = {{"arch", n.arch}, {"batch", n.batch}};
        std::printf("| %s, batch %lld |", n.arch.c_str(), static_cast<long long>(n.batch));
        for (size_t i = 0; i < precisions.size(); ++i) {
            std::printf(" %.0f |", median(rates[i]));
            row[precisions[i] + "_images_per_s"] = rates[i];
        }
        for (size_t i = 1; i < precisions.size(); ++i)
            std::printf(" %.2fx |", median(rates[i]) / median(rates[0]));
        std::printf("\n");
        std::fflush(stdout);
        out.push_back(row);
    }
    if (dev.is_cpu() && !mnist::cpuHasBf16())
        std::printf("(this CPU has no bf16 instructions: bf16 is emulated, and precision auto keeps fp32)\n");
    return out;
}

// Runs this program again as "--baseline DEVICE" and reads the rates it prints, one per case.
// The child's environment is set on its command line, so this process's stays as it is: glibc's
// allocator defaults, and under PASSIVE no GOMP_SPINCOUNT (the first path waited passively; the
// short spin of useCooperativeOpenMpThreads came later).
// What recording per-layer statistics (layers.csv: gradient norms every 10th iteration, weight
// norms and histograms per epoch) costs: one-epoch runs with and without, alternated, timed whole
// (evaluation and the epoch's statistics included). Returns the median of the with/without ratios
// of images per second.
nlohmann::json layerStatsCost(const mnist::DataSplits& data, const std::string& device, int threads, int pairs)
{
    mnist::TrainConfig config;
    config.arch = "LeNet";
    config.batchSize = 100;
    config.epochs = 1;
    config.lr = 1e-3;
    config.device = device;
    config.threads = threads;
    const mnist::DataSplits part = subset(data, 12000);
    struct Quiet : mnist::TrainingObserver {} quiet;
    auto timedRun = [&](bool stats) {
        if (stats)
            unsetenv("MNIST_STUDIO_NO_LAYER_STATS");
        else
            setenv("MNIST_STUDIO_NO_LAYER_STATS", "1", 1);
        mnist::StopToken stop;
        const auto t0 = Clock::now();
        mnist::Trainer(config).run(part, quiet, stop);
        const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        unsetenv("MNIST_STUDIO_NO_LAYER_STATS");
        return static_cast<double>(part.train.size()) / seconds;
    };
    timedRun(true); // warm-up
    std::vector<double> ratios, with, without;
    for (int i = 0; i < pairs; ++i) {
        // Alternate which goes first, so that a drift of the machine's speed favours neither.
        const bool statsFirst = i % 2 == 0;
        const double a = timedRun(statsFirst), b = timedRun(!statsFirst);
        with.push_back(statsFirst ? a : b);
        without.push_back(statsFirst ? b : a);
        ratios.push_back(with.back() / without.back());
    }
    const double r = median(ratios);
    std::printf("| layer statistics recorded (LeNet, batch 100, whole epoch) | %.0f | %.0f without | ratio %.3f (median of %d pairs) |\n",
                median(with), median(without), r, pairs);
    return {{"with_images_per_s", with}, {"without_images_per_s", without}, {"median_ratio", r}};
}

std::vector<double> baselineRatesFromChild(const std::string& device, size_t cases)
{
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    const bool passive = policy && std::string(policy) == "PASSIVE";
    // popen runs a shell, for which /proc/self/exe would be the shell itself.
    std::error_code error;
    const std::string self = std::filesystem::read_symlink("/proc/self/exe", error).string();
    const std::string command = std::string("MNIST_STUDIO_DEFAULT_MALLOC=1 MNIST_STUDIO_POOL_LAST=1 MNIST_STUDIO_UNFUSED=1 env -u GLIBC_TUNABLES ") +
                                (passive ? "-u GOMP_SPINCOUNT " : "") +
                                "'" + self + "' --baseline '" + device + "'";
    std::vector<double> rates;
    if (FILE* child = ::popen(command.c_str(), "r")) {
        double rate = 0;
        while (rates.size() < cases && std::fscanf(child, "%lf", &rate) == 1)
            rates.push_back(rate);
        ::pclose(child);
    }
    rates.resize(cases, -1); // -1: the child failed; printed as "n/a"
    return rates;
}

} // namespace

int runBench(int argc, char** argv, bool allocatorTuned);

int main(int argc, char** argv)
{
    mnist::useCooperativeOpenMpThreads(argv); // as the applications do; OMP_WAIT_POLICY=ACTIVE to compare
    const bool allocatorTuned = mnist::keepFreedMemoryForReuse(); // MNIST_STUDIO_DEFAULT_MALLOC=1 to compare
    try {
        return runBench(argc, argv, allocatorTuned);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mnist-bench: %s\n", e.what());
        return 1;
    }
}

int runBench(int argc, char** argv, bool allocatorTuned)
{
    const bool baselineChild = argc > 2 && std::string(argv[1]) == "--baseline";
    // "--spec-ab [DEVICE]": only the spec-built against hand-written comparison;
    // "--layer-stats [DEVICE]": only the cost of recording layers.csv.
    const bool specAbOnly = argc > 1 && std::string(argv[1]) == "--spec-ab";
    // "--fused-ab [DEVICE]": only the fused kernels on against off.
    const bool fusedAbOnly = argc > 1 && std::string(argv[1]) == "--fused-ab";
    const bool layerStatsOnly = argc > 1 && std::string(argv[1]) == "--layer-stats";
    // "--precision-ab [DEVICE] [ROUNDS]": only the precision rows (train images/s per network and precision).
    const bool precisionAbOnly = argc > 1 && std::string(argv[1]) == "--precision-ab";
    // "--profile ARCH [BATCH] [STEPS]": the operators' self time in a training step (CPU).
    const bool profileOnly = argc > 2 && std::string(argv[1]) == "--profile";
    // "--model-py ARCH FILE": the network's PyTorch source, for bench/peer-compare.sh's peer.
    if (argc > 3 && std::string(argv[1]) == "--model-py") {
        mnist::writeModelPy(argv[3], mnist::findNetworkSpec(argv[2]));
        return 0;
    }
    // "--augment-only [N] [tensor-ops]": images/s of the notebook's transforms over N training
    // images in batches of 100 (default 20,000), one number, for bench/peer-compare.sh; with
    // "tensor-ops", through the tensor ops that the CPU kernel replaces.
    const bool augmentOnly = argc > 1 && std::string(argv[1]) == "--augment-only";
    const std::string device = augmentOnly || profileOnly ? std::string("cpu")
                               : baselineChild || specAbOnly || fusedAbOnly || layerStatsOnly || precisionAbOnly
                                   ? (argc > 2 ? argv[2] : "auto")
                               : argc > 1                                       ? argv[1]
                                                                                : "auto";
    const std::string dataDir = std::string(MNIST_STUDIO_SOURCE_DIR) + "/data/mnist";
    mnist::DataSplits data;
    try {
        data = mnist::loadSplits(dataDir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mnist-bench: %s\n(run scripts/fetch-data.sh or make bench)\n", e.what());
        return 1;
    }
    const torch::Device dev = mnist::resolveDevice(device);
    const int threads = mnist::effectiveThreads(0);
    torch::set_num_threads(threads);

    // A GPU trains a partial epoch in a fraction of a second, where start-up and timer noise
    // weigh; four times the images (at most the training split) keep its window near a second.
    const auto imagesFor = [&](const Case& c) {
        return dev.is_cuda() ? std::min<int64_t>(4 * c.trainImages, data.train.size()) : c.trainImages;
    };
    const std::vector<Case> cases = {
        {"LeNet", 100, false, 12000},
        {"LeNet", 100, true, 12000},
        {"LeNetDeep", 100, false, 6000},
        {"LeNetDeep", 100, true, 6000},
        {"SimpleNet", 250, false, 2500},
        {"SimpleNet", 250, true, 2500},
    };

    if (augmentOnly) {
        const int64_t n = argc > 2 ? std::max<int64_t>(100, std::atoll(argv[2])) / 100 * 100 : 20000;
        const bool tensorOps = argc > 3 && std::string(argv[3]) == "tensor-ops";
        std::printf("%.1f\n", augmentationRate(data, dev, std::min<int64_t>(n, data.train.size() / 100 * 100), tensorOps));
        return 0;
    }
    if (profileOnly) {
        profileSteps(data, argv[2], argc > 3 ? std::atoll(argv[3]) : 100, argc > 4 ? std::atoll(argv[4]) : 50, dev);
        return 0;
    }
    if (layerStatsOnly) {
        std::printf("machine: %s, %d threads\n| case | with | without | with / without |\n|---|---|---|---|\n", mnist::cpuModelName().c_str(), threads);
        layerStatsCost(data, device, threads, 7);
        return 0;
    }
    if (specAbOnly) {
        std::printf("machine: %s, %d threads\n", mnist::cpuModelName().c_str(), threads);
        compareSpecBuilt(data, dev, 5);
        return 0;
    }
    if (precisionAbOnly) {
        std::printf("machine: %s, %d threads\n", mnist::cpuModelName().c_str(), threads);
        comparePrecisions(data, device, dev, threads, argc > 3 ? std::max(1, std::atoi(argv[3])) : 3);
        return 0;
    }
    if (fusedAbOnly) {
        std::printf("machine: %s, %d threads\n", mnist::cpuModelName().c_str(), threads);
        comparePoolTail(21);
        compareFused(data, dev, 5);
        return 0;
    }
    if (baselineChild) {
        for (const Case& c : cases)
            if (!c.augment)
                std::printf("%.1f\n", plainLoopRate(data, c.arch, c.batch, imagesFor(c), dev));
        return 0;
    }
    size_t plainCases = 0;
    for (const Case& c : cases)
        plainCases += c.augment ? 0 : 1;
    std::printf("measuring the baseline (plain loop, default allocator) in a child process...\n");
    std::fflush(stdout);
    const std::vector<double> baseline = baselineRatesFromChild(device, plainCases);
    size_t nextBaseline = 0;

    nlohmann::json results = nlohmann::json::array();
    // Only figures measured in this run: the baseline is our plain loop, timed just before on the
    // same machine. Other programs' figures belong with the machine they came from (docs/benchmarks.md).
    std::printf("\n| case | train images/s | baseline train (same run) | eval images/s |\n|---|---|---|---|\n");
    for (const Case& c : cases) {
        mnist::TrainConfig config;
        config.arch = c.arch;
        config.batchSize = c.batch;
        config.epochs = 1;
        config.lr = 1e-3;
        config.device = device;
        config.threads = threads;
        if (c.augment)
            config.augment = mnist::notebookAugmentation();
        struct Quiet : mnist::TrainingObserver {} quiet;
        mnist::StopToken stop;
        // A short warm-up run first: the first iterations pay for allocations and kernel selection.
        mnist::Trainer(config).run(subset(data, c.batch * 5), quiet, stop);
        const mnist::TrainResult r = mnist::Trainer(config).run(subset(data, imagesFor(c)), quiet, stop);
        const double trainRate = r.epochs.at(0).imagesPerSecond;

        // Evaluation: the 10,000 test images in batches of evalBatch, no gradients.
        const torch::Tensor testX = mnist::imagesToInput(data.test.images, dev);
        const torch::Tensor testY = data.test.labels.to(dev);
        const int64_t evalBatch = mnist::TrainConfig{}.evalBatchSize;
        const mnist::ChannelsLastScope layout(*r.model, dev); // as Evaluate weights and --ensemble run
        mnist::evaluate(*r.model, testX.narrow(0, 0, 1000), testY.narrow(0, 0, 1000), evalBatch);
        const auto t0 = Clock::now();
        mnist::evaluate(*r.model, testX, testY, evalBatch);
        const double evalRate = 10000.0 / std::chrono::duration<double>(Clock::now() - t0).count();

        const std::string name = c.arch + ", batch " + std::to_string(c.batch) + (c.augment ? " + notebook augmentation" : "");
        const double baselineRate = c.augment ? -1 : baseline.at(nextBaseline++);
        const std::string baselineText = baselineRate > 0 ? std::to_string(static_cast<int>(baselineRate)) : c.augment ? "" : "n/a";
        std::printf("| %s | %.0f | %s | %s |\n", name.c_str(), trainRate, baselineText.c_str(),
                    c.augment ? "" : std::to_string(static_cast<int>(evalRate)).c_str());
        std::fflush(stdout);
        results.push_back({{"case", name}, {"arch", c.arch}, {"batch", c.batch}, {"augment", c.augment},
                           {"train_images_per_s", trainRate},
                           {"baseline_train_images_per_s", baselineRate > 0 ? nlohmann::json(baselineRate) : nlohmann::json()},
                           {"eval_images_per_s", c.augment ? nlohmann::json() : nlohmann::json(evalRate)}});
    }

    // augment() against the tensor ops it replaces on the CPU, alternated, medians of 5.
    std::vector<double> augRates, tensorOpRates;
    for (int i = 0; i < 5; ++i) {
        augRates.push_back(augmentationRate(data, dev, 20000));
        tensorOpRates.push_back(augmentationRate(data, dev, 20000, true));
    }
    const double augRate = median(augRates), tensorOpRate = median(tensorOpRates);
    std::printf("| augmentation only (notebook transforms, batch 100) | %.0f | %.0f tensor ops | |\n", augRate, tensorOpRate);
    // Wall time to 99.0% test accuracy with the fast recipe (data loading excluded, evaluation included).
    double secondsTo99 = -1;
    int64_t epochTo99 = 0;
    {
        mnist::TrainConfig fast = mnist::findRecipe("fast")->config;
        fast.device = device;
        fast.threads = threads;
        struct Watch : mnist::TrainingObserver {
            Clock::time_point start = Clock::now();
            double seconds = -1;
            int64_t epoch = 0;
            void onEpoch(const mnist::EpochMetrics& m) override
            {
                if (seconds < 0 && m.testAccuracy >= 99.0) {
                    seconds = std::chrono::duration<double>(Clock::now() - start).count();
                    epoch = m.epoch;
                }
            }
        } watch;
        mnist::StopToken stop;
        mnist::Trainer trainer(fast);
        watch.start = Clock::now();
        const auto r = trainer.run(data, watch, stop);
        secondsTo99 = watch.seconds;
        epochTo99 = watch.epoch;
        if (secondsTo99 >= 0)
            std::printf("| time to 99.0%% test accuracy, --recipe fast | %.1f s (epoch %lld) | | |\n", secondsTo99,
                        static_cast<long long>(epochTo99));
        else
            std::printf("| time to 99.0%% test accuracy, --recipe fast | not reached (best %.2f%%) | | |\n", r.stats.bestTestAccuracy);
    }
    const nlohmann::json layerStats = layerStatsCost(data, device, threads, 5);
    const nlohmann::json specAb = compareSpecBuilt(data, dev, 3);
    const nlohmann::json fusedAb = dev.is_cpu() ? compareFused(data, dev, 3) : nlohmann::json();
    const nlohmann::json precisionAb = comparePrecisions(data, device, dev, threads, 3);
    std::printf("\nThe peer (the notebook's PyTorch pipeline) is measured beside ours, in the same run, by "
                "bench/peer-compare.sh (part of make bench).\n");
    const double rss = peakRssMiB();
    std::printf("peak resident memory: %.0f MiB\n", rss);

    const char* policy = std::getenv("OMP_WAIT_POLICY");
    const char* spin = std::getenv("GOMP_SPINCOUNT");
    nlohmann::json out = {
        {"machine", {{"cpu", mnist::cpuModelName()}, {"cores", std::thread::hardware_concurrency()}, {"threads", threads},
                     {"omp_wait_policy", policy ? policy : "default"},
                     {"gomp_spincount", spin ? spin : "default"}, {"allocator_tuned", allocatorTuned},
                     {"libtorch", TORCH_VERSION}, {"device", dev.str()}}},
        {"cases", results},
        {"augmentation_only_images_per_s", augRate},
        {"augmentation_tensor_ops_images_per_s", tensorOpRate},
        {"fast_recipe_seconds_to_99", secondsTo99 >= 0 ? nlohmann::json(secondsTo99) : nlohmann::json()},
        {"fast_recipe_epoch_to_99", epochTo99},
        {"spec_built_vs_hand_written", specAb},
        {"fused_vs_unfused", fusedAb},
        {"precisions", precisionAb},
        {"layer_stats_cost", layerStats},
        {"peak_rss_mib", rss},
    };
    std::printf("machine: %s, %u cores, %d threads, LibTorch %s, device %s, OMP_WAIT_POLICY=%s, GOMP_SPINCOUNT=%s, allocator %s\n",
                mnist::cpuModelName().c_str(), std::thread::hardware_concurrency(), threads, TORCH_VERSION, dev.str().c_str(),
                policy ? policy : "(default)", spin ? spin : "(default)", allocatorTuned ? "tuned (freed memory kept)" : "glibc defaults");
    const std::string resultsDir = std::string(MNIST_STUDIO_SOURCE_DIR) + "/bench/results";
    std::filesystem::create_directories(resultsDir);
    mnist::writeFileAtomically(resultsDir + "/latest.json", [&](std::ostream& o) { o << out.dump(2) << "\n"; });
    std::printf("written to bench/results/latest.json\n");
    return 0;
}
