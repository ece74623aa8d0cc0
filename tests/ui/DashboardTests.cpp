#include "shared/Decimate.h"
#include "training/EpochTableModel.h"
#include "training/TrainingDashboard.h"

#include <catch2/catch.hpp>

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QFont>
#include <QSignalSpy>
#include <QLogValueAxis>

#include <cmath>
#include <limits>
#include <vector>

using studio::TrainingDashboard;

TEST_CASE("Decimation keeps the ends and the extremes within the point budget", "[ui][dashboard]")
{
    std::vector<double> y(100'000);
    for (size_t i = 0; i < y.size(); ++i)
        y[i] = std::sin(static_cast<double>(i) * 0.01);
    y[54'321] = 7;   // a spike
    y[12'345] = -9;  // and a dip
    const auto points = studio::decimateMinMax(
        y.size(), [](size_t i) { return static_cast<double>(i); }, [&](size_t i) { return y[i]; }, 2000);
    REQUIRE(points.size() <= 2000);
    CHECK(points.front().x() == 0);
    CHECK(points.back().x() == 99'999);
    bool spike = false, dip = false;
    for (int i = 0; i < points.size(); ++i) {
        spike = spike || points[i].y() == 7;
        dip = dip || points[i].y() == -9;
        if (i > 0)
            CHECK(points[i].x() > points[i - 1].x());
    }
    CHECK(spike);
    CHECK(dip);

    const auto few = studio::decimateMinMax(
        10, [](size_t i) { return static_cast<double>(i); }, [](size_t i) { return static_cast<double>(i); }, 2000);
    CHECK(few.size() == 10);
}

TEST_CASE("The dashboard keeps every point, draws a decimated view and survives non-positive losses",
          "[ui][dashboard]")
{
    TrainingDashboard dash;
    mnist::TrainConfig c;
    c.epochs = 100;
    dash.startRun(c);
    mnist::RunInfo info;
    info.epochs = 100;
    info.iterationsPerEpoch = 480;
    dash.setRunInfo(info);

    QVector<mnist::IterationPoint> batch;
    int64_t step = 0;
    for (int64_t e = 1; e <= 100; ++e) {
        for (int64_t it = 0; it < 480; ++it, ++step) {
            mnist::IterationPoint p;
            p.step = step;
            p.epoch = e;
            p.iteration = it;
            p.lr = 1e-3 * (1 + std::cos(static_cast<double>(step) * 0.001));
            // Zero, negative and NaN losses must not break the log axis.
            p.loss = step == 10 ? 0.0 : step == 20 ? -1.0 : step == 30 ? std::numeric_limits<double>::quiet_NaN()
                                                                        : 2.0 / static_cast<double>(step + 1);
            batch.append(p);
            if (batch.size() == 1000) {
                dash.appendIterations(batch);
                batch.clear();
            }
        }
        mnist::EpochMetrics m;
        m.epoch = e;
        m.trainLoss = e == 3 ? 0.0 : 1.0 / static_cast<double>(e);
        m.validLoss = e == 4 ? -0.5 : 0.5 / static_cast<double>(e);
        m.testAccuracy = 95 + 4.0 * static_cast<double>(e) / 100.0;
        m.lr = 1e-3;
        dash.appendEpoch(m);
    }
    dash.appendIterations(batch);
    studio::RunSummary summary;
    summary.epochsDone = 100;
    dash.finishRun(summary); // draws what a pending redraw would have

    CHECK(dash.iterations().size() == 48'000);
    CHECK(dash.smoothedLoss().size() == 48'000);
    CHECK(dash.epochs().size() == 100);
    CHECK(dash.tableRows() == 100);
    CHECK(dash.drawnEpochPoints() == 100);
    CHECK(dash.drawnLrPoints() <= TrainingDashboard::kMaxDrawnPoints);
    CHECK(dash.drawnLossPoints() <= TrainingDashboard::kMaxDrawnPoints);
    CHECK(dash.drawnLossPoints() > 1000);
    dash.setLrShowsWholeRun(false);
    CHECK(dash.drawnLrPoints() == 480);

    for (auto* view : dash.findChildren<QChartView*>()) {
        for (QAbstractAxis* axis : view->chart()->axes()) {
            if (auto* log = qobject_cast<QLogValueAxis*>(axis)) {
                INFO(view->objectName().toStdString() << " " << log->titleText().toStdString());
                CHECK(log->min() > 0);
                CHECK(log->max() > log->min());
                CHECK(std::isfinite(log->max()));
            }
        }
    }
    CHECK(dash.progressText().contains(QStringLiteral("Finished 100 epochs")));
    CHECK(dash.progressText().contains(QStringLiteral("best test accuracy 99.00% (epoch 100)")));
}

TEST_CASE("The epoch table model shows one row per epoch with the best epoch in bold", "[ui][dashboard]")
{
    studio::EpochTableModel model;
    auto epoch = [](int64_t e, double acc) {
        mnist::EpochMetrics m;
        m.epoch = e;
        m.trainLoss = 0.25;
        m.validLoss = 0.125;
        m.testAccuracy = acc;
        m.lr = 1e-3;
        m.seconds = 12.34;
        m.imagesPerSecond = 12345.6;
        return m;
    };
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.append(epoch(1, 97.0));
    model.append(epoch(2, 98.5));
    model.append(epoch(3, 98.0));
    REQUIRE(model.rowCount() == 3);
    CHECK(model.bestRow() == 1);
    auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
    CHECK(text(0, studio::EpochTableModel::EpochColumn) == "1");
    CHECK(text(1, studio::EpochTableModel::TestAccuracyColumn) == "98.50");
    CHECK(text(0, studio::EpochTableModel::TrainLossColumn) == "0.25000");
    CHECK(text(0, studio::EpochTableModel::LrColumn) == "0.001");
    CHECK(text(0, studio::EpochTableModel::SecondsColumn) == "12.3");
    CHECK(text(0, studio::EpochTableModel::RateColumn) == "12,346");
    auto bold = [&](int row) { return model.index(row, 2).data(Qt::FontRole).value<QFont>().bold(); };
    CHECK_FALSE(bold(0));
    CHECK(bold(1));
    CHECK_FALSE(bold(2));
    // Only the rows whose weight changed were repainted: epoch 1 became best, then gave way to 2.
    CHECK(changed.size() == 3);
    CHECK(model.headerData(studio::EpochTableModel::ValidLossColumn, Qt::Horizontal, Qt::DisplayRole) == "Valid loss");
    CHECK_FALSE(model.headerData(studio::EpochTableModel::RateColumn, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
    model.clear();
    CHECK(model.rowCount() == 0);
    CHECK(model.bestRow() == -1);
}
