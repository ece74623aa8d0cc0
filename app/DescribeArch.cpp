#include "DescribeArch.h"

#include "models/ModelRegistry.h"
#include "spec/NetworkSpec.h"
#include "spec/NetworkTable.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace {

bool looksLikeFile(const std::string& s)
{
    std::error_code ec;
    return s.find('/') != std::string::npos || (s.size() > 5 && s.compare(s.size() - 5, 5, ".json") == 0) ||
           std::filesystem::is_regular_file(s, ec);
}

} // namespace

int describeArchCommand(const std::string& nameOrFile, bool json)
{
    const mnist::NetworkSpec spec =
        looksLikeFile(nameOrFile) ? mnist::readNetworkSpecFile(nameOrFile) : mnist::findNetworkSpec(nameOrFile);
    const mnist::NetworkSummary summary = mnist::describeNetwork(spec);
    if (json) {
        nlohmann::ordered_json layers = nlohmann::ordered_json::array();
        for (const auto& r : summary.rows)
            layers.push_back({{"name", r.prefix}, {"type", mnist::layerTypeName(r.type)}, {"depth", r.depth},
                              {"output", r.outputShape}, {"parameters", r.parameters}, {"multiply_adds", r.multiplyAdds}});
        nlohmann::ordered_json stateDict = nlohmann::ordered_json::array();
        for (const auto& [name, shape] : mnist::expectedStateDict(spec))
            stateDict.push_back({name, shape});
        const nlohmann::ordered_json out = {{"name", spec.name},
                                            {"description", spec.description},
                                            {"input", spec.input},
                                            {"output", summary.outputShape},
                                            {"parameters", summary.parameters},
                                            {"multiply_adds", summary.multiplyAdds},
                                            {"layers", layers},
                                            {"state_dict", stateDict}};
        std::cout << out.dump(2) << std::endl;
        return 0;
    }
    std::printf("%s%s%s\n%s", spec.name.c_str(), spec.description.empty() ? "" : ": ", spec.description.c_str(),
                mnist::networkTable(spec).c_str());
    return 0;
}

int listArchsCommand(bool json)
{
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& a : mnist::architectures()) {
        const mnist::NetworkSummary s = mnist::describeNetwork(mnist::findNetworkSpec(a.name));
        if (json)
            out.push_back({{"name", a.name}, {"description", a.description}, {"builtin", a.builtin},
                           {"parameters", s.parameters}, {"multiply_adds", s.multiplyAdds}});
        else
            std::printf("%-14s %10s  %s%s\n", a.name.c_str(), mnist::withThousandsSeparators(s.parameters).c_str(),
                        a.builtin ? "" : "(user) ", a.description.c_str());
    }
    for (const auto& u : mnist::listUserArchitectures()) {
        if (u.problem.empty())
            continue;
        if (json)
            out.push_back({{"file", u.file}, {"name", u.name}, {"problem", u.problem}});
        else
            std::fprintf(stderr, "mnist-train: %s is left out: %s\n", u.file.c_str(), u.problem.c_str());
    }
    if (json)
        std::cout << out.dump(2) << std::endl;
    return 0;
}
