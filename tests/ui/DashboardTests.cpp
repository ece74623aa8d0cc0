#include "Decimate.h"
#include "TrainingDashboard.h"

#include <catch2/catch.hpp>

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
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
