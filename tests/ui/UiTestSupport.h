#pragma once
// Shared pieces of the GUI tests: a tiny generated IDX dataset and a window that records nothing.
#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include "MainWindow.h"
#include "train/TrainConfig.h"

#include <catch2/catch.hpp>

#include <QTest>

#include <memory>

namespace uitest {

// A folder with `nTrain` training and `nTest` test images of the fixtures' synthetic digits.
struct TinyDataset {
    TempDir dir;
    explicit TinyDataset(int nTrain = 200, int nTest = 50)
    {
        fixtures::writeSyntheticDataset(dir.path().string(), nTrain, nTest);
    }
    // A short CPU run on this folder.
    mnist::TrainConfig config(int64_t epochs = 2, int64_t batch = 32) const
    {
        mnist::TrainConfig c;
        c.dataset = "idx";
        c.dataDir = dir.path().string();
        c.arch = "LeNet";
        c.epochs = epochs;
        c.batchSize = batch;
        c.evalBatchSize = 100;
        c.lr = 1e-3;
        c.device = "cpu";
        c.threads = 1;
        return c;
    }
};

// A shown main window that neither touches QSettings nor records runs.
inline std::unique_ptr<studio::MainWindow> makeWindow()
{
    auto w = std::make_unique<studio::MainWindow>(false);
    w->setRunsFolder(QString());
    w->resize(1400, 900);
    w->show();
    REQUIRE(QTest::qWaitForWindowExposed(w.get()));
    return w;
}

} // namespace uitest
