#include "LrFindCommand.h"

#include "TrainCommand.h"

#include "spec/ConfigFields.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <unistd.h>

int lrFindCommand(const mnist::TrainConfig& config, const mnist::LrFinderOptions& options, bool json, mnist::StopToken& stop)
{
    const mnist::LrFinder finder(config, options); // validates before the data is read
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    std::fprintf(stderr, "LR range test of %s: LR %g to %g over at most one epoch\n", config.arch.c_str(), options.startLr,
                 options.endLr);
    int64_t shownTenth = -1;
    const auto progress = [&](int64_t done, int64_t total) {
        // A terminal gets one line redrawn; a log a line per tenth.
        if (tty) {
            std::fprintf(stderr, "\r\033[Klr-find %lld/%lld", static_cast<long long>(done), static_cast<long long>(total));
        } else if (const int64_t tenth = done * 10 / total; tenth != shownTenth) {
            shownTenth = tenth;
            std::fprintf(stderr, "lr-find %lld/%lld\n", static_cast<long long>(done), static_cast<long long>(total));
        }
        std::fflush(stderr);
    };
    catchInterrupts(&stop);
    const mnist::LrFinderResult r = finder.run(progress, stop);
    catchInterrupts(nullptr);
    if (tty)
        std::fprintf(stderr, "\r\033[K");
    std::string ending = r.stopped ? ", stopped" : "";
    if (r.diverged && !r.points.empty())
        ending = ", the loss diverged after LR " + std::to_string(r.points.back().lr);
    std::fprintf(stderr, "%zu points%s; precision: %s\n", r.points.size(), ending.c_str(), r.precisionWhy.c_str());
    if (json) {
        nlohmann::json points = nlohmann::json::array();
        for (const mnist::LrPoint& p : r.points)
            points.push_back({p.lr, p.loss});
        std::cout << nlohmann::json{{"suggested_lr", r.suggestedLr}, {"precision", r.precision}, {"points", points}}.dump() << std::endl;
    } else if (r.suggestedLr > 0) {
        const mnist::ConfigField& field = *mnist::findField(mnist::suggestedLrField(config));
        std::printf("suggested learning rate %.3g (steepest descent of the smoothed loss)\n", r.suggestedLr);
        std::printf("set it as %s (--%s %.3g)\n", mnist::fieldSubject(field).c_str(), field.flag.c_str(), r.suggestedLr);
    } else {
        std::printf("no suggestion: too few points (give more iterations or a larger train fraction)\n");
    }
    return r.stopped ? 130 : 0;
}
