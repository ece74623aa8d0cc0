#include "run/Checkpoint.h"

#include "Error.h"
#include "AtomicFile.h"

#include <ATen/CPUGeneratorImpl.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/torch.h>

#include <filesystem>
#include <iterator>
#include <sstream>

namespace mnist {
namespace {

constexpr int64_t kFormatVersion = 1;
constexpr int64_t kMetricColumns = 7;
// The precision as a number in the archive, whose values are tensors; an index into this list.
constexpr const char* kPrecisionCodes[] = {"fp32", "bf16", "fp16"};

int64_t precisionCode(const std::string& precision)
{
    for (size_t i = 0; i < std::size(kPrecisionCodes); ++i)
        if (precision == kPrecisionCodes[i])
            return static_cast<int64_t>(i);
    return 0; // not recorded: fp32, as every run before the setting
}

torch::Tensor metricsToTensor(const std::vector<EpochMetrics>& metrics)
{
    torch::Tensor t = torch::zeros({static_cast<int64_t>(metrics.size()), kMetricColumns}, torch::kFloat64);
    auto a = t.accessor<double, 2>();
    for (size_t i = 0; i < metrics.size(); ++i) {
        const EpochMetrics& m = metrics[i];
        const double row[kMetricColumns] = {static_cast<double>(m.epoch), m.trainLoss, m.validLoss, m.testAccuracy,
                                            m.lr, m.seconds, m.imagesPerSecond};
        for (int64_t c = 0; c < kMetricColumns; ++c)
            a[static_cast<int64_t>(i)][c] = row[c];
    }
    return t;
}

std::vector<EpochMetrics> metricsFromTensor(const torch::Tensor& t)
{
    std::vector<EpochMetrics> out;
    auto a = t.accessor<double, 2>();
    for (int64_t i = 0; i < t.size(0); ++i)
        out.push_back({static_cast<int64_t>(a[i][0]), a[i][1], a[i][2], a[i][3], a[i][4], a[i][5], a[i][6]});
    return out;
}

// A fresh tensor per key: reading into a tensor that already holds archive storage fails.
torch::Tensor readTensor(torch::serialize::InputArchive& archive, const char* key)
{
    torch::Tensor t;
    archive.read(key, t);
    return t;
}

// The version, progress and metrics of an opened checkpoint (everything but weights and RNG).
CheckpointState readProgress(torch::serialize::InputArchive& archive, const std::string& path)
{
    const int64_t version = readTensor(archive, "format_version").item<int64_t>();
    if (version != kFormatVersion)
        throw IoError(path + ": checkpoint format " + std::to_string(version) + " is not supported");
    CheckpointState s;
    s.epoch = readTensor(archive, "epoch").item<int64_t>();
    s.step = readTensor(archive, "step").item<int64_t>();
    s.bestValidLoss = readTensor(archive, "best_valid_loss").item<double>();
    s.bestValidEpoch = readTensor(archive, "best_valid_epoch").item<int64_t>();
    s.metrics = metricsFromTensor(readTensor(archive, "metrics").to(torch::kFloat64).contiguous());
    torch::Tensor precision;
    if (archive.try_read("precision", precision)) {
        const int64_t code = precision.item<int64_t>();
        if (code < 0 || code >= static_cast<int64_t>(std::size(kPrecisionCodes)))
            throw IoError(path + ": the checkpoint's precision code " + std::to_string(code) + " is unknown");
        s.precision = kPrecisionCodes[code];
        s.scaler.scale = readTensor(archive, "loss_scale").item<double>();
        s.scaler.growthTracker = readTensor(archive, "loss_scale_growth").item<int64_t>();
    }
    return s;
}

void requireFile(const std::string& path)
{
    if (!std::filesystem::exists(path))
        throw IoError(path + ": no checkpoint (the run finished no epoch yet, or this is not a run folder)");
}

} // namespace

void saveCheckpoint(const std::string& path, const Network& model, const torch::optim::Optimizer& optimizer,
                    const CheckpointState& state, const WeightAverage* average)
{
    // Serialised in memory, then written by us: LibTorch's file writer finishes the archive in its
    // destructor, so a full disk there throws during unwinding and aborts the process.
    std::ostringstream bytes;
    {
        torch::serialize::OutputArchive archive, modelArchive, optimizerArchive;
        model.save(modelArchive);
        optimizer.save(optimizerArchive);
        archive.write("model", modelArchive);
        archive.write("optimizer", optimizerArchive);
        if (average) {
            torch::serialize::OutputArchive averageArchive;
            average->modelPtr()->save(averageArchive);
            archive.write("average", averageArchive);
            archive.write("average_updates", torch::tensor(average->updates()));
        }
        archive.write("format_version", torch::tensor(kFormatVersion));
        archive.write("epoch", torch::tensor(state.epoch));
        archive.write("step", torch::tensor(state.step));
        archive.write("best_valid_loss", torch::tensor(state.bestValidLoss, torch::kFloat64));
        archive.write("best_valid_epoch", torch::tensor(state.bestValidEpoch));
        archive.write("metrics", metricsToTensor(state.metrics));
        archive.write("precision", torch::tensor(precisionCode(state.precision)));
        archive.write("loss_scale", torch::tensor(state.scaler.scale, torch::kFloat64));
        archive.write("loss_scale_growth", torch::tensor(state.scaler.growthTracker));
        {
            auto gen = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(gen.mutex());
            archive.write("cpu_rng_state", gen.get_state());
        }
        archive.save_to(bytes);
    }
    const std::string data = bytes.str();
    writeFileAtomically(path, [&](std::ostream& out) { out.write(data.data(), static_cast<std::streamsize>(data.size())); });
}

CheckpointState readCheckpointSummary(const std::string& path)
{
    requireFile(path);
    CheckpointState s;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path, torch::kCPU);
        s = readProgress(archive, path);
    } catch (const IoError&) {
        throw;
    } catch (const std::exception& e) {
        throw IoError(path + ": damaged checkpoint (" + std::string(e.what()).substr(0, 300) + ")");
    }
    return s;
}

void checkCheckpointArchive(const std::string& path)
{
    requireFile(path);
    try {
        // Opening reads the zip's central directory, which must fit the file (miniz checks every
        // entry's offset and size against it): a file cut short, emptied or of another kind fails.
        caffe2::serialize::PyTorchStreamReader reader(path);
        if (!reader.hasRecord("data.pkl"))
            throw IoError(path + ": damaged checkpoint (no data.pkl: not a LibTorch archive)");
        reader.getRecord("data.pkl"); // the structure, CRC-checked; the tensors are checked on resume
    } catch (const IoError&) {
        throw;
    } catch (const std::exception& e) {
        throw IoError(path + ": damaged checkpoint (" + std::string(e.what()).substr(0, 300) + ")");
    }
}

CheckpointState loadCheckpoint(const std::string& path, Network& model, torch::optim::Optimizer& optimizer,
                               WeightAverage* average)
{
    requireFile(path);
    CheckpointState s;
    try {
        torch::serialize::InputArchive archive, modelArchive, optimizerArchive;
        // Tensors load onto the model's device, whatever device wrote the checkpoint.
        const auto params = model.parameters();
        archive.load_from(path, params.empty() ? torch::Device(torch::kCPU) : params.front().device());
        s = readProgress(archive, path);
        archive.read("model", modelArchive);
        model.load(modelArchive);
        archive.read("optimizer", optimizerArchive);
        optimizer.load(optimizerArchive);
        if (average) {
            torch::serialize::InputArchive averageArchive;
            if (!archive.try_read("average", averageArchive))
                throw IoError(path + ": the checkpoint holds no weight average (EMA): it was written by a run with "
                                     "ema_decay 0; resume it with its own config");
            average->model().load(averageArchive);
            average->setUpdates(readTensor(archive, "average_updates").item<int64_t>());
        }
        const torch::Tensor rng = readTensor(archive, "cpu_rng_state").to(torch::kCPU);
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(rng);
    } catch (const IoError&) {
        throw;
    } catch (const std::exception& e) {
        throw IoError(path + ": damaged checkpoint or one of another architecture (" +
                      std::string(e.what()).substr(0, 300) + ")");
    }
    return s;
}

} // namespace mnist
