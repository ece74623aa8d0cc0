#pragma once
// ONNX export of any spec-built network (opset 13): input "input" float[N,C,H,W] (the spec's
// input) with a dynamic batch dimension, output "logits" float[N,classes], eval-mode graph
// (Dropout removed, BatchNorm with its running statistics, Residual as Add, GELU as its erf
// form), Normalize folded in front when the run used it.
#include "spec/AugmentConfig.h"
#include "models/Network.h"

#include <string>

namespace mnist {

// True when this build can write ONNX (it needs Debian's libonnx-dev at build time).
bool onnxExportAvailable();

// Writes the model atomically. Throws IoError for an unwritable path or a layer ONNX export does
// not know, and when the build has no ONNX support.
void exportOnnx(const Network& model, const std::string& path, const AugmentConfig& preprocessing = {});

} // namespace mnist
