#include "augment/AugmentPreview.h"

#include "Error.h"
#include "augment/BatchAugmenter.h"

#include <torch/torch.h>

namespace mnist {

AugmentPreview previewAugmentation(const Dataset& dataset, const std::vector<int64_t>& indices,
                                   const AugmentConfig& config, uint64_t seed)
{
    AugmentPreview preview;
    if (indices.empty())
        return preview;
    for (int64_t i : indices)
        if (i < 0 || i >= dataset.size())
            throw DataError("preview sample " + std::to_string(i) + " is outside the dataset (0.." +
                            std::to_string(dataset.size() - 1) + ")");
    const torch::Tensor idx = torch::tensor(indices, torch::kInt64);
    torch::Tensor original = dataset.images.index_select(0, idx).to(torch::kFloat32).div(255.0);
    if (original.dim() == 3)
        original = original.unsqueeze(1); // [N, H, W]: one grey channel
    AugmentConfig measured = config;
    if (config.normalize && config.normalizePerChannel && config.channelMean.empty())
        measureChannelStatistics(measured, dataset); // the statistics a run on this data would use
    const BatchAugmenter augmenter(measured);
    const torch::Tensor augmented = augmenter.normalize(augmenter.augment(original, makeCpuGenerator(seed))).contiguous();
    const torch::Tensor labels = dataset.labels.index_select(0, idx);

    preview.channels = original.size(1);
    preview.rows = original.size(2);
    preview.cols = original.size(3);
    const int64_t pixels = preview.channels * preview.rows * preview.cols;
    for (size_t k = 0; k < indices.size(); ++k) {
        PreviewSample s;
        s.index = indices[k];
        s.label = labels[static_cast<int64_t>(k)].item<int64_t>();
        const float* o = original[static_cast<int64_t>(k)].contiguous().data_ptr<float>();
        const torch::Tensor a = augmented[static_cast<int64_t>(k)].contiguous();
        s.original.assign(o, o + pixels);
        s.augmented.assign(a.data_ptr<float>(), a.data_ptr<float>() + pixels);
        s.augmentedMin = a.min().item<float>();
        s.augmentedMax = a.max().item<float>();
        preview.samples.push_back(std::move(s));
    }
    return preview;
}

} // namespace mnist
