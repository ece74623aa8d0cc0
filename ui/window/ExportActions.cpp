#include "window/ExportActions.h"

#include <QAction>
#include <QCoreApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>

namespace studio {
namespace {

struct FormatInfo {
    ModelFormat format;
    const char* menuText;
    const char* filter;
    const char* suffix;
};

const FormatInfo kFormats[] = {
    {ModelFormat::SafeTensors, QT_TRANSLATE_NOOP("studio::ExportActions", "Safetensors (PyTorch state_dict)…"),
     QT_TRANSLATE_NOOP("studio::ExportActions", "Safetensors (*.safetensors)"), ".safetensors"},
    {ModelFormat::LibTorchArchive, QT_TRANSLATE_NOOP("studio::ExportActions", "LibTorch archive (.pt)…"),
     QT_TRANSLATE_NOOP("studio::ExportActions", "LibTorch archive (*.pt)"), ".pt"},
    {ModelFormat::Onnx, QT_TRANSLATE_NOOP("studio::ExportActions", "ONNX…"), QT_TRANSLATE_NOOP("studio::ExportActions", "ONNX (*.onnx)"),
     ".onnx"},
};

const FormatInfo& info(ModelFormat format)
{
    for (const auto& f : kFormats)
        if (f.format == format)
            return f;
    return kFormats[0];
}

QString tr(const char* text)
{
    return QCoreApplication::translate("studio::ExportActions", text);
}

} // namespace

QString modelSuffix(ModelFormat format)
{
    return QLatin1String(info(format).suffix);
}

void addModelExportActions(QMenu* menu, const std::function<void(ModelFormat)>& chosen)
{
    for (const auto& f : kFormats) {
        QAction* a = menu->addAction(tr(f.menuText));
        const ModelFormat format = f.format;
        QObject::connect(a, &QAction::triggered, menu, [chosen, format] { chosen(format); });
        if (format == ModelFormat::Onnx)
            a->setEnabled(onnxExportAvailable());
    }
}

QString askModelExportPath(QWidget* parent, const QString& runDir, ModelFormat format)
{
    const QString name = QFileInfo(runDir).fileName();
    return QFileDialog::getSaveFileName(parent, tr("Export the model of %1").arg(name), name + modelSuffix(format),
                                        tr(info(format).filter));
}

QString askReportPath(QWidget* parent, const QStringList& runDirs)
{
    const QString name = runDirs.size() == 1 ? QFileInfo(runDirs.front()).fileName() : QStringLiteral("runs");
    return QFileDialog::getSaveFileName(parent, QCoreApplication::translate("studio::ExportActions", "Export a report of %n run(s)", nullptr,
                                                                                static_cast<int>(runDirs.size())),
                                        name + QStringLiteral("-report.html"), tr("HTML page (*.html)"));
}

} // namespace studio
