#!/usr/bin/env bash
# bf16 against fp32 accuracy: each recipe trained with each seed in each precision (whole runs,
# `mnist-train --recipe R --seed S --precision P --json`), then per recipe and precision the
# honest test accuracy (at the best valid epoch) and the final one as mean ± sample std.
#   bench/precision-seeds.sh [BUILD_DIR]
#   env: RECIPES ("balanced best"), SEEDS ("41 42 43 1234 7"), PRECISIONS ("fp32 bf16"), THREADS (2),
#        OUT (a folder for the raw summaries; default a temporary one)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
recipes="${RECIPES:-balanced best}"
seeds="${SEEDS:-41 42 43 1234 7}"
precisions="${PRECISIONS:-fp32 bf16}"
threads="${THREADS:-2}"
out="${OUT:-$(mktemp -d)}"
mkdir -p "$out"
echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cores; $threads threads; $(date -u +%F); raw summaries in $out"
for r in $recipes; do
  for s in $seeds; do
    for p in $precisions; do
      f="$out/$r-$s-$p.json"
      [[ -s "$f" ]] && continue # a re-run goes on where the last stopped
      "$build/app/mnist-train" --recipe "$r" --seed "$s" --precision "$p" --threads "$threads" --device cpu --no-save \
        --json > "$f.part" 2> "$out/$r-$s-$p.log" || { cat "$out/$r-$s-$p.log"; exit 1; }
      mv "$f.part" "$f"
    done
  done
done
python3 - "$out" "$recipes" "$seeds" "$precisions" <<'PY'
import json, statistics, sys
out, recipes, seeds, precisions = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4].split()
print("\n| recipe | precision | seeds | honest test acc % (each) | honest mean ± std | final mean ± std | train images/s (median) |")
print("|---|---|---|---|---|---|---|")
for r in recipes:
    for p in precisions:
        runs = []
        for s in seeds:
            try:
                runs.append(json.load(open(f"{out}/{r}-{s}-{p}.json")))
            except (OSError, ValueError):
                pass
        if not runs:
            continue
        honest = [x["test_acc_at_best_valid"] for x in runs]
        final = [x["final_test_acc"] for x in runs]
        speed = statistics.median(x["train_images_per_s"] for x in runs)
        sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0
        print(f"| {r} | {p} | {len(runs)} | {', '.join('%.2f' % h for h in honest)} | "
              f"{statistics.mean(honest):.3f} ± {sd(honest):.3f} | {statistics.mean(final):.3f} ± {sd(final):.3f} | {speed:.0f} |")
PY
