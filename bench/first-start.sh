#!/usr/bin/env bash
# The time from `git clone` to the open window on this machine, step by step: the clone, `make
# run`'s set-up of the application's packages and MNIST (`make data-app`), the configure and build
# of mnist-studio and mnist-train (`make build-app`), and the window's first frame
# (mnist-studio --screenshot with no delay, under xvfb-run). ccache is off (CCACHE_DISABLE=1), so
# nothing compiled before helps; packages already installed are not installed again, so on a
# machine without them apt's download and install time comes on top (the set-up line says which).
#   bench/first-start.sh [REPOSITORY]    (default: this checkout, cloned locally)
set -euo pipefail
repo="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
since() { printf '%.1f' "$(echo "$(now) - $1" | bc)"; }
echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cores; $(date -u '+%F %H:%M') UTC"
start=$(now)
t=$(now); git clone -q "$repo" "$tmp/mnist-studio"; echo "clone: $(since "$t") s"
cd "$tmp/mnist-studio"
export CCACHE_DISABLE=1 HOME="$tmp/home"
mkdir -p "$HOME"
t=$(now); make data-app > "$tmp/data.log" 2>&1 || { tail -20 "$tmp/data.log"; exit 1; }
echo "set-up and data (make data-app): $(since "$t") s; $(grep -h '^setup:' "$tmp/data.log" | head -1)"
t=$(now); make build-app > "$tmp/build.log" 2>&1 || { tail -40 "$tmp/build.log"; exit 1; }
echo "configure and build (make build-app): $(since "$t") s"
t=$(now)
xvfb-run -a build/app/mnist-studio --no-restore --no-record --screenshot "$tmp/first.png" --screenshot-delay 0 \
  > "$tmp/window.log" 2>&1 || { cat "$tmp/window.log"; exit 1; }
[[ -s "$tmp/first.png" ]] || { echo "first-start: no screenshot"; exit 1; }
echo "window's first frame (xvfb-run included): $(since "$t") s"
echo "git clone to the open window: $(since "$start") s"
