#!/usr/bin/env bash
# The same sweep run two ways on this machine, one after the other: N trials at a time
# (one thread each, the sweep runner's default) and one at a time on every core, as a user
# would run the 12 runs by hand. Prints each arm's wall time and the summary of each.
#   bench/sweep-wall.sh [SPEC] [OUT]   (defaults: bench/sweeps/balanced-12.json, /tmp/sweep-wall)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
spec="${1:-$here/bench/sweeps/balanced-12.json}"
out="${2:-/tmp/sweep-wall}"
train="${MNIST_TRAIN:-$here/build/app/mnist-train}"
cores="$(nproc)"
rm -rf "$out"; mkdir -p "$out"
echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $cores cores; $(date -u +%F)"
arm() {  # name jobs threads
    local t0 t1
    t0=$(date +%s.%N)
    "$train" --sweep "$spec" --out "$out/$1" --jobs "$2" --threads "$3" --data-dir "${MNIST_DATA:-$here/data/mnist}" \
        > "$out/$1.log" 2>&1
    t1=$(date +%s.%N)
    printf '%s: --jobs %s --threads %s: %.0f s wall\n' "$1" "$2" "$3" "$(echo "$t1 - $t0" | bc)"
}
arm parallel "$cores" 1
arm serial 1 "$cores"
for a in parallel serial; do
    echo "== $a"; "$train" --sweep-summary "$out/$a"
done
