#pragma once
// A network's layers as a text table (layer, type, output shape, parameters, multiply-adds, then
// the totals): what `mnist-train --describe-arch` prints and the set-up panel's Layers view shows.
#include "spec/NetworkSpec.h"

#include <string>

namespace mnist {

// For a valid spec; NetworkSpecError otherwise.
std::string networkTable(const NetworkSpec& spec);

// 1234567 -> "1,234,567".
std::string withThousandsSeparators(int64_t value);

} // namespace mnist
