#pragma once
// A run's note and tags: what the user says about a run (Runs tab, mnist-train --note/--tag), kept
// in the run folder in notes.json of its own so that editing them never rewrites what the run
// recorded. Plain std types: the GUI calls them too.
#include <string>
#include <vector>

namespace mnist {

struct RunNotes {
    std::string note;              // free text, any length, newlines kept
    std::vector<std::string> tags; // cleanTags(): trimmed, unique, no whitespace inside, in the order given

    bool empty() const { return note.empty() && tags.empty(); }
};

// Tags as given by a person: each trimmed, empty ones dropped, repeats dropped (the first kept).
// Throws ConfigError naming the tag when one holds whitespace inside ("my tag": a tag is one word,
// as the filter's tag:NAME matches it).
std::vector<std::string> cleanTags(const std::vector<std::string>& tags);

// notes.json's text ({"note": TEXT, "tags": [TAG, ...]}), parsed, or refused with an IoError naming
// `name` (the file) and the key: not JSON, not an object, a key of the wrong type, a tag cleanTags()
// would refuse. Unknown keys are ignored (a later version may add some).
RunNotes parseRunNotes(const std::string& text, const std::string& name);
std::string runNotesText(const RunNotes& notes);

// RUN_DIR/notes.json read; a run without one has no notes. Throws IoError as parseRunNotes, or when
// the file cannot be read.
RunNotes readRunNotes(const std::string& runDir);
// Writes RUN_DIR/notes.json atomically (a crash leaves the old notes or the new ones), the tags
// cleaned; empty notes remove the file. The run's other files are not touched. Throws IoError when
// RUN_DIR is not a run folder or the file cannot be written, ConfigError for a bad tag.
void writeRunNotes(const std::string& runDir, const RunNotes& notes);

// `run` as a run folder: a path to one (absolute, or from the working folder), else a name under
// `runsDir` ("20261127-101500-LeNet", or "my-sweep/trial-0003" for a sweep's trial). Throws
// ConfigError naming `run` and `runsDir` when neither is a run folder.
std::string resolveRunDir(const std::string& run, const std::string& runsDir);

} // namespace mnist
