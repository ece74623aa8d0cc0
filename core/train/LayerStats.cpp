#include "train/LayerStats.h"

#include <algorithm>
#include <cmath>

namespace mnist {

LayerStatsRecorder::LayerStatsRecorder(Network& net)
{
    // named_parameters() is in state_dict order; a layer's tensors are consecutive there.
    for (const auto& item : net.named_parameters()) {
        const std::string& key = item.key();
        const size_t dot = key.rfind('.');
        const std::string layer = dot == std::string::npos ? std::string() : key.substr(0, dot);
        const std::string leaf = dot == std::string::npos ? key : key.substr(dot + 1);
        if (m_layers.empty() || m_layers.back().name != layer)
            m_layers.push_back({layer, {}, {}, {}});
        Layer& l = m_layers.back();
        l.parameters.push_back(item.value());
        if (!l.values.defined() || leaf == "weight")
            l.values = item.value();
    }
}

void LayerStatsRecorder::afterBackward(int64_t iteration)
{
    if (iteration % kGradientSampleEvery != 0)
        return;
    torch::NoGradGuard noGrad;
    for (Layer& l : m_layers) {
        torch::Tensor squares;
        for (const torch::Tensor& p : l.parameters) {
            if (!p.grad().defined())
                continue;
            const torch::Tensor s = p.grad().to(torch::kFloat64).square().sum();
            squares = squares.defined() ? squares + s : s;
        }
        if (!squares.defined())
            continue;
        const torch::Tensor norm = squares.sqrt();
        l.gradientSum = l.gradientSum.defined() ? l.gradientSum + norm : norm;
    }
    ++m_samples;
}

EpochLayerStats LayerStatsRecorder::finishEpoch(int64_t epoch)
{
    torch::NoGradGuard noGrad;
    EpochLayerStats out;
    out.epoch = epoch;
    for (Layer& l : m_layers) {
        LayerStat s;
        s.layer = l.name;
        double squares = 0;
        for (const torch::Tensor& p : l.parameters) {
            s.parameters += p.numel();
            squares += p.detach().to(torch::kFloat64).square().sum().item<double>();
        }
        s.weightNorm = std::sqrt(squares);
        s.gradNorm = l.gradientSum.defined() && m_samples > 0 ? l.gradientSum.item<double>() / static_cast<double>(m_samples) : 0;
        const torch::Tensor v = l.values.detach().to(torch::kCPU, torch::kFloat32).flatten();
        s.weightMin = v.min().item<double>();
        s.weightMax = v.max().item<double>();
        // histc ignores values outside [min, max]; a constant tensor (a fresh BatchNorm's weight)
        // gets a range around its value so that every value lands in the middle bin.
        const double lo = s.weightMin == s.weightMax ? s.weightMin - 0.5 : s.weightMin;
        const double hi = s.weightMin == s.weightMax ? s.weightMax + 0.5 : s.weightMax;
        const torch::Tensor h = torch::histc(v, kLayerHistogramBins, lo, hi).to(torch::kInt64);
        s.histogram.assign(h.data_ptr<int64_t>(), h.data_ptr<int64_t>() + h.numel());
        out.layers.push_back(std::move(s));
        l.gradientSum = torch::Tensor();
    }
    m_samples = 0;
    return out;
}

} // namespace mnist
