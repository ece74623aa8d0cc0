#pragma once
// The locks that make a sweep folder the shared state of a search, for any number of workers on
// any number of machines (this one's --jobs slots, Slurm tasks): the sweep's lock, held for the
// moment a worker reads and changes sweep.json (claims a trial, records a pruner's decision), and
// one lease per trial, held for as long as the trial runs. Leases are flock(2) locks, released
// by the kernel when their holder dies: a killed worker leaves its trial free to resume, with no
// time-out to guess. The folder must be on a file system where flock works across the machines
// that share it (a local disk; NFSv4, where Linux maps it to NFS locks).
#include <string>

namespace mnist {

class SweepLock {
public:
    // Blocks until DIR/locks/sweep.lock is ours. Throws IoError naming the file when it cannot be opened.
    explicit SweepLock(const std::string& sweepDir);
    ~SweepLock();
    SweepLock(const SweepLock&) = delete;
    SweepLock& operator=(const SweepLock&) = delete;

private:
    int m_fd = -1;
};

// A trial's lease (DIR/locks/<run name>.lock). Movable; released when destroyed.
class TrialLease {
public:
    TrialLease() = default;
    // Takes the lease when nobody holds it; an empty lease otherwise.
    static TrialLease tryTake(const std::string& sweepDir, const std::string& runName);
    ~TrialLease();
    TrialLease(TrialLease&& other) noexcept;
    TrialLease& operator=(TrialLease&& other) noexcept;

    bool held() const { return m_fd >= 0; }
    // Its descriptor, close-on-exec: a trial's process started to run it keeps it open across
    // exec (passOn), so the lease lasts while either the worker or the trial lives.
    int fd() const { return m_fd; }
    // In a forked child before exec: keeps the lease's descriptor open across exec.
    void passOn() const;
    void release();

private:
    int m_fd = -1;
};

// Whether someone holds the trial's lease now (it is running somewhere). Never throws.
bool trialLeaseHeld(const std::string& sweepDir, const std::string& runName);

} // namespace mnist
