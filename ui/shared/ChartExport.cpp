#include "shared/ChartExport.h"

#include <QChart>
#include <QChartView>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QImage>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QSaveFile>
#include <QSpinBox>
#include <QSvgGenerator>

#include <functional>
#include <memory>

namespace studio {
namespace {

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

// Lays the chart out at `size`, lets `paint` draw it, then puts it back: the view on screen keeps
// its own size. A chart outside any scene gets a temporary one.
void renderAtSize(QChart* chart, const QSize& size, const std::function<void(QGraphicsScene&, const QRectF&)>& paint)
{
    std::unique_ptr<QGraphicsScene> ownScene;
    QGraphicsScene* scene = chart->scene();
    if (!scene) {
        ownScene = std::make_unique<QGraphicsScene>();
        ownScene->addItem(chart);
        scene = ownScene.get();
    }
    const QRectF old = chart->geometry();
    const QRectF target(old.topLeft(), QSizeF(size));
    chart->setGeometry(target);
    if (chart->layout())
        chart->layout()->activate();
    paint(*scene, target);
    chart->setGeometry(old);
    if (chart->layout())
        chart->layout()->activate();
    if (ownScene)
        ownScene->removeItem(chart); // the chart belongs to the caller, not to the temporary scene
}

bool validSize(const QSize& size)
{
    return size.width() >= 16 && size.height() >= 16 && size.width() <= 16384 && size.height() <= 16384;
}

} // namespace

bool exportChartPng(QChart* chart, const QString& path, const QSize& size, QString* error)
{
    if (!chart)
        return fail(error, QObject::tr("There is no chart to export."));
    if (!validSize(size))
        return fail(error, QObject::tr("%1 × %2 is not a usable image size (16 to 16384 pixels a side).")
                               .arg(size.width()).arg(size.height()));
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    renderAtSize(chart, size, [&](QGraphicsScene& scene, const QRectF& source) {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::TextAntialiasing);
        scene.render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), source);
    });
    // QSaveFile writes a temporary file next to the target and renames it on commit.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, QObject::tr("Cannot write %1: %2").arg(path, file.errorString()));
    if (!image.save(&file, "PNG")) {
        file.cancelWriting();
        return fail(error, QObject::tr("Cannot write %1: encoding the PNG failed").arg(path));
    }
    if (!file.commit())
        return fail(error, QObject::tr("Cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

bool exportChartSvg(QChart* chart, const QString& path, const QSize& size, QString* error)
{
    if (!chart)
        return fail(error, QObject::tr("There is no chart to export."));
    if (!validSize(size))
        return fail(error, QObject::tr("%1 × %2 is not a usable drawing size (16 to 16384 pixels a side).")
                               .arg(size.width()).arg(size.height()));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, QObject::tr("Cannot write %1: %2").arg(path, file.errorString()));
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(chart->title().isEmpty() ? QObject::tr("MNIST Studio chart") : chart->title());
    svg.setDescription(QObject::tr("Exported by MNIST Studio"));
    bool painted = false;
    renderAtSize(chart, size, [&](QGraphicsScene& scene, const QRectF& source) {
        QPainter painter;
        if (!painter.begin(&svg))
            return;
        painter.fillRect(QRectF(QPointF(0, 0), QSizeF(size)), Qt::white);
        scene.render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), source);
        painted = painter.end();
    });
    if (!painted) {
        file.cancelWriting();
        return fail(error, QObject::tr("Cannot write %1: drawing the SVG failed").arg(path));
    }
    if (!file.commit())
        return fail(error, QObject::tr("Cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

void exportChartInteractively(QChartView* view, const QString& baseName, bool svg, QWidget* parent)
{
    if (!view || !view->chart())
        return;
    QSize size = view->size();
    if (!svg) {
        // Twice the on-screen size by default: sharp enough for a slide or a report.
        QDialog dialog(parent);
        dialog.setWindowTitle(QObject::tr("PNG size"));
        auto* form = new QFormLayout(&dialog);
        auto* width = new QSpinBox(&dialog);
        auto* height = new QSpinBox(&dialog);
        for (QSpinBox* box : {width, height}) {
            box->setRange(16, 16384);
            box->setSuffix(QObject::tr(" px"));
        }
        width->setValue(size.width() * 2);
        height->setValue(size.height() * 2);
        form->addRow(QObject::tr("Width:"), width);
        form->addRow(QObject::tr("Height:"), height);
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
        QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
        QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
        form->addRow(buttons);
        if (dialog.exec() != QDialog::Accepted)
            return;
        size = QSize(width->value(), height->value());
    }
    const QString ext = svg ? QStringLiteral("svg") : QStringLiteral("png");
    const QString path = QFileDialog::getSaveFileName(parent, svg ? QObject::tr("Export chart as SVG") : QObject::tr("Export chart as PNG"),
                                                      baseName + QLatin1Char('.') + ext,
                                                      svg ? QObject::tr("SVG drawing (*.svg)") : QObject::tr("PNG image (*.png)"));
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = svg ? exportChartSvg(view->chart(), path, size, &error) : exportChartPng(view->chart(), path, size, &error);
    if (!ok)
        QMessageBox::warning(parent, QObject::tr("Export failed"), error);
}

void addChartExportMenu(QChartView* view, const QString& baseName)
{
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(view, &QWidget::customContextMenuRequested, view, [view, baseName](const QPoint& at) {
        QMenu menu(view);
        menu.addAction(QObject::tr("Export as &PNG…"), view, [view, baseName] { exportChartInteractively(view, baseName, false, view->window()); });
        menu.addAction(QObject::tr("Export as &SVG…"), view, [view, baseName] { exportChartInteractively(view, baseName, true, view->window()); });
        menu.exec(view->mapToGlobal(at));
    });
}

} // namespace studio
