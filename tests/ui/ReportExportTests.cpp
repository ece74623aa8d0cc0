// File ▸ Export report… in the main window, with the save dialog replaced: the runs selected in
// the Runs tab go into one HTML file written in the background.
#include "UiTestSupport.h"

#include "RunFixtures.h"
#include "core/report/ReportChecks.h"
#include "window/ReportExport.h"

#include <catch2/catch.hpp>

#include <QAction>
#include <QSignalSpy>
#include <QStatusBar>

#include <filesystem>
#include <fstream>
#include <iterator>

using fixtures::countOf;

namespace {

// Two recorded runs of the tiny dataset with fresh LeNet weights, differing in their LR.
struct TwoRuns {
    uitest::TinyDataset data{100, 60};
    TempDir runs;
    std::string a = runs.file("20260105-120000-LeNet"), b = runs.file("20260105-130000-LeNet");
    TwoRuns()
    {
        mnist::TrainConfig c = data.config();
        uitest::writeRunFolder(a, c, uitest::makeEpochs({12.0, 20.0}, {2.3, 2.1}));
        uitest::saveFreshWeights("LeNet", a + "/model.safetensors", 3);
        c.lr = 0.01;
        uitest::writeRunFolder(b, c, uitest::makeEpochs({15.0, 25.0}, {2.2, 2.0}));
        uitest::saveFreshWeights("LeNet", b + "/model.safetensors", 4);
    }
};

QAction* exportReportAction(studio::MainWindow& w)
{
    auto* action = w.findChild<QAction*>(QStringLiteral("exportReport"));
    REQUIRE(action);
    return action;
}

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("Export report writes the selected runs' report in the background and says where", "[ui][report]")
{
    TwoRuns runs;
    auto w = uitest::makeWindow();
    w->setRunsFolder(QString::fromStdString(runs.runs.path().string()));
    uitest::listRuns(*w->runBrowser());
    w->runBrowser()->selectRuns({QString::fromStdString(runs.a), QString::fromStdString(runs.b)});
    REQUIRE(w->runBrowser()->selectedRunDirs().size() == 2);

    const QString path = QString::fromStdString(runs.runs.file("report.html"));
    QStringList asked;
    w->setReportPathAsker([&](const QStringList& dirs) {
        asked = dirs;
        return path;
    });
    QSignalSpy done(w->reportExport(), &studio::ReportExport::finished);
    exportReportAction(*w)->trigger();
    REQUIRE(done.wait(60'000));
    INFO(done.at(0).at(2).toString().toStdString());
    CHECK(done.at(0).at(2).toString().isEmpty());
    CHECK(asked.size() == 2);
    CHECK(w->statusBar()->currentMessage().contains(QStringLiteral("Wrote the report ") + path));

    const std::string html = readAll(path.toStdString());
    CHECK(countOf(html, "<svg") == 5); // three charts and each run's PCA projection
    CHECK(countOf(html, "table class=\"confusion\"") == 2);
    CHECK(html.find("title=\"lr\">Learning rate</th>") != std::string::npos);
    CHECK(html.find("title=\"batch_size\">") == std::string::npos);
    CHECK(html.find("20260105-130000-LeNet") != std::string::npos);
    CHECK(fixtures::unbalancedTag(html).empty());
    fixtures::checkSelfContained(html);
}

TEST_CASE("Export report without a run asks for none and says what to do, and a cancelled dialog writes nothing",
          "[ui][report]")
{
    auto w = uitest::makeWindow();
    bool asked = false;
    w->setReportPathAsker([&](const QStringList&) {
        asked = true;
        return QString();
    });
    exportReportAction(*w)->trigger();
    CHECK_FALSE(asked);
    CHECK(w->errorText().contains(QStringLiteral("Select one or more runs")));

    TwoRuns runs;
    w->setRunsFolder(QString::fromStdString(runs.runs.path().string()));
    uitest::listRuns(*w->runBrowser());
    w->runBrowser()->selectRuns({QString::fromStdString(runs.a)});
    exportReportAction(*w)->trigger();
    CHECK(asked);
    CHECK_FALSE(w->reportExport()->isBusy());
    CHECK_FALSE(std::filesystem::exists(runs.runs.file("report.html")));
}

TEST_CASE("Export report shows the core's error when the file cannot be written", "[ui][report]")
{
    TwoRuns runs;
    auto w = uitest::makeWindow();
    w->setRunsFolder(QString::fromStdString(runs.runs.path().string()));
    uitest::listRuns(*w->runBrowser());
    w->runBrowser()->selectRuns({QString::fromStdString(runs.a)});
    const QString path = QString::fromStdString(runs.runs.file("no-such-folder/report.html"));
    w->setReportPathAsker([&](const QStringList&) { return path; });
    QSignalSpy done(w->reportExport(), &studio::ReportExport::finished);
    exportReportAction(*w)->trigger();
    REQUIRE(done.wait(60'000));
    CHECK_FALSE(done.at(0).at(2).toString().isEmpty());
    CHECK(w->errorText().contains(QStringLiteral("The report could not be written")));
    CHECK(w->errorText().contains(QStringLiteral("no-such-folder")));
}
