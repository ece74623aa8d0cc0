#include "ReportCommand.h"

#include "Error.h"
#include "report/RunsReport.h"
#include "run/RunLayout.h"

#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace {

// A path that exists is taken as it is; otherwise a bare name is looked for in the runs folder
// (what --list-runs shows), so `--report 20261127-101500-LeNet` works from anywhere.
std::string runFolder(const std::string& run)
{
    std::error_code ec;
    if (fs::exists(run, ec) || fs::path(run).has_parent_path())
        return run;
    const fs::path inRunsDir = fs::path(mnist::defaultRunsDir()) / run;
    return fs::is_directory(inRunsDir, ec) ? inRunsDir.string() : run;
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
