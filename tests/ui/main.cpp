// The GUI tests' main: one QApplication for every test, offscreen unless told otherwise, and
// QSettings redirected to a temporary folder so that no test reads or writes a user's settings.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "shared/StatusStyle.h"
#include "shared/Theme.h"
#include "data/SkipTestMain.h"

#include <QApplication>
#include <QSettings>
#include <QTemporaryDir>

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("MnistStudioTests"));
    QCoreApplication::setApplicationName(QStringLiteral("mnist_ui_tests"));
    if (!studio::loadStudioStyle()) // the application's stylesheet, as mnist-studio loads it
        return 1;
    studio::installThemeWatcher(); // charts coloured from the palette, as in mnist-studio
    QTemporaryDir settingsDir;
    if (!settingsDir.isValid())
        return 1;
    for (const auto format : {QSettings::NativeFormat, QSettings::IniFormat}) {
        QSettings::setPath(format, QSettings::UserScope, settingsDir.path());
        QSettings::setPath(format, QSettings::SystemScope, settingsDir.path());
    }
    // No test sees the model shipped in resources/models unless it installs one (PretrainedFixture):
    // the first visit of Draw a digit and Evaluation would otherwise evaluate it.
    QTemporaryDir noModels;
    if (!noModels.isValid())
        return 1;
    qputenv("MNIST_STUDIO_MODELS_DIR", noModels.path().toLocal8Bit());
    // The run index's caches of the tests' runs folders go here, not to the user's cache folder.
    QTemporaryDir indexCache;
    if (!indexCache.isValid())
        return 1;
    if (qEnvironmentVariableIsEmpty("MNIST_STUDIO_RUN_INDEX_CACHE"))
        qputenv("MNIST_STUDIO_RUN_INDEX_CACHE", indexCache.path().toLocal8Bit());
    // Trainings use auto's unmeasured layout: no result depends on a timing, nothing is written to
    // the user's calibration.json.
    if (qEnvironmentVariableIsEmpty("MNIST_STUDIO_NO_CALIBRATION"))
        qputenv("MNIST_STUDIO_NO_CALIBRATION", "1");
    return fixtures::exitCodeWithSkips(Catch::Session().run(argc, argv));
}
