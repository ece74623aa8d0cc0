#include "UiTestSupport.h"

#include "augmentation/AugmentationPreview.h"
#include "setup/ConfigPanel.h"

#include <catch2/catch.hpp>

#include <QGroupBox>
#include <QPushButton>
#include <QSignalSpy>

using studio::AugmentationPreview;
using View = AugmentationPreview::View;

namespace {

QVector<QImage> imagesOf(const AugmentationPreview& p, View view)
{
    QVector<QImage> out;
    for (int i = 0; i < p.shownSamples(); ++i)
        out.append(p.image(i, view));
    return out;
}

} // namespace

TEST_CASE("The preview panel shows the requested training images and follows the augmentation", "[ui][preview]")
{
    uitest::TinyDataset data(60, 10);
    auto w = uitest::makeWindow();
    w->configPanel()->setConfig(data.config());
    AugmentationPreview* preview = w->augmentationPreview();
    preview->setSampleCount(6);
    QSignalSpy updated(preview, &AugmentationPreview::previewUpdated);
    // The training file is read when the panel is first shown, off the GUI thread.
    w->showTab(studio::MainWindow::Tab::AugmentationPreview);
    REQUIRE(updated.wait(30'000));
    INFO(preview->message().toStdString());
    REQUIRE(preview->message().isEmpty());
    REQUIRE(preview->shownSamples() == 6);
    for (int i = 0; i < 6; ++i) {
        CHECK(preview->samples()[static_cast<size_t>(i)].index == i);
        CHECK(preview->image(i, View::Original).size() == QSize(28, 28));
    }
    // Nothing on: the transformed image is the original.
    const QVector<QImage> originals = imagesOf(*preview, View::Original);
    CHECK(imagesOf(*preview, View::AugmentedUnit) == originals);

    // Turning a transform on in the set-up panel redraws the same images transformed.
    updated.clear();
    w->configPanel()->findChild<QGroupBox*>(QStringLiteral("augment.random_rotation"))->setChecked(true);
    REQUIRE(updated.count() >= 1);
    CHECK(imagesOf(*preview, View::Original) == originals);
    const QVector<QImage> rotated = imagesOf(*preview, View::AugmentedUnit);
    CHECK(rotated != originals);

    // Resample draws new angles for the same images.
    const uint64_t seed = preview->seed();
    QTest::mouseClick(preview->findChild<QPushButton*>(QStringLiteral("previewResample")), Qt::LeftButton);
    CHECK(preview->seed() != seed);
    CHECK(imagesOf(*preview, View::Original) == originals);
    CHECK(imagesOf(*preview, View::AugmentedUnit) != rotated);

    // Normalize(0.5, 0.5) maps [0, 1] to [-1, 1]: the [-1, 1] view shows the digit as before, the
    // [0, 1] view clips the negative half.
    w->configPanel()->findChild<QGroupBox*>(QStringLiteral("augment.random_rotation"))->setChecked(false);
    w->configPanel()->findChild<QGroupBox*>(QStringLiteral("augment.normalize"))->setChecked(true);
    for (const auto& s : preview->samples()) {
        CHECK(s.augmentedMin == Approx(2 * s.originalMin - 1).margin(1e-5));
        CHECK(s.augmentedMax == Approx(2 * s.originalMax - 1).margin(1e-5));
    }
    CHECK(imagesOf(*preview, View::AugmentedSigned) == originals);

    // Next and Previous move through the training file.
    QTest::mouseClick(preview->findChild<QPushButton*>(QStringLiteral("previewNext")), Qt::LeftButton);
    CHECK(preview->firstIndex() == 6);
    CHECK(preview->samples().front().index == 6);
    CHECK(imagesOf(*preview, View::Original) != originals);
    QTest::mouseClick(preview->findChild<QPushButton*>(QStringLiteral("previewPrevious")), Qt::LeftButton);
    CHECK(preview->samples().front().index == 0);
    preview->setSampleCount(3);
    CHECK(preview->shownSamples() == 3);
}

TEST_CASE("The preview panel explains a missing dataset instead of showing images", "[ui][preview]")
{
    TempDir empty;
    AugmentationPreview preview;
    mnist::TrainConfig c;
    c.dataset = "idx";
    c.dataDir = (empty.path() / "nowhere").string();
    preview.setConfig(c);
    QSignalSpy updated(&preview, &AugmentationPreview::previewUpdated);
    preview.load();
    REQUIRE(updated.wait(30'000));
    CHECK(preview.shownSamples() == 0);
    CHECK(preview.message().contains(QString::fromStdString(c.dataDir)));
}
