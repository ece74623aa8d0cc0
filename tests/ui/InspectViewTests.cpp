// The Inspect tab (ui/InspectView): a run trained in the window shows its filters, the activation
// maps and saliency of a chosen test image, and the per-layer norms and histograms of layers.csv,
// which a reopened run shows too.
#include "UiTestSupport.h"

#include "setup/ConfigPanel.h"
#include "draw/DrawDigitView.h"
#include "evaluation/EvaluationView.h"
#include "inspect/InspectView.h"
#include "evaluation/MisclassifiedModel.h"
#include "window/MainWindow.h"

#include "run/RunFiles.h"
#include "train/TrainingObserver.h"

#include <QBarSeries>
#include <QChart>
#include <QLabel>
#include <QLineSeries>
#include <QListView>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

#include <filesystem>
#include <fstream>
#include <numeric>

TEST_CASE("The Inspect tab shows a trained run's filters, maps, saliency and per-layer statistics", "[ui][inspect]")
{
    uitest::TinyDataset data(200, 50);
    TempDir runs;
    auto w = uitest::makeWindow();
    w->setRunsFolder(QString::fromStdString(runs.path().string()));
    auto config = data.config(2, 32);
    config.arch = "LeNetBN";
    w->configPanel()->setConfig(config);
    QSignalSpy finished(w.get(), &studio::MainWindow::trainingFinished);
    w->startTraining();
    REQUIRE(finished.wait(180'000));
    INFO(w->errorText().toStdString());

    studio::InspectView* view = w->inspectView();
    QSignalSpy inspected(view, &studio::InspectView::inspected);
    view->setImageIndex(3);
    w->showTab(studio::MainWindow::Tab::Inspect);
    REQUIRE(inspected.wait(60'000));
    INFO(view->statusText().toStdString());
    REQUIRE(inspected.last().at(0).toBool());
    const studio::InspectResult* r = view->result();
    REQUIRE(r);
    CHECK(r->imageIndex == 3);
    CHECK(r->filters.size() == 16);
    CHECK(r->filters.front().rows == 5);
    CHECK(r->weightsFile.find("model.safetensors") != std::string::npos);
    REQUIRE(r->probabilities.size() == 10);
    CHECK(std::accumulate(r->probabilities.begin(), r->probabilities.end(), 0.0) == Approx(1.0).epsilon(1e-4));
    REQUIRE_FALSE(r->maps.empty());
    CHECK(r->maps.front().key == "block1.0");
    CHECK(r->maps.front().channels.size() == 16);
    CHECK(r->saliency.rows == 28);
    CHECK(*std::max_element(r->saliency.values.begin(), r->saliency.values.end()) > 0);
    CHECK(view->statusText().contains("test image 3"));

    // Clicking a map enlarges it.
    auto* map = view->findChild<QToolButton*>("map_block2.0_5");
    REQUIRE(map);
    map->click();
    REQUIRE(view->enlargedMap()->pixmap().isNull() == false);
    CHECK(view->enlargedMap()->pixmap().width() == view->enlargedMap()->width());

    // layers.csv: five layers over two epochs, on a log chart, and a histogram.
    REQUIRE(view->layerStats().size() == 2);
    const auto series = view->layerChart()->series();
    REQUIRE(series.size() == 5);
    CHECK(qobject_cast<QLineSeries*>(series.front())->count() == 2);
    REQUIRE(view->histogramChart()->series().size() == 1);
    CHECK(view->histogramChart()->title().contains("after epoch 2"));

    // A test image that does not exist is refused with its index.
    view->setImageIndex(60);
    view->inspect();
    REQUIRE(inspected.wait(60'000));
    CHECK_FALSE(inspected.last().at(0).toBool());
    CHECK(view->statusText().contains("60"));
    CHECK(view->statusText().contains("50 images"));

    // A misclassified image in the Evaluation tab opens in the Inspect tab on Enter (or a double-click).
    studio::EvaluationView* evaluation = w->evaluationView();
    QSignalSpy evaluated(evaluation, &studio::EvaluationView::evaluationFinished);
    w->showTab(studio::MainWindow::Tab::Evaluation);
    if (evaluated.isEmpty())
        REQUIRE(evaluated.wait(60'000));
    auto* gallery = evaluation->findChild<QListView*>("misclassifiedGallery");
    REQUIRE(gallery);
    if (gallery->model()->rowCount() > 0) {
        const QModelIndex first = gallery->model()->index(0, 0);
        const int imageIndex = first.data(studio::MisclassifiedModel::ImageIndexRole).toInt();
        gallery->setFocus();
        gallery->setCurrentIndex(first);
        QTest::keyClick(gallery, Qt::Key_Return);
        CHECK(view->isVisible());
        REQUIRE(inspected.wait(60'000));
        if (!inspected.last().at(0).toBool() || view->result()->imageIndex != imageIndex)
            REQUIRE(inspected.wait(60'000)); // the tab's own first pick, then this image
        REQUIRE(view->result());
        CHECK(view->result()->imageIndex == imageIndex);
        CHECK(view->run() == evaluation->shownRun());
    } else {
        WARN("every test image was classified correctly: the gallery link is not exercised");
    }

    // A digit drawn in the Draw a digit tab, sent with its Inspect button: image -1, and the same
    // answer as the Draw a digit tab's own model gives.
    studio::DrawDigitView* draw = w->drawDigitView();
    w->showTab(studio::MainWindow::Tab::DrawDigit);
    CHECK_FALSE(draw->inspectButton()->isEnabled()); // nothing drawn yet
    REQUIRE(draw->useRun(view->run()));
    QImage picture(140, 140, QImage::Format_Grayscale8);
    picture.fill(Qt::white);
    {
        QPainter p(&picture);
        p.setPen(QPen(Qt::black, 14, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(70, 20, 70, 120); // a "1"
    }
    const std::string png = (runs.path() / "one.png").string();
    REQUIRE(picture.save(QString::fromStdString(png)));
    REQUIRE(draw->openImage(QString::fromStdString(png)));
    REQUIRE(draw->predictedClass() >= 0);
    REQUIRE(draw->inspectButton()->isEnabled());
    draw->inspectButton()->click();
    CHECK(view->isVisible());
    CHECK(view->imageIndex() == -1);
    for (int tries = 0; tries < 3 && (!view->result() || view->result()->imageIndex != -1); ++tries)
        REQUIRE(inspected.wait(60'000)); // the tab's own pick may come first
    REQUIRE(view->result());
    CHECK(view->result()->imageIndex == -1);
    CHECK(view->result()->label == -1);
    CHECK(view->result()->predicted == draw->predictedClass());
    REQUIRE(view->result()->probabilities.size() == draw->probabilities().size());
    for (size_t c = 0; c < draw->probabilities().size(); ++c)
        CHECK(view->result()->probabilities[c] == Approx(draw->probabilities()[c]).margin(1e-5));
    CHECK(view->statusText().contains("drawn digit"));
    CHECK(view->findChild<QSpinBox*>("inspectImageIndex")->text() == "drawn digit");

    // Reopened later, the run shows the same statistics.
    studio::InspectView reopened;
    QSignalSpy again(&reopened, &studio::InspectView::inspected);
    reopened.setRun(view->run(), true);
    REQUIRE(again.wait(60'000));
    CHECK(again.last().at(0).toBool());
    REQUIRE(reopened.layerStats().size() == 2);
    CHECK(reopened.layerStats()[1].layers[0].weightNorm == view->layerStats()[1].layers[0].weightNorm);
}

TEST_CASE("The Inspect tab explains a run without weights or layers.csv", "[ui][inspect]")
{
    TempDir empty;
    studio::InspectView view;
    QSignalSpy inspected(&view, &studio::InspectView::inspected);
    view.inspect();
    REQUIRE(inspected.count() == 1);
    CHECK_FALSE(inspected.last().at(0).toBool());
    CHECK(view.statusText().contains("Choose a run"));
    view.setRun(QString::fromStdString(empty.path().string()), true);
    REQUIRE(inspected.wait(30'000));
    CHECK_FALSE(inspected.last().at(0).toBool());
    CHECK(view.layerChart()->title().contains("layers.csv"));
}

namespace {

// Two layers' rows of layers.csv for `epoch`.
std::string layerRows(int epoch)
{
    std::string histogram = "4";
    for (int i = 1; i < mnist::kLayerHistogramBins; ++i)
        histogram += " 0";
    std::string rows;
    for (const char* layer : {"0.0", "fc"})
        rows += std::to_string(epoch) + "," + layer + ",10," + std::to_string(1.0 + epoch) + ",0.25,-0.5,0.5," + histogram + "\n";
    return rows;
}

} // namespace

TEST_CASE("A hidden Inspect tab reads a followed run's grown layers.csv when it is next shown, not every epoch",
          "[ui][inspect]")
{
    TempDir run;
    const std::string csv = (run.path() / "layers.csv").string();
    std::ofstream(csv) << mnist::kLayersCsvHeader << "\n" << layerRows(1);
    studio::InspectView view;
    view.resize(900, 600);
    view.show();
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    QSignalSpy inspected(&view, &studio::InspectView::inspected);
    view.setRun(QString::fromStdString(run.path().string()));
    REQUIRE((inspected.count() > 0 || inspected.wait(30'000))); // no weights: refused, but done
    REQUIRE(view.layerStats().size() == 1);

    // Another tab is in front while the run's next epoch appends its rows.
    view.hide();
    std::ofstream(csv, std::ios::app) << layerRows(2);
    view.runAdvanced();
    CHECK(view.layerStats().size() == 1); // not re-read while hidden

    view.show();
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    CHECK(view.layerStats().size() == 2);
    const auto series = view.layerChart()->series();
    REQUIRE(series.size() == 2);
    CHECK(qobject_cast<QLineSeries*>(series.front())->count() == 2);

    // Shown, an epoch is read at once.
    std::ofstream(csv, std::ios::app) << layerRows(3);
    view.runAdvanced();
    CHECK(view.layerStats().size() == 3); // (the view's destructor waits for the inspection in flight)
}
