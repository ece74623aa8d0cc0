#pragma once
// Where the MNIST and Fashion-MNIST files are looked for, and where a download puts them. Plain
// std only (the GUI includes it without LibTorch).
#include "spec/TrainConfig.h"

#include <string>
#include <vector>

namespace mnist {

// Whether this program runs from the build folder it was built in (tests, `make run`): only then
// does it look into the source tree (data, shipped models); an installed one never does.
bool runningFromBuildTree();
// The source tree this build came from.
std::string sourceTreeDir();

// userDataDir()/data/<dataset> (run/RunLayout.h), beside the runs: where the GUI downloads
// `dataset` to. An installed program has no source tree to keep data in.
std::string userDatasetDir(const std::string& dataset);

// The folders resolveDataDir() tries for a config without dataDir, in order: data/<dataset> under
// the working folder, the source tree's data/<dataset> (only for a program run from its build
// folder), userDatasetDir(dataset), and for
// fashion-mnist the Debian package's /usr/share/datasets/fashion-mnist. Just dataDir when set.
std::vector<std::string> dataDirCandidates(const TrainConfig& config);

// Whether `folder` holds all four IDX files (train/t10k images and labels, plain or .gz, named
// as loadIdxFolder() accepts). Says nothing about their content.
bool hasIdxFiles(const std::string& folder);

// Folder of a config's dataset: dataDir when set, else the first candidate holding all four files;
// failing that the first candidate that exists, else data/<dataset> (so that the error message
// names a folder the user recognises).
std::string resolveDataDir(const TrainConfig& config);

} // namespace mnist
