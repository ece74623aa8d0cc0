#include "shared/Decimate.h"
#include "training/EpochTableModel.h"
#include "training/TrainingDashboard.h"

#include <catch2/catch.hpp>

#include <QAbstractAxis>
#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QFont>
#include <QSignalSpy>
#include <QLineSeries>
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

namespace {

// An edge of the loss envelope at x: on a flat bucket, at one of its points, or between buckets.
double edgeAt(const QList<QPointF>& edge, double x)
{
    for (int j = 0; j < edge.size(); ++j) {
        if (edge[j].x() == x)
            return edge[j].y();
        if (j + 1 < edge.size() && edge[j].x() < x && x < edge[j + 1].x()) {
            const double t = (x - edge[j].x()) / (edge[j + 1].x() - edge[j].x());
            return edge[j].y() + t * (edge[j + 1].y() - edge[j].y());
        }
    }
    return std::numeric_limits<double>::quiet_NaN();
}

} // namespace

TEST_CASE("The loss chart's smoothing is debiased and its min-max envelope holds every raw loss", "[ui][dashboard][envelope]")
{
    TrainingDashboard dash;
    dash.resize(1200, 800);
    mnist::TrainConfig c;
    c.epochs = 3;
    dash.startRun(c);
    mnist::RunInfo info;
    info.epochs = 3;
    info.iterationsPerEpoch = 1000;
    dash.setRunInfo(info);
    QVector<mnist::IterationPoint> points;
    for (int64_t step = 0; step < 3000; ++step) {
        mnist::IterationPoint p;
        p.step = step;
        p.epoch = 1 + step / 1000;
        p.iteration = step % 1000;
        p.lr = 1e-3;
        // A falling loss with noise that a bucket's minimum and maximum must both catch.
        p.loss = 2.0 / std::sqrt(static_cast<double>(step + 1)) * (1.0 + 0.5 * std::sin(static_cast<double>(step) * 1.7));
        points.append(p);
    }
    dash.appendIterations(points);
    mnist::EpochMetrics m;
    m.epoch = 1;
    m.trainLoss = 0.5;
    m.validLoss = 0.4;
    m.testAccuracy = 95;
    dash.appendEpoch(m); // redraws the iteration charts now

    // TensorBoard's debiased EMA: the first smoothed value is the first loss, not 5% of it.
    REQUIRE(dash.smoothedLoss().size() == 3000);
    CHECK(dash.smoothedLoss().front() == Approx(points.front().loss));
    CHECK(dash.smoothedLoss()[1] == Approx((0.95 * 0.05 * points[0].loss + 0.05 * points[1].loss) / (1 - 0.95 * 0.95)));
    REQUIRE(dash.smoothedLossSeries()->count() > 0);
    CHECK(dash.smoothedLossSeries()->at(0).y() == Approx(points.front().loss));
    // Smoothed (the default): no envelope drawn.
    CHECK(dash.lossDisplay() == TrainingDashboard::LossDisplay::Smoothed);
    CHECK(dash.lossEnvelope()->upperSeries()->count() == 0);
    CHECK_FALSE(dash.lossEnvelope()->isVisible());
    CHECK(dash.drawnLossPoints() > 0);

    dash.setLossDisplay(TrainingDashboard::LossDisplay::Both);
    const QList<QPointF> upper = dash.lossEnvelope()->upperSeries()->points();
    const QList<QPointF> lower = dash.lossEnvelope()->lowerSeries()->points();
    CHECK(dash.lossEnvelope()->isVisible());
    REQUIRE(upper.size() == lower.size());
    CHECK(upper.size() <= 2 * TrainingDashboard::kEnvelopeBuckets);
    CHECK(upper.size() > TrainingDashboard::kEnvelopeBuckets);
    CHECK(upper.front().x() == 0);
    CHECK(upper.back().x() == 2999);
    double widest = 0;
    for (const auto& p : points) {
        const double x = static_cast<double>(p.step);
        INFO("step " << p.step);
        CHECK(edgeAt(lower, x) <= p.loss);
        CHECK(edgeAt(upper, x) >= p.loss);
        widest = std::max(widest, edgeAt(upper, x) - edgeAt(lower, x));
    }
    // A band, not the raw curve, and no wider than the loss's own range.
    CHECK(widest > 0);
    CHECK(widest < 3);
    // Both: the smoothed line stays, debiased; the raw line gives way to the band.
    CHECK(dash.smoothedLossSeries()->isVisible());
    CHECK(dash.smoothedLossSeries()->at(0).y() == Approx(points.front().loss));
    CHECK(dash.drawnLossPoints() == 0);

    dash.setLossDisplay(TrainingDashboard::LossDisplay::Envelope);
    CHECK(dash.lossEnvelope()->upperSeries()->points() == upper);
    CHECK_FALSE(dash.smoothedLossSeries()->isVisible());
    CHECK(dash.smoothedLossSeries()->count() == 0);

    // Few points: one bucket each, the envelope is the raw loss itself.
    const auto few = studio::envelopeMinMax(
        5, [](size_t i) { return static_cast<double>(i); }, [](size_t i) { return static_cast<double>(i * i); }, 250);
    CHECK(few.lower == few.upper);
    CHECK(few.lower.size() == 5);
}
