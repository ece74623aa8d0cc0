// The Projector tab (ui/evaluation/ProjectorView): a run's test images projected in the background,
// one dot per image with the class counts and mistakes of the model's predictions; hovering shows
// an image, clicking opens it in the Inspect tab, Stop ends a projection.
#include "RunFixtures.h"
#include "UiTestSupport.h"

#include "evaluation/ProjectionScatter.h"
#include "evaluation/ProjectorView.h"
#include "inspect/InspectView.h"
#include "train/Predictions.h"
#include "window/MainWindow.h"

#include <QComboBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>

#include <map>

using studio::ProjectorView;

namespace {

constexpr int kProjectTimeoutMs = 60'000;

// A recorded LeNet run of the tiny dataset with seeded fresh weights: a poor model, so there are
// mistakes to mark.
struct ProjectedRun {
    uitest::TinyDataset data{100, 60};
    TempDir runs;
    std::string dir;
    mnist::TrainConfig config;
    ProjectedRun()
    {
        config = data.config();
        dir = runs.file("20260105-120000-LeNet");
        uitest::writeRunFolder(dir, config, uitest::makeEpochs({12.0}, {2.3}));
        uitest::saveFreshWeights("LeNet", dir + "/model.safetensors", 3);
    }
    QString qdir() const { return QString::fromStdString(dir); }
};

bool project(ProjectorView& view)
{
    QSignalSpy done(&view, &ProjectorView::projected);
    view.runButton()->click();
    REQUIRE(done.wait(kProjectTimeoutMs));
    INFO(view.statusText().toStdString());
    return done.at(0).at(0).toBool();
}

} // namespace

TEST_CASE("The projector's PCA shows one dot per test image with the model's classes and mistakes", "[ui][projector]")
{
    ProjectedRun run;
    ProjectorView view;
    view.resize(900, 600);
    view.show();
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    CHECK_FALSE(view.runButton()->isEnabled()); // no run yet
    view.setRun(run.qdir());
    CHECK(view.runButton()->isEnabled());
    view.setMethod(mnist::ProjectionMethod::Pca);
    view.setImageCount(50);
    REQUIRE(project(view));
    CHECK_FALSE(view.isBusy());
    CHECK(view.progressBar()->value() == view.progressBar()->maximum());
    CHECK(view.statusText().contains("PCA of the first 50 test images"));
    CHECK(view.statusText().contains("layer fc (1,568 features)")); // LeNet's one Linear takes 32 x 7 x 7

    const mnist::Projection* p = view.projection();
    REQUIRE(p);
    REQUIRE(p->size() == 50);
    CHECK(view.scatter()->projection() == p);
    // The same classes and predictions as the Evaluation tab's core call gives these images.
    const mnist::TestPredictions expected = mnist::predictTestSet(run.dir + "/model.safetensors", run.config);
    std::map<int, int> counts, expectedCounts;
    int wrong = 0, expectedWrong = 0;
    for (int i = 0; i < 50; ++i) {
        CHECK(p->indices[static_cast<size_t>(i)] == i);
        ++counts[p->labels[static_cast<size_t>(i)]];
        ++expectedCounts[expected.labels[static_cast<size_t>(i)]];
        wrong += p->misclassified(i) ? 1 : 0;
        expectedWrong += expected.labels[static_cast<size_t>(i)] != expected.predicted[static_cast<size_t>(i)] ? 1 : 0;
    }
    CHECK(counts == expectedCounts);
    CHECK(wrong == expectedWrong);
    CHECK(wrong > 0);
    CHECK(view.statusText().contains(QStringLiteral("%1 misclassified").arg(wrong)));

    // Every dot is inside the widget, and the point under a dot is one at that place.
    for (int i = 0; i < 50; ++i) {
        const QPointF at = view.scatter()->pointPosition(i);
        CHECK(view.scatter()->rect().contains(at.toPoint()));
        const int hit = view.scatter()->pointAt(at);
        REQUIRE(hit >= 0);
        CHECK(QLineF(view.scatter()->pointPosition(hit), at).length() < 1e-6);
    }
    CHECK(view.scatter()->pointAt(QPointF(-50, -50)) == -1);

    // Hovering a dot shows its image card; clicking it asks for that image in Inspect.
    const int row = view.scatter()->pointAt(view.scatter()->pointPosition(17));
    const QPoint at = view.scatter()->pointPosition(row).toPoint();
    QTest::mouseMove(view.scatter(), at);
    QTRY_COMPARE(view.scatter()->hoveredPoint(), row);
    CHECK(view.scatter()->hoverCard()->isVisible());
    QSignalSpy inspect(&view, &ProjectorView::inspectRequested);
    QTest::mouseClick(view.scatter(), Qt::LeftButton, {}, at);
    REQUIRE(inspect.size() == 1);
    CHECK(inspect.at(0).at(0).toString() == run.qdir());
    CHECK(inspect.at(0).at(1).toInt() == p->indices[static_cast<size_t>(row)]);
}

TEST_CASE("Clicking a projected image in the window opens it in the Inspect tab", "[ui][projector]")
{
    ProjectedRun run;
    auto w = uitest::makeWindow();
    w->showTab(studio::MainWindow::Tab::Projector);
    ProjectorView* view = w->projectorView();
    view->setRun(run.qdir());
    view->setImageCount(30);
    REQUIRE(project(*view));
    const int row = view->scatter()->pointAt(view->scatter()->pointPosition(5));
    QTest::mouseClick(view->scatter(), Qt::LeftButton, {}, view->scatter()->pointPosition(row).toPoint());
    auto* tabs = w->findChild<QTabWidget*>(QStringLiteral("mainTabs"));
    CHECK(tabs->currentWidget() == static_cast<QWidget*>(w->inspectView()));
    CHECK(w->inspectView()->run() == run.qdir());
    CHECK(w->inspectView()->imageIndex() == view->projection()->indices[static_cast<size_t>(row)]);
}

TEST_CASE("The projector's t-SNE runs in the background and Esc stops it", "[ui][projector]")
{
    ProjectedRun run;
    ProjectorView view;
    view.show();
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    view.setRun(run.qdir());
    view.setMethod(mnist::ProjectionMethod::Tsne);
    view.setImageCount(40);
    view.setPerplexity(10);
    REQUIRE(project(view));
    REQUIRE(view.projection());
    CHECK(view.projection()->size() == 40);
    CHECK(view.projection()->explained.empty());
    CHECK(view.statusText().startsWith("t-SNE of the first 40"));

    // Esc stops the next one at once; the picture of the last one stays.
    const mnist::Projection* shown = view.projection();
    QSignalSpy done(&view, &ProjectorView::projected);
    view.runButton()->click();
    CHECK(view.isBusy());
    CHECK(view.stopButton()->isEnabled());
    CHECK_FALSE(view.runButton()->isEnabled());
    QTest::keyClick(&view, Qt::Key_Escape);
    REQUIRE(done.wait(kProjectTimeoutMs));
    CHECK_FALSE(done.at(0).at(0).toBool());
    CHECK(view.statusText().startsWith("Stopped"));
    CHECK(view.projection() == shown);
    CHECK(view.runButton()->isEnabled());
}

TEST_CASE("A projection that cannot run says why in the status line", "[ui][projector]")
{
    TempDir empty;
    ProjectorView view;
    view.setRun(QString::fromStdString(empty.path().string()));
    QSignalSpy done(&view, &ProjectorView::projected);
    view.start();
    REQUIRE(done.wait(kProjectTimeoutMs));
    CHECK_FALSE(done.at(0).at(0).toBool());
    CHECK(view.statusText().startsWith("Could not project"));
    CHECK(view.projection() == nullptr);
}
