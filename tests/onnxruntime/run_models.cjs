// Runs every model.onnx under a folder in ONNX Runtime (onnxruntime-node), the runtime users deploy
// with, independent of our exporter and of OpenCV. Each sub-folder holds model.onnx, input.bin
// (float32, little-endian) and input.json ({"shape": [N, C, H, W]}); this writes output.bin (the
// "logits" output, float32) and output.json ({"shape": [...]}) beside them.
// Usage: node run_models.cjs ONNXRUNTIME_NODE_DIR FOLDER
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const [ortDir, folder] = process.argv.slice(2);
  const ort = require(path.resolve(ortDir));
  let ran = 0;
  for (const name of fs.readdirSync(folder).sort()) {
    const dir = path.join(folder, name);
    if (!fs.existsSync(path.join(dir, 'model.onnx')))
      continue;
    const shape = JSON.parse(fs.readFileSync(path.join(dir, 'input.json'), 'utf8')).shape;
    const bytes = fs.readFileSync(path.join(dir, 'input.bin'));
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), {executionProviders: ['cpu']});
    if (session.inputNames[0] !== 'input' || session.outputNames[0] !== 'logits')
      throw new Error(`${name}: expected input "input" and output "logits", got ${session.inputNames} -> ${session.outputNames}`);
    const out = await session.run({input: new ort.Tensor('float32', data, shape)});
    const logits = out.logits;
    fs.writeFileSync(path.join(dir, 'output.bin'), Buffer.from(logits.data.buffer, logits.data.byteOffset, logits.data.byteLength));
    fs.writeFileSync(path.join(dir, 'output.json'), JSON.stringify({shape: logits.dims}));
    console.log(`${name}: ran ${shape.join('x')} -> ${logits.dims.join('x')}`);
    ran++;
  }
  console.log(`onnxruntime-node ${require(path.join(path.resolve(ortDir), 'package.json')).version}: ${ran} models ran`);
}

main().catch((e) => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
