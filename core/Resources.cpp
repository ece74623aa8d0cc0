#include "Resources.h"

namespace mnist {

const std::vector<EmbeddedResource>& embeddedResources()
{
    return detail::embeddedTable();
}

std::vector<EmbeddedResource> embeddedResources(std::string_view folder)
{
    std::vector<EmbeddedResource> out;
    for (const auto& r : detail::embeddedTable())
        if (r.path.size() > folder.size() && r.path.substr(0, folder.size()) == folder && r.path[folder.size()] == '/')
            out.push_back(r);
    return out;
}

std::optional<std::string_view> embeddedResource(std::string_view path)
{
    for (const auto& r : detail::embeddedTable())
        if (r.path == path)
            return r.data;
    return std::nullopt;
}

} // namespace mnist
