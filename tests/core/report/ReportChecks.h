#pragma once
// What every report must be, checked on its text: shared by the report's unit tests and the
// end-to-end ones (mnist-train --report, the window's Export report).
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

namespace fixtures {

inline size_t countOf(const std::string& text, const std::string& what)
{
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
        ++n;
    return n;
}

// Elements opened and closed in order (void elements and self-closed SVG ones aside); returns the
// first problem, or "" when balanced.
inline std::string unbalancedTag(const std::string& html)
{
    static const std::vector<std::string> kVoid = {"meta", "img", "br", "hr", "input", "link", "col", "wbr"};
    std::vector<std::string> open;
    const std::regex tag(R"(<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>)");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator(); ++it) {
        const std::string name = (*it)[2], closing = (*it)[1], selfClosed = (*it)[3];
        if (!closing.empty()) {
            if (open.empty() || open.back() != name)
                return "</" + name + "> closes " + (open.empty() ? std::string("nothing") : "<" + open.back() + ">") +
                       " at offset " + std::to_string(it->position());
            open.pop_back();
        } else if (selfClosed.empty() && std::find(kVoid.begin(), kVoid.end(), name) == kVoid.end()) {
            open.push_back(name);
        }
    }
    return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

// Viewable with no network: no URL of any scheme but data:, nothing fetched.
inline void checkSelfContained(const std::string& page)
{
    // Base64 may hold "//": the pictures' data is looked at by the src check below only.
    const std::string html = std::regex_replace(page, std::regex(R"(data:image/png;base64,[A-Za-z0-9+/=]*)"), "data:");
    CHECK(html.find("http:") == std::string::npos);
    CHECK(html.find("https:") == std::string::npos);
    CHECK(html.find("//") == std::string::npos);
    CHECK(html.find("@import") == std::string::npos);
    CHECK(html.find("url(") == std::string::npos);
    const std::regex source(R"re((src|href)\s*=\s*"([^"]*)")re");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), source); it != std::sregex_iterator(); ++it) {
        INFO((*it)[0].str().substr(0, 80));
        CHECK((*it)[2].str().rfind("data:", 0) == 0);
    }
}

} // namespace fixtures
