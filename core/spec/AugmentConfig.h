#pragma once
// Which training-time augmentations a run uses, with torchvision's parameters. Applied in this
// order: RandomResizedCrop, RandomRotation, RandomAffine, RandomErasing, then Normalize (Normalize
// alone also applies to the valid and test images).
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace mnist {

struct AugmentConfig {
    // RandomResizedCrop(28, scale, ratio), bilinear resize back to 28x28
    bool crop = false;
    double cropScaleMin = 0.8, cropScaleMax = 1.0; // fraction of the image area; > 1 is legal
    double cropRatioMin = 3.0 / 4.0, cropRatioMax = 4.0 / 3.0;

    // RandomRotation(degrees): angle ~ U(-degrees, degrees), counter-clockwise, fill 0
    bool rotate = false;
    double degrees = 30.0;
    bool rotateBilinear = false; // torchvision's default is nearest

    // RandomAffine(degrees, translate, scale, shear), fill 0: angle ~ U(-degrees, degrees) (clockwise,
    // as torchvision's affine), whole-pixel shifts round(U(-tx*W, tx*W)) and round(U(-ty*H, ty*H)),
    // scale ~ U(scaleMin, scaleMax), x shear ~ U(shearMin, shearMax) degrees.
    bool affine = false;
    double affineDegrees = 0.0;
    double translateX = 0.1, translateY = 0.1; // the largest shift, as a fraction of the width / height
    double affineScaleMin = 1.0, affineScaleMax = 1.0;
    double shearMin = 0.0, shearMax = 0.0;
    bool affineBilinear = false; // torchvision's default is nearest

    // RandomErasing(p, scale, ratio, value 0)
    bool erase = false;
    double eraseP = 0.5;
    double eraseScaleMin = 0.02, eraseScaleMax = 0.2;
    double eraseRatioMin = 0.3, eraseRatioMax = 3.3;

    // Normalize(mean, std), on every split
    bool normalize = false;
    double mean = 0.5, std = 0.5;
    // Per channel instead: each channel's mean and std over the training split, measured when the
    // data is loaded (applyDataShape() of data/Dataset.h) and kept in the run's config.json as
    // augment.normalize.channel_mean / channel_std, so evaluation, model.py and ONNX use the same.
    bool normalizePerChannel = false;
    std::vector<double> channelMean, channelStd; // empty until measured

    // Any random transform on (Normalize is not random).
    bool randomActive() const { return crop || rotate || affine || erase; }

    // Every problem in words; empty when valid.
    std::vector<std::string> validate() const;
};

// The notebook's final augmentation: RandomResizedCrop(28, scale=(0.8, 1.2)) + RandomRotation(30).
AugmentConfig notebookAugmentation();
// Milder, for short schedules (the balanced and best recipes): crop scale 0.85-1.0 with aspect
// 0.9-1.1, rotation 12.
AugmentConfig lightAugmentation();

void to_json(nlohmann::json& j, const AugmentConfig& c);
void from_json(const nlohmann::json& j, AugmentConfig& c);

} // namespace mnist
