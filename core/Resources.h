#pragma once
// The project's data files under resources/ (recipes, architectures) compiled into the core, so
// the CLI, the window and the tests read the same bytes wherever they are installed or run from.
// The list of files is in core/CMakeLists.txt (MNIST_EMBEDDED_RESOURCES).
#include <optional>
#include <string_view>
#include <vector>

namespace mnist {

struct EmbeddedResource {
    std::string_view path; // relative to resources/, e.g. "recipes/fast.json"
    std::string_view data;
};

// Every embedded file, sorted by path.
const std::vector<EmbeddedResource>& embeddedResources();

// The files whose path starts with `folder` + "/", sorted by path.
std::vector<EmbeddedResource> embeddedResources(std::string_view folder);

std::optional<std::string_view> embeddedResource(std::string_view path);

namespace detail {
const std::vector<EmbeddedResource>& embeddedTable(); // generated
}

} // namespace mnist
