#include "train/PredictionsCsv.h"

#include "AtomicFile.h"
#include "Error.h"
#include "data/Dataset.h"
#include "train/Predictions.h"

#include <cstdio>
#include <filesystem>
#include <ostream>

namespace mnist {

namespace {

// A CSV field: quoted when it holds a comma, a quote or a line end (RFC 4180).
std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string q = "\"";
    for (char c : s)
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

} // namespace

void writePredictionsCsv(const std::string& path, bool fromCsv, const std::vector<std::string>& sources,
                         const std::vector<int>& predicted, const std::vector<float>& confidence,
                         const std::vector<std::string>& classes)
{
    for (const int k : predicted)
        if (k < 0 || static_cast<size_t>(k) >= classes.size())
            throw DataError("predicted class " + std::to_string(k) + " is outside the model's " +
                            std::to_string(classes.size()) + " classes");
    writeFileAtomically(path, [&](std::ostream& out) {
        out << (fromCsv ? "ImageId,Label\n" : "file,label,probability\n");
        for (size_t i = 0; i < predicted.size(); ++i) {
            const std::string& name = classes[static_cast<size_t>(predicted[i])];
            if (fromCsv) {
                out << (i + 1) << "," << name << "\n";
            } else {
                char prob[32];
                const double p = i < confidence.size() ? static_cast<double>(confidence[i]) : 0.0;
                std::snprintf(prob, sizeof prob, "%.6f", p);
                out << csvField(i < sources.size() ? sources[i] : std::string()) << "," << csvField(name) << "," << prob
                    << "\n";
            }
        }
    });
}

int64_t predictToCsv(const std::string& weightsPath, const TrainConfig& config, const std::string& location,
                     const std::string& outCsv)
{
    std::vector<std::string> sources;
    const Dataset images = loadImagesToPredict(location, config.data, sources);
    const ImagePredictions p = predictImages(weightsPath, config, images);
    writePredictionsCsv(outCsv, std::filesystem::is_regular_file(location), sources, p.predicted, p.confidence,
                        config.data.classes);
    return static_cast<int64_t>(p.predicted.size());
}

} // namespace mnist
