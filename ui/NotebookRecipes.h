#pragma once
// The notebook's experiments as set-ups, each with what the notebook observed, so that a run can
// be compared with it. The table lives in NotebookRecipes.cpp.
#include "train/TrainConfig.h"

#include <QString>
#include <QVector>

namespace studio {

struct NotebookRecipe {
    QString title;  // e.g. "LeNetDeep · cosine T_max 1000 · lr 1e-3"
    QString result; // what the notebook observed, in words (its figures are in docs/accuracy.md)
    QString note;   // the notebook's comment on the run
    mnist::TrainConfig config;
};

// In the notebook's order. All use Adam, the notebook's split and no shuffling.
const QVector<NotebookRecipe>& notebookRecipes();

// `recipe` with the data, device and threads of `current` (those belong to the machine, not to
// the experiment).
mnist::TrainConfig applyRecipe(const NotebookRecipe& recipe, const mnist::TrainConfig& current);
mnist::TrainConfig applyRecipe(const mnist::TrainConfig& recipe, const mnist::TrainConfig& current);

} // namespace studio
