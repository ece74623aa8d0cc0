#pragma once
// Shared pieces of the GUI tests: a tiny generated IDX dataset and a window that records nothing.
#include "data/IdxFixtures.h"
#include "data/TempDir.h"

#include "window/MainWindow.h"
#include "runs/RunBrowser.h"
#include "spec/TrainConfig.h"

#include <QSignalSpy>
#include <catch2/catch.hpp>

#include <QItemSelectionModel>
#include <QTest>
#include <QTreeView>

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

// The run browser lists on the thread pool: waits until the listing in flight has been shown.
inline void waitForListing(studio::RunBrowser& browser)
{
    REQUIRE(QTest::qWaitFor([&] { return !browser.isListing(); }, 60'000));
}

// refresh() and wait for its listing.
inline void listRuns(studio::RunBrowser& browser)
{
    browser.refresh();
    waitForListing(browser);
}

// One row of the run browser's table as the user sees it (sorted and filtered), by run name.
class RunRow {
public:
    RunRow(studio::RunBrowser& browser, const QString& name) : m_browser(&browser)
    {
        const QAbstractItemModel* shown = browser.list()->model();
        for (int r = 0; r < shown->rowCount(); ++r)
            if (shown->index(r, studio::RunTableModel::NameColumn).data().toString() == name)
                m_row = r;
    }
    explicit operator bool() const { return m_row >= 0; }
    QString text(int column) const { return cell(column).data(Qt::DisplayRole).toString(); }
    QString toolTip(int column) const { return cell(column).data(Qt::ToolTipRole).toString(); }
    // The text colour; the view's own when the model sets none.
    QColor foreground(int column) const
    {
        const QVariant v = cell(column).data(Qt::ForegroundRole);
        return v.isValid() ? v.value<QBrush>().color() : m_browser->list()->palette().color(QPalette::Text);
    }
    // Adds the row to the selection, as a Ctrl+click does.
    void select() const
    {
        m_browser->list()->selectionModel()->select(cell(0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }

private:
    QModelIndex cell(int column) const
    {
        REQUIRE(m_row >= 0);
        return m_browser->list()->model()->index(m_row, column);
    }
    studio::RunBrowser* m_browser;
    int m_row = -1;
};

// Whether `spy`'s signal has come, waiting up to `ms` for it. QSignalSpy::wait() alone waits for a
// new emission: a worker that fails at once (its signal sent from its thread before the wait
// began) would read as a time-out.
inline bool arrived(QSignalSpy& spy, int ms)
{
    return spy.count() > 0 || spy.wait(ms);
}

} // namespace uitest
