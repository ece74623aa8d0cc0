#pragma once
// What every report must be, checked on its text: shared by the report's unit tests and the
// end-to-end ones (mnist-train --report, the window's Export report).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
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
// first problem, or "" when balanced. A plain scan: std::regex recurses per character and the
// pictures' attributes are long.
inline std::string unbalancedTag(const std::string& html)
{
    static const std::vector<std::string> kVoid = {"meta", "img", "br", "hr", "input", "link", "col", "wbr"};
    std::vector<std::string> open;
    for (size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
        const size_t end = html.find('>', at);
        if (end == std::string::npos)
            return "a tag is cut short at offset " + std::to_string(at);
        const bool closing = html[at + 1] == '/';
        size_t nameEnd = at + 1 + (closing ? 1 : 0);
        while (nameEnd < end && (std::isalnum(static_cast<unsigned char>(html[nameEnd])) || html[nameEnd] == '-'))
            ++nameEnd;
        const std::string name = html.substr(at + 1 + (closing ? 1 : 0), nameEnd - at - 1 - (closing ? 1 : 0));
        if (name.empty())
            continue; // <!DOCTYPE html>
        if (closing) {
            if (open.empty() || open.back() != name)
                return "</" + name + "> closes " + (open.empty() ? std::string("nothing") : "<" + open.back() + ">") +
                       " at offset " + std::to_string(at);
            open.pop_back();
        } else if (html[end - 1] != '/' && std::find(kVoid.begin(), kVoid.end(), name) == kVoid.end()) {
            open.push_back(name);
        }
    }
    return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

// The page without its pictures' base64 data (which may hold "//").
inline std::string withoutPictureData(const std::string& html)
{
    static const std::string kPrefix = "data:image/png;base64,";
    std::string out;
    size_t from = 0;
    for (size_t at = html.find(kPrefix); at != std::string::npos; at = html.find(kPrefix, from)) {
        out.append(html, from, at + kPrefix.size() - from);
        from = html.find('"', at);
        if (from == std::string::npos)
            return out;
    }
    return out + html.substr(from);
}

// Viewable with no network: no URL of any scheme but data:, nothing fetched.
inline void checkSelfContained(const std::string& page)
{
    const std::string html = withoutPictureData(page);
    CHECK(html.find("http:") == std::string::npos);
    CHECK(html.find("https:") == std::string::npos);
    CHECK(html.find("//") == std::string::npos);
    CHECK(html.find("@import") == std::string::npos);
    CHECK(html.find("url(") == std::string::npos);
    for (const char* attribute : {"src=\"", "href=\""})
        for (size_t at = html.find(attribute); at != std::string::npos; at = html.find(attribute, at + 1)) {
            const size_t value = at + std::string(attribute).size();
            INFO(html.substr(at, 60));
            CHECK(html.compare(value, 5, "data:") == 0);
        }
}

} // namespace fixtures
