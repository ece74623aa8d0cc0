#include "spec/NetworkTable.h"

#include <cstdio>

namespace mnist {

std::string withThousandsSeparators(int64_t v)
{
    std::string s = std::to_string(v);
    for (int i = static_cast<int>(s.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3)
        s.insert(static_cast<size_t>(i), ",");
    return s;
}

std::string networkTable(const NetworkSpec& spec)
{
    const NetworkSummary summary = describeNetwork(spec);
    std::string out;
    char line[256];
    auto row = [&](const std::string& name, const std::string& type, const std::string& shape, const std::string& params,
                   const std::string& macs) {
        std::snprintf(line, sizeof line, "%-26s %-17s %-14s %11s %13s\n", name.c_str(), type.c_str(), shape.c_str(),
                      params.c_str(), macs.c_str());
        out += line;
    };
    row("layer", "type", "output", "parameters", "multiply-adds");
    row("input", "", formatShape(summary.inputShape), "", "");
    for (const auto& r : summary.rows)
        row(std::string(static_cast<size_t>(2 * r.depth), ' ') + r.prefix, layerTypeName(r.type), formatShape(r.outputShape),
            withThousandsSeparators(r.parameters), withThousandsSeparators(r.multiplyAdds));
    row("total", "", formatShape(summary.outputShape), withThousandsSeparators(summary.parameters),
        withThousandsSeparators(summary.multiplyAdds));
    return out;
}

} // namespace mnist
