#include "run/RunFiles.h"

#include "Error.h"
#include "JsonInteger.h"
#include "run/RunLayout.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

namespace mnist {
namespace {


std::string readWholeFile(const std::string& path)
{
    std::error_code ec;
    // A folder opens as a stream on Linux; refuse it (and anything else not a plain file) by name.
    if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
        throw IoError(path + ": not a regular file");
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw IoError(path + ": cannot read (" + std::strerror(errno) + ")");
    return text.str();
}

// A line of the file, without its newline (and a Windows editor's '\r').
struct Line {
    std::string_view text;
    int number = 0;          // 1-based
    bool hasNewline = false; // false only for a last line the file ends in the middle of
};

std::vector<Line> splitLines(std::string_view text)
{
    std::vector<Line> lines;
    size_t pos = 0;
    int number = 0;
    while (pos < text.size()) {
        const size_t end = text.find('\n', pos);
        Line line;
        line.number = ++number;
        line.hasNewline = end != std::string_view::npos;
        line.text = text.substr(pos, (line.hasNewline ? end : text.size()) - pos);
        if (!line.text.empty() && line.text.back() == '\r')
            line.text.remove_suffix(1);
        lines.push_back(line);
        pos = line.hasNewline ? end + 1 : text.size();
    }
    return lines;
}

// The cells of a CSV row; empty cells are kept ("1,,2" has three).
std::vector<std::string_view> splitCells(std::string_view row)
{
    std::vector<std::string_view> cells;
    size_t pos = 0;
    while (true) {
        const size_t comma = row.find(',', pos);
        cells.push_back(row.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
        if (comma == std::string_view::npos)
            return cells;
        pos = comma + 1;
    }
}

// Short and printable, for messages: a garbage cell may be long or hold control bytes.
std::string quoted(std::string_view cell)
{
    std::string out = "'";
    for (size_t i = 0; i < cell.size() && i < 40; ++i) {
        const unsigned char c = static_cast<unsigned char>(cell[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    if (cell.size() > 40)
        out += "...";
    return out + "'";
}

class RowError {
public:
    RowError(const std::string& name, int line) : m_where(name + ":" + std::to_string(line) + ": ") {}
    [[noreturn]] void operator()(const std::string& what) const { throw IoError(m_where + what); }

private:
    std::string m_where;
};

// from_chars, not strtod: a number's text does not depend on the process's locale (the GUI sets
// it from the environment, where a decimal comma is common). Finite values only.
bool parseFinite(std::string_view cell, double* value)
{
    if (cell.empty())
        return false;
    const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), *value);
    return ec == std::errc() && end == cell.data() + cell.size() && std::isfinite(*value);
}

double finiteCell(std::string_view cell, const char* column, const RowError& fail)
{
    double v = 0;
    if (!parseFinite(cell, &v))
        fail(std::string(column) + " " + quoted(cell) + " is not a finite number");
    return v;
}

// A counter column (epoch, iteration): a whole number within int64. Text such as "2.0" or "1e3"
// that is whole is accepted; its range is checked on the double before any conversion.
int64_t wholeCell(std::string_view cell, const char* column, const RowError& fail)
{
    int64_t n = 0;
    const char* const last = cell.data() + cell.size();
    const auto [end, ec] = std::from_chars(cell.data(), last, n);
    if (ec == std::errc() && end == last)
        return n;
    if (ec == std::errc::result_out_of_range && end == last)
        fail(std::string(column) + " " + quoted(cell) + " is beyond the range of a 64-bit integer");
    double d = 0;
    if (cell.empty() || !parseFinite(cell, &d) || std::floor(d) != d)
        fail(std::string(column) + " " + quoted(cell) + " is not a whole number");
    // -2^63 and 2^63 are exact doubles: inside these bounds the cast is defined.
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        fail(std::string(column) + " " + quoted(cell) + " is beyond the range of a 64-bit integer");
    return static_cast<int64_t>(d);
}

// The first line must be `header`; an empty file has none.
void checkHeader(const std::vector<Line>& lines, std::string_view header, const std::string& name, const char* what)
{
    if (lines.empty())
        throw IoError(name + ": empty file, not a " + what + " (its header \"" + std::string(header) + "\" is missing)");
    if (lines.front().text != header)
        throw IoError(name + ":1: not a " + what + ": expected the header \"" + std::string(header) + "\", found " +
                      quoted(lines.front().text));
}

// What a walk over a file's rows ended on: the whole file, or a last line cut short.
struct RowsRead {
    bool cut = false;
    std::string_view cutLine;
};

// Checks the header, then calls row(cells, fail) for every row that is not blank, each with exactly
// `columns` cells. A row that fails throws IoError with its line, except, when `lastMayBeCut`, a
// last line without its newline: a process killed in the middle of a write leaves it cut short,
// the rows before it stand, and the walk ends there.
template <class Row>
RowsRead forEachRow(const std::string& text, std::string_view header, const std::string& name, const char* what,
                    size_t columns, bool lastMayBeCut, Row row)
{
    const std::vector<Line> lines = splitLines(text);
    checkHeader(lines, header, name, what);
    for (size_t i = 1; i < lines.size(); ++i) {
        const Line& line = lines[i];
        if (line.text.empty())
            continue;
        const RowError fail(name, line.number);
        try {
            const auto cells = splitCells(line.text);
            if (cells.size() != columns)
                fail("expected " + std::to_string(columns) + " columns (" + std::string(header) + "), found " +
                     std::to_string(cells.size()));
            row(cells, fail);
        } catch (const IoError&) {
            if (!lastMayBeCut || line.hasNewline)
                throw;
            return {true, line.text};
        }
    }
    return {};
}

} // namespace

std::vector<EpochMetrics> parseMetricsCsv(const std::string& text, const std::string& name)
{
    std::vector<EpochMetrics> out;
    forEachRow(text, kMetricsCsvHeader, name, RunLayout::kMetrics, 7, false, [&](const auto& cells, const RowError& fail) {
        EpochMetrics m;
        m.epoch = wholeCell(cells[0], "epoch", fail);
        if (m.epoch < 1)
            fail("epoch " + std::to_string(m.epoch) + " is not positive (epochs count from 1)");
        const int64_t expected = out.empty() ? 1 : out.back().epoch + 1;
        if (m.epoch != expected)
            fail(out.empty() ? "the first row is epoch " + std::to_string(m.epoch) + ", not epoch 1"
                             : "epoch " + std::to_string(m.epoch) + " follows epoch " + std::to_string(out.back().epoch) +
                                   " (expected " + std::to_string(expected) + ")");
        // Non-finite values are refused in every column, losses included: the trainer throws
        // TrainingError on a NaN or infinite loss before the epoch is recorded, so such a row was
        // not written by it.
        m.trainLoss = finiteCell(cells[1], "train_loss", fail);
        m.validLoss = finiteCell(cells[2], "valid_loss", fail);
        m.testAccuracy = finiteCell(cells[3], "test_acc", fail);
        if (m.testAccuracy < 0 || m.testAccuracy > 100)
            fail("test_acc " + quoted(cells[3]) + " is outside 0..100 (a percentage)");
        m.lr = finiteCell(cells[4], "lr", fail);
        m.seconds = finiteCell(cells[5], "seconds", fail);
        m.imagesPerSecond = finiteCell(cells[6], "images_per_s", fail);
        out.push_back(m);
    });
    return out;
}

std::vector<EpochMetrics> readMetricsCsv(const std::string& path)
{
    return parseMetricsCsv(readWholeFile(path), path);
}

namespace {

// lr.csv and loss.csv: one value per iteration, iterations 0, 1, 2... in order.
std::vector<double> parseIterationCsv(const std::string& text, const std::string& name, const char* header, const char* file,
                                      const char* column)
{
    std::vector<double> out;
    forEachRow(text, header, name, file, 2, true, [&](const auto& cells, const RowError& fail) {
        const int64_t iteration = wholeCell(cells[0], "iteration", fail);
        const double value = finiteCell(cells[1], column, fail);
        if (iteration != static_cast<int64_t>(out.size()))
            fail("iteration " + std::to_string(iteration) + " where " + std::to_string(out.size()) +
                 " was expected (rows must run 0, 1, 2... in order)");
        out.push_back(value);
    });
    return out;
}

} // namespace

std::vector<double> parseLrCsv(const std::string& text, const std::string& name)
{
    return parseIterationCsv(text, name, kLrCsvHeader, RunLayout::kLr, "lr");
}

std::vector<double> parseLossCsv(const std::string& text, const std::string& name)
{
    return parseIterationCsv(text, name, kLossCsvHeader, RunLayout::kLoss, "loss");
}

std::vector<double> readLossCsv(const std::string& path)
{
    return parseLossCsv(readWholeFile(path), path);
}

std::vector<double> readLrCsv(const std::string& path)
{
    return parseLrCsv(readWholeFile(path), path);
}

std::vector<EpochLayerStats> parseLayersCsv(const std::string& text, const std::string& name)
{
    std::vector<EpochLayerStats> out;
    const RowsRead read = forEachRow(text, kLayersCsvHeader, name, RunLayout::kLayers, 8, true, [&](const auto& cells, const RowError& fail) {
        const int64_t epoch = wholeCell(cells[0], "epoch", fail);
        if (out.empty() || epoch != out.back().epoch) {
            // Gaps are allowed: a run resumed from an older checkpoint, or trained with the
            // statistics off for a while, has none for some epochs.
            if (epoch < 1)
                fail("epoch " + std::to_string(epoch) + " is not positive (epochs count from 1)");
            if (!out.empty() && epoch < out.back().epoch)
                fail("epoch " + std::to_string(epoch) + " follows epoch " + std::to_string(out.back().epoch));
            if (!out.empty() && out.back().layers.size() != out.front().layers.size())
                fail("epoch " + std::to_string(out.back().epoch) + " has " + std::to_string(out.back().layers.size()) +
                     " layers, epoch " + std::to_string(out.front().epoch) + " has " + std::to_string(out.front().layers.size()));
            out.push_back({epoch, {}});
        }
        EpochLayerStats& e = out.back();
        LayerStat s;
        s.layer = std::string(cells[1]);
        if (s.layer.empty())
            fail("the layer name is empty");
        if (out.size() > 1) {
            if (e.layers.size() >= out.front().layers.size() || out.front().layers[e.layers.size()].layer != s.layer)
                fail("layer " + quoted(cells[1]) + " is not the one the first epoch has at this place");
        } else {
            for (const LayerStat& other : e.layers)
                if (other.layer == s.layer)
                    fail("layer " + quoted(cells[1]) + " appears twice in epoch " + std::to_string(epoch));
        }
        s.parameters = wholeCell(cells[2], "parameters", fail);
        if (s.parameters < 1)
            fail("parameters " + quoted(cells[2]) + " is not positive");
        s.weightNorm = finiteCell(cells[3], "weight_norm", fail);
        s.gradNorm = finiteCell(cells[4], "grad_norm", fail);
        if (s.weightNorm < 0 || s.gradNorm < 0)
            fail("a norm is negative");
        s.weightMin = finiteCell(cells[5], "weight_min", fail);
        s.weightMax = finiteCell(cells[6], "weight_max", fail);
        if (s.weightMin > s.weightMax)
            fail("weight_min " + quoted(cells[5]) + " is above weight_max " + quoted(cells[6]));
        std::string_view rest = cells[7];
        int64_t total = 0;
        while (!rest.empty()) {
            const size_t space = rest.find(' ');
            const std::string_view count = rest.substr(0, space);
            const int64_t n = wholeCell(count, "histogram count", fail);
            if (n < 0)
                fail("histogram count " + quoted(count) + " is negative");
            if (n > s.parameters - total)
                fail("the histogram counts more values than the layer's " + std::to_string(s.parameters) + " parameters");
            total += n;
            s.histogram.push_back(n);
            rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        }
        if (s.histogram.size() != static_cast<size_t>(kLayerHistogramBins))
            fail("the histogram has " + std::to_string(s.histogram.size()) + " counts, not " +
                 std::to_string(kLayerHistogramBins));
        e.layers.push_back(std::move(s));
    });
    if (read.cut) {
        // A row cut short by a crash: the writer appends an epoch's rows at once, so the cut is
        // in the last epoch, which is dropped when the cut row is one of its rows (its epoch cell
        // reads as that epoch); the epochs before it stand.
        int64_t cutEpoch = -1;
        try {
            cutEpoch = wholeCell(splitCells(read.cutLine).front(), "epoch", RowError(name, 0));
        } catch (const IoError&) {
        }
        if (!out.empty() && (cutEpoch == out.back().epoch || out.back().layers.empty()))
            out.pop_back();
    }
    // A file cut between two rows of its last epoch (a crash, or a reader between two writes):
    // that epoch is incomplete and dropped.
    if (out.size() > 1 && out.back().layers.size() != out.front().layers.size())
        out.pop_back();
    return out;
}

std::vector<EpochLayerStats> readLayersCsv(const std::string& path)
{
    return parseLayersCsv(readWholeFile(path), path);
}

nlohmann::json parseJsonObject(const std::string& text, const std::string& name, const std::string& kind)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw IoError(name + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object()) {
        const std::string found = "expected a JSON object, found " + std::string(j.type_name());
        throw IoError(name + ": " + (kind.empty() ? found : "not a " + kind + " (" + found + ")"));
    }
    return j;
}

RunSummary parseRunSummary(const std::string& text, const std::string& name)
{
    const nlohmann::json j = parseJsonObject(text, name, RunLayout::kSummary);
    const auto field = [&](const char* key) -> const nlohmann::json& {
        const auto it = j.find(key);
        if (it == j.end())
            throw IoError(name + ": key \"" + key + "\" is missing");
        return *it;
    };
    const auto wrongType = [&](const char* key, const char* expected, const nlohmann::json& v) {
        throw IoError(name + ": key \"" + key + "\" must be " + expected + ", found " + v.type_name() + " " +
                      v.dump().substr(0, 40));
    };
    const auto accuracy = [&](const char* key) {
        const auto& v = field(key);
        if (!v.is_number())
            wrongType(key, "a number", v);
        const double a = v.get<double>();
        if (!(a >= 0 && a <= 100))
            throw IoError(name + ": key \"" + key + "\" is " + v.dump() + ", outside 0..100 (a percentage)");
        return a;
    };
    const auto integer = [&](const char* key) {
        const auto& v = field(key);
        if (!v.is_number())
            wrongType(key, "an integer", v);
        try {
            return jsonInteger<int64_t>(v);
        } catch (const std::exception& e) {
            throw IoError(name + ": key \"" + key + "\": " + e.what());
        }
    };

    RunSummary s;
    const auto& arch = field("arch");
    if (!arch.is_string())
        wrongType("arch", "a string", arch);
    s.arch = arch.get<std::string>();
    const auto& epochs = field("epochs");
    if (!epochs.is_array())
        wrongType("epochs", "an array", epochs);
    s.epochCount = static_cast<int64_t>(epochs.size());
    const auto& stopped = field("stopped");
    if (!stopped.is_boolean())
        wrongType("stopped", "true or false", stopped);
    s.stopped = stopped.get<bool>();
    s.bestTestAccuracy = accuracy("best_test_acc");
    s.testAccuracyAtBestValid = accuracy("test_acc_at_best_valid");
    s.finalTestAccuracy = accuracy("final_test_acc");
    for (const auto& [key, target] : {std::pair<const char*, int64_t*>{"best_epoch", &s.bestEpoch},
                                      std::pair<const char*, int64_t*>{"best_valid_epoch", &s.bestValidEpoch}}) {
        *target = integer(key);
        if (*target < 0 || *target > s.epochCount)
            throw IoError(name + ": key \"" + key + "\" is " + std::to_string(*target) + ", outside 0.." +
                          std::to_string(s.epochCount) + " (the run's epochs)");
    }
    return s;
}

RunSummary readRunSummary(const std::string& path)
{
    return parseRunSummary(readWholeFile(path), path);
}

} // namespace mnist
