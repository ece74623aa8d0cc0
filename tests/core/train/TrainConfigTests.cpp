#include "Error.h"
#include "train/TrainConfig.h"

#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using Catch::Matchers::Contains;

TEST_CASE("TrainConfig round-trips through JSON", "[config]")
{
    mnist::TrainConfig c;
    c.dataset = "fashion-mnist";
    c.dataDir = "/tmp/somewhere";
    c.arch = "LeNetDeep";
    c.epochs = 7;
    c.batchSize = 250;
    c.lr = 3e-4;
    c.optimizer = "sgd";
    c.momentum = 0.8;
    c.nesterov = true;
    c.weightDecay = 1e-4;
    c.labelSmoothing = 0.1;
    c.emaDecay = 0.998;
    c.seed = 99;
    c.threads = 2;
    c.device = "cpu";
    c.shuffle = true;
    c.memoryFormat = "channels-last";
    c.scheduler.type = "cyclic";
    c.scheduler.baseLr = 1e-5;
    c.scheduler.maxLr = 1e-2;
    c.scheduler.stepSizeUp = 321;
    c.scheduler.mode = "exp_range";
    c.scheduler.gamma = 0.99;

    TempDir dir;
    mnist::saveTrainConfig(c, dir.file("config.json"));
    const mnist::TrainConfig back = mnist::loadTrainConfig(dir.file("config.json"));
    CHECK(mnist::toJsonText(back) == mnist::toJsonText(c));
    CHECK(back.arch == "LeNetDeep");
    CHECK(back.scheduler.stepSizeUp == 321);
    CHECK(back.labelSmoothing == 0.1);
    CHECK(back.emaDecay == 0.998);
    CHECK(back.scheduler.gammaOr(0) == 0.99);
    CHECK(back.shuffle);
    CHECK(back.memoryFormat == "channels-last");
    CHECK(back.validate().empty());
}

TEST_CASE("A config file with a typo, a wrong type or bad JSON is refused with the key", "[config]")
{
    CHECK_THROWS_WITH(mnist::trainConfigFromJsonText(R"({"epochz": 3})"), Contains("unknown key 'epochz'"));
    CHECK_THROWS_WITH(mnist::trainConfigFromJsonText(R"({"epochs": "ten"})"), Contains("epochs"));
    CHECK_THROWS_WITH(mnist::trainConfigFromJsonText(R"({"scheduler": {"type": "cosine", "Tmax": 3}})"), Contains("Tmax"));
    CHECK_THROWS_WITH(mnist::trainConfigFromJsonText("{epochs: 3"), Contains("not valid JSON"));
    CHECK_THROWS_WITH(mnist::loadTrainConfig("/nonexistent/config.json"), Contains("/nonexistent/config.json"));
}

TEST_CASE("Integer settings refuse fractions and values their type cannot hold", "[config]")
{
    // Found by fuzzing: 1.9e20 epochs was cast to int64 (undefined behaviour), and a thread count
    // of 2^32 + 1 wrapped to 1 without a word.
    CHECK_THROWS_WITH(mnist::trainConfigFromJsonText(R"({"epochs": 192233720368547758070})"),
                      Contains("epochs") && Contains("out of range"));
    CHECK_THROWS_WITH(mnist::trainConfigFromJsonText(R"({"threads": 4294967297})"),
                      Contains("threads") && Contains("out of range"));
    CHECK_THROWS_WITH(mnist::trainConfigFromJsonText(R"({"batch_size": 2.5})"),
                      Contains("batch_size") && Contains("expected an integer"));
    CHECK_THROWS_WITH(mnist::trainConfigFromJsonText(R"({"seed": -1})"), Contains("seed") && Contains("out of range"));
    CHECK_THROWS_WITH(mnist::trainConfigFromJsonText(R"({"scheduler": {"type": "step", "step_size": 1e300}})"),
                      Contains("scheduler") && Contains("out of range"));
    CHECK_THROWS_AS(mnist::trainConfigFromJsonText(R"({"epochs": true})"), mnist::ConfigError);

    // A whole number written with a decimal point is still that number.
    const mnist::TrainConfig c = mnist::trainConfigFromJsonText(
        R"({"epochs": 3.0, "seed": 18446744073709551615, "scheduler": {"type": "cosine", "T_max": 1e3}})");
    CHECK(c.epochs == 3);
    CHECK(c.seed == 18446744073709551615ull);
    CHECK(c.scheduler.tMax == 1000);
}

TEST_CASE("validate() lists every problem of a config in words", "[config]")
{
    mnist::TrainConfig c;
    REQUIRE(c.validate().empty());
    c.arch = "VGG";
    c.epochs = 0;
    c.batchSize = -5;
    c.lr = -1;
    c.optimizer = "rmsprop";
    c.momentum = 1.5;
    c.weightDecay = -1;
    c.labelSmoothing = 1.0;
    c.emaDecay = 1.0;
    c.memoryFormat = "nhwc";
    c.threads = -2;
    c.device = "gpu";
    c.dataset = "cifar";
    c.trainFraction = 1.0;
    c.scheduler.type = "cosine";
    c.scheduler.tMax = -3;
    const auto problems = c.validate();
    std::string all;
    for (const auto& p : problems)
        all += p + "\n";
    INFO(all);
    CHECK(problems.size() == 15);
    for (const char* words : {"architecture 'VGG'", "epochs", "batch size", "learning rate", "optimizer 'rmsprop'",
                              "momentum", "weight decay", "label smoothing", "EMA decay", "memory format 'nhwc'", "threads", "device 'gpu'", "dataset 'cifar'", "train fraction", "T_max"})
        CHECK_THAT(all, Contains(words));
    CHECK_THROWS_AS(mnist::throwIfInvalid(c), mnist::ConfigError);
}

TEST_CASE("Nesterov without momentum and a custom dataset without a folder are refused", "[config]")
{
    mnist::TrainConfig c;
    c.optimizer = "sgd";
    c.momentum = 0;
    c.nesterov = true;
    c.dataset = "idx";
    const auto problems = c.validate();
    REQUIRE(problems.size() == 2);
    CHECK_THAT(problems[0], Contains("data folder"));
    CHECK_THAT(problems[1], Contains("Nesterov"));
}
