#pragma once
// torchvision's ImageFolder layout: ROOT/<class>/<image>, classes the folder names sorted
// (byte order, as Python's sorted()), images any file isImageFileName() accepts, found
// recursively under the class folder, in torchvision's order: sorted(os.walk()) sorts the folders by
// their path, then each folder's files by name ("c/z.png" before "c/a/1.png"). Links to folders are
// followed, except back to a folder above. When ROOT/train exists the parts are ROOT/train,
// ROOT/valid (or ROOT/val when there is no ROOT/valid) and ROOT/test (when present), each laid out
// as above with the same classes; otherwise ROOT itself is the one training part. A part folder
// without class folders but with images directly in it is an unlabeled part (labels -1): what
// --predict reads. Plain std.
#include "data/ImageSet.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mnist {

struct ImageFolderFile {
    std::string path;     // absolute
    std::string relative; // to ROOT, for messages and predictions ("train/cat/001.png")
    int64_t label = -1;   // index into ImageFolderScan::classes; -1 unlabeled
    uint64_t size = 0;    // bytes, and the modification time in ns: the decoded cache's check
    int64_t mtimeNs = 0;
};

struct ImageFolderPart {
    std::string name; // "train", "valid", "test", or "" for ROOT as the single part
    std::vector<ImageFolderFile> files;
};

struct ImageFolderScan {
    std::string root;
    std::vector<std::string> classes;
    std::vector<ImageFolderPart> parts; // train first, then valid and test when present
    // A class folder with no images, a part whose classes differ from train's (the problem names
    // the part's folder and the missing and extra classes; an extra class's images are left out,
    // having no label), a file with an image extension that is not a regular file or a dangling
    // link: what the dataset view lists. `file` is relative to the root. Not fatal here;
    // loadImageFolderPart() and the dataset loader decide.
    std::vector<DataProblem> problems;
    const ImageFolderPart* part(const std::string& name) const; // nullptr when absent
};

// Lists the folder without reading any image. Throws DataError when ROOT does not exist, is not
// a folder, or holds no image at all.
ImageFolderScan scanImageFolder(const std::string& root);

// Decodes a part's files in order into one ImageSet (sources = the relative paths), on up to
// `threads` threads (0: the hardware's). Channels: 3 when any image of the part is colour, else 1
// (grey images are then repeated to 3; pass `channels` > 0 to force 1 or 3). Sizes per `resize`.
// Every file that cannot be decoded, and with no resize policy every image whose size differs
// from the first one, is appended to `problems` and left out; the caller refuses to train on a
// set with problems. `progress(done, total)` is called now and then when set.
ImageSet loadImageFolderPart(const ImageFolderPart& part, const ResizePolicy& resize, int64_t channels,
                             std::vector<DataProblem>& problems, int threads = 0,
                             const std::function<void(int64_t, int64_t)>& progress = {});

} // namespace mnist
