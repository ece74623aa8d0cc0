#include "report/HtmlReport.h"

#include "AtomicFile.h"
#include "data/ImageEncode.h"
#include "report/HtmlText.h"
#include "report/SvgChart.h"
#include "spec/ConfigDiff.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mnist {
namespace {

// Light and print friendly; no web fonts, no external sheet.
constexpr const char* kStyle = R"(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d1d1f;
       max-width: 1200px; margin: 0 auto; padding: 16px 24px 40px; background: #fff; }
h1 { font-size: 24px; margin: 8px 0 2px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.sub, .note, footer { color: #666; }
.note { font-style: italic; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f6; font-weight: 600; }
td.num { text-align: right; }
.damaged { color: #b3261e; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
svg.chart { background: #fff; border: 1px solid #e4e4e8; max-width: 100%; height: auto; }
svg.chart text { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: #333; }
svg.chart text.title { font-size: 14px; font-weight: 600; }
svg.chart .grid line { stroke: #ececf0; }
svg.chart rect.frame { fill: none; stroke: #999; }
table.confusion td { text-align: right; min-width: 2.6em; padding: 2px 5px; }
table.confusion th { text-align: center; padding: 2px 5px; }
table.confusion td.diag { font-weight: 600; }
.gallery { display: flex; flex-wrap: wrap; gap: 10px; }
.gallery figure { margin: 0; width: 86px; text-align: center; font-size: 12px; }
.gallery img { width: 78px; height: 78px; image-rendering: pixelated; border: 1px solid #ccc; background: #000; }
footer { margin-top: 36px; border-top: 1px solid #ddd; padding-top: 8px; font-size: 12px; }
)";

std::string percent(double v)
{
    return fixed(v, 2) + "%";
}

std::string td(const std::string& html, bool number = false)
{
    return number ? "<td class=\"num\">" + html + "</td>" : "<td>" + html + "</td>";
}

std::string runTitle(const ReportRun& r)
{
    return escapeHtml(r.record.name);
}

std::string runsTable(const std::vector<ReportRun>& runs)
{
    std::string h = "<table class=\"runs\"><tr><th>Run</th><th>Network</th><th>State</th><th>Epochs</th>"
                    "<th title=\"test accuracy at the epoch of the lowest valid loss\">Honest</th><th>Final</th>"
                    "<th title=\"highest test accuracy of any epoch (the notebook's figure)\">Best</th><th>Time</th></tr>";
    for (const ReportRun& r : runs) {
        const RunRecord& c = r.record;
        h += "<tr><td>" + runTitle(r) + "</td>";
        if (c.damaged) {
            h += "<td colspan=\"7\" class=\"damaged\">damaged: " + escapeHtml(c.problem) + "</td></tr>";
            continue;
        }
        const RunStats& s = c.stats;
        const bool any = !c.epochs.empty();
        h += td(escapeHtml(c.config.arch)) + td(runStateName(c.state)) +
             td(std::to_string(c.epochs.size()) + " / " + std::to_string(c.config.epochs), true) +
             td(any ? percent(s.testAccuracyAtBestValid) + " (epoch " + std::to_string(s.bestValidEpoch) + ")" : "\xE2\x80\x93", true) +
             td(any ? percent(s.finalTestAccuracy) : "\xE2\x80\x93", true) +
             td(any ? percent(s.bestTestAccuracy) + " (epoch " + std::to_string(s.bestEpoch) + ")" : "\xE2\x80\x93", true) +
             td(fixed(s.seconds, 0) + " s", true) + "</tr>";
    }
    return h + "</table>";
}

std::string setupTable(const std::vector<ReportRun>& runs)
{
    std::vector<TrainConfig> configs;
    std::vector<const ReportRun*> readable;
    for (const ReportRun& r : runs)
        if (!r.record.damaged) {
            configs.push_back(runConfigForComparison(r.record.config, r.record.dir));
            readable.push_back(&r);
        }
    if (configs.empty())
        return "<p class=\"note\">No run's settings could be read.</p>";
    const bool several = configs.size() > 1;
    const std::vector<SettingRow> rows = compareSettings(configs, several);
    std::string h;
    if (several)
        h += "<p class=\"sub\">Only the settings that differ between the runs; every other setting is the same.</p>";
    if (rows.empty())
        return h + "<p class=\"note\">The runs have the same settings.</p>";
    h += "<table class=\"setup\"><tr><th>Setting</th>";
    for (const ReportRun* r : readable)
        h += "<th>" + runTitle(*r) + "</th>";
    h += "</tr>";
    for (const SettingRow& row : rows) {
        h += "<tr><th title=\"" + escapeHtml(row.key) + "\">" + escapeHtml(row.label) + "</th>";
        for (const std::string& v : row.values)
            h += td(v.empty() ? "\xE2\x80\x93" : escapeHtml(v));
        h += "</tr>";
    }
    return h + "</table>";
}

std::string charts(const std::vector<ReportRun>& runs)
{
    const auto perEpoch = [](std::string title, std::string yLabel, bool logY) {
        LineChart c;
        c.title = std::move(title);
        c.xLabel = "epoch";
        c.yLabel = std::move(yLabel);
        c.logY = logY;
        c.integerX = true;
        return c;
    };
    LineChart loss = perEpoch("Loss per epoch (train solid, valid dashed)", "cross-entropy (log scale)", true);
    LineChart accuracy = perEpoch("Test accuracy per epoch", "test accuracy (%)", false);
    LineChart lr = perEpoch("Learning rate (each epoch's last iteration)", "learning rate", false);
    int color = 0;
    for (const ReportRun& r : runs) {
        if (r.record.epochs.empty())
            continue;
        ChartSeries train{r.record.name + " train", {}, {}, color, false}, valid{r.record.name + " valid", {}, {}, color, true},
            acc{r.record.name, {}, {}, color, false}, rate{r.record.name, {}, {}, color, false};
        for (const EpochMetrics& e : r.record.epochs) {
            const auto x = static_cast<double>(e.epoch);
            for (ChartSeries* s : {&train, &valid, &acc, &rate})
                s->x.push_back(x);
            train.y.push_back(e.trainLoss);
            valid.y.push_back(e.validLoss);
            acc.y.push_back(e.testAccuracy);
            rate.y.push_back(e.lr);
        }
        loss.series.push_back(std::move(train));
        loss.series.push_back(std::move(valid));
        accuracy.series.push_back(std::move(acc));
        lr.series.push_back(std::move(rate));
        ++color;
    }
    if (color == 0)
        return "<p class=\"note\">No run has a finished epoch to draw.</p>";
    return "<div class=\"charts\">" + svgLineChart(loss) + svgLineChart(accuracy) + svgLineChart(lr) + "</div>";
}

std::string className(const std::vector<std::string>& names, int k)
{
    return k >= 0 && static_cast<size_t>(k) < names.size() ? names[static_cast<size_t>(k)] : std::to_string(k);
}

std::string confusionTable(const TestPredictions& p)
{
    const int k = p.classes;
    if (k <= 0 || p.confusion.size() != static_cast<size_t>(k) * k)
        return "<p class=\"note\">No confusion counts.</p>";
    int64_t maxOff = 0;
    for (int t = 0; t < k; ++t)
        for (int q = 0; q < k; ++q)
            if (t != q)
                maxOff = std::max(maxOff, p.confusion[static_cast<size_t>(t * k + q)]);
    std::string h = "<table class=\"confusion\"><tr><th>true \xE2\x86\x93 predicted \xE2\x86\x92</th>";
    for (int q = 0; q < k; ++q)
        h += "<th>" + escapeHtml(className(p.classNames, q)) + "</th>";
    h += "<th>accuracy</th></tr>";
    for (int t = 0; t < k; ++t) {
        h += "<tr><th>" + escapeHtml(className(p.classNames, t)) + "</th>";
        int64_t rowTotal = 0;
        for (int q = 0; q < k; ++q)
            rowTotal += p.confusion[static_cast<size_t>(t * k + q)];
        for (int q = 0; q < k; ++q) {
            const int64_t n = p.confusion[static_cast<size_t>(t * k + q)];
            // The diagonal shaded by the class's accuracy, mistakes by their share of the largest.
            std::string style;
            if (t == q && rowTotal > 0)
                style = "background:rgba(44,160,44," + fixed(0.12 + 0.6 * double(n) / double(rowTotal), 3) + ")";
            else if (t != q && n > 0 && maxOff > 0)
                style = "background:rgba(214,39,40," + fixed(0.08 + 0.72 * double(n) / double(maxOff), 3) + ")";
            h += "<td" + std::string(t == q ? " class=\"diag\"" : "") + (style.empty() ? "" : " style=\"" + style + "\"") + ">" +
                 std::to_string(n) + "</td>";
        }
        const double acc = p.classAccuracy(t);
        h += td(acc < 0 ? "\xE2\x80\x93" : percent(acc), true) + "</tr>";
    }
    return h + "</table>";
}

std::string gallery(const TestPredictions& p, int samples)
{
    const int64_t n = p.size();
    const int64_t pixels = static_cast<int64_t>(p.channels) * p.rows * p.cols;
    std::vector<int64_t> wrong;
    for (int64_t i = 0; i < n; ++i)
        if (static_cast<size_t>(i) < p.predicted.size() && p.predicted[static_cast<size_t>(i)] != p.labels[static_cast<size_t>(i)])
            wrong.push_back(i);
    if (wrong.empty())
        return "<p class=\"note\">No test image is misclassified.</p>";
    // The most confident mistakes first: the ones most worth a look.
    const auto confidence = [&](int64_t i) {
        return static_cast<size_t>(i) < p.confidence.size() ? p.confidence[static_cast<size_t>(i)] : 0.0f;
    };
    std::stable_sort(wrong.begin(), wrong.end(), [&](int64_t a, int64_t b) { return confidence(a) > confidence(b); });
    const size_t shown = std::min(wrong.size(), static_cast<size_t>(std::max(0, samples)));
    std::string h = "<p class=\"sub\">" + std::to_string(shown) + " of the " + std::to_string(wrong.size()) +
                    " misclassified test images, the most confident mistakes first.</p>";
    if (!pngEncoderAvailable())
        return h + "<p class=\"note\">This build has no libpng: the images are left out.</p>";
    if (static_cast<int64_t>(p.images.size()) < n * pixels)
        return h + "<p class=\"note\">The predictions hold no images.</p>";
    h += "<div class=\"gallery\">";
    for (size_t s = 0; s < shown; ++s) {
        const int64_t i = wrong[s];
        DecodedImage image;
        image.channels = p.channels;
        image.height = p.rows;
        image.width = p.cols;
        image.pixels.assign(p.images.begin() + i * pixels, p.images.begin() + (i + 1) * pixels);
        const std::string truth = className(p.classNames, p.labels[static_cast<size_t>(i)]);
        const std::string guess = className(p.classNames, p.predicted[static_cast<size_t>(i)]);
        h += "<figure><img alt=\"test image " + std::to_string(i) + "\" src=\"data:image/png;base64," + base64(encodePng(image)) +
             "\"><figcaption>#" + std::to_string(i) + "<br>true " + escapeHtml(truth) + "<br>predicted " + escapeHtml(guess) +
             " (" + fixed(100.0 * confidence(i), 0) + "%)</figcaption></figure>";
    }
    return h + "</div>";
}

std::string scatterChart(const ReportScatter& s)
{
    ScatterChart c;
    c.title = "Test images' penultimate features, first two principal components";
    c.xLabel = "PC 1";
    c.yLabel = "PC 2";
    const size_t n = std::min(s.x.size(), s.y.size());
    for (size_t i = 0; i < n; ++i) {
        c.x.push_back(s.x[i]);
        c.y.push_back(s.y[i]);
        c.group.push_back(i < s.label.size() ? s.label[i] : 0);
        c.marked.push_back(i < s.label.size() && i < s.predicted.size() && s.label[i] != s.predicted[i]);
    }
    c.groupNames = s.classNames;
    c.markedName = "misclassified";
    std::string h = "<p class=\"sub\">" + std::to_string(n) + " test images, coloured by their true class; hollow: misclassified.";
    if (s.classNames.size() > 10)
        h += " The palette has 10 colours: classes 10 apart share one.";
    return h + "</p>" + svgScatterChart(c);
}

std::string runSection(const ReportRun& r, int index, const ReportInfo& info)
{
    std::string h = "<section class=\"run\" id=\"run-" + std::to_string(index + 1) + "\"><h2>" + runTitle(r) + "</h2>";
    if (r.record.damaged)
        h += "<p class=\"damaged\">Damaged: " + escapeHtml(r.record.problem) + "</p>";
    for (const std::string& note : r.notes)
        h += "<p class=\"note\">" + escapeHtml(note) + "</p>";
    if (r.predictions) {
        const TestPredictions& p = *r.predictions;
        h += "<p>" + escapeHtml(r.weightsFile.empty() ? std::string("Its weights") : r.weightsFile) + " on its test set: " +
             percent(p.accuracy()) + " (" + std::to_string(p.correct()) + " of " + std::to_string(p.size()) + ").</p>";
        h += "<h3>Confusion matrix</h3>" + confusionTable(p);
        h += "<h3>Misclassified test images</h3>" + gallery(p, info.misclassifiedSamples);
    }
    if (r.scatter)
        h += "<h3>Projection (PCA)</h3>" + scatterChart(*r.scatter);
    return h + "</section>";
}

} // namespace

std::string htmlReport(const std::vector<ReportRun>& runs, const ReportInfo& info)
{
    std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<meta name=\"generator\" content=\"MNIST Studio " + escapeHtml(info.version) + "\">"
                    "<title>" + escapeHtml(info.title) + "</title><style>" + kStyle + "</style></head><body>\n";
    h += "<header><h1>" + escapeHtml(info.title) + "</h1><p class=\"sub\">" + std::to_string(runs.size()) +
         (runs.size() == 1 ? " run" : " runs") + (info.created.empty() ? "" : ", " + escapeHtml(info.created)) + "</p></header>\n";
    h += "<section id=\"summary\"><h2>Runs</h2>" + runsTable(runs) + "</section>\n";
    h += std::string("<section id=\"setup\"><h2>") + (runs.size() > 1 ? "Set-up: the differences" : "Set-up") + "</h2>" +
         setupTable(runs) + "</section>\n";
    h += "<section id=\"training\"><h2>Training</h2>" + charts(runs) + "</section>\n";
    for (size_t i = 0; i < runs.size(); ++i)
        h += runSection(runs[i], static_cast<int>(i), info) + "\n";
    h += "<footer>Made by MNIST Studio " + escapeHtml(info.version) + (info.machine.empty() ? "" : " on " + escapeHtml(info.machine)) +
         (info.created.empty() ? "" : ", " + escapeHtml(info.created)) + ".</footer>\n</body></html>\n";
    return h;
}

void writeHtmlReport(const std::string& path, const std::vector<ReportRun>& runs, const ReportInfo& info)
{
    const std::string html = htmlReport(runs, info);
    writeFileAtomically(path, [&](std::ostream& out) { out << html; });
}

} // namespace mnist
