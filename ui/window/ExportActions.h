#pragma once
// The model export choices, shared by the File menu and the Runs tab: one list of formats, their
// menu texts, file suffixes and the save dialog that asks where; and where a report goes.
#include "shared/CoreBridge.h"

#include <QString>
#include <QStringList>

#include <functional>

class QMenu;
class QWidget;

namespace studio {

// ".safetensors", ".pt", ".onnx".
QString modelSuffix(ModelFormat format);

// Adds one action per format to `menu` (ONNX disabled where this build cannot write it); `chosen`
// runs with the format picked.
void addModelExportActions(QMenu* menu, const std::function<void(ModelFormat)>& chosen);

// Asks where to write the model of the run in `runDir` as `format`; empty when cancelled.
QString askModelExportPath(QWidget* parent, const QString& runDir, ModelFormat format);

// Asks where to write the HTML report of `runDirs` (File ▸ Export report…); empty when cancelled.
QString askReportPath(QWidget* parent, const QStringList& runDirs);

} // namespace studio
