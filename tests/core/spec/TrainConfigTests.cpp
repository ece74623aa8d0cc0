#include "Error.h"
#include "spec/ConfigFields.h"
#include "spec/TrainConfig.h"
#include "spec/MachineSettings.h"

#include "data/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

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

namespace {

// Every field away from its default (and every scheduler's parameters in turn).
std::vector<mnist::TrainConfig> unusualConfigs()
{
    mnist::TrainConfig c;
    c.dataset = "idx";
    c.dataDir = "/data/my digits";
    c.trainFraction = 0.75;
    c.shuffle = true;
    c.arch = "LeNetDeep";
    c.epochs = 37;
    c.batchSize = 250;
    c.optimizer = "sgd";
    c.lr = 3e-4;
    c.momentum = 0.85;
    c.nesterov = true;
    c.weightDecay = 1e-4;
    c.labelSmoothing = 0.15;
    c.emaDecay = 0.995;
    c.seed = 18446744073709551615ull;
    c.device = "cpu";
    c.threads = 3;
    c.memoryFormat = "contiguous";
    c.evalBatchSize = 500;
    c.augment.crop = c.augment.rotate = c.augment.erase = c.augment.normalize = true;
    c.augment.cropScaleMin = 0.7;
    c.augment.cropScaleMax = 1.1;
    c.augment.cropRatioMin = 0.5;
    c.augment.cropRatioMax = 2.0;
    c.augment.degrees = 15;
    c.augment.rotateBilinear = true;
    c.augment.eraseP = 0.3;
    c.augment.eraseScaleMin = 0.05;
    c.augment.eraseScaleMax = 0.3;
    c.augment.eraseRatioMin = 0.5;
    c.augment.eraseRatioMax = 2.5;
    c.augment.mean = 0.1307;
    c.augment.std = 0.3081;
    std::vector<mnist::TrainConfig> out;
    auto with = [&](auto change) {
        mnist::TrainConfig v = c;
        change(v.scheduler);
        out.push_back(v);
    };
    with([](auto& s) { s.type = "cosine"; s.tMax = 1234; s.etaMin = 1e-6; });
    with([](auto& s) { s.type = "cyclic"; s.baseLr = 1e-5; s.maxLr = 2e-3; s.stepSizeUp = 700; s.stepSizeDown = 300;
                       s.mode = "exp_range"; s.gamma = 0.9995; });
    with([](auto& s) { s.type = "warm-restarts"; s.t0 = 250; s.tMult = 2; s.etaMin = 1e-5; });
    with([](auto& s) { s.type = "one-cycle"; s.maxLr = 5e-3; s.pctStart = 0.25; s.anneal = "linear"; s.divFactor = 10;
                       s.finalDivFactor = 1e3; });
    with([](auto& s) { s.type = "step"; s.stepSize = 480; s.gamma = 0.5; });
    with([](auto& s) { s.type = "exponential"; s.gamma = 0.999; });
    return out;
}

} // namespace

TEST_CASE("Every field of the table round-trips through JSON and its command-line text", "[config][fields]")
{
    for (const mnist::TrainConfig& c : unusualConfigs()) {
        INFO(mnist::toJsonText(c));
        REQUIRE(c.validate().empty());
        const std::string text = mnist::toJsonText(c);
        CHECK(mnist::toJsonText(mnist::trainConfigFromJsonText(text)) == text);
        // The same settings given as flags to a default config.
        mnist::TrainConfig fromFlags;
        for (const auto& f : mnist::configFields()) {
            if (f.kind == mnist::FieldKind::Toggle || !mnist::fieldApplies(f, c))
                continue;
            INFO(f.key);
            REQUIRE_FALSE(f.flag.empty()); // every setting can be given on the command line
            mnist::setFieldFromText(fromFlags, f, mnist::fieldText(f, c));
        }
        CHECK(mnist::toJsonText(fromFlags) == text);
    }
    // Keys, flags and labels are unique.
    std::set<std::string> keys, flags;
    for (const auto& f : mnist::configFields()) {
        CHECK(keys.insert(f.key).second);
        if (!f.flag.empty())
            CHECK(flags.insert(f.flag).second);
        CHECK_FALSE(f.label.empty());
        CHECK_FALSE(f.tooltip.empty());
        CHECK(mnist::findField(f.key) == &f);
    }
}

TEST_CASE("A problem names the field it is about", "[config][fields]")
{
    mnist::TrainConfig c;
    c.batchSize = 0;
    c.scheduler.type = "cyclic";
    c.scheduler.baseLr = 0.1;
    c.augment.rotate = true;
    c.augment.degrees = 400;
    const auto problems = mnist::fieldProblems(c);
    std::map<std::string, std::string> byField;
    for (const auto& p : problems)
        byField[p.field] += p.message;
    CHECK(problems.size() == 3);
    CHECK_THAT(byField["batch_size"], Contains("batch size must be between 1 and 65536 (got 0)"));
    CHECK_THAT(byField["scheduler.base_lr"], Contains("must not exceed max_lr"));
    CHECK_THAT(byField["augment.random_rotation.degrees"], Contains("rotation degrees must be in [0, 180]"));
    // A transform that is off is not checked.
    c.augment.rotate = false;
    CHECK(mnist::fieldProblems(c, "augment").empty());

    SECTION("bad command-line text names the flag")
    {
        CHECK_THROWS_WITH(mnist::setFieldFromText(c, *mnist::findField("lr"), "fast"), Contains("--lr fast"));
        CHECK_THROWS_WITH(mnist::setFieldFromText(c, *mnist::findField("augment.random_resized_crop.scale"), "0.8"),
                          Contains("--crop-scale"));
        CHECK_THROWS_WITH(mnist::setFieldFromText(c, *mnist::findField("seed"), "-1"), Contains("--seed"));
    }
}

namespace {

std::set<std::string> keysWhere(mnist::FieldScope scope)
{
    std::set<std::string> keys;
    for (const mnist::ConfigField* f : mnist::fieldsWhere(scope))
        keys.insert(f->key);
    return keys;
}

} // namespace

TEST_CASE("The machine's settings are the field table's machine scope, and none of them is swept", "[config][scopes]")
{
    const std::set<std::string> machine = {"data_dir", "device", "threads", "memory_format", "eval_batch_size"};
    CHECK(keysWhere(mnist::FieldScope::Machine) == machine);
    for (const mnist::ConfigField& f : mnist::configFields()) {
        INFO(f.key);
        CHECK(mnist::isMachineField(f.key) == (machine.count(f.key) == 1));
        if (f.machine) {
            CHECK_FALSE(mnist::inScope(f, mnist::FieldScope::Sweepable));
            CHECK(mnist::inScope(f, mnist::FieldScope::ChangesOnResume));
        }
        // A transform's switch is swept by its parameters, the seed by the spec's "seeds".
        if (f.kind == mnist::FieldKind::Toggle || f.key == "seed")
            CHECK_FALSE(f.sweepable);
    }
    CHECK_FALSE(mnist::isMachineField("no_such_key"));
    CHECK(mnist::flagList(mnist::FieldScope::Machine) == "--data-dir, --device, --threads, --memory-format and --eval-batch-size");
}

TEST_CASE("A resumed run may change its epochs, its early stopping and the machine's settings, nothing else",
          "[config][scopes]")
{
    std::set<std::string> expected = {"epochs", "early_stop_patience", "early_stop_min_delta"};
    for (const mnist::ConfigField* f : mnist::fieldsWhere(mnist::FieldScope::Machine))
        expected.insert(f->key);
    CHECK(keysWhere(mnist::FieldScope::ChangesOnResume) == expected);
}

TEST_CASE("The sweepable settings are every setting but the seed, the machine's and the transform switches", "[config][scopes]")
{
    const std::set<std::string> sweepable = keysWhere(mnist::FieldScope::Sweepable);
    CHECK(sweepable.size() + 1 + 5 + 5 == mnist::configFields().size()); // seed, machine, five transforms
    for (const char* key : {"lr", "batch_size", "dataset", "arch", "scheduler.T_max", "augment.random_rotation.degrees"})
        CHECK(sweepable.count(key) == 1);
}

TEST_CASE("withMachineSettings takes exactly the machine's settings from the machine", "[config][scopes]")
{
    const mnist::TrainConfig experiment = mnist::trainConfigFromJsonText(
        R"({"lr": 0.5, "dataset": "fashion-mnist", "memory_format": "channels-last", "eval_batch_size": 9})");
    const mnist::TrainConfig machine = mnist::trainConfigFromJsonText(R"({"data_dir": "/data/here", "device": "cpu", "threads": 3,
        "memory_format": "contiguous", "eval_batch_size": 77, "lr": 0.01})");
    const mnist::TrainConfig c = mnist::withMachineSettings(experiment, machine);
    for (const mnist::ConfigField& f : mnist::configFields()) {
        INFO(f.key);
        CHECK(f.get(c) == f.get(f.machine ? machine : experiment));
    }
}
