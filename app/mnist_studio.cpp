// mnist-studio: the desktop application. Options set up the window (and can start a run and take
// a screenshot, which is how the README's pictures are made under Xvfb).
#include "window/MainWindow.h"
#include "dataset/DatasetView.h"
#include "data/DataSource.h"
#include "shared/Theme.h"
#include "augmentation/AugmentationPreview.h"
#include "setup/ConfigPanel.h"
#include "setup/LrFinderDialog.h"
#include "draw/DrawDigitView.h"
#include "evaluation/EvaluationView.h"
#include "inspect/InspectView.h"
#include "evaluation/ProjectorView.h"
#include "network/NetworkEditor.h"
#include "shared/StatusStyle.h"
#include "sweeps/SweepView.h"
#include "runs/RunBrowser.h"
#include "runs/RunComparePanel.h"

#include "train/Allocator.h"
#include "spec/ConfigFields.h"
#include "spec/Recipes.h"
#include "train/Threading.h"
#include "spec/TrainConfig.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QPushButton>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

// OpenMP's waiting and malloc's huge pages set before any library starts (train/Threading.h).
MNIST_STUDIO_SETTINGS_AT_LOAD

namespace {

int fail(const QString& message)
{
    std::fprintf(stderr, "mnist-studio: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    mnist::useCooperativeOpenMpThreads(argv); // a fallback: MNIST_STUDIO_SETTINGS_AT_LOAD has run
    mnist::keepFreedMemoryForReuse();
    // --help and --version print and exit like any command-line program, with no display: a
    // QApplication would need one before the parser even runs.
    const bool textOnly = std::any_of(argv + 1, argv + argc, [](const char* a) {
        const std::string s = a;
        return s == "-h" || s == "--help" || s == "--help-all" || s == "-v" || s == "--version";
    });
    const std::unique_ptr<QCoreApplication> app =
        textOnly ? std::make_unique<QCoreApplication>(argc, argv) : std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("MnistStudio"));
    QCoreApplication::setApplicationName(QStringLiteral("mnist-studio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MNIST_STUDIO_VERSION));
    if (!textOnly) {
        QGuiApplication::setApplicationDisplayName(QStringLiteral("MNIST Studio"));
        // Matches the installed desktop entry, so that Wayland docks show the right icon and name.
        const QString appId = QStringLiteral("io.github.mniststudio.MnistStudio");
        QGuiApplication::setDesktopFileName(appId);
        studio::loadStudioStyle(); // resources/style/studio.qss; registers the icon's resource too
        QApplication::setWindowIcon(QIcon::fromTheme(appId, QIcon(QStringLiteral(":/icons/%1.svg").arg(appId))));
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Train the notebook's light CNNs on MNIST and watch them learn."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOpt(QStringLiteral("config"), QStringLiteral("Start from this set-up (the JSON of config.json)."), QStringLiteral("FILE"));
    const QCommandLineOption recipeOpt(QStringLiteral("recipe"), QStringLiteral("Start from a recipe: fast, balanced, best, or the notebook's recipe N (1-based, as in the Recipes menu)."), QStringLiteral("NAME|N"));
    const QCommandLineOption freshOpt(QStringLiteral("no-restore"), QStringLiteral("Neither restore nor save the last set-up and window layout."));
    const QCommandLineOption runsOpt(QStringLiteral("runs-dir"), QStringLiteral("Record runs under DIR (default ~/.local/share/mnist-studio/runs or $MNIST_STUDIO_RUNS_DIR)."), QStringLiteral("DIR"));
    const QCommandLineOption noRecordOpt(QStringLiteral("no-record"), QStringLiteral("Do not record runs."));
    const QCommandLineOption autostartOpt(QStringLiteral("autostart"), QStringLiteral("Press Train once the window is up."));
    QStringList tabs = studio::MainWindow::tabNames();
    const QString lastTab = tabs.takeLast();
    const QString tabChoices = tabs.join(QStringLiteral(", ")) + QStringLiteral(" or ") + lastTab; // "training, preview, ... or recipes"
    const QCommandLineOption tabOpt(QStringLiteral("tab"), QStringLiteral("Show this tab: %1.").arg(tabChoices), QStringLiteral("TAB"));
    const QCommandLineOption networkOpt(QStringLiteral("network"), QStringLiteral("Open this network in the Network tab and show it: a built-in or saved network's name, or a spec file."), QStringLiteral("NAME|FILE"));
    const QCommandLineOption sweepOpt(QStringLiteral("sweep"), QStringLiteral("Show this sweep folder (one holding sweep.json) in the Sweeps tab."), QStringLiteral("DIR"));
    const QCommandLineOption sweepViewOpt(QStringLiteral("sweep-view"), QStringLiteral("The Sweeps tab's chart to show: %1.").arg(studio::SweepView::chartNames().join(QStringLiteral(", "))), QStringLiteral("CHART"));
    const QCommandLineOption runOpt(QStringLiteral("run"), QStringLiteral("A recorded run whose model the Evaluation, Draw a digit, Inspect and Projector tabs use."), QStringLiteral("DIR"));
    const QCommandLineOption imageOpt(QStringLiteral("draw-image"), QStringLiteral("Open this picture on the Draw a digit pad."), QStringLiteral("FILE"));
    const QCommandLineOption sizeOpt(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1600x1000."), QStringLiteral("WxH"));
    const QCommandLineOption shotOpt(QStringLiteral("screenshot"), QStringLiteral("Save a PNG of the window after --screenshot-delay seconds, then quit."), QStringLiteral("FILE"));
    const QCommandLineOption exportOpt(QStringLiteral("export-dir"), QStringLiteral("When the first run ends, export its charts (PNG, SVG), metrics (CSV) and model (.safetensors, .pt) into DIR, take the --screenshot, and quit (exit code 1 if the run or an export failed)."), QStringLiteral("DIR"));
    const QCommandLineOption themeOpt(QStringLiteral("theme"), QStringLiteral("Colours: system (follow the desktop, the default), light or dark; kept as View > Theme is, unless --no-restore."), QStringLiteral("THEME"));
    const QCommandLineOption lrFindOpt(QStringLiteral("lr-find"), QStringLiteral("Open the LR range test of the set-up (the Find… button beside the learning rate); with --screenshot, the PNG is of its dialog once the test has ended, then quit."));
    const QCommandLineOption datasetViewOpt(QStringLiteral("dataset-view"), QStringLiteral("Open this dataset (a folder or CSV file; its kind detected, else --dataset's) as File > Open dataset does; with --screenshot, the PNG is of the dataset view once it has been read, then quit."), QStringLiteral("PATH"));
    const QCommandLineOption compareOpt(QStringLiteral("compare-runs"), QStringLiteral("Select these runs of the runs folder in the Runs tab (folder names, comma-separated, or all) once it is listed."), QStringLiteral("NAMES|all"));
    const QCommandLineOption groupByOpt(QStringLiteral("group-by"), QStringLiteral("With --compare-runs: group the compared runs by this setting (a config key, e.g. arch)."), QStringLiteral("KEY"));
    const QCommandLineOption delayOpt(QStringLiteral("screenshot-delay"), QStringLiteral("Seconds before the screenshot (default 30)."), QStringLiteral("S"), QStringLiteral("30"));
    // Every setting of the field table, as mnist-train has it: --epochs 3, --crop-scale 0.8,1.2, --shuffle.
    std::vector<std::pair<QCommandLineOption, const mnist::ConfigField*>> fieldOptions;
    for (const mnist::ConfigField& f : mnist::configFields()) {
        if (f.flag.empty())
            continue;
        const QString name = QString::fromStdString(f.flag), help = QString::fromStdString(f.tooltip) + QLatin1Char('.');
        fieldOptions.emplace_back(f.kind == mnist::FieldKind::Flag ? QCommandLineOption(name, help)
                                                                   : QCommandLineOption(name, help, QStringLiteral("VALUE")),
                                  &f);
        parser.addOption(fieldOptions.back().first);
    }
    parser.addOption(datasetViewOpt);
    parser.addOptions({configOpt, recipeOpt, freshOpt, runsOpt, noRecordOpt, autostartOpt, tabOpt, networkOpt, runOpt, imageOpt, sizeOpt, shotOpt, delayOpt,
                       exportOpt, themeOpt, sweepOpt, sweepViewOpt, lrFindOpt, compareOpt, groupByOpt});
    parser.process(*app);
    if (textOnly) // -h or -v was an option's value (--screenshot -v): no window on a QCoreApplication
        parser.showHelp(2);

    // Before the window exists, so that it is built in the chosen colours.
    studio::ThemeChoice theme = parser.isSet(freshOpt) ? studio::ThemeChoice::System : studio::savedTheme();
    if (parser.isSet(themeOpt) && !studio::parseTheme(parser.value(themeOpt), &theme))
        return fail(QStringLiteral("--theme must be system, light or dark, not \"%1\"").arg(parser.value(themeOpt)));
    studio::installThemeWatcher();
    studio::applyTheme(theme);
    if (parser.isSet(themeOpt) && !parser.isSet(freshOpt))
        studio::saveTheme(theme);

    studio::MainWindow window(!parser.isSet(freshOpt));
    mnist::TrainConfig config = window.configPanel()->config();
    try {
        if (parser.isSet(configOpt))
            config = mnist::loadTrainConfig(parser.value(configOpt).toStdString());
    } catch (const std::exception& e) {
        return fail(QString::fromStdString(e.what()));
    }
    if (parser.isSet(recipeOpt)) {
        bool ok = false;
        const int n = parser.value(recipeOpt).toInt(&ok);
        const auto& recipes = mnist::notebookRecipes();
        const int count = static_cast<int>(recipes.size());
        if (const mnist::Recipe* named = mnist::findRecipe(parser.value(recipeOpt).toStdString()))
            config = mnist::applyRecipe(*named, config);
        else if (!ok || n < 1 || n > count)
            return fail(QStringLiteral("--recipe must be fast, balanced, best or between 1 and %1").arg(count));
        else
            config = mnist::applyRecipe(recipes[static_cast<size_t>(n - 1)], config);
    }
    try {
        for (const auto& [option, field] : fieldOptions) {
            if (!parser.isSet(option))
                continue;
            QString text = field->kind == mnist::FieldKind::Flag ? QStringLiteral("true") : parser.value(option);
            if (field->kind == mnist::FieldKind::Path)
                text = QDir(text).absolutePath(); // the set-up is kept between sessions, the working folder is not
            mnist::setFieldFromText(config, *field, text.toStdString());
        }
    } catch (const std::exception& e) {
        return fail(QString::fromStdString(e.what()));
    }
    window.configPanel()->setConfig(config);

    if (parser.isSet(noRecordOpt))
        window.setRunsFolder(QString());
    else if (parser.isSet(runsOpt))
        window.setRunsFolder(parser.value(runsOpt));
    if (parser.isSet(sizeOpt)) {
        const QStringList wh = parser.value(sizeOpt).split(QLatin1Char('x'));
        if (wh.size() != 2 || wh[0].toInt() <= 0 || wh[1].toInt() <= 0)
            return fail(QStringLiteral("--size expects WIDTHxHEIGHT, e.g. 1600x1000"));
        window.resize(wh[0].toInt(), wh[1].toInt());
    }
    if (parser.isSet(networkOpt)) {
        QString error;
        if (!window.networkEditor()->openNetwork(parser.value(networkOpt), &error))
            return fail(error);
        window.showTab(studio::MainWindow::Tab::Network);
    }
    // --tab: shown now, and again after --autostart's run has switched to the dashboard.
    if (parser.isSet(tabOpt) && !window.showTabNamed(parser.value(tabOpt)))
        return fail(QStringLiteral("--tab expects %1").arg(tabChoices));
    if (parser.isSet(runOpt)) {
        const QString dir = QDir(parser.value(runOpt)).absolutePath();
        window.evaluationView()->evaluateRun(dir);
        window.inspectView()->setRun(dir);
        window.projectorView()->setRun(dir);
        if (!window.drawDigitView()->useRun(dir))
            return fail(window.drawDigitView()->statusText());
    }
    if (parser.isSet(sweepOpt) && !window.sweepView()->openSweep(QDir(parser.value(sweepOpt)).absolutePath()))
        return fail(window.sweepView()->statusText());
    if (parser.isSet(sweepViewOpt) && !window.sweepView()->showChart(parser.value(sweepViewOpt)))
        return fail(QStringLiteral("--sweep-view expects %1").arg(studio::SweepView::chartNames().join(QStringLiteral(", "))));
    if (parser.isSet(imageOpt) && !window.drawDigitView()->openImage(parser.value(imageOpt)))
        return fail(window.drawDigitView()->statusText());
    if (parser.isSet(compareOpt)) {
        // The runs folder is listed in the background: the selection waits for its first listing.
        studio::RunBrowser* browser = window.runBrowser();
        const QStringList names = parser.value(compareOpt).split(QLatin1Char(','), Qt::SkipEmptyParts);
        const QString groupBy = parser.value(groupByOpt);
        auto once = std::make_shared<QMetaObject::Connection>();
        *once = QObject::connect(browser, &studio::RunBrowser::runsChanged, browser, [browser, names, groupBy, once] {
            QObject::disconnect(*once);
            const bool all = names == QStringList{QStringLiteral("all")};
            QStringList dirs;
            for (const auto& run : browser->runs())
                if ((all && !run.damaged) || names.contains(QString::fromStdString(run.name)))
                    dirs << QString::fromStdString(run.dir);
            if (!all && dirs.size() != names.size())
                std::fprintf(stderr, "mnist-studio: --compare-runs: %lld of %lld runs found\n",
                             static_cast<long long>(dirs.size()), static_cast<long long>(names.size()));
            browser->selectRuns(dirs);
            if (!groupBy.isEmpty() && !browser->comparePanel()->setGroupBy(groupBy))
                std::fprintf(stderr, "mnist-studio: --group-by: no setting %s among the compared runs\n", qPrintable(groupBy));
        });
    }
    window.show();
    // A first start without the data asks to download it; a run started from the command line
    // asks when it starts, and a screenshot never waits for an answer.
    if (!parser.isSet(autostartOpt) && !parser.isSet(shotOpt))
        QTimer::singleShot(0, &window, [&window] { window.ensureDataAvailable(); });

    if (parser.isSet(autostartOpt)) {
        QTimer::singleShot(0, &window, [&window, &parser, &tabOpt] {
            if (!window.configPanel()->isValid()) {
                std::fprintf(stderr, "mnist-studio: the set-up is not valid: %s\n",
                             qPrintable(window.configPanel()->problems().join(QStringLiteral("; "))));
                return;
            }
            window.startTraining();
            // Training switches to the dashboard; a tab asked for on the command line wins.
            if (parser.isSet(tabOpt))
                window.showTabNamed(parser.value(tabOpt));
        });
    }
    const auto saveScreenshot = [&window](const QString& file, QWidget* shown = nullptr) {
        QDir().mkpath(QFileInfo(file).absolutePath());
        const bool ok = (shown ? shown : static_cast<QWidget*>(&window))->grab().save(file);
        std::fprintf(stderr, ok ? "mnist-studio: wrote %s\n" : "mnist-studio: could not write %s\n", qPrintable(file));
        return ok;
    };
    int exitCode = 0;
    if (parser.isSet(exportOpt)) {
        // Scripted sessions (make e2e): whatever starts the run (a click, Ctrl+Return, --autostart),
        // its end exports through the menu's code paths and closes the window.
        const QString dir = parser.value(exportOpt);
        const QString shot = parser.value(shotOpt);
        QObject::connect(&window, &studio::MainWindow::trainingFinished, &window,
                         [&window, &exitCode, dir, shot, saveScreenshot](const studio::RunSummary& summary) {
                             if (summary.failed) {
                                 std::fprintf(stderr, "mnist-studio: the run failed: %s\n", qPrintable(window.errorText()));
                                 exitCode = 1;
                             } else {
                                 QStringList written;
                                 QString error;
                                 if (!window.exportLatestRun(dir, &written, &error)) {
                                     std::fprintf(stderr, "mnist-studio: export failed: %s\n", qPrintable(error));
                                     exitCode = 1;
                                 }
                                 for (const QString& f : written)
                                     std::fprintf(stderr, "mnist-studio: wrote %s\n", qPrintable(f));
                             }
                             if (!shot.isEmpty() && !saveScreenshot(shot))
                                 exitCode = 1;
                             window.close();
                         });
    } else if (parser.isSet(datasetViewOpt)) {
        const QString path = QDir(parser.value(datasetViewOpt)).absolutePath();
        std::string kind = mnist::detectDataKind(path.toStdString());
        if (kind.empty())
            kind = window.configPanel()->config().dataset;
        window.openDataset(QString::fromStdString(kind), path);
        const QString shot = parser.value(shotOpt);
        if (!shot.isEmpty())
            QObject::connect(window.datasetView(), &studio::DatasetView::loaded, &window, [&window, shot, saveScreenshot] {
                // A moment for the chart to lay itself out.
                QTimer::singleShot(1500, &window, [&window, shot, saveScreenshot] {
                    saveScreenshot(shot, window.datasetView()->window());
                    window.close();
                });
            });
    } else if (parser.isSet(lrFindOpt)) {
        const QString shot = parser.value(shotOpt);
        QTimer::singleShot(0, &window, [&window, shot, saveScreenshot] {
            studio::LrFinderDialog* dialog = window.configPanel()->openLrFinder();
            if (shot.isEmpty())
                return;
            QObject::connect(dialog, &studio::LrFinderDialog::testEnded, &window, [&window, dialog, shot, saveScreenshot] {
                saveScreenshot(shot, dialog);
                window.close();
            });
        });
    } else if (parser.isSet(shotOpt)) {
        bool ok = false;
        const double delay = parser.value(delayOpt).toDouble(&ok);
        if (!ok || delay < 0)
            return fail(QStringLiteral("--screenshot-delay expects a number of seconds"));
        const QString file = parser.value(shotOpt);
        QTimer::singleShot(static_cast<int>(delay * 1000), &window, [&window, file, saveScreenshot] {
            saveScreenshot(file);
            window.close();
        });
    }
    const int code = QApplication::exec();
    return code != 0 ? code : exitCode;
}
