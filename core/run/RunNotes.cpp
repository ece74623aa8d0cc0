#include "run/RunNotes.h"

#include "AtomicFile.h"
#include "Error.h"
#include "run/RunFiles.h"
#include "run/RunLayout.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace mnist {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string trimmed(const std::string& s)
{
    size_t begin = 0, end = s.size();
    while (begin < end && isSpace(s[begin]))
        ++begin;
    while (end > begin && isSpace(s[end - 1]))
        --end;
    return s.substr(begin, end - begin);
}

} // namespace

std::vector<std::string> cleanTags(const std::vector<std::string>& tags)
{
    std::vector<std::string> out;
    for (const std::string& given : tags) {
        const std::string tag = trimmed(given);
        if (tag.empty())
            continue;
        if (std::any_of(tag.begin(), tag.end(), isSpace))
            throw ConfigError("tag \"" + tag + "\" holds whitespace: a tag is one word (join words with - or _)");
        if (std::find(out.begin(), out.end(), tag) == out.end())
            out.push_back(tag);
    }
    return out;
}

RunNotes parseRunNotes(const std::string& text, const std::string& name)
{
    const nlohmann::json j = parseJsonObject(text, name);
    RunNotes notes;
    if (const auto it = j.find("note"); it != j.end()) {
        if (!it->is_string())
            throw IoError(name + ": key \"note\" must be a string, found " + it->type_name());
        notes.note = it->get<std::string>();
    }
    if (const auto it = j.find("tags"); it != j.end()) {
        if (!it->is_array())
            throw IoError(name + ": key \"tags\" must be an array of strings, found " + it->type_name());
        std::vector<std::string> tags;
        for (const auto& t : *it) {
            if (!t.is_string())
                throw IoError(name + ": key \"tags\" must hold strings, found " + std::string(t.type_name()));
            tags.push_back(t.get<std::string>());
        }
        try {
            notes.tags = cleanTags(tags);
        } catch (const ConfigError& e) {
            throw IoError(name + ": key \"tags\": " + e.what());
        }
    }
    return notes;
}

std::string runNotesText(const RunNotes& notes)
{
    return nlohmann::json{{"note", notes.note}, {"tags", notes.tags}}.dump(2) + "\n";
}

RunNotes readRunNotes(const std::string& runDir)
{
    const std::string path = RunLayout(runDir).notes();
    std::error_code ec;
    if (!fs::exists(path, ec))
        return {};
    if (!fs::is_regular_file(path, ec))
        throw IoError(path + ": not a regular file");
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw IoError(path + ": cannot read");
    return parseRunNotes(text.str(), path);
}

void writeRunNotes(const std::string& runDir, const RunNotes& notes)
{
    const RunLayout run(runDir);
    if (!run.isRunFolder())
        throw IoError(runDir + ": not a run folder (no " + RunLayout::kConfig + ")");
    RunNotes clean{notes.note, cleanTags(notes.tags)};
    std::error_code ec;
    if (clean.empty()) {
        fs::remove(run.notes(), ec);
        if (ec)
            throw IoError(run.notes() + ": cannot remove (" + ec.message() + ")");
        return;
    }
    writeFileAtomically(run.notes(), [&](std::ostream& out) { out << runNotesText(clean); });
}

std::string resolveRunDir(const std::string& run, const std::string& runsDir)
{
    if (run.empty())
        throw ConfigError("no run given: name a run folder, or a run under " + runsDir);
    std::error_code ec;
    if (fs::is_directory(run, ec) && RunLayout(run).isRunFolder())
        return run;
    const std::string under = (fs::path(runsDir) / run).string();
    if (!fs::path(run).is_absolute() && fs::is_directory(under, ec) && RunLayout(under).isRunFolder())
        return under;
    throw ConfigError(run + ": no such run (neither a run folder nor a run under " + runsDir + ")");
}

} // namespace mnist
