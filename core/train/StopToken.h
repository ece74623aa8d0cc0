#pragma once
// Asking a run to stop from another thread; the trainer checks it between iterations.
#include <atomic>

namespace mnist {

class StopToken {
public:
    void requestStop() { m_stop.store(true, std::memory_order_relaxed); }
    bool stopRequested() const { return m_stop.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_stop{false};
};

} // namespace mnist
