#include "optim/LrScheduler.h"

#include "Error.h"

#include <cmath>

namespace mnist {
namespace {

constexpr double kPi = 3.14159265358979323846;

class ConstantLr final : public LrSchedule {
public:
    explicit ConstantLr(double lr) : m_lr(lr) {}
    double lrAt(int64_t) const override { return m_lr; }

private:
    double m_lr;
};

// PyTorch computes this recursively; the recursion telescopes to the cosine below, which keeps
// rising past T_max (period 2*T_max) instead of being clamped.
class CosineAnnealingLr final : public LrSchedule {
public:
    CosineAnnealingLr(double base, int64_t tMax, double etaMin) : m_base(base), m_tMax(tMax), m_etaMin(etaMin) {}
    double lrAt(int64_t step) const override
    {
        return m_etaMin + (m_base - m_etaMin) * (1 + std::cos(kPi * static_cast<double>(step) / static_cast<double>(m_tMax))) / 2;
    }

private:
    double m_base;
    int64_t m_tMax;
    double m_etaMin;
};

class CyclicLr final : public LrSchedule {
public:
    explicit CyclicLr(const SchedulerConfig& c)
        : m_base(c.baseLr), m_max(c.maxLr), m_mode(c.mode), m_gamma(c.gammaOr(1.0))
    {
        const int64_t down = c.stepSizeDown > 0 ? c.stepSizeDown : c.stepSizeUp;
        m_totalSize = static_cast<double>(c.stepSizeUp + down);
        m_stepRatio = static_cast<double>(c.stepSizeUp) / m_totalSize;
    }
    double lrAt(int64_t step) const override
    {
        const double s = static_cast<double>(step);
        const double cycle = std::floor(1 + s / m_totalSize);
        const double x = 1. + s / m_totalSize - cycle;
        const double scale = x <= m_stepRatio ? x / m_stepRatio : (x - 1) / (m_stepRatio - 1);
        const double height = (m_max - m_base) * scale;
        if (m_mode == "triangular2")
            return m_base + height * (1 / std::pow(2., cycle - 1));
        if (m_mode == "exp_range")
            return m_base + height * std::pow(m_gamma, s); // scaled by iterations, not cycles
        return m_base + height * 1.;
    }

private:
    double m_base, m_max;
    std::string m_mode;
    double m_gamma;
    double m_totalSize = 0, m_stepRatio = 0;
};

// With integer steps T_cur counts iterations inside the current period and never reaches T_i,
// so the LR never reaches eta_min.
class CosineWarmRestartsLr final : public LrSchedule {
public:
    CosineWarmRestartsLr(double base, int64_t t0, int64_t tMult, double etaMin)
        : m_base(base), m_t0(t0), m_tMult(tMult), m_etaMin(etaMin)
    {
    }
    double lrAt(int64_t step) const override
    {
        int64_t tCur = step, tI = m_t0;
        if (m_tMult == 1) {
            tCur = step % m_t0;
        } else {
            while (tCur >= tI) {
                tCur -= tI;
                tI *= m_tMult;
            }
        }
        return m_etaMin + (m_base - m_etaMin) * (1 + std::cos(kPi * static_cast<double>(tCur) / static_cast<double>(tI))) / 2;
    }

private:
    double m_base;
    int64_t m_t0, m_tMult;
    double m_etaMin;
};

class OneCycleLr final : public LrSchedule {
public:
    OneCycleLr(const SchedulerConfig& c, int64_t totalSteps)
        : m_total(totalSteps), m_max(c.maxLr), m_initial(c.maxLr / c.divFactor),
          m_min(c.maxLr / c.divFactor / c.finalDivFactor), m_linear(c.anneal == "linear"),
          m_warmEnd(c.pctStart * static_cast<double>(totalSteps) - 1)
    {
    }
    double lrAt(int64_t step) const override
    {
        if (step > m_total)
            throw ConfigError("one-cycle is defined for " + std::to_string(m_total) + " iterations; iteration " +
                              std::to_string(step) + " is past its end");
        const double s = static_cast<double>(step);
        if (s <= m_warmEnd)
            return anneal(m_initial, m_max, s / m_warmEnd);
        const double end = static_cast<double>(m_total - 1);
        return anneal(m_max, m_min, (s - m_warmEnd) / (end - m_warmEnd));
    }

private:
    double anneal(double start, double end, double pct) const
    {
        if (m_linear)
            return (end - start) * pct + start;
        return end + (start - end) / 2.0 * (std::cos(kPi * pct) + 1);
    }
    int64_t m_total;
    double m_max, m_initial, m_min;
    bool m_linear;
    double m_warmEnd;
};

class StepLr final : public LrSchedule {
public:
    StepLr(double base, int64_t stepSize, double gamma) : m_base(base), m_stepSize(stepSize), m_gamma(gamma) {}
    double lrAt(int64_t step) const override
    {
        return m_base * std::pow(m_gamma, static_cast<double>(step / m_stepSize));
    }

private:
    double m_base;
    int64_t m_stepSize;
    double m_gamma;
};

class ExponentialLr final : public LrSchedule {
public:
    ExponentialLr(double base, double gamma) : m_base(base), m_gamma(gamma) {}
    double lrAt(int64_t step) const override { return m_base * std::pow(m_gamma, static_cast<double>(step)); }

private:
    double m_base, m_gamma;
};

} // namespace

std::unique_ptr<LrSchedule> makeSchedule(const SchedulerConfig& c, double optimizerLr, int64_t totalSteps)
{
    std::vector<std::string> problems = validateScheduler(c);
    if (!std::isfinite(optimizerLr) || optimizerLr <= 0)
        problems.push_back("the learning rate must be positive (got " + std::to_string(optimizerLr) + ")");
    if (c.type == "one-cycle" && problems.empty()) {
        if (totalSteps < 2)
            problems.push_back("one-cycle needs at least 2 iterations in total");
        else if (c.pctStart * static_cast<double>(totalSteps) - 1 <= 0 ||
                 c.pctStart * static_cast<double>(totalSteps) - 1 >= static_cast<double>(totalSteps - 1))
            problems.push_back("pct_start " + std::to_string(c.pctStart) + " leaves an empty warm-up or annealing phase over " +
                               std::to_string(totalSteps) + " iterations");
    }
    if (!problems.empty()) {
        std::string msg = "invalid scheduler settings:";
        for (const auto& p : problems)
            msg += "\n  " + p;
        throw ConfigError(msg);
    }
    if (c.type == "cosine")
        return std::make_unique<CosineAnnealingLr>(optimizerLr, c.tMax, c.etaMin);
    if (c.type == "cyclic")
        return std::make_unique<CyclicLr>(c);
    if (c.type == "warm-restarts")
        return std::make_unique<CosineWarmRestartsLr>(optimizerLr, c.t0, static_cast<int64_t>(c.tMult), c.etaMin);
    if (c.type == "one-cycle")
        return std::make_unique<OneCycleLr>(c, totalSteps);
    if (c.type == "step")
        return std::make_unique<StepLr>(optimizerLr, c.stepSize, c.gammaOr(0.1));
    if (c.type == "exponential")
        return std::make_unique<ExponentialLr>(optimizerLr, c.gammaOr(0.9999));
    return std::make_unique<ConstantLr>(optimizerLr);
}

std::vector<double> lrSequence(const SchedulerConfig& config, double optimizerLr, int64_t totalSteps, int64_t count)
{
    const auto schedule = makeSchedule(config, optimizerLr, totalSteps);
    std::vector<double> out;
    out.reserve(static_cast<size_t>(std::max<int64_t>(count, 0)));
    for (int64_t i = 0; i < count; ++i)
        out.push_back(schedule->lrAt(i));
    return out;
}

} // namespace mnist
