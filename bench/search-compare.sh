#!/usr/bin/env bash
# TPE + ASHA against random search without pruning (issue 36's measurement): the same search
# space, the same number of configurations, for several sweep seeds. Prints per seed the best
# honest accuracy each found (test accuracy at the lowest valid loss, over its finished trials)
# and the epochs each trained, then the means. Slow: about 2 x SEEDS sweeps of LeNetBN.
# Usage: [ETA=3] bench/search-compare.sh MNIST_TRAIN OUT_DIR [SEEDS (default "0 1 2")] [CONFIGS (default 18)]
# ETA: ASHA's reduction factor (the random sweeps are shared between runs with different ETAs).
set -euo pipefail
train=${1:?usage: search-compare.sh MNIST_TRAIN OUT_DIR [SEEDS] [CONFIGS]}
out=${2:?usage: search-compare.sh MNIST_TRAIN OUT_DIR [SEEDS] [CONFIGS]}
seeds=${3:-0 1 2}
configs=${4:-18}
eta=${ETA:-3}
tpe=tpe-asha$([[ $eta == 3 ]] || echo "-eta$eta")
mkdir -p "$out"
space='"scheduler.max_lr": {"log_uniform": [0.0003, 0.3]}, "batch_size": {"choice": [32, 64, 128, 256]}, "weight_decay": {"log_uniform": [1e-6, 0.01]}'
base='"base": {"recipe": "fast", "epochs": 9, "train_fraction": 0.25}'
for seed in $seeds; do
  cat > "$out/random-$seed.json" <<JSON
{$base, "random": {"trials": $configs, "seed": $seed, "space": {$space}}, "seeds": [1]}
JSON
  cat > "$out/$tpe-$seed.json" <<JSON
{$base, "tpe": {"trials": $configs, "startup": 6, "seed": $seed, "space": {$space}},
 "pruner": {"type": "asha", "min_epochs": 1, "reduction_factor": $eta}, "seeds": [1]}
JSON
  for kind in random $tpe; do
    [[ -f $out/$kind-$seed/done ]] && continue
    "$train" --sweep "$out/$kind-$seed.json" --out "$out/$kind-$seed" --jobs 2 > "$out/$kind-$seed.log" 2>&1
    "$train" --sweep-summary "$out/$kind-$seed" --json > "$out/$kind-$seed.summary.json"
    touch "$out/$kind-$seed/done"
  done
done
python3 - "$out" "$tpe" $seeds <<'PY'
import json, subprocess, sys, statistics
out, tpe, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = []
for seed in seeds:
    row = [seed]
    for kind in ("random", tpe):
        s = json.load(open(f"{out}/{kind}-{seed}.summary.json"))
        honest = [g["test_acc_at_best_valid"]["max"] for g in s["groups"] if g["test_acc_at_best_valid"]]
        row += [max(honest), sum(t["epochs"] for t in s["trials"])]
    rows.append(row)
print(f"| sweep seed | random: best honest % | random: epochs | {tpe}: best honest % | {tpe}: epochs | difference (points) | epochs ratio |")
print("|---|---|---|---|---|---|---|")
for seed, ra, re, ta, te in rows:
    print(f"| {seed} | {ra:.2f} | {re} | {ta:.2f} | {te} | {ta - ra:+.2f} | {te / re:.2f} |")
m = lambda i: statistics.mean(r[i] for r in rows)
print(f"| mean | {m(1):.2f} | {m(2):.0f} | {m(3):.2f} | {m(4):.0f} | {m(3) - m(1):+.2f} | {m(4) / m(2):.2f} |")
PY
