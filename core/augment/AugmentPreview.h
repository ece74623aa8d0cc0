#pragma once
// Before/after samples of an augmentation, for the GUI's preview panel and for inspection.
#include "spec/AugmentConfig.h"
#include "data/Dataset.h"

#include <cstdint>
#include <vector>

namespace mnist {

// One previewed sample. Images are channels x rows x cols floats (channel-major).
struct PreviewSample {
    int64_t index = 0;            // index into the dataset
    int64_t label = 0;
    std::vector<float> original;  // the image in [0, 1]
    std::vector<float> augmented; // after every transform, Normalize included when on
    float augmentedMin = 0, augmentedMax = 0;
};

struct AugmentPreview {
    int64_t channels = 1, rows = 28, cols = 28;
    std::vector<PreviewSample> samples;
};

// Augments dataset images `indices` with `config`, drawing from a generator seeded with `seed`
// (same seed, same result). Indices out of range throw DataError.
AugmentPreview previewAugmentation(const Dataset& dataset, const std::vector<int64_t>& indices,
                                   const AugmentConfig& config, uint64_t seed);

} // namespace mnist
