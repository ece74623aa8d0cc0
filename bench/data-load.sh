#!/usr/bin/env bash
# Loading your own data (issue 37's goals): MNIST's 70,000 images written as PNG files
# (ROOT/{train,test}/<label>/<i>.png), then `mnist-train --describe-data` on them with an empty
# decoded cache (the first load) and with the cache (every later one), alternated with the same
# command on the IDX files and with the program's start-up alone (--help), so each figure is
# read beside its baseline. Wall seconds and peak memory (max RSS) per command, medians of ROUNDS.
# Usage: bench/data-load.sh [BUILD_DIR [ROUNDS]]   (make bench runs it)
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
train="$build/app/mnist-train"
gen="$build/tests/mnist-make-dataset"
[[ -x $train && -x $gen ]] || { echo "data-load: build $train and $gen first" >&2; exit 2; }
[[ -f $root/data/mnist/t10k-images-idx3-ubyte ]] || { echo "data-load: no MNIST under data/mnist (make data)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "data-load: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" --png-from "$root/data/mnist" "$tmp/png"
echo "wrote $(find "$tmp/png" -name '*.png' | wc -l) PNG files ($(du -sh "$tmp/png" | cut -f1))"
export MNIST_STUDIO_CACHE_DIR="$tmp/cache"

# "seconds max_rss_kB" of one command.
measure() { /usr/bin/time -f "%e %M" -o "$tmp/t" "$@" > /dev/null 2>&1 || true; cat "$tmp/t"; }
declare -A wall rss
for ((i = 1; i <= rounds; i++)); do
  sync
  rm -rf "$tmp/cache"
  read -r w m < <(measure "$train" --describe-data "$tmp/png" --json); wall[cold]+="$w "; rss[cold]+="$m "
  read -r w m < <(measure "$train" --describe-data "$tmp/png" --json); wall[cached]+="$w "; rss[cached]+="$m "
  read -r w m < <(measure "$train" --describe-data "$root/data/mnist" --json); wall[idx]+="$w "; rss[idx]+="$m "
  read -r w m < <(measure "$train" --help); wall[start]+="$w "; rss[start]+="$m "
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
lscpu | sed -n 's/^Model name: *//p' | head -n 1 | sed 's/^/machine: /'
echo "threads: $(nproc); rounds: $rounds (medians); decoded size of the 70,000 images: 54.9 MB"
echo "| load | wall s | beyond start-up s | max RSS MB | beyond start-up MB |"
echo "|---|---|---|---|---|"
s0=$(echo "${wall[start]}" | median); m0=$(echo "${rss[start]}" | median)
for k in cold cached idx start; do
  w=$(echo "${wall[$k]}" | median); m=$(echo "${rss[$k]}" | median)
  case $k in
    cold) label="70,000 PNG, first load" ;;
    cached) label="70,000 PNG, from the cache" ;;
    idx) label="the IDX files" ;;
    *) label="start-up alone (--help)" ;;
  esac
  awk -v l="$label" -v w="$w" -v s="$s0" -v m="$m" -v m0="$m0" 'BEGIN { printf "| %s | %.2f | %.2f | %.0f | %.0f |\n", l, w, w - s, m / 1024, (m - m0) / 1024 }'
done
