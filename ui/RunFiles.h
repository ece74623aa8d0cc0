#pragma once
// Reading the parts of a run folder the core's run index leaves out, without LibTorch.
#include <QString>
#include <QVector>

namespace studio {

// The LR column of a run's lr.csv (header "iteration,lr", one row per iteration, in order).
// Returns false and sets `error` naming the file and line when it is missing or malformed.
bool readLrCsv(const QString& path, QVector<double>* lrPerIteration, QString* error = nullptr);

} // namespace studio
