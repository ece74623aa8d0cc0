#include "run/RunFolder.h"

#include "Error.h"
#include "AtomicFile.h"
#include "formats/ModelPy.h"
#include "run/RunFiles.h"
#include "formats/StateDict.h"
#include "run/RunLayout.h"
#include "models/ModelRegistry.h"

#include <torch/torch.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace mnist {
namespace {

std::ofstream openForAppend(const std::string& path, const char* header)
{
    // The header lands whole (a temporary file renamed): a kill just after config.json was written
    // must never leave an empty CSV, which would make the run unreadable.
    writeFileAtomically(path, [&](std::ostream& out) { out << header << '\n'; });
    errno = 0;
    std::ofstream out(path, std::ios::out | std::ios::app);
    if (!out)
        throw IoError("cannot write " + path + ": " + writeFailureReason(path, errno));
    return out;
}

// Appends `text` (whole rows) in one write. When that fails (a full disk takes part of a write),
// the file is cut back to its rows before the call: a half row would make the whole run unreadable.
void appendRows(std::ofstream& out, const std::string& path, const std::string& text)
{
    std::error_code ec;
    const auto before = fs::file_size(path, ec);
    errno = 0;
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (out)
        return;
    const std::string why = writeFailureReason(path, errno);
    if (!ec)
        fs::resize_file(path, before, ec);
    out.clear();
    out.seekp(0, std::ios::end);
    throw IoError("cannot write " + path + ": " + why);
}

// What a process killed in the middle of an atomic write leaves behind ("checkpoint.pt.tmp-1234").
void removeStaleTemporaryFiles(const std::string& dir)
{
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        const auto mark = name.rfind(".tmp-");
        if (mark == std::string::npos || mark + 5 == name.size() ||
            name.find_first_not_of("0123456789", mark + 5) != std::string::npos)
            continue;
        fs::remove(entry.path(), ec);
    }
}

} // namespace

RunFolder::RunFolder(std::string dir, const TrainConfig& config, Mode mode) : m_dir(std::move(dir))
{
    std::error_code ec;
    const RunLayout run(m_dir);
    if (mode == Mode::Resume) {
        if (!run.isRunFolder())
            throw IoError(m_dir + " is not a run folder (no " + RunLayout::kConfig + ")");
        removeStaleTemporaryFiles(m_dir);
        saveTrainConfig(config, run.config());
        return; // the CSV files are reopened by rewriteHistory()
    }
    fs::create_directories(m_dir, ec);
    if (ec || !fs::is_directory(m_dir))
        throw IoError("cannot create run folder " + m_dir + ": " +
                      (ec ? writeFailureReason(m_dir, ec.value()) : "not a folder"));
    if (fs::exists(run.config()))
        throw IoError("run folder " + m_dir + " already holds a run (" + RunLayout::kConfig + " exists); choose another --out");
    saveTrainConfig(config, run.config());
    // The network as data and as PyTorch source, before any weights: a crashed run's checkpoint
    // can still be read with them.
    const NetworkSpec spec = networkSpecFor(config);
    writeFileAtomically(run.arch(), [&](std::ostream& out) { out << formatNetworkSpec(spec); });
    std::optional<InputNormalization> normalize;
    if (config.augment.normalize)
        normalize = InputNormalization{config.augment.mean, config.augment.std,
                                       config.augment.normalizePerChannel ? config.augment.channelMean : std::vector<double>{},
                                       config.augment.normalizePerChannel ? config.augment.channelStd : std::vector<double>{}};
    writeModelPy(run.modelPy(), spec, normalize);
    m_metrics = openForAppend(run.metrics(), kMetricsCsvHeader);
    m_lr = openForAppend(run.lr(), kLrCsvHeader);
    m_loss = openForAppend(run.loss(), kLossCsvHeader);
    m_layers = openForAppend(run.layers(), kLayersCsvHeader);
}

namespace {

std::string metricsRow(const EpochMetrics& m)
{
    char row[256];
    std::snprintf(row, sizeof row, "%lld,%.9g,%.9g,%.4f,%.17g,%.3f,%.1f\n", static_cast<long long>(m.epoch), m.trainLoss,
                  m.validLoss, m.testAccuracy, m.lr, m.seconds, m.imagesPerSecond);
    return row;
}

std::string layerRows(const EpochLayerStats& e)
{
    std::string rows;
    for (const LayerStat& l : e.layers) {
        char head[256];
        std::snprintf(head, sizeof head, "%lld,", static_cast<long long>(e.epoch));
        rows += head + l.layer;
        std::snprintf(head, sizeof head, ",%lld,%.9g,%.9g,%.9g,%.9g,", static_cast<long long>(l.parameters), l.weightNorm,
                      l.gradNorm, l.weightMin, l.weightMax);
        rows += head;
        for (size_t i = 0; i < l.histogram.size(); ++i)
            rows += (i ? " " : "") + std::to_string(l.histogram[i]);
        rows += '\n';
    }
    return rows;
}

// A row of lr.csv or loss.csv.
std::string iterationRow(int64_t step, double value)
{
    char line[64];
    std::snprintf(line, sizeof line, "%lld,%.17g\n", static_cast<long long>(step), value);
    return line;
}

} // namespace

void RunFolder::appendEpoch(const EpochMetrics& m, const std::vector<IterationPoint>& iterations)
{
    // lr.csv and loss.csv first: a crash between them leaves an epoch's iterations without its
    // metrics row, which resuming rewrites from the checkpoint, never a metrics row without them.
    std::string lrRows, lossRows;
    for (const auto& p : iterations) {
        lrRows += iterationRow(p.step, p.lr);
        lossRows += iterationRow(p.step, p.loss);
    }
    const RunLayout run(m_dir);
    appendRows(m_lr, run.lr(), lrRows);
    if (m_recordLoss)
        appendRows(m_loss, run.loss(), lossRows);
    appendRows(m_metrics, run.metrics(), metricsRow(m));
}

void RunFolder::appendLayerStats(const EpochLayerStats& stats)
{
    appendRows(m_layers, RunLayout(m_dir).layers(), layerRows(stats));
}

namespace {

// The rows `read` gives for a file that the checkpoint does not hold, or none when the file is
// absent or damaged (a run from before it existed): such a file starts again rather than fail.
template <typename Read>
auto rowsOrNone(const std::string& path, Read read) -> decltype(read(path))
{
    try {
        if (fs::exists(path))
            return read(path);
    } catch (const IoError&) {
    }
    return {};
}

} // namespace

void RunFolder::rewriteHistory(const std::vector<EpochMetrics>& epochs, const std::vector<double>& lrPerIteration)
{
    std::error_code ec;
    const RunLayout run(m_dir);
    // layers.csv is not in the checkpoint: its rows of the kept epochs stay, and a file that cannot
    // be read (a run from before it existed, damage) starts again empty.
    const std::string layersPath = run.layers();
    std::vector<EpochLayerStats> layers = rowsOrNone(layersPath, readLayersCsv);
    const int64_t kept = static_cast<int64_t>(epochs.size());
    layers.erase(std::remove_if(layers.begin(), layers.end(), [&](const EpochLayerStats& e) { return e.epoch > kept; }),
                 layers.end());
    writeFileAtomically(layersPath, [&](std::ostream& out) {
        out << kLayersCsvHeader << '\n';
        for (const auto& e : layers)
            out << layerRows(e);
    });
    const std::string metricsPath = run.metrics();
    const std::string lrPath = run.lr();
    writeFileAtomically(metricsPath, [&](std::ostream& out) {
        out << kMetricsCsvHeader << '\n';
        for (const auto& m : epochs)
            out << metricsRow(m);
    });
    writeFileAtomically(lrPath, [&](std::ostream& out) {
        out << kLrCsvHeader << '\n';
        for (size_t i = 0; i < lrPerIteration.size(); ++i)
            out << iterationRow(static_cast<int64_t>(i), lrPerIteration[i]);
    });
    // loss.csv is not in the checkpoint either: the rows of the kept iterations stay.
    const std::string lossPath = run.loss();
    std::vector<double> losses = rowsOrNone(lossPath, readLossCsv);
    // A run from before loss.csv (or with a damaged one) has no losses for the kept iterations:
    // it records none from here either, rather than a file with a gap no reader would take.
    m_recordLoss = losses.size() >= lrPerIteration.size();
    losses.resize(std::min(losses.size(), lrPerIteration.size()));
    if (m_recordLoss)
        writeFileAtomically(lossPath, [&](std::ostream& out) {
            out << kLossCsvHeader << '\n';
            for (size_t i = 0; i < losses.size(); ++i)
                out << iterationRow(static_cast<int64_t>(i), losses[i]);
        });
    else
        fs::remove(lossPath, ec);
    errno = 0;
    m_metrics = std::ofstream(metricsPath, std::ios::app);
    m_lr = std::ofstream(lrPath, std::ios::app);
    if (m_recordLoss)
        m_loss = std::ofstream(lossPath, std::ios::app);
    m_layers = std::ofstream(layersPath, std::ios::app);
    if (!m_metrics || !m_lr || (m_recordLoss && !m_loss) || !m_layers)
        throw IoError("cannot reopen the CSV files of " + m_dir + ": " + writeFailureReason(metricsPath, errno));
}

void RunFolder::writeModel(const Network& model)
{
    const RunLayout run(m_dir);
    saveWeights(model, run.modelWeights());
    saveModelArchive(model, run.modelArchive());
}

void RunFolder::writeSummary(const std::string& json)
{
    writeFileAtomically(RunLayout(m_dir).summary(), [&](std::ostream& out) { out << json << '\n'; });
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

void RunRecorder::onLayerStats(const EpochLayerStats& stats)
{
    // The statistics are a view, not the run: a failed write (a full disk) must not stop the
    // training, whose own files report that failure at the metrics row right after.
    try {
        m_folder.appendLayerStats(stats);
    } catch (const IoError&) {
    }
    if (m_next)
        m_next->onLayerStats(stats);
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
    // In memory first, as saveCheckpoint() does: LibTorch's file writer aborts on a full disk.
    std::ostringstream bytes;
    {
        torch::serialize::OutputArchive archive;
        model.save(archive);
        archive.save_to(bytes);
    }
    const std::string data = bytes.str();
    writeFileAtomically(path, [&](std::ostream& out) { out.write(data.data(), static_cast<std::streamsize>(data.size())); });
}

TrainConfig loadRunConfig(const std::string& runDir)
{
    const RunLayout run(runDir);
    TrainConfig c = loadTrainConfig(run.config());
    std::error_code ec;
    const fs::path spec = run.arch();
    if (fs::exists(spec, ec)) {
        c.archFile = fs::absolute(spec, ec).string();
        nameArchitectureFromFile(c);
    }
    return c;
}

std::shared_ptr<Network> loadModelArchive(const TrainConfig& config, const std::string& path)
{
    const std::string& arch = config.arch;
    auto model = createNetwork(config);
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path, torch::kCPU); // an archive written on a GPU opens on any machine
        model->load(archive);
    } catch (const c10::Error& e) {
        throw IoError(path + ": not a LibTorch archive of " + arch + " (" + e.what_without_backtrace() + ")");
    }
    return model;
}

std::shared_ptr<Network> loadNetwork(const TrainConfig& config, const std::string& path)
{
    if (path.size() > 3 && path.compare(path.size() - 3, 3, ".pt") == 0)
        return loadModelArchive(config, path);
    auto net = createNetwork(config);
    loadWeights(*net, path);
    return net;
}

std::shared_ptr<Network> loadNetwork(const std::string& arch, const std::string& path)
{
    TrainConfig c;
    c.arch = arch;
    return loadNetwork(c, path);
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
