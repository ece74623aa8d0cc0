#!/usr/bin/env bash
# The same trained network in three runtimes: evaluates a run folder on the MNIST test set with
# MNIST Studio (mnist-train --evaluate), with its model.py in plain PyTorch (Debian's python3-torch),
# and with its ONNX export in ONNX Runtime (onnxruntime-node from scripts/fetch-onnxruntime.sh),
# then counts the test images on which the predictions differ. See docs/networks.md.
# Usage: scripts/check-interop.sh RUN_DIR [BUILD_DIR]
set -euo pipefail
run=${1:?usage: scripts/check-interop.sh RUN_DIR [BUILD_DIR]}
build=${2:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/data/mnist"
ort="$root/third_party/onnxruntime-node/node_modules/onnxruntime-node"
weights="$run/model.safetensors"
[[ -f "$weights" ]] || weights="$run/best.safetensors"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python=/usr/bin/python3; [[ -x $python ]] || python=python3
# The run's Normalize, which --evaluate applies and the ONNX file folds in.
normalize=$("$python" "$root/scripts/interop/run_normalize.py" "$run/config.json")
echo "MNIST Studio: $("$build/app/mnist-train" --evaluate "$weights" --arch-file "$run/arch.json" $normalize \
  --data-dir "$data" --export-onnx "$tmp/model.onnx" | grep -i 'accuracy' | head -n 1)"
"$python" "$root/scripts/interop/evaluate_model_py.py" "$run" "$data" "$tmp/pytorch.txt"
node "$root/scripts/interop/evaluate_onnx.cjs" "$ort" "$tmp/model.onnx" "$data" "$tmp/onnx.txt"
differ=$(paste -d' ' "$tmp/pytorch.txt" "$tmp/onnx.txt" | awk '$1 != $2' | wc -l)
echo "PyTorch and ONNX Runtime predictions differ on $differ of $(wc -l < "$tmp/pytorch.txt") test images"
[[ $differ -eq 0 ]]
