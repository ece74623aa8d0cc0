#pragma once
// The core calls the GUI needs whose headers pull in LibTorch, behind plain declarations. Every
// UI file but CoreBridge.cpp and TrainingWorker.cpp then compiles without LibTorch headers,
// which costs tens of seconds per file on a small machine.
#include "spec/NetworkSpec.h"
#include "spec/AugmentConfig.h"
#include "spec/TrainConfig.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mnist {
struct Dataset;
class ImageClassifier;
}

namespace studio {

// One architecture of the registry, with what the set-up panel shows about it.
struct ArchitectureSummary {
    std::string name;
    std::string description;
    int64_t parameters = 0;
    std::string layers; // the layer table: output shapes, parameters, multiply-adds (NetworkTable.h)
    bool builtin = true;  // false: one of the user's networks
    mnist::NetworkSpec spec;
};

ArchitectureSummary summarizeNetwork(const mnist::NetworkSpec& spec);

// The registry's networks (built-in, then the user's), read again on each call: the user may
// have added one.
std::vector<ArchitectureSummary> architectureSummaries();

// The file a user network called `name` is kept in: NAME.json in the registry's user folder
// ($XDG_DATA_HOME/mnist-studio/architectures, else ~/.local/share/...).
std::string userNetworkFile(const std::string& name);

// Writes a valid spec to userNetworkFile(spec.name), atomically, creating the folder; replaces a
// file there. ConfigError when the name is a built-in network's (the registry would ignore the
// file), NetworkSpecError for an invalid spec, IoError when it cannot be written.
void saveUserNetwork(const mnist::NetworkSpec& spec);

// What the Inspect tab shows of a run's saved weights for one test image (inspect/Inspect.h).
// Every picture is row-major floats.
struct InspectPicture {
    std::string title; // a map's "channel 3", a filter's "filter 3"
    int channels = 1;  // 3: the input image of colour data, channel-major planes
    int rows = 0, cols = 0;
    std::vector<float> values;
};
struct InspectLayer {
    std::string key;   // state_dict prefix
    std::string type;  // "Conv2d", "ReLU", ...
    std::string shape; // "[16, 14, 14]"
    std::vector<InspectPicture> channels;
};
struct InspectResult {
    std::string weightsFile; // mnist::RunLayout::weightsToUse(): the best epoch's while the run goes on
    int64_t imageIndex = 0;  // -1: a drawn digit, not a test image
    int64_t label = 0;       // -1 for a drawn digit (its class is not known)
    int64_t predicted = 0;
    InspectPicture image;              // the test image or drawn digit, [0, 1], every channel
    std::vector<float> probabilities;  // softmax of the logits
    std::vector<std::string> classNames; // the run's data's, in label order
    std::string dataset;                 // the run's dataset kind
    std::string filterKey;             // the first Conv2d's prefix; empty when the network has none
    std::vector<InspectPicture> filters; // its filters, the first input channel of each
    std::vector<InspectLayer> maps;    // every layer whose output is [C, H, W] with H, W > 1
    InspectPicture saliency;           // |d logit[predicted] / d input|
};

// Loads the run's network and weights and its dataset's test image `imageIndex` (Normalize applied
// as in training) and inspects it. Throws IoError / DataError / ConfigError with the file or index.
// `imageIndex` -1 inspects `drawn` instead: a preprocessed 28 x 28 digit (bytes, 0 = background),
// resized to the model's image size and repeated over its channels, as the Draw a digit tab feeds
// its model.
InspectResult inspectRun(const std::string& runDir, int64_t imageIndex, const std::vector<uint8_t>& drawn = {});

// "cpu" and one "cuda:N" per CUDA device present.
std::vector<std::string> deviceNames();

// The core's iterations of one epoch (a last batch of one image is skipped).
int64_t iterationsPerEpoch(int64_t trainSize, int64_t batchSize);

// Training images a config's run uses: floor(N * trainFraction), N from the header of the
// training file its data folder holds, or 60,000 (MNIST, Fashion-MNIST) when there is none yet.
int64_t nominalTrainSize(const mnist::TrainConfig& config);

// The folder a run of `config` reads (the core's resolveDataDir).
std::string dataFolderFor(const mnist::TrainConfig& config);

// A person-readable explanation of why a dataset folder could not be read, with what to do.
std::string explainDataProblem(const mnist::TrainConfig& config, const std::string& coreMessage);

// The train split of a set-up's data (mnist::loadData(): any kind, cached), read once as uint8
// images in memory; `classes`, when given, receives the data's class names. Throws
// mnist::DataError naming the file and the problem.
std::shared_ptr<const mnist::Dataset> loadTrainingImages(const mnist::TrainConfig& config,
                                                         std::vector<std::string>* classes = nullptr);
int64_t imageCount(const mnist::Dataset& images);

// One augmented sample for the preview panel; images are channels x rows x cols floats.
struct PreviewImage {
    int64_t index = 0;
    int64_t label = 0;
    int channels = 1, rows = 28, cols = 28;
    std::vector<float> original;  // [0, 1]
    std::vector<float> augmented; // after every transform, Normalize included when on
    float originalMin = 0, originalMax = 0;
    float augmentedMin = 0, augmentedMax = 0;
};

// The core's previewAugmentation() for `indices`, seeded with `seed`. Throws what it throws
// (DataError for an index out of range, ConfigError for an invalid augmentation).
std::vector<PreviewImage> previewImages(const mnist::Dataset& images, const std::vector<int64_t>& indices,
                                        const mnist::AugmentConfig& augment, uint64_t seed);

// The formats a run's model can be exported to.
enum class ModelFormat {
    SafeTensors,     // PyTorch state_dict names, loadable with load_state_dict
    LibTorchArchive, // what model.pt holds and the app and CLI load back
    Onnx             // opset 13, input "input" [N,1,28,28], output "logits"; Normalize folded in
};

// Whether this build can write ONNX.
bool onnxExportAvailable();

// A run's model as it was trained: its config.json with the network pinned to the run's own
// arch.json (mnist::loadRunConfig(), so a user network edited or deleted since does not matter)
// and mnist::RunLayout::weightsToUse(). Throws mnist::IoError when the run holds no weights yet,
// ConfigError / IoError for an unreadable config.json.
struct RunModel {
    mnist::TrainConfig config;
    std::string weightsPath;
};
RunModel runModel(const std::string& runDir);

// Writes the model of the run in `runDir` (runModel()) to `path` in `format`, atomically. Throws mnist::IoError (naming
// the path) or mnist::ConfigError; a failed write leaves no file at `path`.
void exportRunModel(const std::string& runDir, const std::string& path, ModelFormat format);

// Test accuracy and confusion counts of a weights file on a dataset's test split.
struct WeightsEvaluation {
    double accuracy = 0;  // percent
    int64_t correct = 0;
    int64_t total = 0;
    int classes = 10;
    std::vector<std::string> classNames; // in label order
    std::vector<int64_t> confusion; // classes x classes row-major: (true label, predicted label)
};

// Loads `weightsPath` (.safetensors with PyTorch names, or a LibTorch .pt archive) into
// config.arch and evaluates it on the test split of config's dataset, normalised as config.augment
// says, on config.device. Throws IoError listing missing/unexpected names for a file of another
// architecture, DataError when the test set cannot be read. Any thread.
WeightsEvaluation evaluateWeightsFile(const mnist::TrainConfig& config, const std::string& weightsPath);

// A model loaded for the drawing pad: one image at a time, on the CPU (a single small forward pass
// would gain nothing on a GPU that a run may be using).
struct DigitModel {
    std::shared_ptr<const mnist::ImageClassifier> classifier; // null: none loaded
    mnist::TrainConfig config;  // its architecture, dataset (class names) and Normalize
    std::string weightsPath;
};

// The model of a run folder (runModel()); throws what runModel() throws.
DigitModel loadRunDigitModel(const std::string& runDir);
// A weights file of config.arch, normalised as config.augment says. Throws what loadNetwork throws.
DigitModel loadDigitModel(const mnist::TrainConfig& config, const std::string& weightsPath);
// A preprocessed 28 x 28 digit (bytes, 0 = background) as a model of `shape` takes it: channels
// converted and resized bilinearly as the data loader does (data/ImageDecode.h).
std::vector<uint8_t> drawnForModel(const std::vector<uint8_t>& pixels28, const mnist::DataShape& shape);
// Class probabilities of one preprocessed 28 x 28 digit (drawnForModel() for the model's shape); sums to 1.
std::vector<float> classifyDigit(const DigitModel& model, const std::vector<uint8_t>& pixels28);

// An image file as the model sees it (decoded, channels converted, resized to its H x W) and its
// class probabilities.
struct ImageClassification {
    int channels = 1, rows = 0, cols = 0;
    std::vector<uint8_t> pixels; // channel-major
    std::vector<float> probabilities;
};
// Throws mnist::DataError naming the file when it cannot be read or decoded.
ImageClassification classifyImageFile(const DigitModel& model, const std::string& path);

} // namespace studio
