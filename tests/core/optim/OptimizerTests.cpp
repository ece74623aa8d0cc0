#include "optim/OptimizerFactory.h"
#include "spec/TrainConfig.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

namespace {

// One parameter p with loss 0.5 * g0 * p^2 style gradients set by hand: grad = g.
void stepWithGrad(torch::optim::Optimizer& opt, torch::Tensor& p, double g)
{
    opt.zero_grad();
    p.mutable_grad() = torch::full_like(p, g);
    opt.step();
}

} // namespace

TEST_CASE("Optimizers follow PyTorch's update rules", "[optim]")
{
    mnist::TrainConfig c;
    c.lr = 0.1;
    torch::Tensor p = torch::full({1}, 1.0, torch::kFloat64).requires_grad_(true);

    SECTION("Adam: the first step moves by lr * g / (|g| + eps)")
    {
        c.optimizer = "adam";
        auto opt = mnist::makeOptimizer(c, {p});
        stepWithGrad(*opt, p, 0.5);
        CHECK(p.item<double>() == Approx(1.0 - 0.1 * 0.5 / (0.5 + 1e-8)).epsilon(1e-12));
        // second step: m = 0.9*0.05 + 0.1*0.2, v = 0.999*0.00025 + 0.001*0.04, bias-corrected
        stepWithGrad(*opt, p, 0.2);
        const double m = (0.9 * 0.05 + 0.1 * 0.2) / (1 - 0.81);
        const double v = (0.999 * 0.00025 + 0.001 * 0.04) / (1 - 0.999 * 0.999);
        const double expected = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8) - 0.1 * m / (std::sqrt(v) + 1e-8);
        CHECK(p.item<double>() == Approx(expected).epsilon(1e-9));
    }
    SECTION("AdamW decays the weight before the Adam step")
    {
        c.optimizer = "adamw";
        c.weightDecay = 0.01;
        auto opt = mnist::makeOptimizer(c, {p});
        stepWithGrad(*opt, p, 0.5);
        CHECK(p.item<double>() == Approx(1.0 * (1 - 0.1 * 0.01) - 0.1 * 0.5 / (0.5 + 1e-8)).epsilon(1e-12));
    }
    SECTION("SGD with momentum accumulates a velocity")
    {
        c.optimizer = "sgd";
        c.momentum = 0.9;
        auto opt = mnist::makeOptimizer(c, {p});
        stepWithGrad(*opt, p, 1.0);
        CHECK(p.item<double>() == Approx(0.9));
        stepWithGrad(*opt, p, 1.0);
        CHECK(p.item<double>() == Approx(0.9 - 0.1 * (0.9 * 1.0 + 1.0)));
    }
    SECTION("SGD with Nesterov looks ahead along the velocity")
    {
        c.optimizer = "sgd";
        c.momentum = 0.9;
        c.nesterov = true;
        auto opt = mnist::makeOptimizer(c, {p});
        stepWithGrad(*opt, p, 1.0); // buf = 1, update = g + 0.9 * buf = 1.9
        CHECK(p.item<double>() == Approx(1.0 - 0.1 * 1.9));
    }
    SECTION("SGD weight decay adds wd * p to the gradient")
    {
        c.optimizer = "sgd";
        c.momentum = 0.0;
        c.weightDecay = 0.5;
        auto opt = mnist::makeOptimizer(c, {p});
        stepWithGrad(*opt, p, 1.0);
        CHECK(p.item<double>() == Approx(1.0 - 0.1 * (1.0 + 0.5 * 1.0)));
    }
}

TEST_CASE("setLearningRate changes the step size of every parameter group", "[optim]")
{
    mnist::TrainConfig c;
    c.optimizer = "sgd";
    c.momentum = 0;
    c.lr = 1.0;
    torch::Tensor p = torch::zeros({1}, torch::kFloat64).requires_grad_(true);
    auto opt = mnist::makeOptimizer(c, {p});
    mnist::setLearningRate(*opt, 0.25);
    stepWithGrad(*opt, p, 1.0);
    CHECK(p.item<double>() == Approx(-0.25));
}
