#pragma once
// Stopping and pausing a run from another thread; the trainer checks it between iterations.
#include <atomic>
#include <condition_variable>
#include <mutex>

namespace mnist {

class StopToken {
public:
    void requestStop()
    {
        m_stop.store(true);
        std::lock_guard<std::mutex> lock(m_mutex);
        m_changed.notify_all();
    }
    // Safe inside a signal handler: only an atomic store (a paused trainer notices at its next wake-up).
    void requestStopFromSignal() { m_stop.store(true); }
    bool stopRequested() const { return m_stop.load(std::memory_order_relaxed); }

    // While paused the trainer blocks between two iterations; a stop request also ends the pause.
    void setPaused(bool paused)
    {
        m_paused.store(paused);
        std::lock_guard<std::mutex> lock(m_mutex);
        m_changed.notify_all();
    }
    bool paused() const { return m_paused.load(std::memory_order_relaxed); }

    // Called by the trainer: returns at once unless paused, then when resumed or stopped.
    void waitWhilePaused() const
    {
        if (!m_paused.load())
            return;
        std::unique_lock<std::mutex> lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_paused.load() || m_stop.load(); });
    }

private:
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_paused{false};
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
};

} // namespace mnist
