// Evaluates an ONNX file exported by MNIST Studio on an MNIST-style test set in ONNX Runtime.
// Usage: node evaluate_onnx.cjs ONNXRUNTIME_NODE_DIR MODEL.onnx DATA_DIR [PREDICTIONS_OUT]
// The file takes images in [0, 1] (Normalize is folded in) as "input" [N, 1, 28, 28] and gives
// "logits". Prints the test accuracy; with PREDICTIONS_OUT writes one predicted class per line.
'use strict';
const fs = require('fs');
const path = require('path');

function readIdx(file) {
  const b = fs.readFileSync(file);
  const dims = b[3];
  const shape = [];
  for (let i = 0; i < dims; i++) shape.push(b.readUInt32BE(4 + 4 * i));
  return {shape, data: b.subarray(4 + 4 * dims)};
}

async function main() {
  const [ortDir, model, dataDir, out] = process.argv.slice(2);
  const ort = require(path.resolve(ortDir));
  const images = readIdx(path.join(dataDir, 't10k-images-idx3-ubyte'));
  const labels = readIdx(path.join(dataDir, 't10k-labels-idx1-ubyte'));
  const [n, rows, cols] = images.shape;
  const session = await ort.InferenceSession.create(model, {executionProviders: ['cpu']});
  const predictions = [];
  const batch = 500;
  for (let start = 0; start < n; start += batch) {
    const m = Math.min(batch, n - start);
    const x = new Float32Array(m * rows * cols);
    for (let i = 0; i < x.length; i++) x[i] = images.data[start * rows * cols + i] / 255;
    const result = await session.run({input: new ort.Tensor('float32', x, [m, 1, rows, cols])});
    const logits = result.logits.data;
    const classes = result.logits.dims[1];
    for (let i = 0; i < m; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
      predictions.push(best);
    }
  }
  let correct = 0;
  for (let i = 0; i < n; i++) if (predictions[i] === labels.data[i]) correct++;
  const version = require(path.join(path.resolve(ortDir), 'package.json')).version;
  console.log(`ONNX Runtime ${version}: ${path.basename(model)}: ${correct} / ${n} correct, test accuracy ${(100 * correct / n).toFixed(2)}%`);
  if (out) fs.writeFileSync(out, predictions.map((p) => `${p}\n`).join(''));
}

main().catch((e) => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
