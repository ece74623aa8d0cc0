#include "UiTestSupport.h"

#include "setup/ConfigPanel.h"
#include "evaluation/ConfusionTable.h"
#include "evaluation/EvaluationView.h"
#include "runs/RunBrowser.h"
#include "RunFixtures.h"

#include "run/RunLayout.h"
#include "train/Predictions.h"

#include "data/ScopedEnv.h"

#include <catch2/catch.hpp>

#include <QComboBox>
#include <QHeaderView>
#include <QImage>
#include <QListView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

using studio::EvaluationView;

namespace {

constexpr int kEvalTimeoutMs = 60'000;

// A recorded run of the tiny dataset whose model.safetensors holds seeded fresh LeNet weights: a
// poor model, so most test images are mistakes spread over several cells.
struct EvaluatedRun {
    uitest::TinyDataset data{100, 60};
    TempDir runs;
    std::string dir;
    std::string weights;
    explicit EvaluatedRun(const std::string& dataset = "idx")
    {
        mnist::TrainConfig c = data.config();
        c.dataset = dataset; // dataDir stays set, so "fashion-mnist" still reads the tiny folder
        // The data's class names, as a run records them: the core checks the data is the model's.
        if (dataset == "fashion-mnist")
            c.data.classes = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
        dir = runs.file("20260105-120000-LeNet");
        uitest::writeRunFolder(dir, c, uitest::makeEpochs({12.0}, {2.3}));
        weights = dir + "/model.safetensors";
        uitest::saveFreshWeights("LeNet", weights, 3);
    }
};

bool evaluate(EvaluationView& view, const QString& runDir)
{
    QSignalSpy done(&view, &EvaluationView::evaluationFinished);
    view.evaluateRun(runDir);
    REQUIRE(done.wait(kEvalTimeoutMs));
    INFO(view.statusText().toStdString());
    return done.at(0).at(0).toBool();
}

int64_t rowSum(const EvaluationView& view, int t)
{
    int64_t n = 0;
    for (int p = 0; p < 10; ++p)
        n += view.confusionCell(t, p);
    return n;
}

} // namespace

TEST_CASE("The evaluation tab's confusion matrix counts every test image and matches the core's accuracy", "[ui][evaluation]")
{
    EvaluatedRun run;
    auto w = uitest::makeWindow();
    w->setRunsFolder(QString::fromStdString(run.runs.path().string()));
    uitest::listRuns(*w->runBrowser());
    w->runBrowser()->selectRuns({QString::fromStdString(run.dir)});
    REQUIRE(w->runBrowser()->selectedRunDirs().size() == 1);
    w->showTab(studio::MainWindow::Tab::Evaluation);
    EvaluationView* view = w->evaluationView();
    REQUIRE(view);
    REQUIRE(view->isVisible());

    // The button evaluates the run selected in the Runs tab.
    QSignalSpy done(view, &EvaluationView::evaluationFinished);
    view->evaluateSelectedButton()->click();
    REQUIRE(done.wait(kEvalTimeoutMs));
    INFO(view->statusText().toStdString());
    REQUIRE(done.at(0).at(0).toBool());
    REQUIRE(view->predictions());

    const double coreAccuracy = uitest::coreTestAccuracy("LeNet", run.weights, run.data.dir.path().string());
    const auto coreCorrect = static_cast<int64_t>(std::llround(coreAccuracy * 60 / 100));
    int64_t sum = 0, diagonal = 0;
    for (int t = 0; t < 10; ++t)
        for (int p = 0; p < 10; ++p) {
            REQUIRE(view->confusionCell(t, p) >= 0);
            sum += view->confusionCell(t, p);
            diagonal += t == p ? view->confusionCell(t, p) : 0;
        }
    CHECK(sum == 60);
    CHECK(diagonal == coreCorrect);
    CHECK(view->predictions()->correct() == coreCorrect);
    CHECK(view->statusText().contains(QString::number(coreCorrect) + " of 60"));

    // Per-class accuracy: the diagonal over the row, or a dash for a class without test images.
    for (int t = 0; t < 10; ++t) {
        const int64_t total = rowSum(*view, t);
        const QString expected = total == 0 ? QStringLiteral("—")
                                            : QString::number(100.0 * static_cast<double>(view->confusionCell(t, t)) /
                                                                  static_cast<double>(total),
                                                              'f', 1) + "%";
        CHECK(view->classAccuracyText(t) == expected);
    }

    // The gallery holds exactly the mistakes.
    const std::vector<int> shown = view->galleryImages();
    CHECK(static_cast<int64_t>(shown.size()) == 60 - coreCorrect);
    CHECK(view->gallery()->model()->rowCount() == static_cast<int>(shown.size()));
    CHECK(std::set<int>(shown.begin(), shown.end()).size() == shown.size());
    const auto& p = *view->predictions();
    for (const int i : shown)
        CHECK(p.labels[static_cast<std::size_t>(i)] != p.predicted[static_cast<std::size_t>(i)]);
    for (int64_t i = 0; i < p.size(); ++i)
        if (p.labels[static_cast<std::size_t>(i)] != p.predicted[static_cast<std::size_t>(i)])
            CHECK(std::find(shown.begin(), shown.end(), static_cast<int>(i)) != shown.end());
}

TEST_CASE("Clicking a confusion cell filters the gallery to it, and the gallery sorts by confidence", "[ui][evaluation]")
{
    EvaluatedRun run;
    EvaluationView view;
    view.resize(1200, 800);
    view.show();
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    REQUIRE(evaluate(view, QString::fromStdString(run.dir)));
    const auto& p = *view.predictions();
    const auto allMistakes = view.galleryImages().size();
    REQUIRE(allMistakes > 0);

    // The fullest off-diagonal cell.
    int bestT = -1, bestP = -1, best = 0;
    for (int t = 0; t < 10; ++t)
        for (int c = 0; c < 10; ++c)
            if (t != c && view.confusionCell(t, c) > best) {
                best = view.confusionCell(t, c);
                bestT = t;
                bestP = c;
            }
    REQUIRE(best > 0);
    QTableWidget* table = view.confusionTable();
    const QRect cell = table->visualItemRect(table->item(bestT, bestP));
    REQUIRE(cell.isValid());
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, cell.center());
    std::vector<int> shown = view.galleryImages();
    CHECK(static_cast<int>(shown.size()) == best);
    for (const int i : shown) {
        CHECK(p.labels[static_cast<std::size_t>(i)] == bestT);
        CHECK(p.predicted[static_cast<std::size_t>(i)] == bestP);
    }
    CHECK(view.trueFilterBox()->currentData().toInt() == bestT);
    CHECK(view.predictedFilterBox()->currentData().toInt() == bestP);
    if (!shown.empty())
        CHECK(view.galleryCaption(0).startsWith(QStringLiteral("true: %1\npred: %2").arg(bestT).arg(bestP)));

    // The filter boxes: true class only, then predicted class only.
    view.setPredictedClassFilter(-1);
    shown = view.galleryImages();
    CHECK(shown.size() >= static_cast<std::size_t>(best));
    for (const int i : shown)
        CHECK(p.labels[static_cast<std::size_t>(i)] == bestT);
    view.setTrueClassFilter(-1);
    view.setPredictedClassFilter(bestP);
    shown = view.galleryImages();
    CHECK(shown.size() >= static_cast<std::size_t>(best));
    for (const int i : shown)
        CHECK(p.predicted[static_cast<std::size_t>(i)] == bestP);

    // Sorting by confidence, both ways, over every mistake.
    view.filterToCell(-1, -1);
    REQUIRE(view.galleryImages().size() == allMistakes);
    SECTION("ascending")
    {
        view.setConfidenceOrder(Qt::AscendingOrder);
        shown = view.galleryImages();
        REQUIRE(shown.size() == allMistakes);
        for (std::size_t k = 1; k < shown.size(); ++k)
            CHECK(p.confidence[static_cast<std::size_t>(shown[k - 1])] <= p.confidence[static_cast<std::size_t>(shown[k])]);
    }
    SECTION("descending")
    {
        view.setConfidenceOrder(Qt::DescendingOrder);
        shown = view.galleryImages();
        REQUIRE(shown.size() == allMistakes);
        for (std::size_t k = 1; k < shown.size(); ++k)
            CHECK(p.confidence[static_cast<std::size_t>(shown[k - 1])] >= p.confidence[static_cast<std::size_t>(shown[k])]);
    }
    // Not a constant: the order is observable.
    const auto [lo, hi] = std::minmax_element(p.confidence.begin(), p.confidence.end());
    CHECK(*lo < *hi);
    for (const float c : p.confidence) {
        CHECK(c >= 0.1f - 1e-6f); // the max of ten probabilities is at least a tenth
        CHECK(c <= 1.0f);
    }
}

TEST_CASE("Fashion-MNIST evaluations show class names, MNIST ones digits", "[ui][evaluation]")
{
    SECTION("fashion-mnist")
    {
        EvaluatedRun run("fashion-mnist");
        EvaluationView view;
        view.show();
        REQUIRE(evaluate(view, QString::fromStdString(run.dir)));
        CHECK(view.labelHeader(0) == "T-shirt/top");
        CHECK(view.labelHeader(9) == "Ankle boot");
        CHECK(view.confusionTable()->verticalHeaderItem(6)->text() == "Shirt");
        CHECK(view.confusionTable()->horizontalHeaderItem(7)->text() == "Sneaker");
        CHECK(view.trueFilterBox()->itemText(view.trueFilterBox()->findData(1)) == "Trouser");
        CHECK(view.predictedFilterBox()->itemText(view.predictedFilterBox()->findData(8)) == "Bag");
        REQUIRE(!view.galleryImages().empty());
        const auto& p = *view.predictions();
        const int first = view.galleryImages().front();
        static const char* names[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                      "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
        CHECK(view.galleryCaption(0).startsWith(QStringLiteral("true: %1\npred: %2")
                                                    .arg(QString::fromLatin1(names[p.labels[static_cast<std::size_t>(first)]]),
                                                         QString::fromLatin1(names[p.predicted[static_cast<std::size_t>(first)]]))));
    }
    SECTION("mnist")
    {
        EvaluatedRun run("mnist");
        EvaluationView view;
        view.show();
        REQUIRE(evaluate(view, QString::fromStdString(run.dir)));
        CHECK(view.labelHeader(0) == "0");
        CHECK(view.confusionTable()->verticalHeaderItem(6)->text() == "6");
        CHECK(view.trueFilterBox()->itemText(view.trueFilterBox()->findData(1)) == "1");
    }
}

TEST_CASE("An evaluation that cannot run says why in the status line and clears the views", "[ui][evaluation]")
{
    EvaluatedRun run;
    EvaluationView view;
    view.show();
    REQUIRE(evaluate(view, QString::fromStdString(run.dir)));
    REQUIRE(view.confusionCell(0, 0) >= 0);

    SECTION("a run without weights")
    {
        std::filesystem::remove(run.weights);
        CHECK_FALSE(evaluate(view, QString::fromStdString(run.dir)));
        CHECK(view.statusText().contains("holds no weights"));
    }
    SECTION("weights of another architecture")
    {
        uitest::saveFreshWeights("SimpleNet", run.weights, 5);
        CHECK_FALSE(evaluate(view, QString::fromStdString(run.dir)));
        CHECK(view.statusText().contains("missing"));
    }
    CHECK(view.predictions() == nullptr);
    CHECK(view.confusionCell(0, 0) == -1);
    CHECK(view.galleryImages().empty());
    CHECK(view.evaluateSelectedButton()->isEnabled());
}

TEST_CASE("Evaluate selected run without a selection asks for one", "[ui][evaluation]")
{
    EvaluationView view;
    view.setRunProvider([] { return QString(); });
    QSignalSpy done(&view, &EvaluationView::evaluationFinished);
    view.evaluateSelectedButton()->click();
    REQUIRE(done.count() == 1);
    CHECK_FALSE(done.at(0).at(0).toBool());
    CHECK(view.statusText().contains("Select a run"));
}

TEST_CASE("A run trained in the window is evaluated from its folder once the Evaluation tab is shown", "[ui][evaluation]")
{
    uitest::TinyDataset data(200, 50);
    TempDir runs;
    auto w = uitest::makeWindow();
    w->setRunsFolder(QString::fromStdString(runs.path().string()));
    w->configPanel()->setConfig(data.config(2, 32));
    QSignalSpy finished(w.get(), &studio::MainWindow::trainingFinished);
    EvaluationView* view = w->evaluationView();
    QSignalSpy evaluated(view, &EvaluationView::evaluationFinished);
    w->startTraining();
    REQUIRE(finished.wait(180'000));
    INFO(w->errorText().toStdString());
    // The training's own test pass already filled the tab, epoch by epoch; the saved model is
    // evaluated only once the tab is looked at.
    QTest::qWait(50);
    CHECK(evaluated.isEmpty());
    REQUIRE(view->predictions());
    CHECK(view->predictions()->size() == 50);
    CHECK(view->statusText().contains(QStringLiteral("after epoch 2")));
    const auto summary = finished.at(0).at(0).value<studio::RunSummary>();
    CHECK(view->predictions()->accuracy() == Approx(summary.finalTestAccuracy));

    w->showTab(studio::MainWindow::Tab::Evaluation);
    REQUIRE(evaluated.wait(kEvalTimeoutMs));
    INFO(view->statusText().toStdString());
    REQUIRE(evaluated.at(0).at(0).toBool());
    REQUIRE(view->predictions());
    CHECK(view->predictions()->size() == 50);
    int64_t sum = 0;
    for (int t = 0; t < 10; ++t)
        sum += rowSum(*view, t);
    CHECK(sum == 50);
    CHECK(static_cast<int64_t>(view->galleryImages().size()) == 50 - view->predictions()->correct());
}

TEST_CASE("The Evaluation tab's first visit with no run evaluates the pretrained model", "[ui][evaluation][pretrained]")
{
    uitest::TinyDataset data(20, 10);
    const uitest::PretrainedFixture pretrained(data.config());
    EvaluationView view;
    view.setRunProvider([] { return QString(); });
    QSignalSpy done(&view, &EvaluationView::evaluationFinished);
    view.show();
    REQUIRE(done.wait(kEvalTimeoutMs));
    INFO(view.statusText().toStdString());
    CHECK(done.at(0).at(0).toBool());
    CHECK(view.statusText().contains(QStringLiteral("pretrained model tiny")));
    REQUIRE(view.predictions());
    CHECK(view.predictions()->size() == 10);
    CHECK(view.shownRun().isEmpty());

    // Shown again: nothing re-runs by itself; the button does.
    view.hide();
    view.show();
    CHECK_FALSE(view.isBusy());
    auto* button = view.findChild<QPushButton*>(QStringLiteral("evaluatePretrained"));
    REQUIRE(button);
    button->click();
    REQUIRE(done.wait(kEvalTimeoutMs));
    CHECK(done.count() == 2);
}

TEST_CASE("The evaluation tab evaluates a run of a user network with its own network, though the file changed since", "[ui][evaluation][runs]")
{
    TempDir userData;
    const ScopedEnv xdg("XDG_DATA_HOME", userData.path().string());
    const std::string specFile = mnist::userArchitecturesDir() + "/TinyUser.json";
    std::filesystem::create_directories(mnist::userArchitecturesDir());
    const auto writeSpec = [&](const std::string& layers) {
        std::ofstream(specFile) << R"({"name": "TinyUser", "input": [1, 28, 28], "classes": 10, "layers": [)" << layers << "]}";
    };
    writeSpec(R"({"type": "Flatten"}, {"name": "fc", "type": "Linear", "out_features": 10})");

    uitest::TinyDataset data{100, 60};
    TempDir runs;
    mnist::TrainConfig c = data.config();
    c.arch = "TinyUser";
    const std::string dir = runs.file("20260105-120000-TinyUser");
    uitest::writeRunFolder(dir, c, uitest::makeEpochs({12.0}, {2.3}));
    const std::string weights = mnist::RunLayout(dir).modelWeights();
    uitest::saveFreshWeights("TinyUser", weights, 3);
    const double accuracy = uitest::coreTestAccuracy("TinyUser", weights, data.dir.path().string());

    SECTION("the network gained layers")
    {
        writeSpec(R"({"type": "Flatten"}, {"name": "hidden", "type": "Linear", "out_features": 32}, {"type": "ReLU"},
                     {"name": "fc", "type": "Linear", "out_features": 10})");
    }
    SECTION("the network was deleted")
    {
        std::filesystem::remove(specFile);
    }
    EvaluationView view;
    view.show();
    REQUIRE(evaluate(view, QString::fromStdString(dir)));
    REQUIRE(view.predictions());
    CHECK(view.predictions()->size() == 60);
    CHECK(view.predictions()->accuracy() == Approx(accuracy));
}

TEST_CASE("Predict a folder writes the model's predictions of every image as mnist-train --predict does", "[ui][evaluation][predict]")
{
    EvaluatedRun run;
    TempDir images;
    // Three 28 x 28 grey PNGs, one of them in a subfolder (found recursively) and one with a comma
    // in its name (quoted in the CSV).
    std::filesystem::create_directories(images.path() / "more");
    for (const char* name : {"a.png", "b,c.png", "more/d.png"}) {
        QImage img(28, 28, QImage::Format_Grayscale8);
        img.fill(0);
        for (int y = 4; y < 24; ++y)
            img.setPixel(14, y, qRgb(255, 255, 255));
        REQUIRE(img.save(QString::fromStdString(images.file(name))));
    }
    EvaluationView view;
    view.show();
    CHECK_FALSE(view.findChild<QPushButton*>(QStringLiteral("predictFolder"))->isEnabled());
    REQUIRE(evaluate(view, QString::fromStdString(run.dir)));
    CHECK(view.findChild<QPushButton*>(QStringLiteral("predictFolder"))->isEnabled());

    const std::string out = images.file("predictions.csv");
    QSignalSpy written(&view, &EvaluationView::predictionsWritten);
    view.predictFolder(QString::fromStdString(images.path().string()), QString::fromStdString(out));
    REQUIRE(uitest::arrived(written, kEvalTimeoutMs));
    INFO(view.statusText().toStdString());
    REQUIRE(written.at(0).at(0).toBool());
    CHECK(view.statusText().contains(QStringLiteral("Predicted 3 images")));
    std::ifstream in(out);
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(in, line))
        lines.push_back(line);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "file,label,probability");
    CHECK(lines[1].rfind("a.png,", 0) == 0);
    CHECK(lines[2].rfind("\"b,c.png\",", 0) == 0);
    CHECK(lines[3].rfind("more/d.png,", 0) == 0);

    // A source that cannot be read says so, and nothing is written.
    QSignalSpy failed(&view, &EvaluationView::predictionsWritten);
    view.predictFolder(QString::fromStdString(images.file("none")), QString::fromStdString(images.file("x.csv")));
    REQUIRE(uitest::arrived(failed, kEvalTimeoutMs));
    CHECK_FALSE(failed.at(0).at(0).toBool());
    CHECK(view.statusText().startsWith(QStringLiteral("The images could not be predicted")));
    CHECK_FALSE(std::filesystem::exists(images.file("x.csv")));
}
