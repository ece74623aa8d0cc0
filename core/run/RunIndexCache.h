#pragma once
// The run index's cache: what readRun() made of each run folder, with the size and time of every
// file it read, so that a later listing (in this process or the next) reads again only the runs
// whose files changed. Kept in the user's cache folder, not in the runs folder: a runs folder may be
// read-only or shared (a cluster's sweep folder), and a cache is the user's, thrown away at will.
// A damaged, foreign or older cache is ignored and rebuilt, never trusted; so is an entry that does
// not parse. Written atomically.
#include "run/RunIndex.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mnist {

// Size and modification time (ns) of each file readRun() looks at; a missing file has size -1.
struct RunFileStamps {
    std::vector<int64_t> values;
    bool operator==(const RunFileStamps& o) const { return values == o.values; }
    // The newest modification time among the files, ns since the epoch.
    int64_t newest = 0;
};
RunFileStamps stampRunFolder(const std::string& dir);

// $XDG_CACHE_HOME/mnist-studio/run-index/HASH.json (else ~/.cache/...; the folder is
// $MNIST_STUDIO_RUN_INDEX_CACHE when set, as the tests set it): HASH names the runs folder.
std::string defaultRunIndexCachePath(const std::string& runsDir);

class RunIndexCache {
public:
    // Reads `path` (nothing when empty, missing or not a cache of `runsDir`).
    RunIndexCache(std::string path, std::string runsDir);

    // The record of the run folder `key` (its path under the runs folder) when its files carry
    // `stamps`; false when unknown or changed.
    bool find(const std::string& key, const RunFileStamps& stamps, RunRecord& record) const;
    // Remembers `record` for the next listing. A file changed in the last seconds is not: a
    // file's time has a coarse grain, and a write in the same tick would go unseen.
    void keep(const std::string& key, const RunFileStamps& stamps, const RunRecord& record, int64_t listedAtNs);
    // Writes the kept entries (dropping folders that were not listed) when they differ from the
    // file; a cache that cannot be written is left out silently (the listing is still right).
    void save() const;

private:
    struct Entry {
        RunFileStamps stamps;
        nlohmann::json record;
    };
    std::string m_path;
    std::string m_runsDir; // as given, a newline, absolute
    std::map<std::string, Entry> m_read;
    std::map<std::string, Entry> m_kept;
};

} // namespace mnist
