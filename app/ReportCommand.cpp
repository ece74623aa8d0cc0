#include "ReportCommand.h"

#include "Error.h"
#include "report/RunsReport.h"
#include "run/RunLayout.h"
#include "run/RunNotes.h"

#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace {

// A run folder, or a name under the runs folder as --list-runs shows it; anything else is passed
// on as given, for the report to name it in its own words.
std::string runFolder(const std::string& run)
{
    try {
        return mnist::resolveRunDir(run, mnist::defaultRunsDir());
    } catch (const mnist::ConfigError&) {
        return run;
    }
}

} // namespace

int reportCommand(const std::vector<std::string>& runs, const std::string& outPath, const mnist::TrainConfig& machine)
{
    if (outPath.empty())
        throw mnist::ConfigError("--report needs --out FILE.html, where the report goes");
    if (fs::is_directory(outPath))
        throw mnist::ConfigError("--report: --out " + outPath + " is a folder; give the report's file, e.g. report.html");
    mnist::RunsReportRequest request;
    for (const std::string& run : runs)
        request.runDirs.push_back(runFolder(run));
    request.outPath = outPath;
    request.machine = machine;
    request.version = MNIST_STUDIO_VERSION;
    const mnist::RunsReportResult result = mnist::writeRunsReport(request);
    for (const std::string& note : result.notes)
        std::fprintf(stderr, "note: %s\n", note.c_str());
    std::printf("wrote %s\n", result.path.c_str());
    return 0;
}
