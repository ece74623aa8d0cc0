#!/usr/bin/env bash
# Puts ONNX Runtime (the npm package onnxruntime-node, whose CPU binaries ship in the package) under
# third_party/onnxruntime-node, for the test that runs our ONNX files in it. Does nothing when it is
# there. Without network access it warns and leaves it out: that test then reports itself skipped.
set -uo pipefail
version=1.30.0
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/third_party/onnxruntime-node"
if [[ -f "$dest/node_modules/onnxruntime-node/package.json" ]] &&
   grep -q "\"version\": \"$version\"" "$dest/node_modules/onnxruntime-node/package.json"; then
  echo "fetch-onnxruntime: onnxruntime-node $version present"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "fetch-onnxruntime: npm is missing (run scripts/setup.sh); the ONNX Runtime test will be skipped" >&2; exit 0; }
mkdir -p "$dest"
echo "fetch-onnxruntime: installing onnxruntime-node@$version (npm, --ignore-scripts: its binaries are in the package)"
if ! (cd "$dest" && npm install --silent --ignore-scripts --no-audit --no-fund --no-save "onnxruntime-node@$version" >/dev/null); then
  echo "fetch-onnxruntime: npm install failed; the ONNX Runtime test will be skipped" >&2
fi
exit 0
