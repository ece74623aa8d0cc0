#!/usr/bin/env bash
# MNIST Studio against its peer, the notebook's own PyTorch pipeline (bench/peer/notebook_pipeline.py
# in Debian's python3-torch + python3-torchvision), measured here, now, alternated pair by pair:
#   - whole processes of one epoch with its valid and test passes (start-up and data loading in),
#     `mnist-train --epochs 1` against the notebook's loop, per network and batch size;
#   - the notebook's augmentation alone at batch 100, images/s (our batched transforms against
#     torchvision's per-image transforms through a DataLoader).
#   - where the CPU has bf16 instructions (avx512_bf16 or amx_bf16), the same epoch with
#     `--precision auto` against the peer in fp32 and in bf16 autocast (PyTorch's own recipe);
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
bf16=0
grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo && bf16=1
if ((bf16)); then
  echo "| case (1 epoch + valid + test, whole process) | MNIST Studio s | peer s | peer / ours | MNIST Studio, precision auto s | peer / ours auto | peer bf16 s | peer bf16 / ours auto |"
  echo "|---|---|---|---|---|---|---|---|"
else
  echo "| case (1 epoch + valid + test, whole process) | MNIST Studio s | peer s | peer / ours |"
  echo "|---|---|---|---|"
fi
ours() { # PRECISION: one timed mnist-train process
  local t0; t0=$(now)
  "$build/app/mnist-train" --arch "$arch" --epochs 1 --batch-size "$batch" --lr 1e-3 --threads "$threads" --device cpu \
    --precision "$1" --data-dir "$data" --no-save > "$tmp/ours.log" 2>&1 || { cat "$tmp/ours.log"; exit 1; }
  echo "$(now) - $t0" | bc
}
peer() { # PRECISION: one timed peer process
  local t0; t0=$(now)
  "$py" "$here/bench/peer/notebook_pipeline.py" train --model-py "$tmp/$arch.py" --data "$data" --batch "$batch" \
    --threads "$threads" --precision "$1" > "$tmp/peer.log" 2>&1 || { cat "$tmp/peer.log"; exit 1; }
  echo "$(now) - $t0" | bc
}
for c in $cases; do
  arch="${c%%:*}" batch="${c##*:}"
  "$build/bench/mnist-bench" --model-py "$arch" "$tmp/$arch.py"
  : > "$tmp/ours" ; : > "$tmp/peer" ; : > "$tmp/ours-auto" ; : > "$tmp/peer-bf16"
  # auto measures its precision once per machine, network and batch (calibration.json): once here, untimed.
  ((bf16)) && ours auto > /dev/null
  for ((i = 0; i < pairs; i++)); do
    ours fp32 >> "$tmp/ours"
    peer fp32 >> "$tmp/peer"
    if ((bf16)); then
      ours auto >> "$tmp/ours-auto"
      peer bf16 >> "$tmp/peer-bf16"
    fi
  done
  o=$(median < "$tmp/ours") p=$(median < "$tmp/peer")
  if ((bf16)); then
    a=$(median < "$tmp/ours-auto") b=$(median < "$tmp/peer-bf16")
    printf '| %s, batch %s | %.1f | %.1f | %.2fx | %.1f | %.2fx | %.1f | %.2fx |\n' "$arch" "$batch" "$o" "$p" \
      "$(echo "$p / $o" | bc -l)" "$a" "$(echo "$p / $a" | bc -l)" "$b" "$(echo "$b / $a" | bc -l)"
  else
    printf '| %s, batch %s | %.1f | %.1f | %.2fx |\n' "$arch" "$batch" "$o" "$p" "$(echo "$p / $o" | bc -l)"
  fi
done
((bf16)) && grep -h '^precision:' "$tmp/ours.log" | sed 's/^/last auto run: /'
((bf16)) || echo "(this CPU has no bf16 instructions: precision auto is fp32 here, so no bf16 columns)"
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
