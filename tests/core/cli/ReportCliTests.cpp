// mnist-train --report end to end with the real binary on two tiny runs, and the report opened in
// a real headless browser (Debian's chromium) that must draw its charts and pictures without an
// error.
#include "core/report/ReportChecks.h"
#include "data/IdxFixtures.h"
#include "data/RunCli.h"
#include "data/ScopedEnv.h"
#include "data/SkipTest.h"
#include "data/TempDir.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

using fixtures::countOf;
using fixtures::runCli;
namespace fs = std::filesystem;

namespace {

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Two finished LeNet runs of 2 epochs on synthetic data that differ in their LR only. The
// default LRs learn the data (few or no mistakes); tiny ones leave many mistakes to show.
struct TwoRuns {
    TempDir dir;
    std::string data = dir.file("data"), a = dir.file("run-a"), b = dir.file("run-b");
    explicit TwoRuns(const std::string& lrA = "0.01", const std::string& lrB = "0.003")
    {
        fs::create_directories(data);
        fixtures::writeSyntheticDataset(data, 300, 100);
        for (const auto& [run, lr] : {std::pair{a, lrA}, std::pair{b, lrB}}) {
            const auto r = runCli("--arch LeNet --epochs 2 --batch-size 50 --lr " + std::string(lr) +
                                      " --device cpu --threads 1 --data-dir " + data + " --out " + run,
                                  dir);
            INFO(r.out << r.err);
            REQUIRE(r.exitCode == 0);
        }
    }
};

// True when `command` runs (exit 0) here.
bool have(const std::string& command)
{
    return std::system((command + " > /dev/null 2>&1").c_str()) == 0;
}

} // namespace

TEST_CASE("mnist-train --report writes one self-contained page of the runs: differences, charts, confusion, mistakes",
          "[cli][report]")
{
    TwoRuns runs;
    const std::string out = runs.dir.file("report.html");
    const auto r = runCli("--report " + runs.a + " " + runs.b + " --data-dir " + runs.data + " --out " + out, runs.dir);
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(r.out.find("wrote " + out) != std::string::npos);
    const std::string html = readAll(out);
    // Losses, accuracy and LR, then each run's PCA projection of its test images.
    CHECK(countOf(html, "<svg") == 5);
    CHECK(countOf(html, "<h3>Projection (PCA)</h3>") == 2);
    CHECK(countOf(html, "<polyline") == 8);
    // Only the LR differs; the seed, epochs and network are the same.
    CHECK(html.find("title=\"lr\">Learning rate</th>") != std::string::npos);
    CHECK(html.find("title=\"epochs\">") == std::string::npos);
    CHECK(html.find("title=\"arch\">") == std::string::npos);
    CHECK(html.find("title=\"seed\">") == std::string::npos);
    // Each run's own arch.json is a different path for the same network: not a difference.
    CHECK(html.find("title=\"arch_file\">") == std::string::npos);
    CHECK(countOf(html, "table class=\"confusion\"") == 2);
    CHECK(html.find("<th>7</th>") != std::string::npos); // MNIST's class names
    CHECK(html.find("run-a") != std::string::npos);
    CHECK(html.find("MNIST Studio") != std::string::npos);
    CHECK(fixtures::unbalancedTag(html).empty());
    fixtures::checkSelfContained(html);
}

TEST_CASE("mnist-train --report names a run that is not there and writes nothing", "[cli][report]")
{
    TempDir dir;
    const std::string out = dir.file("report.html");
    const auto r = runCli("--report " + dir.file("no-such-run") + " --out " + out, dir);
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("no-such-run: no such run folder") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
    const auto noOut = runCli("--report " + dir.file("x"), dir);
    CHECK(noOut.exitCode == 2);
    CHECK(noOut.err.find("--out") != std::string::npos);
}

TEST_CASE("mnist-train --report still reports a run without weights and says what it lacks", "[cli][report]")
{
    TwoRuns runs;
    for (const char* file : {"model.safetensors", "best.safetensors", "model.pt"})
        fs::remove(runs.b + "/" + file);
    const std::string out = runs.dir.file("report.html");
    // A bare name is a run of the runs folder.
    const ScopedEnv runsDir("MNIST_STUDIO_RUNS_DIR", runs.dir.path().string());
    const auto r = runCli("--report run-a " + runs.b + " --data-dir " + runs.data + " --out " + out, runs.dir);
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(r.err.find("note: run-b: no weights yet") != std::string::npos);
    const std::string html = readAll(out);
    CHECK(countOf(html, "table class=\"confusion\"") == 1);
    CHECK(html.find("<h2>run-a</h2>") != std::string::npos);
    CHECK(html.find("no weights yet") != std::string::npos);
    CHECK(countOf(html, "<svg") == 4); // the three charts and run-a's projection
}

TEST_CASE("The report opens in headless Chromium with its charts drawn, its pictures decoded and no error",
          "[cli][report][browser]")
{
    if (!have("chromium --version"))
        return fixtures::skipTest("chromium is not installed (scripts/setup.sh installs it)");
    TwoRuns runs("0.00001", "0.00002");
    const std::string report = runs.dir.file("report.html");
    const auto r = runCli("--report " + runs.a + " " + runs.b + " --data-dir " + runs.data + " --out " + report, runs.dir);
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    // The page as written plus a probe that runs at load: it counts the charts, measures each line
    // as laid out, counts the pictures that decoded and any script error, and writes that into the
    // DOM, so a page the browser never rendered (or a probe that never ran) cannot pass.
    const std::string probe = R"(<script>
window.probeErrors = 0;
window.addEventListener('error', () => { window.probeErrors++; });
window.addEventListener('load', () => {
  let drawn = 0, lines = 0;
  document.querySelectorAll('svg.chart polyline').forEach(p => { lines++; if (p.getBBox().width > 0) drawn++; });
  const images = [...document.images], decoded = images.filter(i => i.complete && i.naturalWidth > 0).length;
  const m = document.createElement('pre');
  m.id = 'probe-result';
  m.textContent = 'PROBE charts=' + document.querySelectorAll('svg.chart').length + ' lines=' + lines + ' drawn=' + drawn +
      ' images=' + images.length + ' decoded=' + decoded + ' errors=' + window.probeErrors;
  document.body.appendChild(m);
});
</script>)";
    std::string html = readAll(report);
    const size_t head = html.find("<head>");
    REQUIRE(head != std::string::npos);
    html.insert(head + 6, probe);
    const std::string probed = runs.dir.file("probed.html"), dom = runs.dir.file("dom.html"), log = runs.dir.file("chromium.log");
    std::ofstream(probed, std::ios::binary) << html;
    // As root Chromium runs only without its sandbox; no GPU here; the log holds console messages.
    const std::string command = "timeout 120 chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 "
                                "--dump-dom file://" + probed + " > " + dom + " 2> " + log;
    const int rc = std::system(command.c_str());
    const std::string rendered = readAll(dom), console = readAll(log);
    INFO(console.substr(0, 4000));
    REQUIRE(rc == 0);
    // The probe's result, not its source (which holds the same words).
    const std::string marker = "<pre id=\"probe-result\">";
    const size_t probeAt = rendered.find(marker);
    REQUIRE(probeAt != std::string::npos);
    const std::string line = rendered.substr(probeAt + marker.size(), rendered.find('<', probeAt + 1) - probeAt - marker.size());
    INFO(line);
    std::smatch m;
    REQUIRE(std::regex_search(line, m, std::regex(R"(PROBE charts=(\d+) lines=(\d+) drawn=(\d+) images=(\d+) decoded=(\d+) errors=(\d+))")));
    CHECK(m[1] == "5"); // three charts and two projections
    CHECK(m[2] == "8");
    CHECK(m[3] == "8");
    CHECK(std::stoi(m[4]) > 0);
    CHECK(m[5] == m[4]);
    CHECK(m[6] == "0");
    CHECK(console.find("Uncaught") == std::string::npos);
    CHECK(console.find(":CONSOLE") == std::string::npos);
}
