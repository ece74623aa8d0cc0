#include "data/ImageSet.h"

#include <algorithm>

namespace mnist {

bool ImageSet::labeled() const
{
    return !labels.empty() && std::all_of(labels.begin(), labels.end(), [](int64_t l) { return l >= 0; });
}

} // namespace mnist
