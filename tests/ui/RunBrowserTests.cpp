#include "UiTestSupport.h"

#include "shared/ChartExport.h"
#include "setup/ConfigPanel.h"
#include "evaluation/EvaluateWeightsDialog.h"
#include "runs/RunBrowser.h"
#include "runs/RunComparisonChart.h"
#include "RunFixtures.h"
#include "training/TrainingDashboard.h"
#include "window/TrainingWorker.h"

#include "run/RunFiles.h"
#include "run/RunIndex.h"

#include <catch2/catch.hpp>

#include <QChart>
#include <QChartView>
#include <QFile>
#include <QComboBox>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QSignalSpy>
#include <QThread>

#include <filesystem>
#include <fstream>
#include <set>

using studio::RunBrowser;

namespace {

namespace fs = std::filesystem;
constexpr int kRunTimeoutMs = 180'000;

// Three runs: two good ones of different architectures and one with a broken config.json.
struct RunsFolder {
    TempDir dir;
    std::string older, newer, damaged;
    RunsFolder()
    {
        mnist::TrainConfig a;
        a.arch = "LeNet";
        a.epochs = 3;
        a.batchSize = 64;
        // Best test accuracy at epoch 2, lowest valid loss at epoch 3: the two metrics differ.
        older = dir.file("20260101-100000-LeNet");
        uitest::writeRunFolder(older, a, uitest::makeEpochs({97.0, 98.5, 98.2}, {0.10, 0.08, 0.05}));
        mnist::TrainConfig b;
        b.arch = "SimpleNet";
        b.epochs = 4;
        b.optimizer = "sgd";
        b.augment.rotate = true;
        b.labelSmoothing = 0.1;
        b.emaDecay = 0.999;
        newer = dir.file("20260102-100000-SimpleNet");
        uitest::writeRunFolder(newer, b, uitest::makeEpochs({95.0, 96.25}, {0.20, 0.15}));
        damaged = dir.file("20260103-100000-LeNet");
        fs::create_directories(damaged);
        std::ofstream(damaged + "/config.json") << "{ \"arch\": \"LeNet\", broken";
        std::ofstream(damaged + "/metrics.csv") << "epoch,train_loss,valid_loss,test_acc,lr,seconds,images_per_s\n";
    }
    QString path() const { return QString::fromStdString(dir.path().string()); }
};

// Pixels that differ from the top-left one: a blank image has none.
int differingPixels(const QImage& image)
{
    const QRgb first = image.pixel(0, 0);
    int n = 0;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            n += image.pixel(x, y) != first;
    return n;
}

QString readAll(const QString& path)
{
    QFile f(path);
    REQUIRE(f.open(QIODevice::ReadOnly));
    return QString::fromUtf8(f.readAll());
}

} // namespace

TEST_CASE("The run browser lists every run with its metrics and marks a damaged one", "[ui][runs]")
{
    RunsFolder runs;
    RunBrowser browser;
    browser.setRunsFolder(runs.path());
    uitest::listRuns(browser);
    REQUIRE(browser.filter()->rowCount() == 3);
    // Newest first, the damaged one included.
    CHECK(browser.shownRunNames() == QStringList({"20260103-100000-LeNet", "20260102-100000-SimpleNet", "20260101-100000-LeNet"}));

    const uitest::RunRow bad(browser, "20260103-100000-LeNet");
    REQUIRE(bad);
    CHECK(bad.foreground(studio::RunTableModel::NameColumn) != browser.list()->palette().color(QPalette::Text));
    CHECK(bad.foreground(studio::RunTableModel::NameColumn).red() > 150);
    CHECK(bad.toolTip(studio::RunTableModel::NameColumn).contains("Damaged"));
    CHECK(bad.text(studio::RunTableModel::RecipeColumn).contains("config.json"));

    const uitest::RunRow lenet(browser, "20260101-100000-LeNet");
    REQUIRE(lenet);
    CHECK(lenet.foreground(studio::RunTableModel::NameColumn).red() < 150);
    CHECK(lenet.text(studio::RunTableModel::ArchColumn) == "LeNet");
    CHECK(lenet.text(studio::RunTableModel::BestColumn) == "98.50 (ep 2)");
    CHECK(lenet.text(studio::RunTableModel::HonestColumn) == "98.20 (ep 3)");
    CHECK(lenet.text(studio::RunTableModel::FinalColumn) == "98.20");
    CHECK(lenet.text(studio::RunTableModel::EpochsColumn) == "3/3");
    CHECK(lenet.text(studio::RunTableModel::DurationColumn) == "0:30");
    CHECK(lenet.text(studio::RunTableModel::DateColumn) == "2026-01-01 10:00");
    CHECK(lenet.text(studio::RunTableModel::RecipeColumn).contains("batch 64"));
    CHECK(lenet.text(studio::RunTableModel::RecipeColumn).contains("aug off"));
    CHECK_FALSE(lenet.text(studio::RunTableModel::RecipeColumn).contains("smoothing"));
    CHECK_FALSE(lenet.text(studio::RunTableModel::RecipeColumn).contains("EMA"));

    const uitest::RunRow simple(browser, "20260102-100000-SimpleNet");
    REQUIRE(simple);
    CHECK(simple.text(studio::RunTableModel::ArchColumn) == "SimpleNet");
    CHECK(simple.text(studio::RunTableModel::BestColumn) == "96.25 (ep 2)");
    CHECK(simple.text(studio::RunTableModel::EpochsColumn).startsWith("2/4"));
    CHECK(simple.text(studio::RunTableModel::RecipeColumn).contains("sgd"));
    CHECK(simple.text(studio::RunTableModel::RecipeColumn).contains("aug rotate"));
    CHECK(simple.text(studio::RunTableModel::RecipeColumn).contains("smoothing 0.1"));
    CHECK(simple.text(studio::RunTableModel::RecipeColumn).contains("EMA 0.999"));

    // A run that appears later shows up on refresh.
    mnist::TrainConfig c;
    uitest::writeRunFolder(runs.dir.file("20260104-100000-LeNet"), c, uitest::makeEpochs({90.0}, {0.3}));
    uitest::listRuns(browser);
    CHECK(browser.filter()->rowCount() == 4);
}

TEST_CASE("The run table lists in the background, sorts by value and filters by text and architecture", "[ui][runs]")
{
    RunsFolder runs;
    RunBrowser browser;
    browser.setRunsFolder(runs.path());
    browser.refresh();
    // refresh() returns at once; the folder is read on the thread pool.
    CHECK(browser.isListing());
    uitest::waitForListing(browser);
    REQUIRE(browser.shownRunNames().size() == 3);
    using M = studio::RunTableModel;

    SECTION("sorting by accuracy is by number, runs without a figure last")
    {
        browser.list()->sortByColumn(M::BestColumn, Qt::DescendingOrder);
        CHECK(browser.shownRunNames() ==
              QStringList({"20260101-100000-LeNet", "20260102-100000-SimpleNet", "20260103-100000-LeNet"}));
        browser.list()->sortByColumn(M::BestColumn, Qt::AscendingOrder);
        CHECK(browser.shownRunNames().front() == "20260103-100000-LeNet");
        browser.list()->sortByColumn(M::NameColumn, Qt::AscendingOrder);
        CHECK(browser.shownRunNames() ==
              QStringList({"20260101-100000-LeNet", "20260102-100000-SimpleNet", "20260103-100000-LeNet"}));
        // A click on a header sorts too.
        browser.resize(1200, 600);
        browser.show();
        REQUIRE(QTest::qWaitForWindowExposed(&browser));
        auto* header = browser.list()->header();
        const QPoint at(header->sectionViewportPosition(M::EpochsColumn) + 5, header->height() / 2);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
        CHECK(header->sortIndicatorSection() == M::EpochsColumn);
    }
    SECTION("the text filter keeps the runs with every word; the architecture filter one architecture")
    {
        auto* edit = browser.findChild<QLineEdit*>("runFilter");
        auto* arch = browser.findChild<QComboBox*>("runArchFilter");
        REQUIRE(edit);
        REQUIRE(arch);
        QTest::keyClicks(edit, "simple");
        CHECK(browser.shownRunNames() == QStringList({"20260102-100000-SimpleNet"}));
        edit->setText("lenet adam");
        CHECK(browser.shownRunNames() == QStringList({"20260101-100000-LeNet"}));
        edit->setText("damaged");
        CHECK(browser.shownRunNames() == QStringList({"20260103-100000-LeNet"}));
        CHECK(browser.findChild<QLabel*>("runsFolderLabel")->text().contains("showing 1 of 3"));
        edit->clear();
        CHECK(browser.shownRunNames().size() == 3);

        // Damaged runs have no architecture to pick; each readable one is offered once.
        REQUIRE(arch->count() == 3);
        CHECK(arch->itemText(1) == "LeNet");
        CHECK(arch->itemText(2) == "SimpleNet");
        arch->setCurrentIndex(1);
        CHECK(browser.shownRunNames() == QStringList({"20260101-100000-LeNet"}));
        // The choice survives a refresh while the architecture still has runs.
        uitest::listRuns(browser);
        CHECK(arch->currentText() == "LeNet");
        CHECK(browser.shownRunNames() == QStringList({"20260101-100000-LeNet"}));
    }
    SECTION("the selection survives a refresh and a new sort")
    {
        browser.selectRuns({QString::fromStdString(runs.older)});
        uitest::listRuns(browser);
        browser.list()->sortByColumn(M::NameColumn, Qt::AscendingOrder);
        REQUIRE(browser.selectedRunDirs().size() == 1);
        CHECK(QFileInfo(browser.selectedRunDirs().front()).fileName() == "20260101-100000-LeNet");
    }
}

TEST_CASE("Selecting two runs overlays their curves, one colour each, named in the legend", "[ui][runs]")
{
    RunsFolder runs;
    RunBrowser browser;
    browser.resize(1000, 700);
    browser.setRunsFolder(runs.path());
    browser.show();
    REQUIRE(QTest::qWaitForWindowExposed(&browser));
    uitest::waitForListing(browser);
    REQUIRE(browser.filter()->rowCount() == 3);
    CHECK(browser.comparison()->seriesCount() == 0);

    // Through the list's own selection, as a click would do.
    uitest::RunRow(browser, "20260102-100000-SimpleNet").select();
    uitest::RunRow(browser, "20260101-100000-LeNet").select();
    CHECK(browser.selectedRunDirs().size() == 2);
    const studio::RunComparisonChart* comparison = browser.comparison();
    CHECK(comparison->legendNames() == QStringList({"20260102-100000-SimpleNet", "20260101-100000-LeNet"}));
    // Accuracy and valid loss per run, each with one point per epoch, in the run's colour.
    const auto series = comparison->chart()->series();
    REQUIRE(series.size() == 4);
    std::set<QRgb> colours;
    std::vector<int> counts;
    for (auto* s : series) {
        auto* line = qobject_cast<QLineSeries*>(s);
        REQUIRE(line);
        colours.insert(line->pen().color().rgb());
        counts.push_back(static_cast<int>(line->count()));
    }
    CHECK(colours.size() == 2);
    CHECK(counts == std::vector<int>({2, 2, 3, 3}));

    // A damaged run adds nothing to the chart.
    uitest::RunRow(browser, "20260103-100000-LeNet").select();
    CHECK(comparison->legendNames().size() == 2);
    browser.list()->clearSelection();
    CHECK(comparison->seriesCount() == 0);
}

TEST_CASE("Renaming and deleting a run change its folder and the list", "[ui][runs]")
{
    RunsFolder runs;
    RunBrowser browser;
    browser.setRunsFolder(runs.path());
    uitest::listRuns(browser);
    const QString older = QString::fromStdString(runs.older);

    SECTION("rename")
    {
        REQUIRE(browser.renameRun(older, "baseline"));
        uitest::waitForListing(browser);
        CHECK_FALSE(fs::exists(runs.older));
        CHECK(fs::exists(runs.dir.file("baseline") + "/metrics.csv"));
        CHECK(browser.shownRunNames().contains("baseline"));
        CHECK_FALSE(browser.shownRunNames().contains("20260101-100000-LeNet"));
        CHECK(browser.selectedRunDirs().size() == 1);

        QString error;
        const QString renamed = QString::fromStdString(runs.dir.file("baseline"));
        CHECK_FALSE(browser.renameRun(renamed, "a/b", &error));
        CHECK(error.contains("'/'"));
        CHECK_FALSE(browser.renameRun(renamed, "20260102-100000-SimpleNet", &error));
        CHECK(error.contains("already exists"));
        CHECK(browser.messageText() == error);
        CHECK(fs::exists(runs.dir.file("baseline")));
        CHECK(fs::exists(runs.newer + "/config.json"));
        CHECK(browser.filter()->rowCount() == 3);
    }
    SECTION("delete, declined then confirmed")
    {
        QStringList asked;
        bool answer = false;
        browser.setDeleteConfirmation([&](const QStringList& names) {
            asked = names;
            return answer;
        });
        CHECK_FALSE(browser.deleteRuns({older}));
        CHECK(asked == QStringList({"20260101-100000-LeNet"}));
        CHECK(fs::exists(runs.older));
        CHECK(browser.filter()->rowCount() == 3);

        answer = true;
        // Through the button, as the user does.
        browser.selectRuns({older, QString::fromStdString(runs.damaged)});
        auto* del = browser.findChild<QPushButton*>("deleteRuns");
        REQUIRE(del);
        REQUIRE(del->isEnabled());
        QTest::mouseClick(del, Qt::LeftButton);
        uitest::waitForListing(browser);
        CHECK(asked.size() == 2);
        CHECK_FALSE(fs::exists(runs.older));
        CHECK_FALSE(fs::exists(runs.damaged));
        CHECK(fs::exists(runs.newer));
        CHECK(browser.shownRunNames() == QStringList({"20260102-100000-SimpleNet"}));
    }
}

TEST_CASE("Charts export to PNG at the requested size and to SVG with titles, metrics to CSV", "[ui][runs][export]")
{
    RunsFolder runs;
    TempDir out;
    studio::TrainingDashboard dash;
    dash.resize(1000, 700);
    dash.show();
    REQUIRE(QTest::qWaitForWindowExposed(&dash));
    const mnist::RunRecord run = mnist::readRun(runs.older);
    const std::vector<double> lrRead = mnist::readLrCsv(runs.older + "/lr.csv");
    const QVector<double> lrs(lrRead.begin(), lrRead.end());
    CHECK(lrs.size() == 9);
    dash.showRecordedRun("older", run.config, QVector<mnist::EpochMetrics>(run.epochs.begin(), run.epochs.end()), lrs);
    CHECK(dash.epochs().size() == 3);
    CHECK(dash.drawnEpochPoints() == 3);
    CHECK(dash.drawnLrPoints() == 9);
    const QSize onScreen = dash.epochChartView()->size();

    const QString png = QString::fromStdString(out.file("epochs.png"));
    QString error;
    REQUIRE(studio::exportChartPng(dash.epochChartView()->chart(), png, QSize(1234, 567), &error));
    CHECK(error.isEmpty());
    QImage image(png);
    REQUIRE_FALSE(image.isNull());
    CHECK(image.size() == QSize(1234, 567));
    CHECK(differingPixels(image) > 1000);
    // The chart on screen keeps its size.
    CHECK(dash.epochChartView()->size() == onScreen);

    for (QChartView* view : {dash.lrChartView(), dash.lossChartView()}) {
        const QString other = QString::fromStdString(out.file("other.png"));
        REQUIRE(studio::exportChartPng(view->chart(), other, QSize(400, 300)));
        CHECK(QImage(other).size() == QSize(400, 300));
    }

    const QString svg = QString::fromStdString(out.file("epochs.svg"));
    REQUIRE(studio::exportChartSvg(dash.epochChartView()->chart(), svg, QSize(900, 500), &error));
    const QString text = readAll(svg);
    CHECK(text.contains("<svg"));
    CHECK(text.contains("Per epoch"));
    CHECK(text.contains("Test accuracy %"));
    CHECK(text.contains("Epoch"));
    CHECK(text.contains("Valid loss")); // legend

    RunBrowser browser;
    browser.setRunsFolder(runs.path());
    uitest::listRuns(browser);
    browser.selectRuns({QString::fromStdString(runs.older), QString::fromStdString(runs.newer)});
    const QString comparisonSvg = QString::fromStdString(out.file("compared.svg"));
    REQUIRE(studio::exportChartSvg(browser.comparison()->chart(), comparisonSvg, QSize(800, 500)));
    const QString compared = readAll(comparisonSvg);
    CHECK(compared.contains("20260101-100000-LeNet"));
    CHECK(compared.contains("20260102-100000-SimpleNet"));
    CHECK(compared.contains("Compared runs"));

    const QString csv = QString::fromStdString(out.file("runs.csv"));
    REQUIRE(browser.exportMetricsCsv(browser.selectedRunDirs(), csv, &error));
    const QStringList lines = readAll(csv).split('\n', Qt::SkipEmptyParts);
    REQUIRE(lines.size() == 1 + 3 + 2);
    CHECK(lines[0].startsWith("run,epoch,train_loss,valid_loss,test_acc"));
    int lenetRows = 0, simpleRows = 0;
    for (const QString& l : lines.mid(1)) {
        // writeRunsCsv quotes the names (a folder name may hold a comma).
        lenetRows += l.startsWith("\"20260101-100000-LeNet\",");
        simpleRows += l.startsWith("\"20260102-100000-SimpleNet\",");
    }
    CHECK(lenetRows == 3);
    CHECK(simpleRows == 2);
}

TEST_CASE("An export to an unwritable path reports an error and leaves no file", "[ui][runs][export]")
{
    RunsFolder runs;
    TempDir out;
    // Tests run as root, which can write anywhere: a missing folder is what fails for everyone.
    const std::string missing = out.file("no-such-folder");
    RunBrowser browser;
    browser.setRunsFolder(runs.path());
    uitest::listRuns(browser);
    browser.selectRuns({QString::fromStdString(runs.older)});
    uitest::saveFreshWeights("LeNet", runs.older + "/model.safetensors");

    QString error;
    const QString png = QString::fromStdString(missing + "/chart.png");
    CHECK_FALSE(studio::exportChartPng(browser.comparison()->chart(), png, QSize(300, 200), &error));
    CHECK(error.contains(png));
    error.clear();
    const QString svg = QString::fromStdString(missing + "/chart.svg");
    CHECK_FALSE(studio::exportChartSvg(browser.comparison()->chart(), svg, QSize(300, 200), &error));
    CHECK(error.contains(svg));
    error.clear();
    CHECK_FALSE(browser.exportMetricsCsv(browser.selectedRunDirs(), QString::fromStdString(missing + "/runs.csv"), &error));
    CHECK_FALSE(error.isEmpty());
    CHECK(browser.messageText() == error);
    error.clear();
    CHECK_FALSE(browser.exportModel(QString::fromStdString(runs.older), QString::fromStdString(missing + "/model.pt"),
                                    studio::ModelFormat::LibTorchArchive, &error));
    CHECK(error.contains("no-such-folder"));
    CHECK_FALSE(fs::exists(missing));
    // Nothing left next to the target either (no temporary file).
    CHECK(fs::is_empty(out.path()));

    // The same exports to a writable place succeed.
    const QString weights = QString::fromStdString(out.file("m.safetensors"));
    REQUIRE(browser.exportModel(QString::fromStdString(runs.older), weights, studio::ModelFormat::SafeTensors, &error));
    CHECK(QFile(weights).size() > 1000);
    REQUIRE(browser.exportModel(QString::fromStdString(runs.older), QString::fromStdString(out.file("m.pt")),
                                studio::ModelFormat::LibTorchArchive, &error));
    CHECK(fs::exists(out.file("m.pt")));
    // A run without weights says so.
    CHECK_FALSE(browser.exportModel(QString::fromStdString(runs.newer), QString::fromStdString(out.file("n.safetensors")),
                                    studio::ModelFormat::SafeTensors, &error));
    CHECK(error.contains("no weights"));
    CHECK_FALSE(fs::exists(out.file("n.safetensors")));
}

TEST_CASE("Evaluate weights shows the core's test accuracy and confusion counts, or the mismatch", "[ui][runs][import]")
{
    uitest::TinyDataset data(100, 60);
    TempDir out;
    const std::string lenet = out.file("lenet.safetensors");
    const std::string simple = out.file("simplenet.safetensors");
    uitest::saveFreshWeights("LeNet", lenet, 11);
    uitest::saveFreshWeights("SimpleNet", simple, 12);

    auto w = uitest::makeWindow();
    w->configPanel()->setConfig(data.config());
    studio::EvaluateWeightsDialog* dialog = w->evaluateWeightsDialog();
    REQUIRE(dialog);
    QSignalSpy done(dialog, &studio::EvaluateWeightsDialog::evaluationFinished);

    dialog->setWeightsPath(QString::fromStdString(lenet));
    dialog->setArchitecture("LeNet");
    dialog->evaluate();
    REQUIRE(done.wait(60'000));
    INFO(dialog->resultText().toStdString());
    REQUIRE(done.at(0).at(0).toBool());
    REQUIRE(dialog->succeeded());
    const double expected = uitest::coreTestAccuracy("LeNet", lenet, data.dir.path().string());
    CHECK(dialog->result().accuracy == Approx(expected).epsilon(1e-12));
    CHECK(dialog->result().total == 60);
    CHECK(dialog->resultText().contains(QString::number(expected, 'f', 2) + "%"));
    int sum = 0, diagonal = 0;
    for (int t = 0; t < 10; ++t)
        for (int p = 0; p < 10; ++p) {
            sum += dialog->confusionCell(t, p);
            diagonal += t == p ? dialog->confusionCell(t, p) : 0;
        }
    CHECK(sum == 60);
    CHECK(diagonal == dialog->result().correct);
    CHECK(100.0 * diagonal / 60 == Approx(expected));

    // SimpleNet's weights read as LeNet: the core's list of names, no numbers.
    dialog->setWeightsPath(QString::fromStdString(simple));
    dialog->evaluate();
    REQUIRE(done.wait(60'000));
    CHECK_FALSE(done.at(1).at(0).toBool());
    CHECK_FALSE(dialog->succeeded());
    CHECK(dialog->resultText().contains("do not fit"));
    CHECK(dialog->resultText().contains("missing"));
    CHECK(dialog->confusionCell(0, 0) == -1);
}

TEST_CASE("Finished runs selected in the browser score as an ensemble in the background, as the core does", "[ui][runs][ensemble]")
{
    uitest::TinyDataset data(100, 60);
    TempDir runs;
    const std::string lenet = runs.file("20260101-100000-LeNet"), bn = runs.file("20260102-100000-LeNetBN"),
                      unfinished = runs.file("20260103-100000-LeNet");
    mnist::TrainConfig a = data.config();
    mnist::TrainConfig b = data.config();
    b.arch = "LeNetBN";
    b.augment.normalize = true; // each member keeps its own input pipeline
    b.augment.mean = 0.5;
    b.augment.std = 0.5;
    uitest::writeRunFolder(lenet, a, uitest::makeEpochs({10.0}, {2.3}));
    uitest::saveFreshWeights("LeNet", lenet + "/model.safetensors", 21);
    uitest::writeRunFolder(bn, b, uitest::makeEpochs({10.0}, {2.3}));
    uitest::saveFreshWeights("LeNetBN", bn + "/model.safetensors", 22);
    uitest::writeRunFolder(unfinished, a, uitest::makeEpochs({10.0}, {2.3}));

    RunBrowser browser;
    browser.setRunsFolder(QString::fromStdString(runs.path().string()));
    browser.show();
    REQUIRE(QTest::qWaitForWindowExposed(&browser));
    uitest::waitForListing(browser);
    auto* button = browser.findChild<QPushButton*>(QStringLiteral("ensembleRuns"));
    REQUIRE(button);
    browser.selectRuns({QString::fromStdString(lenet)});
    CHECK_FALSE(button->isEnabled()); // one run is no ensemble
    browser.selectRuns({QString::fromStdString(lenet), QString::fromStdString(unfinished)});
    CHECK_FALSE(button->isEnabled()); // no final model
    QString error;
    CHECK_FALSE(browser.scoreEnsemble({QString::fromStdString(lenet), QString::fromStdString(unfinished)}, &error));
    CHECK(error.contains(QStringLiteral("not a finished run")));

    browser.selectRuns({QString::fromStdString(lenet), QString::fromStdString(bn)});
    REQUIRE(button->isEnabled());
    QSignalSpy done(&browser, &RunBrowser::ensembleFinished);
    QTest::mouseClick(button, Qt::LeftButton);
    CHECK((browser.ensembleBusy() || done.count() == 1));
    REQUIRE((done.count() == 1 || done.wait(60'000)));
    INFO(browser.messageText().toStdString());
    REQUIRE(done.at(0).at(0).toBool());

    const mnist::EnsembleResult expected = mnist::evaluateEnsemble({lenet, bn});
    const mnist::EnsembleResult& got = browser.lastEnsemble();
    REQUIRE(got.members.size() == 2);
    CHECK(got.testSize == 60);
    CHECK(got.testAccuracy == Approx(expected.testAccuracy));
    // Members in the list's order (newest first).
    CHECK(got.members[0].arch == "LeNetBN");
    CHECK(got.members[1].arch == "LeNet");
    CHECK(got.members[1].testAccuracy == Approx(uitest::coreTestAccuracy("LeNet", lenet + "/model.safetensors", data.dir.path().string())));
    CHECK(browser.messageText().contains(QString::number(expected.testAccuracy, 'f', 2) + "%"));
    CHECK(browser.messageText().contains(QStringLiteral("20260102-100000-LeNetBN")));
    CHECK(button->isEnabled());
}

TEST_CASE("A run stopped after one epoch resumes from the browser and ends with every epoch", "[ui][runs][resume]")
{
    uitest::TinyDataset data(400, 50);
    const mnist::TrainConfig c = data.config(3, 32); // 10 iterations an epoch
    TempDir runs;
    const QString runsPath = QString::fromStdString(runs.path().string());

    // The first session: stopped right after epoch 1 (from the worker thread, so exactly there).
    {
        studio::registerMetaTypes();
        QThread thread;
        auto* worker = new studio::TrainingWorker(c, runsPath);
        worker->moveToThread(&thread);
        QObject::connect(&thread, &QThread::started, worker, &studio::TrainingWorker::run);
        QObject::connect(worker, &studio::TrainingWorker::epochFinished, worker, [worker] { worker->requestStop(); },
                         Qt::DirectConnection);
        QObject::connect(worker, &studio::TrainingWorker::finished, &thread, &QThread::quit, Qt::DirectConnection);
        QObject::connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
        QSignalSpy finished(worker, &studio::TrainingWorker::finished);
        thread.start();
        REQUIRE(finished.wait(kRunTimeoutMs));
        thread.wait();
        const auto s = finished.at(0).at(0).value<studio::RunSummary>();
        REQUIRE_FALSE(s.failed);
        REQUIRE(s.stopped);
        REQUIRE(s.epochsDone == 1);
    }

    auto w = uitest::makeWindow();
    w->setRunsFolder(runsPath);
    w->showTab(studio::MainWindow::Tab::Runs);
    RunBrowser* browser = w->runBrowser();
    uitest::listRuns(*browser);
    REQUIRE(browser->runs().size() == 1);
    const mnist::RunRecord stopped = browser->runs().front();
    REQUIRE_FALSE(stopped.damaged);
    CHECK(stopped.epochs.size() == 1);
    REQUIRE(stopped.resumable);
    const QString dir = QString::fromStdString(stopped.dir);
    browser->selectRuns({dir});
    auto* resume = browser->findChild<QPushButton*>("resumeRun");
    REQUIRE(resume);
    REQUIRE(resume->isEnabled());

    QSignalSpy finished(w.get(), &studio::MainWindow::trainingFinished);
    QTest::mouseClick(resume, Qt::LeftButton);
    REQUIRE(w->isTraining());
    REQUIRE(finished.wait(kRunTimeoutMs));
    INFO(w->errorText().toStdString());
    const auto s = finished.at(0).at(0).value<studio::RunSummary>();
    REQUIRE_FALSE(s.failed);
    CHECK_FALSE(s.stopped);

    // The dashboard continued the curves: epoch 1 from the checkpoint, 2 and 3 trained now.
    studio::TrainingDashboard* dash = w->dashboard();
    REQUIRE(dash->epochs().size() == 3);
    for (int i = 0; i < 3; ++i)
        CHECK(dash->epochs()[i].epoch == i + 1);
    CHECK(dash->epochs()[0].testAccuracy == Approx(stopped.epochs[0].testAccuracy));
    CHECK(dash->historyLr().size() == 10);
    REQUIRE(dash->iterations().size() == 20);
    CHECK(dash->iterations().front().step == 10);
    CHECK(dash->iterations().front().epoch == 2);
    CHECK(dash->drawnLrPoints() == 30);
    CHECK(dash->tableRows() == 3);

    // The folder is the same run, grown to three epochs.
    const auto metrics = mnist::readMetricsCsv(stopped.dir + "/metrics.csv");
    REQUIRE(metrics.size() == 3);
    CHECK(metrics[2].epoch == 3);
    const std::vector<double> lrs = mnist::readLrCsv(dir.toStdString() + "/lr.csv");
    CHECK(lrs.size() == 30);
    uitest::listRuns(*browser);
    REQUIRE(browser->runs().size() == 1);
    CHECK(browser->runs().front().epochs.size() == 3);
    CHECK_FALSE(browser->runs().front().resumable);
}
