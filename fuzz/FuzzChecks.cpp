#include "FuzzChecks.h"

#include "Error.h"
#include "data/DigitCsv.h"
#include "data/IdxReader.h"
#include "data/ImageDecode.h"
#include "data/ImageFolder.h"
#include "data/MnistFamily.h"
#include "run/PretrainedModel.h"
#include "run/RunFiles.h"
#include "run/RunNotes.h"
#include "formats/SafeTensors.h"
#include "spec/NetworkSpec.h"
#include "spec/SpecEdit.h"
#include "train/CalibrationCache.h"
#include "train/RunStats.h"
#include "spec/TrainConfig.h"
#include "sweep/SweepFolder.h"
#include "sweep/SweepSpec.h"

#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>
#include <typeinfo>
#include <vector>

namespace fuzzchecks {
namespace {

// Runs `parse`; `Expected` is the one exception type the reader may throw for bad input.
template <class Expected, class Parse>
std::string outcome(const std::string& what, const std::string& name, Parse&& parse)
{
    try {
        return parse();
    } catch (const Expected& e) {
        const std::string msg = e.what();
        if (msg.rfind(name, 0) != 0)
            return what + ": error message does not start with the file name: " + msg;
        if (msg.size() <= name.size() + 2)
            return what + ": error message says nothing beyond the file name: " + msg;
        return {};
    } catch (const std::exception& e) {
        return what + ": unexpected " + typeid(e).name() + ": " + e.what();
    } catch (...) {
        return what + ": unexpected exception of a non-standard type";
    }
}

// `text` as a run file of one number per row (lr.csv, loss.csv): every number accepted is finite.
std::string numberColumnOutcome(const std::string& text, const std::string& file, const std::string& what,
                                std::vector<double> (*parse)(const std::string& text, const std::string& name))
{
    return outcome<mnist::IoError>(file, file, [&]() -> std::string {
        for (double value : parse(text, file))
            if (!std::isfinite(value))
                return file + ": a non-finite " + what + " accepted";
        return {};
    });
}

} // namespace

std::vector<uint8_t> gzipBytes(const uint8_t* data, size_t size)
{
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::vector<uint8_t> out(deflateBound(&zs, static_cast<uLong>(size)));
    zs.next_in = const_cast<Bytef*>(data);
    zs.avail_in = static_cast<uInt>(size);
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END)
        throw std::runtime_error("deflate failed");
    return out;
}

std::string idxOutcome(const uint8_t* data, size_t size)
{
    const std::vector<uint8_t> packed = gzipBytes(data, size);
    for (const bool gz : {false, true}) {
        const uint8_t* bytes = gz ? packed.data() : data;
        const size_t n = gz ? packed.size() : size;
        const std::string name = gz ? "input.gz" : "input";
        std::string problem = outcome<mnist::DataError>("images (" + name + ")", name, [&]() -> std::string {
            const mnist::IdxImages im = mnist::parseIdxImages(bytes, n, name);
            if (im.count < 1 || im.rows < 1 || im.cols < 1 ||
                im.pixels.size() != static_cast<uint64_t>(im.count) * uint64_t(im.rows) * uint64_t(im.cols))
                return "images (" + name + "): dimensions do not match the pixel data";
            return {};
        });
        if (!problem.empty())
            return problem;
        problem = outcome<mnist::DataError>("labels (" + name + ")", name, [&]() -> std::string {
            const std::vector<uint8_t> labels = mnist::parseIdxLabels(bytes, n, name);
            for (uint8_t l : labels)
                if (l > 9)
                    return "labels (" + name + "): label " + std::to_string(l) + " accepted";
            return labels.empty() ? "labels (" + name + "): empty result" : std::string{};
        });
        if (!problem.empty())
            return problem;
    }
    return {};
}

std::string safeTensorsOutcome(const uint8_t* data, size_t size)
{
    const std::string name = "input.safetensors";
    return outcome<mnist::IoError>("safetensors", name, [&]() -> std::string {
        const auto tensors = mnist::parseSafeTensors(data, size, name);
        for (const auto& [key, t] : tensors) {
            if (!t.defined() || !t.device().is_cpu() || !t.is_contiguous())
                return "safetensors: tensor '" + key + "' is not a defined contiguous CPU tensor";
            const auto type = t.scalar_type();
            if (type != torch::kFloat32 && type != torch::kFloat64 && type != torch::kInt64 &&
                type != torch::kInt32 && type != torch::kUInt8)
                return "safetensors: tensor '" + key + "' has an unsupported dtype";
            if (static_cast<uint64_t>(t.numel()) * t.element_size() > size)
                return "safetensors: tensor '" + key + "' holds more bytes than the input";
        }
        return {};
    });
}

std::string trainConfigOutcome(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    // The same JSON as a pretrained model's record, which holds a config: read in full or refused
    // naming the file; what is read writes back to a record that reads as the same.
    std::string record = outcome<mnist::ConfigError>("model record", "model.json", [&]() -> std::string {
        const mnist::PretrainedModel m = mnist::parsePretrainedRecord(text, "model.json");
        const std::string saved = mnist::pretrainedRecordText(m);
        if (mnist::pretrainedRecordText(mnist::parsePretrainedRecord(saved, "model.json")) != saved)
            return "model record: a round trip changes the record:\n" + saved;
        return {};
    });
    if (!record.empty())
        return record;
    // trainConfigFromJsonText has no file name; loadTrainConfig prefixes the path to its messages.
    return outcome<mnist::ConfigError>("config", "", [&]() -> std::string {
        const mnist::TrainConfig config = mnist::trainConfigFromJsonText(text);
        if (!config.validate().empty())
            return {};
        const std::string saved = mnist::toJsonText(config);
        mnist::TrainConfig reloaded;
        try {
            reloaded = mnist::trainConfigFromJsonText(saved);
        } catch (const mnist::ConfigError& e) {
            return "config: a valid config does not reload from its own JSON (" + std::string(e.what()) +
                   "):\n" + saved;
        }
        if (!reloaded.validate().empty())
            return "config: a valid config no longer validates after a round trip:\n" + saved;
        if (mnist::toJsonText(reloaded) != saved)
            return "config: a round trip changes the config:\n" + saved + "became\n" + mnist::toJsonText(reloaded);
        return {};
    });
}

std::string calibrationOutcome(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto usable = [](const mnist::LayoutMeasurement& m) {
            return std::isfinite(m.channelsLastMs) && std::isfinite(m.contiguousMs) && m.channelsLastMs > 0 && m.contiguousMs > 0;
        };
        // Keys the seeds and dictionary use, and one the text cannot name.
        const std::vector<std::string> keys = {"k", "a", "cpu | LibTorch 1.13.0 | 2 threads | LeNet | batch 100", "\xff"};
        std::vector<std::optional<mnist::LayoutMeasurement>> before;
        for (const std::string& key : keys) {
            before.push_back(mnist::findLayoutMeasurement(text, key));
            if (before.back() && !usable(*before.back()))
                return "calibration: an entry with unusable times was accepted for '" + key + "'";
        }
        const mnist::LayoutMeasurement set{false, 1.25, 0.5};
        const std::string updated = mnist::withLayoutMeasurement(text, "k", set);
        const auto back = mnist::findLayoutMeasurement(updated, "k");
        if (!back || back->channelsLast != set.channelsLast || back->channelsLastMs != set.channelsLastMs ||
            back->contiguousMs != set.contiguousMs)
            return "calibration: an entry set does not read back:\n" + updated;
        for (size_t i = 1; i < keys.size(); ++i) {
            const auto after = mnist::findLayoutMeasurement(updated, keys[i]);
            if (before[i].has_value() != after.has_value() ||
                (after && (after->channelsLast != before[i]->channelsLast || after->channelsLastMs != before[i]->channelsLastMs ||
                           after->contiguousMs != before[i]->contiguousMs)))
                return "calibration: setting 'k' changed the entry for '" + keys[i] + "':\n" + updated;
        }
        // The precision entries of the same file (precision auto), by the same rules.
        std::vector<std::optional<mnist::PrecisionMeasurement>> precisionsBefore;
        for (const std::string& key : keys) {
            precisionsBefore.push_back(mnist::findPrecisionMeasurement(text, key));
            if (const auto& m = precisionsBefore.back()) {
                bool chosenTimed = false;
                for (const auto& [name, ms] : m->msPerStep) {
                    if (!std::isfinite(ms) || ms <= 0)
                        return "calibration: a precision entry with an unusable time was accepted for '" + key + "'";
                    chosenTimed = chosenTimed || name == m->chosen;
                }
                if (!chosenTimed)
                    return "calibration: a precision entry chose an untimed precision for '" + key + "'";
            }
        }
        const mnist::PrecisionMeasurement precision{"bf16", {{"fp32", 3.5}, {"bf16", 2.0}}};
        const std::string withPrecision = mnist::withPrecisionMeasurement(updated, "k", precision);
        const auto precisionBack = mnist::findPrecisionMeasurement(withPrecision, "k");
        if (!precisionBack || precisionBack->chosen != "bf16" || precisionBack->msPerStep != precision.msPerStep)
            return "calibration: a precision entry set does not read back:\n" + withPrecision;
        const auto layoutKept = mnist::findLayoutMeasurement(withPrecision, "k");
        if (!layoutKept || layoutKept->channelsLastMs != set.channelsLastMs)
            return "calibration: setting a precision entry lost the layout entry:\n" + withPrecision;
        for (size_t i = 1; i < keys.size(); ++i) {
            const auto after = mnist::findPrecisionMeasurement(withPrecision, keys[i]);
            if (precisionsBefore[i].has_value() != after.has_value() ||
                (after && (after->chosen != precisionsBefore[i]->chosen || after->msPerStep != precisionsBefore[i]->msPerStep)))
                return "calibration: setting precision 'k' changed the entry for '" + keys[i] + "':\n" + withPrecision;
        }
    } catch (const std::exception& e) {
        return std::string("calibration: threw ") + typeid(e).name() + ": " + e.what();
    }
    return {};
}

std::string runFilesOutcome(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto finite = [](double v) { return std::isfinite(v); };
    std::string problem = outcome<mnist::IoError>("metrics.csv", "metrics.csv", [&]() -> std::string {
        const auto epochs = mnist::parseMetricsCsv(text, "metrics.csv");
        for (size_t i = 0; i < epochs.size(); ++i) {
            const mnist::EpochMetrics& m = epochs[i];
            if (m.epoch != static_cast<int64_t>(i) + 1)
                return "metrics.csv: row " + std::to_string(i + 1) + " accepted as epoch " + std::to_string(m.epoch);
            if (!finite(m.trainLoss) || !finite(m.validLoss) || !finite(m.testAccuracy) || !finite(m.lr) ||
                !finite(m.seconds) || !finite(m.imagesPerSecond))
                return "metrics.csv: a non-finite value accepted in epoch " + std::to_string(m.epoch);
            if (m.testAccuracy < 0 || m.testAccuracy > 100)
                return "metrics.csv: test accuracy " + std::to_string(m.testAccuracy) + " accepted";
        }
        const mnist::RunStats stats = mnist::computeRunStats(epochs);
        const int64_t n = static_cast<int64_t>(epochs.size());
        const auto inRun = [&](int64_t e) { return n == 0 ? e == 0 : e >= 1 && e <= n; };
        if (!inRun(stats.bestEpoch) || !inRun(stats.bestValidEpoch))
            return "metrics.csv: run statistics name epoch " + std::to_string(stats.bestEpoch) + " / " +
                   std::to_string(stats.bestValidEpoch) + " of " + std::to_string(n);
        if (n > 0 && (stats.bestTestAccuracy != epochs[static_cast<size_t>(stats.bestEpoch - 1)].testAccuracy ||
                      stats.testAccuracyAtBestValid != epochs[static_cast<size_t>(stats.bestValidEpoch - 1)].testAccuracy ||
                      stats.finalTestAccuracy != epochs.back().testAccuracy))
            return "metrics.csv: run statistics disagree with the epochs they name";
        return {};
    });
    if (!problem.empty())
        return problem;
    problem = numberColumnOutcome(text, "lr.csv", "LR", mnist::parseLrCsv);
    if (!problem.empty())
        return problem;
    problem = numberColumnOutcome(text, "loss.csv", "loss", mnist::parseLossCsv);
    if (!problem.empty())
        return problem;
    problem = outcome<mnist::IoError>("layers.csv", "layers.csv", [&]() -> std::string {
        const auto epochs = mnist::parseLayersCsv(text, "layers.csv");
        for (size_t i = 0; i < epochs.size(); ++i) {
            const mnist::EpochLayerStats& e = epochs[i];
            if (e.epoch != static_cast<int64_t>(i) + 1)
                return "layers.csv: epoch " + std::to_string(e.epoch) + " accepted at place " + std::to_string(i + 1);
            if (e.layers.empty() || e.layers.size() != epochs.front().layers.size())
                return "layers.csv: epochs with different layer lists accepted";
            for (const mnist::LayerStat& l : e.layers) {
                int64_t total = 0;
                for (int64_t n : l.histogram)
                    total += n;
                if (l.layer.empty() || l.parameters < 1 || !finite(l.weightNorm) || !finite(l.gradNorm) || l.weightNorm < 0 ||
                    l.gradNorm < 0 || !(l.weightMin <= l.weightMax) || l.histogram.size() != size_t(mnist::kLayerHistogramBins) ||
                    total > l.parameters)
                    return "layers.csv: an impossible row accepted for layer " + l.layer;
            }
        }
        return {};
    });
    if (!problem.empty())
        return problem;
    problem = outcome<mnist::IoError>("summary.json", "summary.json", [&]() -> std::string {
        const mnist::RunSummary s = mnist::parseRunSummary(text, "summary.json");
        if (s.epochCount < 0 || s.bestEpoch < 0 || s.bestEpoch > s.epochCount || s.bestValidEpoch < 0 ||
            s.bestValidEpoch > s.epochCount)
            return "summary.json: epochs outside the run accepted";
        for (double a : {s.bestTestAccuracy, s.testAccuracyAtBestValid, s.finalTestAccuracy})
            if (!(a >= 0 && a <= 100))
                return "summary.json: accuracy " + std::to_string(a) + " accepted";
        return {};
    });
    if (!problem.empty())
        return problem;
    // Accepted notes hold only tags the editor and the CLI could have written, and read back the same.
    return outcome<mnist::IoError>("notes.json", "notes.json", [&]() -> std::string {
        const mnist::RunNotes n = mnist::parseRunNotes(text, "notes.json");
        if (mnist::cleanTags(n.tags) != n.tags)
            return "notes.json: tags accepted that cleanTags() would change";
        const mnist::RunNotes again = mnist::parseRunNotes(mnist::runNotesText(n), "notes.json");
        if (again.note != n.note || again.tags != n.tags)
            return "notes.json: accepted notes do not read back the same";
        return {};
    });
}

std::string networkSpecOutcome(const uint8_t* data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        std::vector<mnist::SpecProblem> problems;
        const mnist::NetworkSpec spec = mnist::parseNetworkSpecText(text, problems);
        // Every problem points at a layer the parsed spec has (the editor selects it).
        for (const mnist::SpecProblem& p : problems) {
            if (p.message.empty())
                return "a problem without a message at " + p.path;
            if (!p.layer.empty() && !mnist::findLayer(spec, p.layer))
                return "a problem at a layer the spec does not have: " + p.text();
        }
        // The editor's table of a bad spec never throws.
        const mnist::NetworkSummary any = mnist::analyzeNetwork(spec);
        (void)any;
        if (!problems.empty())
            return {};
        if (!mnist::validateNetworkSpec(spec).empty())
            return "parsed without problems, but validateNetworkSpec() finds some";
        const mnist::NetworkSummary summary = mnist::describeNetwork(spec);
        if (summary.outputShape != std::vector<int64_t>{spec.classes})
            return "a valid spec whose output is " + mnist::formatShape(summary.outputShape);
        // The state_dict's weights and biases add up to the parameter count.
        int64_t weights = 0;
        for (const auto& [name, shape] : mnist::expectedStateDict(spec)) {
            if (name.find("running_") != std::string::npos || name.find("num_batches_tracked") != std::string::npos)
                continue;
            int64_t n = 1;
            for (int64_t d : shape)
                n *= d;
            weights += n;
        }
        if (weights != summary.parameters)
            return "the state_dict holds " + std::to_string(weights) + " parameters, the summary says " +
                   std::to_string(summary.parameters);
        // Both written forms read back as the same spec, without problems.
        for (const std::string& written : {mnist::toJson(spec).dump(), mnist::formatNetworkSpec(spec)}) {
            std::vector<mnist::SpecProblem> again;
            if (mnist::parseNetworkSpecText(written, again) != spec || !again.empty())
                return "a valid spec does not read back as itself from: " + written.substr(0, 200);
        }
        // Grouping the first layer into a block and ungrouping it is no change.
        nlohmann::json doc = mnist::toJson(spec);
        const nlohmann::json before = doc;
        const auto group = mnist::groupLayers(doc, {{mnist::LayerStep::List::Layers, 0}}, 1, mnist::LayerType::Sequential);
        if (!group || !mnist::ungroupLayer(doc, *group) || doc != before)
            return "grouping and ungrouping the first layer changed the spec";
        return {};
    } catch (const std::exception& e) {
        return std::string("the spec reader threw ") + typeid(e).name() + ": " + e.what();
    }
}

std::string sweepOutcome(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    // As sweep.json: parsed, or refused naming the file; what is parsed writes back as itself.
    std::string state = outcome<mnist::IoError>("sweep state", "sweep.json", [&]() -> std::string {
        const mnist::SweepFolder sweep = mnist::parseSweepJson(text, "/nonexistent/sweep", "sweep.json");
        if (sweep.status.size() != sweep.plan.trials.size())
            return "sweep state: " + std::to_string(sweep.status.size()) + " states for " +
                   std::to_string(sweep.plan.trials.size()) + " trials";
        const std::string saved = mnist::sweepJsonText(sweep);
        if (mnist::sweepJsonText(mnist::parseSweepJson(saved, sweep.dir, "sweep.json")) != saved)
            return "sweep state: a round trip changes the file:\n" + saved;
        return {};
    });
    if (!state.empty())
        return state;
    // As a sweep spec: its problems never throw; a spec without problems plans without throwing,
    // every planned trial within the spec's trial limit and its own set-up valid.
    const nlohmann::json spec = nlohmann::json::parse(text, nullptr, false);
    if (spec.is_discarded())
        return {};
    try {
        if (!mnist::sweepSpecProblems(spec).empty())
            return {};
        const mnist::SweepPlan plan = mnist::planSweep(spec);
        for (const mnist::SweepTrial& t : plan.trials)
            for (const mnist::FieldProblem& p : mnist::fieldProblems(t.config))
                if (!mnist::isMachineField(p.field))
                    return "sweep spec: planned without problems, yet " + t.runName + " has " + p.field + ": " + p.message;
    } catch (const std::exception& e) {
        return std::string("sweep spec: unexpected ") + typeid(e).name() + ": " + e.what();
    }
    return {};
}

std::string digitCsvOutcome(const uint8_t* data, size_t size)
{
    const std::string name = "input.csv";
    return outcome<mnist::DataError>("csv", name, [&]() -> std::string {
        const mnist::ImageSet set = mnist::parseDigitCsv(reinterpret_cast<const char*>(data), size, name, 9);
        const auto n = static_cast<uint64_t>(set.count());
        if (n == 0 || set.channels != 1 || set.height < 1 || set.height != set.width)
            return "csv: " + std::to_string(n) + " images of " + std::to_string(set.channels) + "x" +
                   std::to_string(set.height) + "x" + std::to_string(set.width) + " accepted";
        if (set.pixels.size() != n * uint64_t(set.height) * uint64_t(set.width))
            return "csv: " + std::to_string(set.pixels.size()) + " pixels for " + std::to_string(n) + " images";
        if (set.sources.size() != n)
            return "csv: " + std::to_string(set.sources.size()) + " sources for " + std::to_string(n) + " images";
        for (const std::string& source : set.sources)
            if (source.rfind(name + ":", 0) != 0)
                return "csv: source " + source + " does not name the file";
        const bool labeled = set.labels[0] >= 0;
        for (int64_t label : set.labels)
            if (labeled ? label < 0 || label > 9 : label != -1)
                return "csv: label " + std::to_string(label) + " accepted beside label " +
                       std::to_string(set.labels[0]);
        // Written out in Kaggle's own layout, the set reads back as itself.
        const size_t pixels = static_cast<size_t>(set.height * set.width);
        std::string text = labeled ? "label" : "";
        for (size_t p = 0; p < pixels; ++p)
            text += (p == 0 && !labeled ? "pixel" : ",pixel") + std::to_string(p);
        text += "\n";
        for (size_t i = 0; i < n; ++i) {
            if (labeled)
                text += std::to_string(set.labels[i]) + ",";
            for (size_t p = 0; p < pixels; ++p)
                text += std::to_string(set.pixels[i * pixels + p]) + (p + 1 < pixels ? "," : "\n");
        }
        const mnist::ImageSet again = mnist::parseDigitCsv(text.data(), text.size(), name, 9);
        if (again.pixels != set.pixels || again.labels != set.labels || again.height != set.height)
            return "csv: the set written out again reads back differently";
        return {};
    });
}

std::string mnistFamilyOutcome(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::string mappingName = "emnist-input-mapping.txt";
    std::string problem = outcome<mnist::DataError>("emnist mapping", mappingName, [&]() -> std::string {
        std::vector<int64_t> ids;
        const std::vector<std::string> names = mnist::parseEmnistMapping(text, mappingName, ids);
        if (names.empty() || names.size() != ids.size())
            return "emnist mapping: " + std::to_string(names.size()) + " names for " + std::to_string(ids.size()) +
                   " labels";
        if (std::set<int64_t>(ids.begin(), ids.end()).size() != ids.size())
            return "emnist mapping: a label mapped twice accepted";
        for (size_t i = 0; i < ids.size(); ++i)
            if (ids[i] < 0 || ids[i] > 255 || names[i].empty())
                return "emnist mapping: label " + std::to_string(ids[i]) + " named \"" + names[i] + "\" accepted";
        return {};
    });
    if (!problem.empty())
        return problem;

    const std::string mapName = "kmnist_classmap.csv";
    problem = outcome<mnist::DataError>("kmnist class map", mapName, [&]() -> std::string {
        const std::vector<std::string> names = mnist::parseKmnistClassMap(text, mapName);
        if (names.empty())
            return "kmnist class map: no classes accepted";
        for (const std::string& className : names)
            if (className.empty() || className.size() > 4)
                return "kmnist class map: class name \"" + className + "\" is not one character";
        return {};
    });
    if (!problem.empty())
        return problem;

    const std::vector<uint8_t> packed = gzipBytes(data, size);
    std::vector<int64_t> plain;
    bool plainRefused = false;
    for (const bool gz : {false, true}) {
        const std::string name = gz ? "labels-idx2-int.gz" : "labels-idx2-int";
        bool refused = true;
        problem = outcome<mnist::DataError>("qmnist labels (" + name + ")", name, [&]() -> std::string {
            const std::vector<int64_t> labels = gz ? mnist::parseQmnistLabels(packed.data(), packed.size(), name)
                                                   : mnist::parseQmnistLabels(data, size, name);
            refused = false;
            if (labels.empty())
                return "qmnist labels (" + name + "): no labels accepted";
            for (int64_t label : labels)
                if (label < 0 || label > 9)
                    return "qmnist labels (" + name + "): label " + std::to_string(label) + " accepted";
            if (!gz)
                plain = labels;
            else if (!plainRefused && labels != plain)
                return "qmnist labels: the gzipped table reads differently from the plain one";
            return {};
        });
        if (!problem.empty())
            return problem;
        if (!gz)
            plainRefused = refused;
        // The plain bytes are also a valid gzip stream only when they start as gzip does; otherwise
        // what the plain table refuses, its gzipped copy refuses too.
        else if (plainRefused != refused && !(size >= 2 && data[0] == 0x1f && data[1] == 0x8b))
            return std::string("qmnist labels: the ") + (refused ? "gzipped" : "plain") + " table is refused, the " +
                   (refused ? "plain" : "gzipped") + " one accepted";
    }
    return {};
}

} // namespace fuzzchecks

namespace fuzzchecks {

std::string imageOutcome(const uint8_t* data, size_t size)
{
    const std::string name = "input.img";
    return outcome<mnist::DataError>("image", name, [&]() -> std::string {
        const mnist::DecodedImage image = mnist::decodeImage(data, size, name);
        if (image.channels != 1 && image.channels != 3)
            return "image: " + std::to_string(image.channels) + " channels";
        if (image.height < 1 || image.width < 1 || image.height > 16384 || image.width > 16384)
            return "image: size " + std::to_string(image.width) + " x " + std::to_string(image.height) + " accepted";
        if (image.pixels.size() != static_cast<size_t>(image.channels * image.height * image.width))
            return "image: pixel count does not match C x H x W";
        const mnist::DecodedImage other = mnist::convertChannels(image, 4 - image.channels);
        if (other.channels != 4 - image.channels || other.pixels.size() != size_t(other.channels) * image.height * image.width)
            return "image: convertChannels gave an inconsistent image";
        const mnist::DecodedImage small = mnist::resizeImage(image, 5, 3);
        if (small.height != 5 || small.width != 3 || small.pixels.size() != size_t(image.channels) * 15)
            return "image: resizeImage gave an inconsistent image";
        return {};
    });
}

namespace {

// A temporary folder removed with its content, whatever happens.
struct ScratchFolder {
    std::string path;
    ScratchFolder()
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "mnist-fuzz-folder-XXXXXX").string();
        if (!::mkdtemp(tmpl.data()))
            throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~ScratchFolder()
    {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

// The input's paths kept to names any file system takes: no empty, "." or ".." parts, nothing
// but letters, digits, ". _-", at most 4 levels of 24 characters.
std::string tamePath(const std::string& raw, bool& folder)
{
    folder = !raw.empty() && raw.back() == '/';
    std::string out;
    size_t start = 0;
    int levels = 0;
    while (start <= raw.size() && levels < 4) {
        size_t end = raw.find('/', start);
        if (end == std::string::npos)
            end = raw.size();
        std::string part;
        for (size_t i = start; i < end && part.size() < 24; ++i) {
            const char c = raw[i];
            if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == ' ')
                part += c;
        }
        if (!part.empty() && part != "." && part != "..") {
            out += (out.empty() ? "" : "/") + part;
            ++levels;
        }
        start = end + 1;
    }
    return out;
}

// Entries are created in input order; a file where a folder is needed (or the reverse) is skipped.
void writeTree(const std::string& root, const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::string separator = "\n%%\n";
    size_t start = 0;
    for (int entries = 0; start <= text.size() && entries < 20; ++entries) {
        size_t end = text.find(separator, start);
        if (end == std::string::npos)
            end = text.size();
        const std::string record = text.substr(start, end - start);
        start = end + separator.size();
        const size_t nul = record.find('\0');
        bool folder = false;
        const std::string relative = tamePath(record.substr(0, nul), folder);
        if (relative.empty())
            continue;
        const std::filesystem::path path = std::filesystem::path(root) / relative;
        std::error_code ec;
        std::filesystem::create_directories(folder ? path : path.parent_path(), ec);
        if (ec || folder)
            continue;
        std::ofstream out(path, std::ios::binary);
        if (out && nul != std::string::npos)
            out.write(record.data() + nul + 1, static_cast<std::streamsize>(record.size() - nul - 1));
    }
}

} // namespace

std::string imageFolderOutcome(const uint8_t* data, size_t size)
{
    ScratchFolder scratch;
    writeTree(scratch.path, data, size);
    return outcome<mnist::DataError>("image folder", scratch.path, [&]() -> std::string {
        const mnist::ImageFolderScan scan = mnist::scanImageFolder(scratch.path);
        const std::string root = scan.root;
        if (root != scratch.path)
            return "image folder: root " + root + " for " + scratch.path;
        for (const mnist::DataProblem& p : scan.problems) {
            std::error_code ec;
            if (p.file.empty() || p.file[0] == '/' || p.reason.empty() ||
                !std::filesystem::exists(std::filesystem::symlink_status(root + "/" + p.file, ec)))
                return "image folder: scan problem names no entry under the root: '" + p.file + "': " + p.reason;
        }
        if (!std::is_sorted(scan.classes.begin(), scan.classes.end()) ||
            std::adjacent_find(scan.classes.begin(), scan.classes.end()) != scan.classes.end())
            return "image folder: classes not sorted and unique";
        if (scan.parts.empty())
            return "image folder: no part";
        const int64_t classes = static_cast<int64_t>(scan.classes.size());
        for (const mnist::ImageFolderPart& part : scan.parts) {
            int64_t previous = -1;
            for (const mnist::ImageFolderFile& f : part.files) {
                if (f.path != root + "/" + f.relative || !std::filesystem::is_regular_file(f.path))
                    return "image folder: file " + f.relative + " is not " + f.path;
                // A part is labeled or not as a whole.
                if (f.label < -1 || f.label >= classes || (f.label >= 0) != (part.files.front().label >= 0))
                    return "image folder: " + f.relative + " has label " + std::to_string(f.label);
                if (f.label < previous)
                    return "image folder: " + f.relative + " out of class order";
                previous = f.label;
                if (f.size != std::filesystem::file_size(f.path))
                    return "image folder: " + f.relative + " size not recorded";
            }
            std::vector<mnist::DataProblem> problems;
            const mnist::ImageSet set = mnist::loadImageFolderPart(part, {}, 0, problems, 1);
            if (set.channels != 1 && set.channels != 3)
                return "image folder: part '" + part.name + "' loaded with " + std::to_string(set.channels) +
                       " channels";
            if (set.labels.size() != set.sources.size() ||
                set.pixels.size() != static_cast<size_t>(set.count() * set.imageBytes()))
                return "image folder: part '" + part.name + "' loaded inconsistent sizes";
            if (set.count() + static_cast<int64_t>(problems.size()) != static_cast<int64_t>(part.files.size()))
                return "image folder: part '" + part.name + "': files neither loaded nor reported";
            size_t next = 0;
            for (int64_t i = 0; i < set.count(); ++i) {
                while (next < part.files.size() && part.files[next].relative != set.sources[i])
                    ++next;
                if (next == part.files.size() || part.files[next].label != set.labels[i])
                    return "image folder: part '" + part.name + "': source " + set.sources[i] +
                           " out of order or with another label";
                ++next;
            }
            for (const mnist::DataProblem& p : problems)
                if (std::none_of(part.files.begin(), part.files.end(),
                                 [&](const mnist::ImageFolderFile& f) { return f.relative == p.file; }) ||
                    p.reason.empty())
                    return "image folder: load problem names no file of the part: '" + p.file + "'";
        }
        return {};
    });
}

} // namespace fuzzchecks
