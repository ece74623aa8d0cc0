// The HTML report on made-up runs: its sections, the settings that differ, escaping, no external
// resource, balanced tags; its SVG charts and PNG pictures.
#include "core/report/ReportChecks.h"
#include "data/TempDir.h"

#include "Error.h"
#include "data/ImageDecode.h"
#include "data/ImageEncode.h"
#include "report/HtmlReport.h"
#include "report/HtmlText.h"
#include "report/SvgChart.h"
#include "train/RunStats.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

using fixtures::countOf;

namespace {

mnist::ReportRun madeUpRun(const std::string& name, double lr, int epochs = 4)
{
    mnist::ReportRun r;
    r.record.name = name;
    r.record.dir = "/runs/" + name;
    r.record.config.lr = lr;
    r.record.config.epochs = epochs;
    r.record.state = mnist::RunState::Finished;
    for (int e = 1; e <= epochs; ++e)
        r.record.epochs.push_back({e, 1.0 / e, 1.2 / e, 90.0 + e, lr / e, 2.0, 1000.0});
    r.record.stats = mnist::computeRunStats(r.record.epochs);
    return r;
}

// Three classes, six images: two of them wrong.
mnist::TestPredictions madeUpPredictions(std::vector<std::string> classNames)
{
    mnist::TestPredictions p;
    p.rows = p.cols = 4;
    p.classes = 3;
    p.classNames = std::move(classNames);
    p.labels = {0, 1, 2, 0, 1, 2};
    p.predicted = {0, 2, 2, 1, 1, 2};
    p.confidence = {0.9f, 0.8f, 0.7f, 0.6f, 0.9f, 0.9f};
    p.confusion.assign(9, 0);
    for (size_t i = 0; i < p.labels.size(); ++i)
        ++p.confusion[static_cast<size_t>(p.labels[i] * 3 + p.predicted[i])];
    for (size_t i = 0; i < p.labels.size() * 16; ++i)
        p.images.push_back(static_cast<uint8_t>(i * 7));
    return p;
}

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("A report of two runs has a chart per figure and only the settings that differ", "[report]")
{
    mnist::ReportRun a = madeUpRun("run-a", 0.01), b = madeUpRun("run-b", 0.001);
    const std::string html = mnist::htmlReport({a, b}, mnist::ReportInfo{});
    CHECK(countOf(html, "<svg") == 3);
    CHECK(countOf(html, "</svg>") == 3);
    // Loss (train and valid per run), accuracy and LR: a line each.
    CHECK(countOf(html, "<polyline") == 8);
    CHECK(html.find("title=\"lr\">Learning rate</th>") != std::string::npos);
    CHECK(html.find("title=\"batch_size\">") == std::string::npos);
    CHECK(html.find("title=\"epochs\">") == std::string::npos);
    CHECK(html.find("Set-up: the differences") != std::string::npos);
    CHECK(fixtures::unbalancedTag(html).empty());
    fixtures::checkSelfContained(html);
}

TEST_CASE("A report of one run lists all its settings", "[report]")
{
    const std::string html = mnist::htmlReport({madeUpRun("only", 0.01)}, mnist::ReportInfo{});
    CHECK(html.find("title=\"lr\">Learning rate</th>") != std::string::npos);
    CHECK(html.find("title=\"batch_size\">") != std::string::npos);
    CHECK(html.find("title=\"epochs\">") != std::string::npos);
    CHECK(countOf(html, "<svg") == 3);
    CHECK(fixtures::unbalancedTag(html).empty());
}

TEST_CASE("Run names, class names and notes are escaped, never markup", "[report]")
{
    mnist::ReportRun r = madeUpRun("<script>alert('x')</script>", 0.01);
    r.predictions = madeUpPredictions({"cat & dog", "<b>", "\"q\""});
    r.notes.push_back("a <note> & more");
    r.record.config.arch = "<img src=x onerror=alert(1)>";
    mnist::ReportInfo info;
    info.machine = "<cpu>";
    info.version = "1.0 <beta>";
    const std::string html = mnist::htmlReport({r}, info);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("<img src=x") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") != std::string::npos);
    CHECK(html.find("cat &amp; dog") != std::string::npos);
    CHECK(html.find("&lt;b&gt;") != std::string::npos);
    CHECK(html.find("&quot;q&quot;") != std::string::npos);
    CHECK(html.find("a &lt;note&gt; &amp; more") != std::string::npos);
    CHECK(html.find("&lt;cpu&gt;") != std::string::npos);
    CHECK(fixtures::unbalancedTag(html).empty());
    fixtures::checkSelfContained(html);
}

TEST_CASE("A run's predictions give a confusion matrix with class names and its mistakes as PNG pictures", "[report]")
{
    mnist::ReportRun r = madeUpRun("run", 0.01);
    r.predictions = madeUpPredictions({"ant", "bee", "cow"});
    r.weightsFile = "model.safetensors";
    const std::string html = mnist::htmlReport({r}, mnist::ReportInfo{});
    CHECK(html.find("table class=\"confusion\"") != std::string::npos);
    for (const char* name : {"<th>ant</th>", "<th>bee</th>", "<th>cow</th>"})
        CHECK(countOf(html, name) == 2); // its column and its row
    CHECK(html.find("model.safetensors on its test set: 66.67% (4 of 6)") != std::string::npos);
    if (!mnist::pngEncoderAvailable())
        return;
    // The two mistakes, the more confident first: #1 (bee as cow, 80%) then #3 (ant as bee, 60%).
    CHECK(countOf(html, "src=\"data:image/png;base64,") == 2);
    const size_t first = html.find("#1<br>true bee<br>predicted cow (80%)"), second = html.find("#3<br>true ant<br>predicted bee (60%)");
    CHECK(first != std::string::npos);
    CHECK(second != std::string::npos);
    CHECK(first < second);
    CHECK(fixtures::unbalancedTag(html).empty());
}

TEST_CASE("A damaged run and a run without epochs are reported, not drawn", "[report]")
{
    mnist::ReportRun damaged;
    damaged.record.name = "broken";
    damaged.record.damaged = true;
    damaged.record.problem = "config.json: not JSON";
    mnist::ReportRun empty = madeUpRun("empty", 0.01, 0);
    std::string html = mnist::htmlReport({damaged, empty}, mnist::ReportInfo{});
    CHECK(html.find("damaged: config.json: not JSON") != std::string::npos);
    CHECK(html.find("No run has a finished epoch to draw.") != std::string::npos);
    CHECK(countOf(html, "<svg") == 0);
    CHECK(fixtures::unbalancedTag(html).empty());
    html = mnist::htmlReport({damaged, madeUpRun("good", 0.01)}, mnist::ReportInfo{});
    CHECK(countOf(html, "<svg") == 3);
}

TEST_CASE("A scatter given to the report is drawn with a point per image, hollow where wrong", "[report]")
{
    mnist::ReportRun r = madeUpRun("run", 0.01);
    mnist::ReportScatter s;
    s.x = {0, 1, 2, 3};
    s.y = {1, 0, -1, 2};
    s.label = {0, 1, 1, 0};
    s.predicted = {0, 1, 0, 0};
    s.classNames = {"zero", "one"};
    r.scatter = s;
    const std::string html = mnist::htmlReport({r}, mnist::ReportInfo{});
    CHECK(countOf(html, "<svg") == 4);
    CHECK(html.find("Projection (PCA)") != std::string::npos);
    const size_t points = html.find("<g class=\"points\">");
    REQUIRE(points != std::string::npos);
    const std::string group = html.substr(points, html.find("</g>", points) - points);
    CHECK(countOf(group, "<circle") == 4);
    CHECK(countOf(group, "fill=\"none\"") == 1);
    CHECK(html.find(">zero</text>") != std::string::npos);
    CHECK(fixtures::unbalancedTag(html).empty());
}

TEST_CASE("The report is written atomically and a bad path is named", "[report]")
{
    TempDir dir;
    const std::string path = dir.file("r.html");
    mnist::writeHtmlReport(path, {madeUpRun("run", 0.01)}, mnist::ReportInfo{});
    const std::string html = readAll(path);
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(html.find("</html>") != std::string::npos);
    try {
        mnist::writeHtmlReport(dir.file("missing/r.html"), {madeUpRun("run", 0.01)}, mnist::ReportInfo{});
        FAIL("no error");
    } catch (const mnist::IoError& e) {
        CHECK(std::string(e.what()).find("missing/r.html") != std::string::npos);
    }
}

TEST_CASE("Chart axes get nice ticks, log ticks at powers of ten", "[report][svg]")
{
    CHECK(mnist::linearTicks(0, 1, 5) == std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1});
    CHECK(mnist::linearTicks(1, 3, 6, true) == std::vector<double>{1, 2, 3});
    CHECK(mnist::linearTicks(0, 50, 6, true) == std::vector<double>{0, 10, 20, 30, 40, 50});
    CHECK(mnist::logTicks(0.01, 10) == std::vector<double>{0.01, 0.1, 1, 10});
    CHECK(mnist::logTicks(0.03, 0.3) == std::vector<double>{0.05, 0.1, 0.2});
    CHECK(mnist::logTicks(-1, 10).empty());
}

TEST_CASE("A log-scale chart breaks its line where a value cannot be drawn", "[report][svg]")
{
    mnist::LineChart c;
    c.title = "t";
    c.logY = true;
    c.series.push_back({"s", {1, 2, 3, 4, 5}, {1, 0.5, 0, 0.2, 0.1}});
    const std::string svg = mnist::svgLineChart(c);
    CHECK(countOf(svg, "<polyline") == 2);
    c.series[0].y = {0, 0, 0, 0, 0};
    CHECK(mnist::svgLineChart(c).find("no data to draw") != std::string::npos);
}

TEST_CASE("Escaping replaces markup characters and bytes that are not UTF-8", "[report]")
{
    CHECK(mnist::escapeHtml("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
    CHECK(mnist::escapeHtml("caf\xC3\xA9 \xE2\x82\xAC") == "caf\xC3\xA9 \xE2\x82\xAC");
    CHECK(mnist::escapeHtml("x\xFFy") == "x\xEF\xBF\xBDy");
    CHECK(mnist::escapeHtml("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD"); // overlong '/'
    CHECK(mnist::escapeHtml(std::string("a\0b", 3)) == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("PNG written by the encoder decodes to the same pixels, and base64 is RFC 4648's", "[report][png]")
{
    CHECK(mnist::base64({}).empty());
    CHECK(mnist::base64({'f'}) == "Zg==");
    CHECK(mnist::base64({'f', 'o'}) == "Zm8=");
    CHECK(mnist::base64({'f', 'o', 'o', 'b', 'a', 'r'}) == "Zm9vYmFy");
    if (!mnist::pngEncoderAvailable()) {
        CHECK_THROWS_AS(mnist::encodePng(mnist::DecodedImage{1, 1, 1, {0}}), mnist::DataError);
        return;
    }
    for (int64_t channels : {1, 3}) {
        mnist::DecodedImage image{channels, 5, 7, {}};
        for (int64_t i = 0; i < channels * 35; ++i)
            image.pixels.push_back(static_cast<uint8_t>(i * 37 + 11));
        const std::vector<uint8_t> png = mnist::encodePng(image);
        const mnist::DecodedImage back = mnist::decodeImage(png.data(), png.size(), "encoded.png");
        CHECK(back.channels == channels);
        CHECK(back.height == 5);
        CHECK(back.width == 7);
        CHECK(back.pixels == image.pixels);
    }
    CHECK_THROWS_AS(mnist::encodePng(mnist::DecodedImage{2, 1, 1, {0, 0}}), mnist::DataError);
    CHECK_THROWS_AS(mnist::encodePng(mnist::DecodedImage{1, 2, 2, {0}}), mnist::DataError);
}
