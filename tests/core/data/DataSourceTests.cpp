// Datasets of every kind end as the same tensors: the proofs of docs/datasets.md on real MNIST and
// Fashion-MNIST (written out as PNG folders and Kaggle CSV), an EMNIST-style transposed release,
// a generated colour set that trains, and the refusals that keep a data set from changing silently.
#include "data/IdxFixtures.h"
#include "data/ImageFixtures.h"
#include "data/NetworkFixtures.h"
#include "data/RunCli.h"
#include "data/ScopedEnv.h"
#include "data/SkipTest.h"
#include "data/TempDir.h"

#include "TestPaths.h"

#include "Error.h"
#include "data/DataLocations.h"
#include "data/DataSource.h"
#include "data/Dataset.h"
#include "data/IdxWriter.h"
#include "augment/BatchAugmenter.h"
#include "formats/ModelPy.h"
#include "formats/OnnxExport.h"
#include "formats/SafeTensors.h"
#include "formats/StateDict.h"
#include "models/ModelRegistry.h"
#include "run/PretrainedModel.h"
#include "spec/Architectures.h"
#include "spec/NetworkSpec.h"
#include "train/Predictions.h"
#include "train/Trainer.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

std::string realDataDir(const std::string& dataset)
{
    mnist::TrainConfig c;
    c.dataset = dataset;
    const std::string dir = mnist::resolveDataDir(c);
    return mnist::hasIdxFiles(dir) ? dir : std::string();
}

std::vector<uint16_t> samples(const torch::Tensor& image)
{
    const torch::Tensor b = image.contiguous();
    return std::vector<uint16_t>(b.data_ptr<uint8_t>(), b.data_ptr<uint8_t>() + b.numel());
}

// ROOT/<part>/<label>/<index>.png for the images of `d`, grey.
void writePngFolder(const fs::path& root, const std::string& part, const mnist::Dataset& d)
{
    for (int64_t i = 0; i < d.size(); ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "%06lld.png", static_cast<long long>(i));
        const int64_t label = d.labels[i].item<int64_t>();
        fixtures::writeBytes((root / part / std::to_string(label) / name).string(),
                             fixtures::pngBytes(28, 28, 1, 8, samples(d.images[i])));
    }
}

// Kaggle's layout: label,pixel0..pixel783 (or without the label column).
void writeKaggleCsv(const std::string& path, const mnist::Dataset& d, bool labeled)
{
    std::ofstream out(path);
    if (labeled)
        out << "label,";
    for (int p = 0; p < 784; ++p)
        out << (p ? "," : "") << "pixel" << p;
    out << "\n";
    const torch::Tensor images = d.images.contiguous();
    const uint8_t* px = images.data_ptr<uint8_t>();
    for (int64_t i = 0; i < d.size(); ++i) {
        if (labeled)
            out << d.labels[i].item<int64_t>() << ",";
        for (int p = 0; p < 784; ++p)
            out << (p ? "," : "") << static_cast<int>(px[i * 784 + p]);
        out << "\n";
    }
}

// The images of `d` grouped by label, each group in file order: an image folder's order.
mnist::Dataset classMajor(const mnist::Dataset& d)
{
    std::vector<int64_t> order;
    const torch::Tensor labels = d.labels.contiguous();
    for (int64_t k = 0; k < 10; ++k)
        for (int64_t i = 0; i < d.size(); ++i)
            if (labels.data_ptr<int64_t>()[i] == k)
                order.push_back(i);
    const torch::Tensor idx = torch::tensor(order, torch::kInt64);
    return {d.images.index_select(0, idx), d.labels.index_select(0, idx)};
}

mnist::Dataset head(const mnist::Dataset& d, int64_t n)
{
    return {d.images.narrow(0, 0, n), d.labels.narrow(0, 0, n)};
}

} // namespace

TEST_CASE("MNIST and Fashion-MNIST as PNG folders and as Kaggle CSV give their IDX tensors bit for bit", "[data][formats]")
{
    for (const std::string dataset : {"mnist", "fashion-mnist"}) {
        INFO(dataset);
        const std::string idx = realDataDir(dataset);
        if (idx.empty())
            return fixtures::skipTest("no " + dataset + " IDX files (make data fetches them)");
        TempDir dir;
        ScopedEnv cache("MNIST_STUDIO_CACHE_DIR", dir.file("cache"));
        // The whole test part and the first 12,000 training images keep the test to seconds.
        const mnist::Dataset train = head(mnist::loadIdxFolder(idx, true), 12000);
        const mnist::Dataset test = mnist::loadIdxFolder(idx, false);
        const fs::path root = dir.path() / "png";
        writePngFolder(root, "train", train);
        writePngFolder(root, "test", test);

        mnist::DataRequest r;
        r.kind = "folder";
        r.location = root.string();
        const mnist::SourceData folder = mnist::readDataSource(r);
        CHECK(folder.problems.empty());
        CHECK(folder.classes == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
        CHECK_FALSE(folder.fromCache);
        mnist::SourceData copy = folder;
        const mnist::Dataset folderTrain = mnist::toDataset(std::move(copy.train));
        const mnist::Dataset folderTest = mnist::toDataset(std::move(copy.test));
        const mnist::Dataset wantTrain = classMajor(train), wantTest = classMajor(test);
        REQUIRE(folderTrain.images.sizes() == wantTrain.images.sizes());
        CHECK(torch::equal(folderTrain.images, wantTrain.images));
        CHECK(torch::equal(folderTrain.labels, wantTrain.labels));
        CHECK(torch::equal(folderTest.images, wantTest.images));
        CHECK(torch::equal(folderTest.labels, wantTest.labels));

        // The second read comes from the decoded cache, with the same content.
        const mnist::SourceData cached = mnist::readDataSource(r);
        CHECK(cached.fromCache);
        CHECK(cached.train.pixels == folder.train.pixels);
        CHECK(cached.test.labels == folder.test.labels);
        CHECK(cached.train.sources == folder.train.sources);

        // Kaggle CSV: the file's order is the IDX file's order.
        const std::string csv = dir.file("train.csv");
        writeKaggleCsv(csv, train, true);
        mnist::DataRequest c;
        c.kind = "csv";
        c.location = csv;
        c.useCache = false;
        mnist::SourceData fromCsv = mnist::readDataSource(c);
        const mnist::Dataset csvTrain = mnist::toDataset(std::move(fromCsv.train));
        CHECK(torch::equal(csvTrain.images, train.images));
        CHECK(torch::equal(csvTrain.labels, train.labels));
    }
}

TEST_CASE("The decoded cache is redone when a file changes and never trusted when damaged", "[data][formats]")
{
    TempDir dir;
    ScopedEnv cache("MNIST_STUDIO_CACHE_DIR", dir.file("cache"));
    const fs::path root = dir.path() / "set";
    for (int k = 0; k < 2; ++k)
        for (int i = 0; i < 3; ++i)
            fixtures::writeBytes((root / ("c" + std::to_string(k)) / (std::to_string(i) + ".png")).string(),
                                 fixtures::pngBytes(4, 4, 1, 8, std::vector<uint16_t>(16, static_cast<uint16_t>(10 * i + k))));
    mnist::DataRequest r;
    r.kind = "folder";
    r.location = root.string();
    CHECK_FALSE(mnist::readDataSource(r).fromCache);
    CHECK(mnist::readDataSource(r).fromCache);
    // A changed image (other size and time) is decoded again.
    fixtures::writeBytes((root / "c1" / "2.png").string(), fixtures::pngBytes(4, 4, 1, 8, std::vector<uint16_t>(16, 200)));
    fs::last_write_time(root / "c1" / "2.png", fs::file_time_type::clock::now() + std::chrono::seconds(5));
    const mnist::SourceData changed = mnist::readDataSource(r);
    CHECK_FALSE(changed.fromCache);
    CHECK(changed.train.pixels.back() == 200);
    // A damaged cache file is ignored and rewritten.
    for (const auto& e : fs::directory_iterator(mnist::decodedCacheDir())) {
        std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(20);
        f.write("garbage!", 8);
    }
    const mnist::SourceData again = mnist::readDataSource(r);
    CHECK_FALSE(again.fromCache);
    CHECK(again.train.pixels == changed.train.pixels);
}

TEST_CASE("An EMNIST-style transposed release reads upright: the shipped MNIST model scores on it as on MNIST",
          "[data][formats][pretrained]")
{
    const std::string idx = realDataDir("mnist");
    if (idx.empty())
        return fixtures::skipTest("no MNIST IDX files (make data fetches them)");
    const auto model = mnist::findPretrainedModel();
    if (!model)
        return fixtures::skipTest("no pretrained model found");
    TempDir dir;
    const mnist::Dataset test = mnist::loadIdxFolder(idx, false);
    // EMNIST stores every image transposed; its digits split has the labels 0..9 of "0".."9".
    const torch::Tensor transposed = test.images.squeeze(1).transpose(1, 2).contiguous();
    const fs::path gzip = dir.path() / "gzip";
    fs::create_directories(gzip);
    for (const char* part : {"train", "test"}) {
        mnist::writeIdxImages((gzip / ("emnist-digits-" + std::string(part) + "-images-idx3-ubyte")).string(), transposed);
        const torch::Tensor l = test.labels.to(torch::kUInt8).contiguous();
        fixtures::writeIdxLabels((gzip / ("emnist-digits-" + std::string(part) + "-labels-idx1-ubyte")).string(),
                                 std::vector<uint8_t>(l.data_ptr<uint8_t>(), l.data_ptr<uint8_t>() + l.numel()));
    }
    std::ofstream(gzip / "emnist-digits-mapping.txt") << "0 48\n1 49\n2 50\n3 51\n4 52\n5 53\n6 54\n7 55\n8 56\n9 57\n";

    mnist::TrainConfig onMnist = model->config;
    onMnist.dataDir = idx;
    onMnist.device = "cpu";
    mnist::TrainConfig onEmnist = onMnist;
    onEmnist.dataset = "emnist";
    onEmnist.dataDir = gzip.string();
    const mnist::DataSplits emnist = mnist::loadData(onEmnist);
    CHECK(emnist.name == "emnist-digits");
    CHECK(emnist.shape == mnist::DataShape{});
    CHECK(torch::equal(emnist.test.images, test.images));
    const mnist::TestPredictions a = mnist::predictTestSet(model->weightsPath, onMnist);
    const mnist::TestPredictions b = mnist::predictTestSet(model->weightsPath, onEmnist);
    CHECK(b.accuracy() > 99.0);
    CHECK(b.confusion == a.confusion);
    CHECK(b.classNames == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
}

namespace {

// Tinted digit-like images, 32 x 32 RGB: class k draws the synthetic fixture's patch for k in a
// colour of its own on a grey background, so both shape and colour tell the classes apart.
void writeColourFolder(const fs::path& root, int nTrain, int nTest, int classes)
{
    static const uint8_t tints[4][3] = {{255, 190, 60}, {60, 120, 255}, {60, 230, 220}, {200, 80, 200}};
    for (const auto& [part, n, seed] : {std::tuple<std::string, int, uint32_t>{"train", nTrain, 1}, {"test", nTest, 2}}) {
        const fixtures::Synthetic s = fixtures::makeSynthetic(n * 3, seed);
        int written = 0;
        for (size_t i = 0; i < s.labels.size() && written < n; ++i) {
            const int k = s.labels[i];
            if (k >= classes)
                continue;
            std::vector<uint16_t> rgb(32 * 32 * 3, 40);
            for (int y = 0; y < 28; ++y)
                for (int x = 0; x < 28; ++x)
                    for (int ch = 0; ch < 3; ++ch) {
                        const int v = s.pixels[i * 784 + static_cast<size_t>(y * 28 + x)];
                        rgb[static_cast<size_t>(((y + 2) * 32 + x + 2) * 3 + ch)] =
                            static_cast<uint16_t>(40 + v * (tints[k][ch] - 40) / 255);
                    }
            const std::string name = std::to_string(written++) + ".png";
            fixtures::writeBytes((root / part / ("tint-" + std::to_string(k)) / name).string(),
                                 fixtures::pngBytes(32, 32, 3, 8, rgb));
        }
    }
}

} // namespace

TEST_CASE("A colour data set of 4 classes trains with C = 3, and PyTorch's model.py and ONNX Runtime give its logits",
          "[data][formats][train][pytorch][onnxruntime]")
{
    TempDir dir;
    ScopedEnv cache("MNIST_STUDIO_CACHE_DIR", dir.file("cache"));
    const fs::path root = dir.path() / "tinted";
    writeColourFolder(root, 1200, 200, 4);

    mnist::TrainConfig c;
    c.dataset = "folder";
    c.dataDir = root.string();
    c.arch = "LeNet";
    c.epochs = 4;
    c.batchSize = 32;
    c.lr = 2e-3;
    c.device = "cpu";
    c.threads = 2;
    c.augment.normalize = true;
    c.augment.normalizePerChannel = true;
    const mnist::DataSplits data = mnist::loadData(c);
    CHECK(data.shape.input() == std::vector<int64_t>{3, 32, 32});
    CHECK(data.shape.classes == std::vector<std::string>{"tint-0", "tint-1", "tint-2", "tint-3"});
    mnist::applyDataShape(c, data);
    // Normalize per channel: each channel's mean and std over the train split, as torch computes them.
    REQUIRE(c.augment.channelMean.size() == 3);
    const torch::Tensor pixels = data.train.images.to(torch::kFloat64).div(255.0).transpose(0, 1).reshape({3, -1});
    for (int64_t ch = 0; ch < 3; ++ch) {
        CHECK(c.augment.channelMean[static_cast<size_t>(ch)] == Approx(pixels[ch].mean().item<double>()).epsilon(1e-9));
        CHECK(c.augment.channelStd[static_cast<size_t>(ch)] ==
              Approx(pixels[ch].std(/*unbiased=*/false).item<double>()).epsilon(1e-9));
    }
    const mnist::TrainConfig saved = mnist::trainConfigFromJsonText(mnist::toJsonText(c));
    CHECK(saved.augment.channelMean == c.augment.channelMean);
    CHECK(saved.augment.channelStd == c.augment.channelStd);
    CHECK(saved.data == c.data);
    struct Quiet : mnist::TrainingObserver {
    } quiet;
    mnist::StopToken stop;
    const mnist::TrainResult result = mnist::Trainer(c).run(data, quiet, stop);
    CHECK(result.epochs.back().testAccuracy > 90.0);

    // The built-in LeNet took the data's shape: 3 input channels, a classifier of 4, names unchanged.
    const mnist::NamedTensors sd = mnist::stateDict(*result.model);
    REQUIRE(sd.front().first == "block1.0.weight");
    CHECK(sd.front().second.sizes().vec() == std::vector<int64_t>{16, 3, 5, 5});
    CHECK(sd.back().first == "fc.bias");
    CHECK(sd.back().second.sizes().vec() == std::vector<int64_t>{4});

    // Interop on the trained colour model: our logits against PyTorch's model.py and ONNX Runtime.
    const mnist::NetworkSpec spec = mnist::networkSpecFor(c);
    const fs::path py = dir.path() / "interop" / "tinted";
    fs::create_directories(py);
    result.model->to(torch::kCPU);
    result.model->eval();
    const torch::Tensor input = torch::rand({5, 3, 32, 32});
    torch::Tensor logits;
    {
        torch::NoGradGuard noGrad;
        logits = result.model->forward(input);
    }
    nlohmann::json names = nlohmann::json::array();
    for (const auto& [name, shape] : mnist::expectedStateDict(spec))
        names.push_back({name, shape});
    std::ofstream(py / "expected.json")
        << nlohmann::json{{"parameters", mnist::parameterCount(*result.model)}, {"state_dict", names}}.dump();
    mnist::saveWeights(*result.model, (py / "model.safetensors").string());
    mnist::writeSafeTensors((py / "io.safetensors").string(), {{"input", input}, {"logits", logits}});
    mnist::writeModelPy((py / "model.py").string(), spec,
                        mnist::InputNormalization{0, 1, c.augment.channelMean, c.augment.channelStd});
    CHECK(fixtures::readText((py / "model.py").string()).find("NORMALIZE = ((") != std::string::npos);
    const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    if (std::system((python + " -c 'import torch' > /dev/null 2>&1").c_str()) != 0)
        return fixtures::skipTest("python3 with torch is not installed (scripts/setup.sh installs python3-torch)");
    const std::string log = dir.file("pytorch.log");
    const int rc = std::system((python + " " + MNIST_SOURCE_DIR + "/tests/pytorch/check_model_py.py " +
                                (dir.path() / "interop").string() + " > " + log + " 2>&1")
                                   .c_str());
    INFO(fixtures::readText(log));
    CHECK(rc == 0);
    CHECK(fixtures::readText(log).find("all passed") != std::string::npos);

    const std::string ort = std::string(MNIST_SOURCE_DIR) + "/third_party/onnxruntime-node/node_modules/onnxruntime-node";
    if (!mnist::onnxExportAvailable() || std::system("node --version > /dev/null 2>&1") != 0 ||
        !fs::exists(ort + "/package.json"))
        return fixtures::skipTest("ONNX export or onnxruntime-node is not available (make data fetches it)");
    const fs::path onnx = dir.path() / "onnx" / "tinted";
    fs::create_directories(onnx);
    // Exported with its Normalize per channel folded in: ONNX Runtime's logits of the raw input are
    // ours of the normalised input.
    mnist::exportOnnx(*result.model, (onnx / "model.onnx").string(), c.augment);
    {
        std::ofstream bin(onnx / "input.bin", std::ios::binary);
        const torch::Tensor x = input.contiguous();
        bin.write(reinterpret_cast<const char*>(x.data_ptr<float>()), static_cast<std::streamsize>(x.numel() * sizeof(float)));
    }
    std::ofstream(onnx / "input.json") << nlohmann::json{{"shape", input.sizes().vec()}}.dump();
    const std::string ortLog = dir.file("onnxruntime.log");
    const int ortRc = std::system(("node " + std::string(MNIST_SOURCE_DIR) + "/tests/onnxruntime/run_models.cjs " + ort + " " +
                                   (dir.path() / "onnx").string() + " > " + ortLog + " 2>&1")
                                      .c_str());
    INFO(fixtures::readText(ortLog));
    REQUIRE(ortRc == 0);
    const auto shape = nlohmann::json::parse(fixtures::readText((onnx / "output.json").string()))["shape"].get<std::vector<int64_t>>();
    REQUIRE(shape == logits.sizes().vec());
    torch::Tensor theirs = torch::empty(shape, torch::kFloat32);
    std::ifstream((onnx / "output.bin").string(), std::ios::binary)
        .read(reinterpret_cast<char*>(theirs.data_ptr<float>()), static_cast<std::streamsize>(theirs.numel() * sizeof(float)));
    torch::Tensor normalizedLogits;
    {
        torch::NoGradGuard noGrad;
        normalizedLogits = result.model->forward(mnist::BatchAugmenter(c.augment).normalize(input));
    }
    CHECK((theirs - normalizedLogits).abs().max().item<double>() < 1e-4);
}

TEST_CASE("Predicting a Kaggle test.csv of the MNIST test set scores what --evaluate says", "[data][cli]")
{
    const std::string idx = realDataDir("mnist");
    if (idx.empty())
        return fixtures::skipTest("no MNIST IDX files (make data fetches them)");
    TempDir dir;
    const std::string run = dir.file("run");
    const auto trained = fixtures::runCli("--arch LeNet --epochs 1 --batch-size 100 --train-fraction 0.2 --device cpu "
                                          "--data-dir " + idx + " --out " + run,
                                          dir);
    REQUIRE(trained.exitCode == 0);
    const auto evaluated = fixtures::runCli("--evaluate " + run + "/model.safetensors --data-dir " + idx + " --json", dir);
    REQUIRE(evaluated.exitCode == 0);
    const auto e = nlohmann::json::parse(evaluated.out);

    const mnist::Dataset test = mnist::loadIdxFolder(idx, false);
    writeKaggleCsv(dir.file("test.csv"), test, false);
    const auto predicted = fixtures::runCli("--predict " + run + " --data-dir " + dir.file("test.csv") + " --out " +
                                                dir.file("submission.csv"),
                                            dir);
    INFO(predicted.err);
    REQUIRE(predicted.exitCode == 0);
    std::ifstream in(dir.file("submission.csv"));
    std::string line;
    std::getline(in, line);
    CHECK(line == "ImageId,Label");
    int64_t rows = 0, correct = 0;
    while (std::getline(in, line)) {
        const size_t comma = line.find(',');
        REQUIRE(comma != std::string::npos);
        CHECK(std::stoll(line.substr(0, comma)) == rows + 1);
        correct += std::stoll(line.substr(comma + 1)) == test.labels[rows].item<int64_t>();
        ++rows;
    }
    CHECK(rows == 10000);
    CHECK(correct == e["correct"].get<int64_t>());
}

TEST_CASE("Bad data is refused naming the file, and --describe-data lists every problem", "[data][cli]")
{
    TempDir dir;
    ScopedEnv cache("MNIST_STUDIO_CACHE_DIR", dir.file("cache"));
    const fs::path root = dir.path() / "set";
    for (int k = 0; k < 2; ++k)
        for (int i = 0; i < 20; ++i)
            fixtures::writeBytes((root / ("class" + std::to_string(k)) / (std::to_string(i) + ".png")).string(),
                                 fixtures::pngBytes(28, 28, 1, 8, std::vector<uint16_t>(784, static_cast<uint16_t>(k * 100 + i))));
    std::vector<uint8_t> png = fixtures::pngBytes(28, 28, 1, 8, std::vector<uint16_t>(784, 7));
    png.resize(png.size() / 2);
    fixtures::writeBytes((root / "class1" / "broken.png").string(), png);

    mnist::TrainConfig c;
    c.dataset = "folder";
    c.dataDir = root.string();
    REQUIRE_THROWS_AS(mnist::loadData(c), mnist::DataError);
    REQUIRE_THROWS_WITH(mnist::loadData(c), Contains("class1/broken.png"));

    const auto described = fixtures::runCli("--describe-data " + root.string() + " --json", dir);
    CHECK(described.exitCode == 1);
    const auto d = nlohmann::json::parse(described.out);
    CHECK(d["format"] == "folder");
    CHECK(d["classes"] == nlohmann::json{"class0", "class1"});
    CHECK(d["shape"] == nlohmann::json{1, 28, 28});
    REQUIRE(d["problems"].size() == 1);
    CHECK(d["problems"][0]["file"].get<std::string>().find("broken.png") != std::string::npos);
    // No test part: 1/7 of the 40 images held out, the rest split 80/20.
    CHECK(d["held_out_test"] == true);
    CHECK(d["splits"]["test"] == 6);
    CHECK(d["splits"]["train"].get<int64_t>() + d["splits"]["valid"].get<int64_t>() == 34);

    fs::remove(root / "class1" / "broken.png");
    const mnist::DataSplits data = mnist::loadData(c);
    CHECK(data.test.size() == 6);
    // The held-out images are the same in every load, whatever the run's seed.
    c.seed = 99;
    CHECK(torch::equal(mnist::loadData(c).test.images, data.test.images));
}

TEST_CASE("Built-in networks take the data's shape and classes, and a user's spec that disagrees is refused naming both",
          "[data][spec]")
{
    mnist::TrainConfig c;
    c.arch = "LeNet";
    c.data.channels = 3;
    c.data.height = 32;
    c.data.width = 32;
    c.data.classes.clear();
    for (char ch = 'a'; ch <= 'z'; ++ch)
        c.data.classes.push_back(std::string(1, ch));
    const mnist::NetworkSpec spec = mnist::networkSpecFor(c);
    CHECK(spec.input == std::vector<int64_t>{3, 32, 32});
    CHECK(spec.classes == 26);
    const auto adapted = mnist::expectedStateDict(spec);
    const auto plain = mnist::expectedStateDict(*mnist::findBuiltinNetworkSpec("LeNet"));
    REQUIRE(adapted.size() == plain.size());
    for (size_t i = 0; i < adapted.size(); ++i)
        CHECK(adapted[i].first == plain[i].first);
    CHECK(adapted.back().second == std::vector<int64_t>{26});
    CHECK(adapted[adapted.size() - 2].second == std::vector<int64_t>{26, 32 * 8 * 8});
    // Every built-in network fits a 3 x 32 x 32 image of 26 classes.
    for (const mnist::NetworkSpec& s : mnist::builtinNetworkSpecs()) {
        INFO(s.name);
        c.arch = s.name;
        CHECK_NOTHROW(mnist::networkSpecFor(c));
    }

    TempDir dir;
    mnist::NetworkSpec mine = *mnist::findBuiltinNetworkSpec("LeNet");
    mine.name = "Mine";
    std::ofstream(dir.file("mine.json")) << mnist::formatNetworkSpec(mine);
    c.archFile = dir.file("mine.json");
    c.dataset = "folder";
    REQUIRE_THROWS_AS(mnist::networkSpecFor(c), mnist::ConfigError);
    REQUIRE_THROWS_WITH(mnist::networkSpecFor(c), Contains("[1, 28, 28]") && Contains("[3, 32, 32]") && Contains("26 classes"));

    // The run folder keeps the shape: config.json round-trips it; MNIST's is not written at all.
    const mnist::TrainConfig back = mnist::trainConfigFromJsonText(mnist::toJsonText(c));
    CHECK(back.data == c.data);
    CHECK(mnist::toJsonText(mnist::TrainConfig{}).find("\"data\"") == std::string::npos);
}
