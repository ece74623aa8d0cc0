#include "models/PoolEarly.h"

#include "EnvFlag.h"

#include <torch/torch.h>

#include <vector>

namespace mnist {

torch::Tensor forwardPoolEarly(torch::nn::Sequential& block, torch::Tensor x)
{
    // ReLUs seen since the last pooling wait for the next one. A Dropout2d runs where it stands:
    // a ReLU commutes with it (relu(c x) = c relu(x) for c >= 0), so it need not flush them. Any
    // other module runs the waiting ReLUs first: the reordering crosses nothing else.
    std::vector<torch::nn::AnyModule*> held;
    const auto runHeld = [&] {
        for (torch::nn::AnyModule* m : held)
            x = m->forward(x);
        held.clear();
    };
    for (torch::nn::AnyModule& m : *block) {
        const auto& module = *m.ptr();
        if (module.as<torch::nn::ReLU>()) {
            held.push_back(&m);
        } else if (module.as<torch::nn::Dropout2d>()) {
            x = m.forward(x);
        } else if (module.as<torch::nn::MaxPool2d>()) {
            x = m.forward(x);
            runHeld();
        } else {
            runHeld();
            x = m.forward(x);
        }
    }
    runHeld();
    return x;
}

torch::Tensor forwardConvBlock(torch::nn::Sequential& block, torch::Tensor x)
{
    static const bool poolLast = envFlag("MNIST_STUDIO_POOL_LAST");
    return poolLast ? block->forward(x) : forwardPoolEarly(block, x);
}

} // namespace mnist
