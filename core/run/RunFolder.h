#pragma once
// A run folder (see DESIGN.md): config.json, arch.json (the network's spec) and model.py (it in
// PyTorch), metrics.csv and lr.csv growing as the run goes, model.safetensors (PyTorch
// state_dict names) and model.pt (LibTorch archive) at the end.
#include "models/Network.h"
#include "spec/TrainConfig.h"
#include "train/TrainingObserver.h"

#include <fstream>
#include <memory>
#include <string>

namespace mnist {

struct TrainResult;

class RunFolder {
public:
    // Creates the folder (and parents) and writes config.json. Throws IoError when it cannot be
    // created or written, or when it already holds a run (config.json present).
    enum class Mode { Create, Resume };
    // Resume: the folder must hold a run; config.json is rewritten (e.g. with more epochs) and the
    // CSV files are restored with rewriteHistory().
    RunFolder(std::string dir, const TrainConfig& config, Mode mode = Mode::Create);

    const std::string& dir() const { return m_dir; }

    // Appends one metrics.csv row and the epoch's LRs to lr.csv, flushed to disk, so a crash loses
    // at most the running epoch.
    void appendEpoch(const EpochMetrics& metrics, const std::vector<IterationPoint>& iterations);

    // Appends an epoch's rows to layers.csv (run/RunFiles.h), flushed; called before appendEpoch().
    void appendLayerStats(const EpochLayerStats& stats);

    // Replaces metrics.csv and lr.csv with the epochs of a checkpoint (dropping rows of an epoch that
    // was interrupted) and the LR of every iteration they cover.
    void rewriteHistory(const std::vector<EpochMetrics>& epochs, const std::vector<double>& lrPerIteration);

    // model.safetensors and model.pt, each written atomically.
    void writeModel(const Network& model);

    // summary.json: the JSON summary the CLI prints with --json.
    void writeSummary(const std::string& json);

private:
    std::string m_dir;
    std::ofstream m_metrics;
    std::ofstream m_lr;
    std::ofstream m_loss;
    bool m_recordLoss = true; // false for a resumed run recorded before loss.csv existed
    std::ofstream m_layers;
};

// A TrainingObserver that records a run into a RunFolder and forwards every event to `next`.
class RunRecorder : public TrainingObserver {
public:
    RunRecorder(RunFolder& folder, TrainingObserver* next = nullptr) : m_folder(folder), m_next(next) {}
    void onRunStarted(const RunInfo& info) override;
    void onIteration(const IterationPoint& p) override;
    void onEpoch(const EpochMetrics& m) override;
    void onLayerStats(const EpochLayerStats& stats) override;
    // Passed through to `next`: the folder records no per-image results.
    bool wantsTestPredictions() const override { return m_next && m_next->wantsTestPredictions(); }
    void onTestPredictions(int64_t epoch, const TestPredictions& p) override
    {
        if (m_next)
            m_next->onTestPredictions(epoch, p);
    }

private:
    RunFolder& m_folder;
    TrainingObserver* m_next;
    std::vector<IterationPoint> m_epochPoints;
};

// A run folder's config.json; when the folder keeps its network's spec (arch.json), arch_file
// points at it, so the run evaluates, resumes and exports without the file it was trained from.
TrainConfig loadRunConfig(const std::string& runDir);

// The LibTorch archive of a network (what model.pt holds) and loading it back into the network of
// `config` (models/ModelRegistry.h networkSpecFor()).
void saveModelArchive(const Network& model, const std::string& path);
std::shared_ptr<Network> loadModelArchive(const TrainConfig& config, const std::string& path);

// The network of `config` (or of the architecture `arch`) with saved weights: a LibTorch archive
// when the name ends in ".pt", otherwise safetensors with PyTorch state_dict names. On the CPU.
std::shared_ptr<Network> loadNetwork(const TrainConfig& config, const std::string& path);
std::shared_ptr<Network> loadNetwork(const std::string& arch, const std::string& path);

// "yyyymmdd-hhmmss-ARCH": the default name of a run folder.
std::string defaultRunName(const std::string& arch);

} // namespace mnist
