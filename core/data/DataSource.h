#pragma once
// One dataset from any of its formats, as the trainer, the CLI and the window see it: a name, one
// image shape C x H x W, class names and up to three parts (train, valid, test), decoded to bytes.
// Plain std; Dataset.h turns it into tensors and splits. Kinds:
//   mnist, fashion-mnist, idx  the four IDX files of a folder (IdxReader.h)
//   folder                     ROOT/<class>/<image> (ImageFolder.h)
//   csv                        Kaggle's Digit Recognizer CSV, a file or a folder with train.csv
//                              (DigitCsv.h)
//   emnist, kmnist, qmnist     the MNIST family (MnistFamily.h)
#include "data/ImageSet.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mnist {

// The kinds in the order menus list them, and whether a name is one.
const std::vector<std::string>& dataKinds();
bool isDataKind(const std::string& kind);

// The kind a path most likely holds (a .csv file or a folder with train.csv: csv; emnist-*
// files: emnist; kmnist_classmap.csv: kmnist; qmnist-* files: qmnist; the four IDX files: idx;
// class folders of images: folder); "" when none fits.
std::string detectDataKind(const std::string& path);

struct DataRequest {
    std::string kind;
    std::string location; // folder, CSV file, or an EMNIST prefix
    ResizePolicy resize;
    int threads = 0;          // decoding threads; 0: the hardware's
    bool useCache = true;     // the decoded cache (decodedCacheDir()) for folders and CSV
    // Called now and then while decoding: what is being read, done and total images or bytes.
    std::function<void(const std::string&, int64_t, int64_t)> progress;
};

// A dataset as its files hold it. valid and test are empty (count 0) when the source has none.
struct SourceData {
    std::string kind;
    std::string name;     // "mnist", the folder's or CSV file's name, "emnist-letters"
    std::string location; // absolute
    std::vector<std::string> classes;
    ImageSet train;
    ImageSet valid;
    ImageSet test;
    // Files that could not be used and why. Training refuses a source with problems (the data
    // set is never silently changed); --describe-data and the dataset view list them.
    std::vector<DataProblem> problems;
    bool fromCache = false;
};

// Reads a source. Throws DataError naming the file for what makes it unreadable as a whole (no
// such folder, a CSV row with 783 pixels, a label outside the mapping); single undecodable images
// of a folder are problems instead, so that the dataset view can list them all.
SourceData readDataSource(const DataRequest& request);

// The folder decoded images are cached in: $MNIST_STUDIO_CACHE_DIR, else $XDG_CACHE_HOME or
// ~/.cache, then mnist-studio/datasets. "" when there is none (no HOME): nothing is cached.
std::string decodedCacheDir();

// How a source's parts become the three splits, as indices into its parts.
//   train, valid: the valid part when the source has one; otherwise the training part split as
//                 the notebook does (train = the first floor(trainFraction * n), valid = the rest).
//                 An image folder (listed class by class) is taken in a fixed permuted order first,
//                 so both splits hold every class and unshuffled batches are mixed.
//   test:         the test part when there is one (a labeled one); otherwise testFraction of the
//                 training part held out first, chosen by a fixed permutation (kHeldOutSeed), so
//                 that every run on the same data tests on the same images whatever its seed.
struct SplitPlan {
    enum class From { Train, Valid, Test };
    struct Slice {
        From from = From::Train;
        std::vector<int64_t> indices; // empty with `all`: the whole part in order
        bool all = false;
        int64_t begin = 0, count = 0; // a contiguous range of the part when not `all` and no indices
    };
    Slice train, valid, test;
    bool heldOutTest = false;
};
constexpr uint64_t kHeldOutSeed = 20170801; // fixed, documented in docs/datasets.md
constexpr double kHeldOutTestFraction = 1.0 / 7.0; // MNIST's own 10,000 of 70,000
SplitPlan planSplits(const SourceData& data, double trainFraction);

// A description for --describe-data and the dataset view.
struct PartCounts {
    int64_t images = 0;
    std::vector<int64_t> perClass; // by class index; empty for an unlabeled part
};
struct DatasetDescription {
    std::string kind, name, location;
    int64_t channels = 0, height = 0, width = 0;
    std::vector<std::string> classes;
    PartCounts train, valid, test; // the splits a run would use (planSplits with trainFraction)
    bool heldOutTest = false;
    std::vector<DataProblem> problems;
};
DatasetDescription describeSource(const SourceData& data, double trainFraction);

} // namespace mnist
