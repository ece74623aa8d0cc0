#pragma once
// Prints a run's progress for mnist-train: one line per epoch, and a progress bar on stderr when
// stderr is a terminal.
#include "train/TrainingObserver.h"

#include <chrono>
#include <cstdio>

class ConsoleReporter : public mnist::TrainingObserver {
public:
    // Epoch lines go to `lines` (stdout, or stderr when stdout carries JSON).
    explicit ConsoleReporter(std::FILE* lines);
    void onRunStarted(const mnist::RunInfo& info) override;
    void onIteration(const mnist::IterationPoint& p) override;
    void onEpoch(const mnist::EpochMetrics& m) override;
    void clearBar();

private:
    std::FILE* m_lines;
    bool m_bar;
    bool m_barShown = false;
    mnist::RunInfo m_info;
    std::chrono::steady_clock::time_point m_lastDraw{};
};
