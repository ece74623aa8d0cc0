#!/usr/bin/env bash
# Builds the core, the CLI and the bench against the CUDA LibTorch of the machine's Python PyTorch
# (no Qt, no tests) and prints the GPU figures: the bench table on cuda, then the notebook's timed
# reference (LeNet 10 epochs: 56 s on a Colab GPU) and one run of --recipe best. Meant to finish in
# a few minutes on one GPU with 16 cores. Needs build-gpu-deps/ from bench/gpu-prepare.sh where
# the machine lacks nlohmann-json, CLI11, zlib's headers or the data.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
t0=$(date +%s)
elapsed() { echo "[gpu.sh +$(( $(date +%s) - t0 )) s] $*"; }
prefix=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
python3 -c 'import torch;print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "NO GPU")'
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
echo "$(c++ --version | head -1); $(cmake --version | head -1); $(nproc) cores"

if [[ ! -f data/mnist/train-images-idx3-ubyte && ! -f data/mnist/train-images-idx3-ubyte.gz ]]; then
  [[ -d build-gpu-deps/data/mnist ]] || { echo "gpu.sh: no MNIST (run bench/gpu-prepare.sh and carry build-gpu-deps)" >&2; exit 1; }
  mkdir -p data && ln -sfn ../build-gpu-deps/data/mnist data/mnist
fi
zlib=()
if [[ ! -f /usr/include/zlib.h && -f build-gpu-deps/include/zlib.h ]]; then
  # Reads all of ldconfig's output (an awk that exits early could end it with SIGPIPE under pipefail).
  libz=$( { /sbin/ldconfig -p || ldconfig -p; } 2>/dev/null | awk '/libz\.so\.1 .*x86-64/ && !f {print $NF; f = 1}' || true)
  [[ -n $libz ]] || { echo "gpu.sh: no libz.so.1 found for zlib's headers in build-gpu-deps" >&2; exit 1; }
  zlib=(-DZLIB_INCLUDE_DIR="$root/build-gpu-deps/include" -DZLIB_LIBRARY="$libz")
fi

mkdir -p build-gpu
if ! cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DMNIST_STUDIO_BUILD_UI=OFF -DBUILD_TESTING=OFF \
     -DCMAKE_PREFIX_PATH="$prefix" -DMNIST_STUDIO_DEPS_DIR="$root/build-gpu-deps/include" "${zlib[@]}" > build-gpu/build.log 2>&1; then
  tail -40 build-gpu/build.log; exit 1
fi
grep -E "needs C\+\+|ONNX export" build-gpu/build.log || true
if ! cmake --build build-gpu -j "$(nproc)" --target mnist-bench mnist-train >> build-gpu/build.log 2>&1; then
  grep -E -B2 -A6 "error|Error" build-gpu/build.log | head -80; exit 1
fi
elapsed "built"

build-gpu/bench/mnist-bench cuda
elapsed "bench done"

echo "== notebook reference: LeNet, 10 epochs, batch 100, Adam lr 1e-2 (Colab GPU: 56 s)"
time build-gpu/app/mnist-train --device cuda --arch LeNet --epochs 10 --batch-size 100 --lr 1e-2 --no-save
# The precision goals (issue 39): LeNet at batch 512 in each precision, and --recipe fast to 99%
# with precision auto (the bench table above has the per-network precision rows too).
for p in fp32 bf16 fp16; do
  echo "== LeNet, batch 512, 2 epochs, --precision $p"
  build-gpu/app/mnist-train --device cuda --arch LeNet --epochs 2 --batch-size 512 --precision "$p" --no-save
done
echo "== --recipe fast --precision auto"
time build-gpu/app/mnist-train --device cuda --recipe fast --precision auto --no-save
echo "== --recipe best (SimpleNet, light augmentation, label smoothing, one-cycle, 15 epochs)"
time build-gpu/app/mnist-train --device cuda --recipe best --no-save
elapsed "done"
