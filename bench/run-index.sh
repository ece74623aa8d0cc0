#!/usr/bin/env bash
# The run index at scale (issue 38): generated run folders (bench/make-runs: config.json,
# metrics.csv of EPOCHS epochs, summary.json, arch.json, checkpoint.pt, model.safetensors), listed
# with `mnist-train --list-runs --json`. Prints the wall time beyond `mnist-train --help` (the
# program's own start-up: LibTorch's libraries), first with no index cache and then with the cache
# the first listing wrote, each the median of REPEATS, and the listing's max RSS. CPU seconds
# (user + system) beside the wall time: on a machine busy with other work they still measure ours.
# Usage: bench/run-index.sh [BUILD_DIR [RUNS [SWEEPS [TRIALS [EPOCHS [REPEATS]]]]]]   (make bench runs it)
set -euo pipefail
build=${1:-build}
runs=${2:-2000}
sweeps=${3:-10}
trials=${4:-20}
epochs=${5:-10}
repeats=${6:-3}
train="$build/app/mnist-train"
make="$build/bench/make-runs"
[[ -x $train && -x $make ]] || { echo "run-index: build $train and $make first (cmake --build $build --target mnist-train make-runs)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$make" "$tmp/runs" "$runs" "$sweeps" "$trials" "$epochs" >/dev/null
export MNIST_STUDIO_RUN_INDEX_CACHE="$tmp/cache"

# A command's wall seconds, max RSS in KB and CPU seconds, as "WALL KB CPU".
measure() {
  /usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$@" >"$tmp/out" 2>/dev/null
  awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$tmp/time"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

"$train" --help >/dev/null # the libraries into the page cache, as for every later run
help=() first=() second=() helpCpu=() firstCpu=() secondCpu=() rss=0
for ((i = 0; i < repeats; i++)); do
  read -r t _ c < <(measure "$train" --help)
  help+=("$t") helpCpu+=("$c")
  rm -rf "$tmp/cache"
  read -r t kb c < <(measure "$train" --list-runs "$tmp/runs" --json)
  first+=("$t") firstCpu+=("$c")
  ((kb > rss)) && rss=$kb
  read -r t kb c < <(measure "$train" --list-runs "$tmp/runs" --json)
  second+=("$t") secondCpu+=("$c")
  ((kb > rss)) && rss=$kb
done
listed=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['runs']))" "$tmp/out" 2>/dev/null || echo "?")
med() { printf '%s\n' "$@" | median; }
h=$(med "${help[@]}") f=$(med "${first[@]}") s=$(med "${second[@]}")
hc=$(med "${helpCpu[@]}") fc=$(med "${firstCpu[@]}") sc=$(med "${secondCpu[@]}")
helpRss=$(measure "$train" --help | cut -d' ' -f2)
printf '\nrun index: %s run folders (%s sweeps of %s trials), %s epochs each; medians of %s\n' "$runs" "$sweeps" "$trials" "$epochs" "$repeats"
printf '%-44s %10s %10s\n' "measure" "wall" "CPU"
printf '%-44s %9.2fs %9.2fs\n' "mnist-train --help (start-up)" "$h" "$hc"
printf '%-44s %9.2fs %9.2fs\n' "--list-runs --json beyond it, no index cache" "$(echo "$f - $h" | bc -l)" "$(echo "$fc - $hc" | bc -l)"
printf '%-44s %9.2fs %9.2fs\n' "--list-runs --json beyond it, index cache" "$(echo "$s - $h" | bc -l)" "$(echo "$sc - $hc" | bc -l)"
printf '%-44s %8d MB\n' "max RSS of a listing" "$((rss / 1024))"
printf '%-44s %8d MB\n' "max RSS of --help" "$((helpRss / 1024))"
printf '%-44s %10s\n' "runs listed" "$listed"
