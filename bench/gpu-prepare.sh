#!/usr/bin/env bash
# Run here (with the Debian packages and the data) before bench/gpu.sh on a GPU machine that has
# pip's CUDA LibTorch but no network and no Debian -dev packages: copies the header-only libraries,
# zlib's two headers and gzipped MNIST (11 MB) into build-gpu-deps/, which the device tool carries
# over (`carry: ["build-gpu-deps"]`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deps="$root/build-gpu-deps"
rm -rf "$deps"
mkdir -p "$deps/include" "$deps/data/mnist"
cp -r /usr/include/nlohmann "$deps/include/"
cp -r /usr/include/CLI "$deps/include/"
# The machine has zlib's shared library (Python needs it) but maybe not its headers.
cp /usr/include/zlib.h /usr/include/zconf.h "$deps/include/"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  gzip -9 -c "$root/data/mnist/$f" > "$deps/data/mnist/$f.gz"
done
du -sh "$deps"
