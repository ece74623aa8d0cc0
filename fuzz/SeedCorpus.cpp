// mnist-fuzz-seeds OUT_DIR: writes small valid inputs for each fuzz target into OUT_DIR/idx,
// OUT_DIR/safetensors, OUT_DIR/trainconfig and OUT_DIR/runfiles (metrics, lr, layers, summary), OUT_DIR/csv,
// OUT_DIR/mnistfamily, OUT_DIR/image and OUT_DIR/imagefolder, made by the core's own writers where it has them,
// so the seeds follow the formats as the code changes (nothing binary is committed).
#include "FuzzChecks.h"

#include "run/RunFolder.h"
#include "formats/SafeTensors.h"
#include "spec/NetworkSpec.h"
#include "train/CalibrationCache.h"
#include "spec/Recipes.h"
#include "spec/TrainConfig.h"
#include "sweep/SweepFolder.h"
#include "sweep/SweepSpec.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

void writeFile(const fs::path& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

void putBigEndian32(std::vector<uint8_t>& out, uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>(v >> shift));
}

std::vector<uint8_t> idxImages(uint32_t n, uint32_t rows, uint32_t cols)
{
    std::vector<uint8_t> b;
    putBigEndian32(b, 0x00000803);
    putBigEndian32(b, n);
    putBigEndian32(b, rows);
    putBigEndian32(b, cols);
    for (uint32_t i = 0; i < n * rows * cols; ++i)
        b.push_back(static_cast<uint8_t>(i * 37));
    return b;
}

std::vector<uint8_t> idxLabels(uint32_t n)
{
    std::vector<uint8_t> b;
    putBigEndian32(b, 0x00000801);
    putBigEndian32(b, n);
    for (uint32_t i = 0; i < n; ++i)
        b.push_back(static_cast<uint8_t>(i % 10));
    return b;
}

void writeIdx(const fs::path& dir, const std::string& name, const std::vector<uint8_t>& bytes)
{
    writeFile(dir / name, bytes);
    writeFile(dir / (name + ".gz"), fuzzchecks::gzipBytes(bytes.data(), bytes.size()));
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: mnist-fuzz-seeds OUT_DIR\n";
        return 2;
    }
    const fs::path out = argv[1];
    try {
        for (const char* sub : {"idx", "safetensors", "trainconfig", "runfiles", "networkspec", "calibration", "sweep",
                                "csv", "mnistfamily", "image", "imagefolder"})
            fs::create_directories(out / sub);

        const fs::path idx = out / "idx";
        writeIdx(idx, "images-1x1x1", idxImages(1, 1, 1));
        writeIdx(idx, "images-3x4x5", idxImages(3, 4, 5));
        writeIdx(idx, "images-2x28x28", idxImages(2, 28, 28));
        writeIdx(idx, "labels-1", idxLabels(1));
        writeIdx(idx, "labels-25", idxLabels(25));
        // Two gzip members in a row (what `cat a.gz b.gz` makes): one stream to gzip readers.
        const auto whole = idxImages(2, 3, 3);
        const size_t half = whole.size() / 2;
        auto twoMembers = fuzzchecks::gzipBytes(whole.data(), half);
        const auto second = fuzzchecks::gzipBytes(whole.data() + half, whole.size() - half);
        twoMembers.insert(twoMembers.end(), second.begin(), second.end());
        writeFile(idx / "images-2x3x3-two-members.gz", twoMembers);

        const fs::path st = out / "safetensors";
        mnist::writeSafeTensors((st / "f32-matrix.safetensors").string(),
                                {{"block1.0.weight", torch::arange(6, torch::kFloat32).reshape({2, 3})},
                                 {"block1.0.bias", torch::ones({2})}});
        mnist::writeSafeTensors((st / "every-dtype.safetensors").string(),
                                {{"f64", torch::full({2}, 0.5, torch::kFloat64)},
                                 {"num_batches_tracked", torch::tensor(int64_t(7))},
                                 {"i32", torch::arange(3, torch::kInt32)},
                                 {"u8", torch::arange(4, torch::kUInt8).reshape({1, 2, 2})},
                                 {"empty", torch::empty({0, 3})}},
                                {{"format", "pt"}, {"arch", "LeNet"}});
        mnist::writeSafeTensors((st / "no-tensors.safetensors").string(), {}, {{"note", "metadata only"}});

        const fs::path tc = out / "trainconfig";
        int n = 0;
        const auto save = [&](const mnist::TrainConfig& c) {
            mnist::saveTrainConfig(c, (tc / ("config-" + std::to_string(n++) + ".json")).string());
        };
        save(mnist::TrainConfig{});
        for (const auto& r : mnist::recipes())
            save(r.config);
        // Every scheduler type and optimizer, with the parameters each one writes.
        for (const char* type : {"cosine", "cyclic", "warm-restarts", "one-cycle", "step", "exponential"}) {
            mnist::TrainConfig c;
            c.scheduler.type = type;
            c.scheduler.gamma = 0.5;
            save(c);
        }
        mnist::TrainConfig sgd;
        sgd.optimizer = "sgd";
        sgd.nesterov = true;
        sgd.dataset = "idx";
        sgd.dataDir = "/tmp/digits";
        sgd.device = "cuda:1";
        sgd.shuffle = true;
        sgd.augment.crop = sgd.augment.rotate = sgd.augment.erase = sgd.augment.normalize = true;
        save(sgd);
        // A run folder as RunFolder writes it (two epochs, a resumed third), its summary.json with
        // the keys mnist-train writes; the folder itself is temporary, its text files are the seeds.
        const fs::path rf = out / "runfiles";
        const fs::path run = fs::temp_directory_path() / ("mnist-fuzz-seeds-" + std::to_string(::getpid()));
        fs::remove_all(run);
        {
            mnist::TrainConfig c;
            c.epochs = 3;
            mnist::RunFolder folder(run.string(), c);
            folder.appendEpoch({1, 0.31, 0.12, 97.25, 0.01, 3.5, 5123.4}, {{0, 1, 0, 0.01, 2.3}, {1, 1, 1, 0.01, 1.1}});
            folder.appendEpoch({2, 0.11, 0.08, 98.5, 0.005, 3.25, 5234.5}, {{2, 2, 0, 0.005, 0.4}, {3, 2, 1, 0.005, 0.3}});
            for (int64_t e : {1, 2}) {
                mnist::LayerStat conv{"0.0", 416, 2.5, 0.125, -0.75, 0.5, std::vector<int64_t>(mnist::kLayerHistogramBins, 0)};
                conv.histogram[3] = 400;
                mnist::LayerStat fc{"fc", 10, 0.5, 0.0625, 0.1, 0.1, std::vector<int64_t>(mnist::kLayerHistogramBins, 0)};
                fc.histogram[15] = 10;
                folder.appendLayerStats({e, {conv, fc}});
            }
            fs::copy_file(run / "layers.csv", rf / "layers-2-epochs.csv");
            fs::copy_file(run / "metrics.csv", rf / "metrics-2-epochs.csv");
            fs::copy_file(run / "lr.csv", rf / "lr-4-iterations.csv");
            folder.rewriteHistory({{1, 0.31, 0.12, 97.25, 0.01, 3.5, 5123.4}}, {0.01, 0.01});
            folder.appendEpoch({2, 0.2, 0.09, 98.125, 1e-4, 3, 5000}, {{2, 2, 0, 1e-3, 0.4}, {3, 2, 1, 1e-4, 0.3}});
            fs::copy_file(run / "metrics.csv", rf / "metrics-resumed.csv");
            fs::copy_file(run / "lr.csv", rf / "lr-resumed.csv");
            nlohmann::json epochs = nlohmann::json::array();
            epochs.push_back({{"epoch", 1}, {"train_loss", 0.31}, {"valid_loss", 0.12}, {"test_acc", 97.25}, {"lr", 0.01},
                              {"seconds", 3.5}, {"images_per_s", 5123.4}});
            epochs.push_back({{"epoch", 2}, {"train_loss", 0.2}, {"valid_loss", 0.09}, {"test_acc", 98.125}, {"lr", 1e-4},
                              {"seconds", 3}, {"images_per_s", 5000}});
            const nlohmann::json summary = {{"arch", c.arch}, {"parameters", 44426}, {"device", "cpu"}, {"threads", 2},
                                            {"best_test_acc", 98.125}, {"best_epoch", 2},
                                            {"test_acc_at_best_valid", 98.125}, {"best_valid_epoch", 2},
                                            {"final_test_acc", 98.125}, {"train_images_per_s", 5061.7},
                                            {"stopped", true}, {"run_dir", run.string()}, {"epochs", epochs}};
            folder.writeSummary(summary.dump(2));
            fs::copy_file(run / "summary.json", rf / "summary.json");
        }
        fs::remove_all(run);
        // Every built-in network, written both ways, and the interop test's every-layer spec.
        const fs::path ns = out / "networkspec";
        for (const mnist::NetworkSpec& spec : mnist::builtinNetworkSpecs()) {
            const std::string text = mnist::formatNetworkSpec(spec);
            writeFile(ns / (spec.name + ".json"), std::vector<uint8_t>(text.begin(), text.end()));
        }
        // A calibration file with one entry and with two.
        const fs::path cal = out / "calibration";
        const std::string one = mnist::withLayoutMeasurement("", "k", {true, 2.5, 3.0});
        const std::string two = mnist::withLayoutMeasurement(one, "a", {false, 4.0, 1.5});
        writeFile(cal / "one.json", std::vector<uint8_t>(one.begin(), one.end()));
        writeFile(cal / "two.json", std::vector<uint8_t>(two.begin(), two.end()));
        const std::string precision = mnist::withPrecisionMeasurement(two, "a", {"fp32", {{"fp32", 2.0}, {"bf16", 2.5}}});
        writeFile(cal / "precision.json", std::vector<uint8_t>(precision.begin(), precision.end()));
        // Sweep specs (a grid with a pruner, a TPE search) and the sweep.json of each.
        const fs::path sw = out / "sweep";
        const char* specs[] = {
            R"({"base": {"arch": "LeNet", "epochs": 3}, "grid": {"lr": [0.01, 0.001]}, "seeds": [1, 2],
                "pruner": {"type": "asha", "min_epochs": 1, "reduction_factor": 2}})",
            R"({"base": {"recipe": "fast", "epochs": 4}, "tpe": {"trials": 8, "startup": 2, "seed": 1, "space":
                {"scheduler.max_lr": {"log_uniform": [1e-4, 0.03]}, "batch_size": {"int_uniform": [32, 256]}}},
                "pruner": {"type": "median", "warmup_epochs": 1}})"};
        int sweeps = 0;
        for (const char* text : specs) {
            const std::string spec = nlohmann::json::parse(text).dump();
            writeFile(sw / ("spec-" + std::to_string(sweeps) + ".json"), std::vector<uint8_t>(spec.begin(), spec.end()));
            mnist::SweepFolder sweep;
            sweep.dir = "/nonexistent/sweep";
            sweep.plan = mnist::planSweep(nlohmann::json::parse(text));
            if (sweep.plan.trials.empty())
                mnist::appendConfiguration(sweep.plan, nlohmann::json::parse(R"({"scheduler.max_lr": 0.001, "batch_size": 64})"));
            sweep.status.assign(sweep.plan.trials.size(), mnist::TrialStatus{});
            sweep.status.back() = {mnist::TrialState::Pruned, "paused at rung 1", 1};
            const std::string state = mnist::sweepJsonText(sweep);
            writeFile(sw / ("sweep-" + std::to_string(sweeps++) + ".json"), std::vector<uint8_t>(state.begin(), state.end()));
        }
        // Text formats: Kaggle CSVs (labeled, unlabeled with CRLF and a BOM) and the MNIST family's
        // class lists, with QMNIST's int32 label table.
        const auto text = [](const std::string& t) { return std::vector<uint8_t>(t.begin(), t.end()); };
        const fs::path csv = out / "csv";
        writeFile(csv / "labeled-2x2.csv", text("label,pixel0,pixel1,pixel2,pixel3\n7,0,1,2,3\n0,255,128,64,9\n"));
        writeFile(csv / "unlabeled-3x3-crlf-bom.csv",
                  text("\xEF\xBB\xBFpixel0,pixel1,pixel2,pixel3,pixel4,pixel5,pixel6,pixel7,pixel8\r\n"
                       "0,0,10,20,30,40,50,60,255\r\n 1 , 2 ,3,4,5,6,7,8,9"));
        std::string kaggle = "label";
        for (int p = 0; p < 784; ++p)
            kaggle += ",pixel" + std::to_string(p);
        kaggle += "\n3";
        for (int p = 0; p < 784; ++p)
            kaggle += "," + std::to_string(p % 28 == 14 ? 255 : 0);
        writeFile(csv / "kaggle-28x28.csv", text(kaggle + "\n"));

        const fs::path family = out / "mnistfamily";
        writeFile(family / "emnist-letters-mapping.txt", text("1 65 97\n2 66 98\n3 67 99\n"));
        writeFile(family / "emnist-balanced-mapping.txt", text("0 48\r\n1 49\r\n36 97\r\n"));
        writeFile(family / "kmnist_classmap.csv",
                  text("index,codepoint,char\n0,U+304A,\xE3\x81\x8A\n1,U+304D,\xE3\x81\x8D\n"));
        std::vector<uint8_t> table;
        putBigEndian32(table, 0x00000C02);
        putBigEndian32(table, 3);
        putBigEndian32(table, 8);
        for (uint32_t row = 0; row < 3; ++row)
            for (uint32_t col = 0; col < 8; ++col)
                putBigEndian32(table, col == 0 ? row * 4 : row * 1000 + col);
        writeIdx(family, "qmnist-labels-idx2-int", table);

        // Images in the formats written by hand here (PGM/PPM, binary and plain); PNG, JPEG and BMP
        // seeds are kept in tests/fuzz-regressions/image, which the fuzzer reads too.
        const fs::path im = out / "image";
        const std::string pgm = std::string("P5\n3 2\n255\n") + std::string("\x00\x10\x80\xff\x7f\x01", 6);
        const std::string ppm = "P3\n# plain\n2 1\n1000\n0 500 1000 999 1 2\n";
        writeFile(im / "grey-3x2.pgm", std::vector<uint8_t>(pgm.begin(), pgm.end()));
        writeFile(im / "plain-2x1.ppm", std::vector<uint8_t>(ppm.begin(), ppm.end()));
        // Folder trees: records "path\0content" separated by "\n%%\n" (FuzzChecks.h).
        const fs::path tree = out / "imagefolder";
        const std::string sep = "\n%%\n";
        const std::string labeled = std::string("train/0/a.pgm") + '\0' + pgm + sep + "train/1/b.ppm" + '\0' + ppm +
                                    sep + "test/0/c.pgm" + '\0' + pgm + sep + "test/1/" + sep + "test/2/d.pgm" +
                                    '\0' + pgm;
        writeFile(tree / "labeled.tree", std::vector<uint8_t>(labeled.begin(), labeled.end()));
        const std::string flat = std::string("x.pgm") + '\0' + pgm + sep + "sub/y.PGM" + '\0' + pgm;
        writeFile(tree / "flat.tree", std::vector<uint8_t>(flat.begin(), flat.end()));
        std::cout << "fuzz seeds written under " << out.string() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "mnist-fuzz-seeds: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
