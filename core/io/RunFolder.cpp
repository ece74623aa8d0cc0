#include "io/RunFolder.h"

#include "Error.h"
#include "io/AtomicFile.h"
#include "io/StateDict.h"
#include "models/ModelRegistry.h"

#include <torch/torch.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;

namespace mnist {
namespace {

std::ofstream openForAppend(const std::string& path, const char* header)
{
    std::ofstream out(path, std::ios::out | std::ios::trunc);
    if (!out)
        throw IoError("cannot write " + path + ": " + std::strerror(errno));
    out << header << '\n';
    out.flush();
    return out;
}

void checkStream(std::ofstream& out, const std::string& path)
{
    out.flush();
    if (!out)
        throw IoError("cannot write " + path + ": write failed (disk full or folder removed?)");
}

} // namespace

RunFolder::RunFolder(std::string dir, const TrainConfig& config) : m_dir(std::move(dir))
{
    std::error_code ec;
    fs::create_directories(m_dir, ec);
    if (ec || !fs::is_directory(m_dir))
        throw IoError("cannot create run folder " + m_dir + ": " + (ec ? ec.message() : "not a folder"));
    if (fs::exists(fs::path(m_dir) / "config.json"))
        throw IoError("run folder " + m_dir + " already holds a run (config.json exists); choose another --out");
    saveTrainConfig(config, (fs::path(m_dir) / "config.json").string());
    m_metrics = openForAppend((fs::path(m_dir) / "metrics.csv").string(),
                              "epoch,train_loss,valid_loss,test_acc,lr,seconds,images_per_s");
    m_lr = openForAppend((fs::path(m_dir) / "lr.csv").string(), "iteration,lr");
}

void RunFolder::appendEpoch(const EpochMetrics& m, const std::vector<IterationPoint>& iterations)
{
    char row[256];
    std::snprintf(row, sizeof row, "%lld,%.9g,%.9g,%.4f,%.17g,%.3f,%.1f\n", static_cast<long long>(m.epoch), m.trainLoss,
                  m.validLoss, m.testAccuracy, m.lr, m.seconds, m.imagesPerSecond);
    for (const auto& p : iterations) {
        char line[64];
        std::snprintf(line, sizeof line, "%lld,%.17g\n", static_cast<long long>(p.step), p.lr);
        m_lr << line;
    }
    checkStream(m_lr, m_dir + "/lr.csv");
    m_metrics << row;
    checkStream(m_metrics, m_dir + "/metrics.csv");
}

void RunFolder::writeModel(const Network& model)
{
    saveWeights(model, (fs::path(m_dir) / "model.safetensors").string());
    saveModelArchive(model, (fs::path(m_dir) / "model.pt").string());
}

void RunFolder::writeSummary(const std::string& json)
{
    writeFileAtomically((fs::path(m_dir) / "summary.json").string(), [&](std::ostream& out) { out << json << '\n'; });
}

void RunRecorder::onRunStarted(const RunInfo& info)
{
    if (m_next)
        m_next->onRunStarted(info);
}

void RunRecorder::onIteration(const IterationPoint& p)
{
    m_epochPoints.push_back(p);
    if (m_next)
        m_next->onIteration(p);
}

void RunRecorder::onEpoch(const EpochMetrics& m)
{
    m_folder.appendEpoch(m, m_epochPoints);
    m_epochPoints.clear();
    if (m_next)
        m_next->onEpoch(m);
}

void saveModelArchive(const Network& model, const std::string& path)
{
    writePathAtomically(path, [&](const std::string& tmp) {
        torch::serialize::OutputArchive archive;
        model.save(archive);
        archive.save_to(tmp);
    });
}

std::shared_ptr<Network> loadModelArchive(const std::string& arch, const std::string& path)
{
    auto model = createNetwork(arch);
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        model->load(archive);
    } catch (const c10::Error& e) {
        throw IoError(path + ": not a LibTorch archive of " + arch + " (" + e.what_without_backtrace() + ")");
    }
    return model;
}

std::string defaultRunName(const std::string& arch)
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
    return std::string(buf) + "-" + arch;
}

} // namespace mnist
