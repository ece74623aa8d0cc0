#pragma once
// Process-wide threading set-up, callable before anything starts a thread. No LibTorch header here.

namespace mnist {

// LibTorch's OpenMP threads spin while they wait. When anything else wants a core (the GUI, a
// compiler, a second run) spinning threads starve it and each other: measured here, LeNet fell from
// 11,000 to under 700 images/s on a busy 2-core machine, against 5,800-11,000 with passive waiting.
// OpenMP reads OMP_WAIT_POLICY when the process loads, so the first call of main() re-executes the
// program with OMP_WAIT_POLICY=PASSIVE unless the user set a policy. Returns only when no re-exec
// happened (already set, or exec failed).
void useCooperativeOpenMpThreads(char** argv);

} // namespace mnist
