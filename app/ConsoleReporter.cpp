#include "ConsoleReporter.h"

#include <unistd.h>

ConsoleReporter::ConsoleReporter(std::FILE* lines) : m_lines(lines), m_bar(::isatty(STDERR_FILENO) == 1) {}

void ConsoleReporter::onRunStarted(const mnist::RunInfo& info)
{
    m_info = info;
    std::fprintf(stderr, "training on %s (%d thread%s): %lld parameters, %lld train / %lld valid / %lld test images, "
                         "%lld iterations per epoch\n",
                 info.device.c_str(), info.threads, info.threads == 1 ? "" : "s", static_cast<long long>(info.parameterCount),
                 static_cast<long long>(info.trainSize), static_cast<long long>(info.validSize),
                 static_cast<long long>(info.testSize), static_cast<long long>(info.iterationsPerEpoch));
    if (!info.memoryFormatWhy.empty())
        std::fprintf(stderr, "memory format: %s\n", info.memoryFormatWhy.c_str());
    if (!info.precisionWhy.empty())
        std::fprintf(stderr, "precision: %s\n", info.precisionWhy.c_str());
}

void ConsoleReporter::onIteration(const mnist::IterationPoint& p)
{
    if (!m_bar)
        return;
    const auto now = std::chrono::steady_clock::now();
    // Redrawing ~10 times a second is smooth enough and costs nothing measurable.
    if (now - m_lastDraw < std::chrono::milliseconds(100) && p.iteration + 1 != m_info.iterationsPerEpoch)
        return;
    m_lastDraw = now;
    const int width = 30;
    const double frac = static_cast<double>(p.iteration + 1) / static_cast<double>(m_info.iterationsPerEpoch);
    char bar[width + 1];
    for (int i = 0; i < width; ++i)
        bar[i] = i < static_cast<int>(frac * width) ? '#' : '.';
    bar[width] = '\0';
    std::fprintf(stderr, "\r\033[Kepoch %lld/%lld [%s] %lld/%lld  loss %.4f  lr %.3g", static_cast<long long>(p.epoch),
                 static_cast<long long>(m_info.epochs), bar, static_cast<long long>(p.iteration + 1),
                 static_cast<long long>(m_info.iterationsPerEpoch), p.loss, p.lr);
    std::fflush(stderr);
    m_barShown = true;
}

void ConsoleReporter::clearBar()
{
    if (m_barShown) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        m_barShown = false;
    }
}

void ConsoleReporter::onEpoch(const mnist::EpochMetrics& m)
{
    clearBar();
    std::fprintf(m_lines, "epoch %3lld  train_loss %.5f  valid_loss %.5f  test_acc %.2f%%  lr %.4g  %.1f s  %.0f img/s\n",
                 static_cast<long long>(m.epoch), m.trainLoss, m.validLoss, m.testAccuracy, m.lr, m.seconds, m.imagesPerSecond);
    std::fflush(m_lines);
}
