#include "train/StepTiming.h"

#include "train/Precision.h"

#include <torch/cuda.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace mnist {
namespace {

using Clock = std::chrono::steady_clock;

// Each timed window: long enough to average a few steps, short enough that a whole measurement
// (a warm-up and three rounds per candidate) stays around a second.
constexpr double kWindowSeconds = 0.12;

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// A GPU runs asynchronously: a step is finished only when its queue is.
void waitForDevice(const torch::Tensor& x)
{
    if (x.is_cuda())
        torch::cuda::synchronize(x.device().index());
}

double secondsPerStep(StepTrial& t, const TimingBatch& b, int steps)
{
    waitForDevice(b.x);
    const auto t0 = Clock::now();
    for (int i = 0; i < steps; ++i)
        t.step(b.x, b.y);
    waitForDevice(b.x);
    return std::chrono::duration<double>(Clock::now() - t0).count() / steps;
}

} // namespace

void StepTrial::step(const torch::Tensor& x, const torch::Tensor& y)
{
    optimizer->zero_grad();
    torch::Tensor loss;
    {
        const AutocastScope autocast(x.device(), precision);
        loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    }
    loss.backward();
    optimizer->step();
}

TimingBatch timingBatch(const TrainConfig& c, const torch::Device& device, bool channelsLast)
{
    const int64_t batch = std::max<int64_t>(1, c.batchSize);
    const auto shape = c.data.input();
    TimingBatch b;
    b.x = torch::rand({batch, shape[0], shape[1], shape[2]}, torch::TensorOptions().device(device));
    if (channelsLast)
        b.x = b.x.contiguous(torch::MemoryFormat::ChannelsLast);
    b.y = torch::randint(std::max<int64_t>(1, c.data.classCount()), {batch},
                         torch::TensorOptions().dtype(torch::kLong).device(device));
    return b;
}

std::string stepMilliseconds(double ms)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, ms < 10 ? "%.2f" : "%.1f", ms);
    return buf;
}

std::vector<double> timeStepsAlternated(std::vector<StepTrial>& trials, const TimingBatch& batch)
{
    double warm = 0;
    for (StepTrial& t : trials) {
        t.step(batch.x, batch.y);
        warm = std::max(warm, secondsPerStep(t, batch, 1));
    }
    const int steps = std::clamp(static_cast<int>(std::ceil(kWindowSeconds / std::max(warm, 1e-4))), 1, 25);
    const size_t n = trials.size();
    std::vector<std::vector<double>> times(n);
    for (size_t round = 0; round < 3; ++round)
        for (size_t k = 0; k < n; ++k) {
            const size_t i = (round + k) % n; // the first of a round moves on each round
            times[i].push_back(secondsPerStep(trials[i], batch, steps));
        }
    std::vector<double> ms;
    for (const auto& t : times)
        ms.push_back(1000 * median(t));
    return ms;
}

} // namespace mnist
