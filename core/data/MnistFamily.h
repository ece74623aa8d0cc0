#pragma once
// The MNIST family's own conventions on top of IDX (IdxReader.h). Plain std.
//  - EMNIST (gzip/emnist-<split>-{train,test}-{images-idx3,labels-idx1}-ubyte[.gz] with
//    emnist-<split>-mapping.txt): images are stored transposed (read here upright); the mapping's
//    lines "<label> <code> [<code>]" give the class names: the code's character ("A"), or both
//    characters with a slash when a line has two different codes ("A/a", the letters split's
//    merged upper and lower case); labels are mapped to 0..K-1 in the mapping's order, so the
//    letters split (labels 1..26) starts at 0.
//  - KMNIST (kmnist-{train,test}-{imgs,labels}.npz is NOT read; the IDX release
//    {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] with kmnist_classmap.csv
//    "index,codepoint,char").
//  - QMNIST (qmnist-{train,test}-images-idx3-ubyte[.gz] and qmnist-{train,test}-labels-idx2-int
//    [.gz]: an int32 IDX table [N, 8] whose column 0 is the class; or, without qmnist-train-*,
//    xnist-images-idx3-ubyte and xnist-labels-idx2-int, all 120,000 images as one train set).
// Each release's train files are required; its test files are optional as a pair.
//  - MNIST and Fashion-MNIST class names.
#include "data/ImageSet.h"

#include <string>
#include <vector>

namespace mnist {

// "0".."9" for MNIST; "T-shirt/top", "Trouser", ... for Fashion-MNIST (torchvision's names).
std::vector<std::string> mnistClassNames();
std::vector<std::string> fashionMnistClassNames();

// One family member's files, found in `location`: a folder, or for EMNIST a path prefix such as
// "gzip/emnist-letters" when a folder holds several splits (then the error lists them). An EMNIST
// folder may also be the one above the release's gzip/.
struct FamilyData {
    std::string name;                 // "emnist-letters", "kmnist", "qmnist" (or "xnist")
    std::vector<std::string> classes; // names in label order
    ImageSet train;
    ImageSet test;                    // empty (count 0, train's image size) when the release has none
};

// Throw DataError naming the file and the problem: a missing file, a mapping line that does not
// parse, a label outside the mapping, counts that disagree.
FamilyData readEmnist(const std::string& location);
FamilyData readKmnist(const std::string& location);
FamilyData readQmnist(const std::string& location);

// The parsers behind them, on content in memory (the fuzz targets' entry points).
// EMNIST mapping: returns the class names; labelIds receives each line's label in order.
std::vector<std::string> parseEmnistMapping(const std::string& text, const std::string& name,
                                            std::vector<int64_t>& labelIds);
// KMNIST class map CSV ("index,codepoint,char" header then one line per class, indices 0, 1, ... in
// order, each char the UTF-8 of its code point): returns the chars.
std::vector<std::string> parseKmnistClassMap(const std::string& text, const std::string& name);
// QMNIST's labels table (magic 0x00000C02, int32 big-endian, [N, 8] or [N, k >= 1]): column 0.
std::vector<int64_t> parseQmnistLabels(const uint8_t* data, size_t size, const std::string& name);

} // namespace mnist
