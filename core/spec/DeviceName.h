#pragma once
// Device names as a set-up writes them (auto, cpu, cuda, cuda:N), checked without LibTorch, so
// the field table can validate them; train/Device.h resolves them to a device.
#include <string>

namespace mnist {

// Empty when `spec` is syntactically one of auto, cpu, cuda, cuda:N; otherwise the problem.
std::string deviceSyntaxProblem(const std::string& spec);

// True for "cuda" (index 0) and "cuda:N", with N in *index.
bool parseCudaIndex(const std::string& spec, long* index);

} // namespace mnist
