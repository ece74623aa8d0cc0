#include "train/Recipes.h"

#include "augment/AugmentConfig.h"

namespace mnist {
namespace {

TrainConfig fastRecipe()
{
    // BatchNorm makes LeNet tolerate a high one-cycle peak; two shuffled epochs suffice for 99%.
    TrainConfig c;
    c.arch = "LeNetBN";
    c.epochs = 2;
    c.batchSize = 128;
    c.lr = 1e-3;
    c.shuffle = true;
    c.scheduler.type = "one-cycle";
    c.scheduler.maxLr = 0.01;
    return c;
}

// SimpleNet, shuffled, one-cycle; 90% of the training file trains (the 6,000 valid images still
// pick the honest epoch). Light rather than the notebook's augmentation (crop 0.8-1.2 at any
// aspect, rotation 30): a short schedule has no epochs to spare for digits that no test image
// looks like. Measured: SimpleNet 5 epochs 99.62%, against 99.29-99.37% for LeNetDeep with the
// notebook's augmentation in 12.
TrainConfig simpleNetOneCycle(int64_t epochs)
{
    TrainConfig c;
    c.arch = "SimpleNet";
    c.epochs = epochs;
    c.batchSize = 128;
    c.lr = 1e-3;
    c.shuffle = true;
    c.trainFraction = 0.9;
    c.scheduler.type = "one-cycle";
    c.scheduler.maxLr = 0.003;
    c.augment = lightAugmentation();
    return c;
}

TrainConfig balancedRecipe()
{
    return simpleNetOneCycle(4);
}

TrainConfig bestRecipe()
{
    TrainConfig c = simpleNetOneCycle(15);
    c.labelSmoothing = 0.1;
    return c;
}

} // namespace

const std::vector<Recipe>& recipes()
{
    static const std::vector<Recipe> list = {
        {"fast", "LeNetBN, Adam + one-cycle (max 0.01), batch 128, shuffled, 2 epochs: 99.10-99.11% on a 2-core CPU in 9-10 s",
         fastRecipe()},
        {"balanced", "SimpleNet, light augmentation, one-cycle (max 0.003), batch 128, shuffled, 90% train, 4 epochs: "
                     "99.56-99.58% on a 2-core CPU in ~2 min",
         balancedRecipe()},
        {"best", "SimpleNet, light augmentation, label smoothing 0.1, one-cycle (max 0.003), batch 128, shuffled, 90% train, "
                 "15 epochs: 99.67-99.82% (honest metric, mean 99.71-99.73% over 10-12 seeds) in ~7.5 min on a 2-core CPU, "
                 "40 s on an H200 GPU",
         bestRecipe()},
    };
    return list;
}

const Recipe* findRecipe(const std::string& name)
{
    for (const auto& r : recipes())
        if (r.name == name)
            return &r;
    return nullptr;
}

} // namespace mnist
