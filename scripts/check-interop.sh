#!/usr/bin/env bash
# The same trained network in three runtimes: evaluates a run folder on the MNIST test set with
# MNIST Studio (mnist-train --evaluate), with its model.py in plain PyTorch (Debian's python3-torch),
# and with its ONNX export in ONNX Runtime (onnxruntime-node from scripts/fetch-onnxruntime.sh).
# Fails unless all three count the same correct images and PyTorch and ONNX Runtime predict the
# same class for every image. See docs/networks.md.
# Usage: scripts/check-interop.sh RUN_DIR [BUILD_DIR [DATA_DIR]]
#   MNIST_TRAIN=path/to/mnist-train overrides BUILD_DIR/app/mnist-train.
set -euo pipefail
run=${1:?usage: scripts/check-interop.sh RUN_DIR [BUILD_DIR [DATA_DIR]]}
build=${2:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
data=${3:-$root/data/mnist}
train=${MNIST_TRAIN:-$build/app/mnist-train}
ort="$root/third_party/onnxruntime-node/node_modules/onnxruntime-node"
weights="$run/model.safetensors"
[[ -f "$weights" ]] || weights="$run/best.safetensors"
for f in "$run/arch.json" "$run/model.py" "$run/config.json" "$weights"; do
  [[ -f "$f" ]] || { echo "check-interop: $f is missing: is $run a finished run folder?" >&2; exit 2; }
done
[[ -x "$train" ]] || { echo "check-interop: $train is not built" >&2; exit 2; }
[[ -d "$ort" ]] || { echo "check-interop: ONNX Runtime is not installed (run scripts/fetch-onnxruntime.sh)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python=/usr/bin/python3; [[ -x $python ]] || python=python3
# The run's Normalize, which --evaluate applies and the ONNX file folds in.
normalize=$("$python" "$root/scripts/interop/run_normalize.py" "$run/config.json")
# shellcheck disable=SC2086 # $normalize is empty or two words
"$train" --evaluate "$weights" --arch-file "$run/arch.json" $normalize --dataset idx --data-dir "$data" \
  --export-onnx "$tmp/model.onnx" --json > "$tmp/studio.json"
ours=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["correct"])' "$tmp/studio.json")
total=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$tmp/studio.json")
echo "MNIST Studio: $(basename "$weights"): $ours / $total correct"
"$python" "$root/scripts/interop/evaluate_model_py.py" "$run" "$data" "$tmp/pytorch.txt" | tee "$tmp/pytorch.log"
node "$root/scripts/interop/evaluate_onnx.cjs" "$ort" "$tmp/model.onnx" "$data" "$tmp/onnx.txt" | tee "$tmp/onnx.log"
theirs() { sed -n 's/.*: \([0-9]*\) \/ [0-9]* correct.*/\1/p' "$1"; }
torch_correct=$(theirs "$tmp/pytorch.log")
ort_correct=$(theirs "$tmp/onnx.log")
differ=$(paste -d' ' "$tmp/pytorch.txt" "$tmp/onnx.txt" | awk '$1 != $2' | wc -l)
echo "PyTorch and ONNX Runtime predictions differ on $differ of $(wc -l < "$tmp/pytorch.txt") test images"
if [[ $differ -ne 0 || $ours != "$torch_correct" || $ours != "$ort_correct" ]]; then
  echo "check-interop: the runtimes disagree (correct: MNIST Studio $ours, PyTorch $torch_correct, ONNX Runtime $ort_correct)" >&2
  exit 1
fi
echo "check-interop: all three runtimes agree"
