#include "NotebookRecipes.h"

namespace studio {
namespace {

mnist::TrainConfig base(const char* arch, int64_t epochs, double lr, int64_t batch = 100)
{
    mnist::TrainConfig c;
    c.arch = arch;
    c.epochs = epochs;
    c.lr = lr;
    c.batchSize = batch;
    c.optimizer = "adam";
    c.shuffle = false;
    c.seed = 1234; // the notebook's manualSeed
    return c;
}

// The notebook's first augmentation: crop 0.8-1.0, rotation 30, erasing p 0.5 scale 0.02-0.2,
// Normalize(0.5, 0.5).
mnist::AugmentConfig firstAugmentation(bool normalize)
{
    mnist::AugmentConfig a;
    a.crop = true;
    a.cropScaleMin = 0.8;
    a.cropScaleMax = 1.0;
    a.rotate = true;
    a.degrees = 30;
    a.erase = true;
    a.eraseP = 0.5;
    a.eraseScaleMin = 0.02;
    a.eraseScaleMax = 0.2;
    a.normalize = normalize;
    a.mean = 0.5;
    a.std = 0.5;
    return a;
}

mnist::TrainConfig withCosine(mnist::TrainConfig c, int64_t tMax)
{
    c.scheduler.type = "cosine";
    c.scheduler.tMax = tMax;
    c.scheduler.etaMin = 0;
    return c;
}

// CyclicLR(base_lr, max_lr, step_size_up, mode, cycle_momentum=False).
mnist::TrainConfig withCyclic(mnist::TrainConfig c, double baseLr, double maxLr, int64_t stepUp, const char* mode)
{
    c.scheduler.type = "cyclic";
    c.scheduler.baseLr = baseLr;
    c.scheduler.maxLr = maxLr;
    c.scheduler.stepSizeUp = stepUp;
    c.scheduler.stepSizeDown = 0;
    c.scheduler.mode = mode;
    return c;
}

mnist::TrainConfig withRestarts(mnist::TrainConfig c, int64_t t0, double tMult)
{
    c.scheduler.type = "warm-restarts";
    c.scheduler.t0 = t0;
    c.scheduler.tMult = tMult;
    c.scheduler.etaMin = 0;
    return c;
}

mnist::TrainConfig withAugment(mnist::TrainConfig c, const mnist::AugmentConfig& a)
{
    c.augment = a;
    return c;
}

} // namespace

const QVector<NotebookRecipe>& notebookRecipes()
{
    // The notebook's accuracies are reported in docs/accuracy.md beside ours, with the machines;
    // the list says in words what the notebook observed and points there for the figures.
    const QString inDocs = QStringLiteral("accuracy in docs/accuracy.md");
    // The cosine, cyclic and warm-restart runs used the notebook's last augmentation (crop 0.8-1.2
    // + rotation 30), which was the one defined when they ran.
    const mnist::AugmentConfig finalAug = mnist::notebookAugmentation();
    static const QVector<NotebookRecipe> recipes = {
        {QStringLiteral("LeNet · 10 epochs · lr 1e-2"), inDocs,
         QStringLiteral("Overfits: the train loss keeps falling while the valid loss does not."),
         base("LeNet", 10, 1e-2)},
        {QStringLiteral("LeNetBN · 10 epochs"), inDocs,
         QStringLiteral("Batch normalisation: the valid loss and the accuracy progress more regularly."),
         base("LeNetBN", 10, 1e-2)},
        {QStringLiteral("LeNetBN · 50 epochs"), QStringLiteral("more stable than Dropout"),
         QStringLiteral("Batch normalisation performs better and is more stable, though its valid loss rises with time."),
         base("LeNetBN", 50, 1e-2)},
        {QStringLiteral("LeNetDrop · 50 epochs"), QStringLiteral("train loss well above valid loss"),
         QStringLiteral("Dropout needs longer training; it applies in training only, so the train loss stays high."),
         base("LeNetDrop", 50, 1e-2)},
        {QStringLiteral("LeNetDropBN · 50 epochs"), QStringLiteral("highest, most stable so far"),
         QStringLiteral("Dropout and batch normalisation combined."), base("LeNetDropBN", 50, 1e-2)},
        {QStringLiteral("LeNetDL-k5 · 50 epochs"), QStringLiteral("comparable, less stable"),
         QStringLiteral("Deeper layers (32, 64), kernel 5: slower to train; it seems to overfit."),
         base("LeNetDL-k5", 50, 1e-2)},
        {QStringLiteral("LeNetDL-k3 · 50 epochs"), QStringLiteral("better than k5"),
         QStringLiteral("A large kernel first, then a deeper layer with a 3x3 kernel."), base("LeNetDL-k3", 50, 1e-2)},
        {QStringLiteral("LeNetDeep · 50 epochs"), QStringLiteral("valid loss a bit better"),
         QStringLiteral("Four convolution blocks; more depth and training could help."), base("LeNetDeep", 50, 1e-2)},
        {QStringLiteral("LeNetDeep · normalize + crop 0.8–1.0 + rot 30 + erase · 20 epochs"),
         QStringLiteral("accuracy strongly unstable"),
         QStringLiteral("Both losses fall, but the test accuracy jumps around."),
         withAugment(base("LeNetDeep", 20, 1e-2), firstAugmentation(true))},
        {QStringLiteral("LeNetDeep · crop 0.8–1.0 + rot 30 + erase, no normalize · 100 epochs"),
         QStringLiteral("slow progress, stuck at low values"),
         QStringLiteral("The accuracy meets a resistance at still low values."),
         withAugment(base("LeNetDeep", 100, 1e-2), firstAugmentation(false))},
        {QStringLiteral("LeNetDeep · crop 0.8–1.2 + rot 30 · 100 epochs"),
         QStringLiteral("comparable to no augmentation"),
         QStringLiteral("Without RandomErasing, with a wider crop range."),
         withAugment(base("LeNetDeep", 100, 1e-2), finalAug)},
        {QStringLiteral("LeNetDeep · cosine T_max 1000 · lr 1e-2 · 50 epochs"), QStringLiteral("LR too large"),
         QStringLiteral("The maximal LR is too large for a steady long-term rise in accuracy."),
         withCosine(base("LeNetDeep", 50, 1e-2), 1000)},
        {QStringLiteral("LeNetDeep · cosine T_max 1000 · lr 1e-3 · 50 epochs"), inDocs,
         QStringLiteral("High accuracy; the valid loss starts rising around 30 epochs."),
         withCosine(base("LeNetDeep", 50, 1e-3), 1000)},
        {QStringLiteral("LeNetDeep · cosine T_max 1000 · lr 1e-3 · augmentation · 50 epochs"), inDocs,
         QStringLiteral("With augmentation the valid loss no longer rises past 30 epochs."),
         withAugment(withCosine(base("LeNetDeep", 50, 1e-3), 1000), finalAug)},
        {QStringLiteral("LeNetDeep · cosine T_max 1000 · augmentation · batch 250 · 80 epochs"), inDocs,
         QStringLiteral("The highest accuracy so far."),
         withAugment(withCosine(base("LeNetDeep", 80, 1e-3, 250), 1000), finalAug)},
        {QStringLiteral("LeNetDeep · CyclicLR triangular 1e-4–1e-3 · step 10× batch · 100 epochs"), inDocs,
         QStringLiteral("step_size_up = 10 x 250 = 2500 iterations, batch 250, augmentation."),
         withAugment(withCyclic(base("LeNetDeep", 100, 1e-3, 250), 1e-4, 1e-3, 2500, "triangular"), finalAug)},
        {QStringLiteral("LeNetDeep · CyclicLR triangular 1e-4–1e-3 · step 4× batch · 100 epochs"), inDocs,
         QStringLiteral("step_size_up = 4 x 250 = 1000 iterations, batch 250, augmentation."),
         withAugment(withCyclic(base("LeNetDeep", 100, 1e-3, 250), 1e-4, 1e-3, 1000, "triangular"), finalAug)},
        {QStringLiteral("LeNetDeep · CyclicLR triangular2 1e-4–1e-2 · lr 1e-2 · 100 epochs"), inDocs,
         QStringLiteral("The amplitude halves every cycle; a large start to converge faster."),
         withAugment(withCyclic(base("LeNetDeep", 100, 1e-2, 250), 1e-4, 1e-2, 2500, "triangular2"), finalAug)},
        {QStringLiteral("LeNetDeep · warm restarts T_0 250 T_mult 2 · lr 1e-3 · 100 epochs"), inDocs,
         QStringLiteral("Batch 250, augmentation; the accuracy is stuck near the state of the art for this depth."),
         withAugment(withRestarts(base("LeNetDeep", 100, 1e-3, 250), 250, 2), finalAug)},
        {QStringLiteral("SimpleNet · warm restarts T_0 1000 T_mult 1 · lr 1e-3 · 100 epochs"), inDocs,
         QStringLiteral("The deeper SimpleNet (1.68 M parameters), batch 250, augmentation: the notebook's best."),
         withAugment(withRestarts(base("SimpleNet", 100, 1e-3, 250), 1000, 1), finalAug)},
    };
    return recipes;
}

mnist::TrainConfig applyRecipe(const NotebookRecipe& recipe, const mnist::TrainConfig& current)
{
    return applyRecipe(recipe.config, current);
}

mnist::TrainConfig applyRecipe(const mnist::TrainConfig& recipe, const mnist::TrainConfig& current)
{
    mnist::TrainConfig c = recipe;
    c.dataset = current.dataset;
    c.dataDir = current.dataDir;
    c.device = current.device;
    c.threads = current.threads;
    c.evalBatchSize = current.evalBatchSize;
    return c;
}

} // namespace studio
