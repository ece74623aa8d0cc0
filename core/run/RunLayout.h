#pragma once
// The one place that knows a run folder's layout (see DESIGN.md) and where the user's folders are.
// Every reader and writer of a run asks it for a file's path; none spells a file name. Plain std
// only: LibTorch-free, so the GUI and a LibTorch-free library can both include it.
#include <string>

namespace mnist {

// A run folder's files, by what they hold. The names are the folder's on-disk format: a renamed
// file would make every older run unreadable.
class RunLayout {
public:
    static constexpr const char* kConfig = "config.json";             // the run's settings (TrainConfig)
    static constexpr const char* kArch = "arch.json";                 // its network's spec, pinned at the start
    static constexpr const char* kModelPy = "model.py";               // that network in PyTorch
    static constexpr const char* kMetrics = "metrics.csv";            // one row per finished epoch
    static constexpr const char* kLr = "lr.csv";                      // the LR of every iteration
    static constexpr const char* kLoss = "loss.csv";                  // the loss of every iteration
    static constexpr const char* kLayers = "layers.csv";              // per-layer statistics per epoch
    static constexpr const char* kCheckpoint = "checkpoint.pt";       // what resuming starts from
    static constexpr const char* kBestWeights = "best.safetensors";   // the epoch with the lowest valid loss
    static constexpr const char* kModelWeights = "model.safetensors"; // the final model (the run ended)
    static constexpr const char* kModelArchive = "model.pt";          // the same as a LibTorch archive
    static constexpr const char* kSummary = "summary.json";           // written last, when the run ends
    static constexpr const char* kNotes = "notes.json";               // the user's note and tags (run/RunNotes.h)

    explicit RunLayout(std::string dir) : m_dir(std::move(dir)) {}

    const std::string& dir() const { return m_dir; }

    std::string config() const { return file(kConfig); }
    std::string arch() const { return file(kArch); }
    std::string modelPy() const { return file(kModelPy); }
    std::string metrics() const { return file(kMetrics); }
    std::string lr() const { return file(kLr); }
    std::string loss() const { return file(kLoss); }
    std::string layers() const { return file(kLayers); }
    std::string checkpoint() const { return file(kCheckpoint); }
    std::string bestWeights() const { return file(kBestWeights); }
    std::string modelWeights() const { return file(kModelWeights); }
    std::string modelArchive() const { return file(kModelArchive); }
    std::string summary() const { return file(kSummary); }
    std::string notes() const { return file(kNotes); }

    // The weights to evaluate, export or inspect: the final model, else the best epoch's (a run
    // still going, or one that ended before writing its model); empty when neither exists.
    std::string weightsToUse() const;

    // Whether a run began here: config.json (written first) or, for a damaged run, metrics.csv.
    bool isRunFolder() const;
    // Whether the final model is written (the run's last epoch or a stop ended it).
    bool hasModel() const;
    // Whether the run wrote everything it writes when it ends: its model and summary.json.
    bool isFinished() const;

private:
    std::string file(const char* name) const;
    bool exists(const char* name) const;

    std::string m_dir;
};

// The file that makes a folder a sweep's; its trials are run folders beside it (sweep/SweepFolder.h).
inline constexpr const char* kSweepFile = "sweep.json";

// The user's own folder: $XDG_DATA_HOME/mnist-studio, else ~/.local/share/mnist-studio.
std::string userDataDir();

// The folder runs go to by default: $MNIST_STUDIO_RUNS_DIR, else userDataDir()/runs.
std::string defaultRunsDir();

// userDataDir()/architectures: NAME.json files there are the user's own networks.
std::string userArchitecturesDir();

} // namespace mnist
