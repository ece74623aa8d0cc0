#pragma once
// What happens when a set-up names MNIST or Fashion-MNIST and no data folder holds it: the
// question (download, choose a folder, cancel), the download with its progress dialog, and the
// check of a chosen folder. The window only acts on the outcome.
#include "spec/TrainConfig.h"

#include <QString>

class QWidget;

namespace studio {

struct DataOffer {
    enum class Outcome { Downloaded, FolderChosen, Cancelled, Failed };
    Outcome outcome = Outcome::Cancelled;
    QString folder;  // where the data now is (downloaded into, or chosen)
    QString message; // for the status bar (downloaded, cancelled) or the error banner (failed)
};

// True when the set-up's data must be fetched first: a standard dataset, no folder of its own
// given, and none of the folders the core searches holds its four IDX files.
bool dataMissing(const mnist::TrainConfig& config);

// The modal question and what follows it, with `parent` as the dialogs' parent.
DataOffer offerDataDownload(const QString& dataset, QWidget* parent);

} // namespace studio
