#!/usr/bin/env bash
# MNIST Studio against its peer, the notebook's own PyTorch pipeline (bench/peer/notebook_pipeline.py
# in Debian's python3-torch + python3-torchvision), measured here, now, alternated pair by pair:
#   - whole processes of one epoch with its valid and test passes (start-up and data loading in),
#     `mnist-train --epochs 1` against the notebook's loop, per network and batch size;
#   - the notebook's augmentation alone at batch 100, images/s (our batched transforms against
#     torchvision's per-image transforms through a DataLoader).
# Prints a Markdown table with the medians and ratios, and the CPU model.
#   bench/peer-compare.sh [BUILD_DIR]    env: PAIRS (3), THREADS (2), CASES ("LeNet:100 LeNetDeep:100 SimpleNet:250")
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
pairs="${PAIRS:-3}"
threads="${THREADS:-2}"
cases="${CASES:-LeNet:100 LeNetDeep:100 SimpleNet:250}"
data="${MNIST_DATA:-$here/data/mnist}"
py=/usr/bin/python3
[[ -x "$py" ]] || py=python3
if ! "$py" -c 'import torch, torchvision' 2>/dev/null; then
  echo "peer-compare: the peer needs Debian's python3-torch and python3-torchvision (bash scripts/setup.sh installs them); skipped"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cores; $threads threads each; $(date -u +%F);" \
     "torch $("$py" -c 'import torch; print(torch.__version__)') / torchvision $("$py" -c 'import torchvision; print(torchvision.__version__)')"
echo
echo "| case (1 epoch + valid + test, whole process) | MNIST Studio s | peer s | peer / ours |"
echo "|---|---|---|---|"
for c in $cases; do
  arch="${c%%:*}" batch="${c##*:}"
  "$build/bench/mnist-bench" --model-py "$arch" "$tmp/$arch.py"
  : > "$tmp/ours" ; : > "$tmp/peer"
  for ((i = 0; i < pairs; i++)); do
    t0=$(now)
    "$build/app/mnist-train" --arch "$arch" --epochs 1 --batch-size "$batch" --lr 1e-3 --threads "$threads" --device cpu \
      --data-dir "$data" --no-save > "$tmp/ours.log" 2>&1 || { cat "$tmp/ours.log"; exit 1; }
    echo "$(now) - $t0" | bc >> "$tmp/ours"
    t0=$(now)
    "$py" "$here/bench/peer/notebook_pipeline.py" train --model-py "$tmp/$arch.py" --data "$data" --batch "$batch" \
      --threads "$threads" > "$tmp/peer.log" 2>&1 || { cat "$tmp/peer.log"; exit 1; }
    echo "$(now) - $t0" | bc >> "$tmp/peer"
  done
  o=$(median < "$tmp/ours") p=$(median < "$tmp/peer")
  printf '| %s, batch %s | %.1f | %.1f | %.2fx |\n' "$arch" "$batch" "$o" "$p" "$(echo "$p / $o" | bc -l)"
done
: > "$tmp/ours" ; : > "$tmp/ops" ; : > "$tmp/peer"
for ((i = 0; i < pairs; i++)); do
  "$build/bench/mnist-bench" --augment-only 20000 >> "$tmp/ours"
  "$build/bench/mnist-bench" --augment-only 20000 tensor-ops >> "$tmp/ops"
  "$py" "$here/bench/peer/notebook_pipeline.py" augment --data "$data" --images 20000 --threads "$threads" \
    | sed -n 's/^augment_images_per_s //p' >> "$tmp/peer"
done
o=$(median < "$tmp/ours") t=$(median < "$tmp/ops") p=$(median < "$tmp/peer")
echo
echo "| augmentation only, notebook transforms, batch 100 | MNIST Studio images/s | its tensor ops (the GPU path) | peer images/s | ours / peer |"
echo "|---|---|---|---|---|"
printf '| RandomResizedCrop(28, 0.8-1.2) + RandomRotation(30) | %.0f | %.0f | %.0f | %.1fx |\n' "$o" "$t" "$p" "$(echo "$o / $p" | bc -l)"
