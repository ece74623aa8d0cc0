#!/usr/bin/env bash
# Builds the core, the CLI and the bench against the CUDA LibTorch of the machine's Python PyTorch
# (no Qt, no tests) and prints the GPU figures: the bench table on cuda, then the notebook's two
# timed references (LeNet 10 epochs: 56 s on Colab; the best recipe). Meant to finish in under
# 8 minutes on one GPU with 16 cores. Needs build-gpu-deps/ from bench/gpu-prepare.sh where the
# machine lacks nlohmann-json, CLI11 or the data.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
prefix=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
python3 -c 'import torch;print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "NO GPU")'
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true

if [[ ! -f data/mnist/train-images-idx3-ubyte && ! -f data/mnist/train-images-idx3-ubyte.gz ]]; then
  [[ -d build-gpu-deps/data/mnist ]] || { echo "gpu.sh: no MNIST (run bench/gpu-prepare.sh and carry build-gpu-deps)" >&2; exit 1; }
  mkdir -p data && ln -sfn ../build-gpu-deps/data/mnist data/mnist
fi

start=$(date +%s)
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DMNIST_STUDIO_BUILD_UI=OFF -DBUILD_TESTING=OFF \
  -DCMAKE_PREFIX_PATH="$prefix" -DMNIST_STUDIO_DEPS_DIR="$root/build-gpu-deps/include" >/dev/null
cmake --build build-gpu -j "$(nproc)" --target mnist-bench mnist-train
echo "gpu.sh: built in $(( $(date +%s) - start )) s"

build-gpu/bench/mnist-bench cuda

echo "== notebook reference: LeNet, 10 epochs, batch 100, Adam lr 1e-2 (Colab GPU: 56 s)"
time build-gpu/app/mnist-train --device cuda --arch LeNet --epochs 10 --batch-size 100 --lr 1e-2 --no-save
echo "== best recipe (SimpleNet, notebook augmentation, 30 epochs; notebook: 100 epochs in 1,396 s)"
time build-gpu/app/mnist-train --device cuda --recipe best --no-save
