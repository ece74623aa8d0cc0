#!/usr/bin/env bash
# Trains --recipe best on several seeds at once on one GPU (after bench/gpu.sh has built
# build-gpu/), for each training fraction given, and prints each run's two accuracies, their mean,
# and the test accuracy of the ensemble of each fraction's runs and of all runs.
#   bench/gpu-seeds.sh [-j JOBS] [-f "0.9 0.97"] [-t SECONDS] [-a "MORE FLAGS"] [-n NAME] SEED...
# -a passes more flags to every run (e.g. "--epochs 30"); -n names its run folders (default best).
# A GPU this size is far from busy with one batch of 128, so JOBS runs share it (default 8).
# -t bounds the whole sweep (default 400 s): a run still going then is stopped and left out. Runs
# start seed by seed, so the fractions of a seed start together; a seed whose runs did not all
# finish is left out of the means, so they stay paired.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=8 fractions="0.9" limit=400 extra="" name=best
while getopts "j:f:t:a:n:" o; do
  case $o in j) jobs=$OPTARG ;; f) fractions=$OPTARG ;; t) limit=$OPTARG ;; a) extra=$OPTARG ;; n) name=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
[[ $# -gt 0 ]] || { echo "usage: $0 [-j JOBS] [-f FRACTIONS] [-t SECONDS] SEED..." >&2; exit 2; }
out=runs-gpu
mkdir -p "$out"
t0=$(date +%s)
deadline=$(( $(date +%s) + limit ))
export deadline out name extra
# $extra stays unquoted inside: it is several flags.
for s in "$@"; do for f in $fractions; do echo "$f $s"; done; done |
  xargs -P "$jobs" -L 1 sh -c 'left=$(( deadline - $(date +%s) )); [ "$left" -gt 0 ] || exit 0
    run="$out/$name-tf$0-s$1"
    timeout "$left" build-gpu/app/mnist-train --device cuda --recipe best --threads 1 $extra \
      --train-fraction "$0" --seed "$1" --out "$run" > "$run.log" 2>&1 || echo "tf $0 seed $1 failed: $(tail -1 "$run.log")"'

# Seeds with a summary for every fraction.
seeds=()
for s in "$@"; do
  ok=1
  for f in $fractions; do [[ -f $out/$name-tf$f-s$s/summary.json ]] || ok=0; done
  [[ $ok == 1 ]] && seeds+=("$s")
done
echo "gpu-seeds: $(( $(date +%s) - t0 )) s; $jobs at a time; seeds with every run finished: ${seeds[*]:-none} (of $#)"
[[ ${#seeds[@]} -gt 0 ]] || exit 1

all=()
for f in $fractions; do
  dirs=()
  for s in "${seeds[@]}"; do dirs+=("$out/$name-tf$f-s$s"); done
  all+=("${dirs[@]}")
  python3 - "$f" "${dirs[@]}" <<'PY'
import json, sys
f, dirs = sys.argv[1], sys.argv[2:]
honest, best, secs = [], [], []
for d in dirs:
    s = json.load(open(d + "/summary.json"))
    honest.append(s["test_acc_at_best_valid"]); best.append(s["best_test_acc"])
    secs.append(sum(e["seconds"] for e in s["epochs"]))
    print(f"train fraction {f} {d.split('-s')[-1]:>6}: honest {honest[-1]:.2f}%  best {best[-1]:.2f}%  {secs[-1]:.0f} s")
n = len(dirs)
print(f"train fraction {f}: {n} runs, honest mean {sum(honest)/n:.3f}% (min {min(honest):.2f}, max {max(honest):.2f}), "
      f"best-epoch mean {sum(best)/n:.3f}%, {sum(secs)/n:.0f} s per run")
PY
  build-gpu/app/mnist-train --ensemble "${dirs[@]}" --device cuda | tail -1
done
[[ $(wc -w <<< "$fractions") -gt 1 && ${#all[@]} -gt 0 ]] && build-gpu/app/mnist-train --ensemble "${all[@]}" --device cuda | tail -1
exit 0
