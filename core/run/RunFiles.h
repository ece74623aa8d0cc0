#pragma once
// Readers of a run folder's text files: metrics.csv, lr.csv, layers.csv and summary.json (see RunFolder.h for
// the writers). Plain std types, no LibTorch and no Qt: the GUI calls them too.
//
// Each read* function opens the file and calls its parse* twin, which takes the whole text and a
// `name` standing for the file in messages (the fuzz targets call those). Every one throws
// IoError whose message starts with the file's name and, for a bad row, its line ("metrics.csv:3:").
#include "train/TrainingObserver.h"

#include <cstdint>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mnist {

// The files' headers, shared with their writer (RunFolder.cpp).
inline constexpr const char* kMetricsCsvHeader = "epoch,train_loss,valid_loss,test_acc,lr,seconds,images_per_s";
inline constexpr const char* kLrCsvHeader = "iteration,lr";
inline constexpr const char* kLossCsvHeader = "iteration,loss";
inline constexpr const char* kLayersCsvHeader = "epoch,layer,parameters,weight_norm,grad_norm,weight_min,weight_max,histogram";

// metrics.csv: the header "epoch,train_loss,valid_loss,test_acc,lr,seconds,images_per_s", then one
// row per finished epoch, epochs 1, 2, 3... in order. Refused: a missing or different header (an
// empty file), a row without exactly 7 cells, a cell that is not a finite number (the trainer
// stops with TrainingError before it records a NaN or infinite loss, so none is ever written), an
// epoch that is not a whole number, not positive or beyond int64, a first row other than epoch 1,
// a gap or repeat in the epochs, a test accuracy outside 0..100. Blank lines are skipped; a header
// alone is a run with no finished epoch.
std::vector<EpochMetrics> readMetricsCsv(const std::string& path);
std::vector<EpochMetrics> parseMetricsCsv(const std::string& text, const std::string& name);

// lr.csv: the header "iteration,lr", then the LR of every iteration, iterations 0, 1, 2... in order.
// Returns the LR column. Refused like metrics.csv (cells, order, finite values), except that a last
// line without its newline that does not parse is dropped: a process killed in the middle of a
// write leaves it cut short, and the rows before it are still good.
std::vector<double> readLrCsv(const std::string& path);
std::vector<double> parseLrCsv(const std::string& text, const std::string& name);

// loss.csv: the header "iteration,loss", then every iteration's batch loss, read and refused as
// lr.csv is. Runs recorded before it existed have none (TensorBoard exports then lack
// iteration/loss).
std::vector<double> readLossCsv(const std::string& path);
std::vector<double> parseLossCsv(const std::string& text, const std::string& name);

// layers.csv: the header above, then each epoch's layers (LayerStat) in state_dict order, epochs
// in increasing order (gaps allowed: a run resumed or recorded with the statistics off has none
// for some epochs) with the same layers each time; `histogram` is kLayerHistogramBins counts
// separated by spaces. Refused like metrics.csv (cells, finite values), and also: an epoch below
// 1 or below the one before, an empty or repeated layer name in an epoch, a layer list that
// differs from the first epoch's, negative counts or parameters, weight_min above weight_max,
// negative norms, a histogram of another length or whose counts add up to more than `parameters`.
// A crash can cut the last epoch short (a last line without newline that does not parse, or fewer
// layers than the first epoch): that epoch is dropped; the writer appends an epoch's rows at once.
std::vector<EpochLayerStats> readLayersCsv(const std::string& path);
std::vector<EpochLayerStats> parseLayersCsv(const std::string& text, const std::string& name);

// What summary.json (written by mnist-train at the end of a run) tells a reader. The file's other
// keys (parameters, device, run_dir, the epochs' rows...) are ignored.
struct RunSummary {
    std::string arch;
    double bestTestAccuracy = 0;        // "best_test_acc": the notebook's metric
    int64_t bestEpoch = 0;              // "best_epoch"; 0 when no epoch finished
    double testAccuracyAtBestValid = 0; // "test_acc_at_best_valid": the honest metric
    int64_t bestValidEpoch = 0;         // "best_valid_epoch"
    double finalTestAccuracy = 0;       // "final_test_acc"
    bool stopped = false;               // "stopped": ended on request before the last epoch
    int64_t epochCount = 0;             // entries of "epochs"
};

// Every key above is required, with its JSON type (numbers for accuracies, integers for epochs, a
// bool, an array); a missing key or a wrong type throws IoError naming the file and the key, as
// does an epoch number outside 0..epochCount or an accuracy outside 0..100.
RunSummary readRunSummary(const std::string& path);

// `text` as a JSON object; IoError naming `name` otherwise ("not valid JSON (...)", or, for
// another JSON value, "expected a JSON object, found T", put as "not a KIND (...)" when `kind`
// names the file's kind). The run folder's JSON readers share it.
nlohmann::json parseJsonObject(const std::string& text, const std::string& name, const std::string& kind = {});
RunSummary parseRunSummary(const std::string& text, const std::string& name);

} // namespace mnist
