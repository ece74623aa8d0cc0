#!/usr/bin/env bash
# How OpenMP's waiting between parallel regions changes training speed, alone and with two runs
# side by side on the same cores (a sweep with --jobs 2, or a run beside a compiler): one epoch of
# `mnist-train` per case, each setting in turn within a round, medians over the rounds.
#   bench/spin-ab.sh [BUILD_DIR]
#   env: ARCH (LeNetDeep), BATCH (100), THREADS (2), ROUNDS (3), SETTINGS (the list below)
# Settings are environment assignments; "shipped" is the programs' own start-up choice
# (train/Threading.h). Any other setting names OMP_WAIT_POLICY or GOMP_SPINCOUNT, which turns that
# choice off, so it sets GLIBC_TUNABLES's huge pages itself to differ from "shipped" in the wait only.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
arch="${ARCH:-LeNetDeep}"
batch="${BATCH:-100}"
threads="${THREADS:-2}"
rounds="${ROUNDS:-3}"
settings="${SETTINGS:-shipped GOMP_SPINCOUNT=30000 GOMP_SPINCOUNT=200000 OMP_WAIT_POLICY=ACTIVE OMP_WAIT_POLICY=PASSIVE}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p') (family $(lscpu | sed -n 's/^CPU family:[[:space:]]*//p')," \
  "model $(lscpu | sed -n 's/^Model:[[:space:]]*//p')), $(nproc) cores; $arch, batch $batch, $threads threads, one epoch; $(date -u +%F)"

one() { # SETTING FILE: one epoch, its train images/s into FILE
  local env=()
  [[ "$1" != shipped ]] && env=(env "$1" GLIBC_TUNABLES=glibc.malloc.hugetlb=1)
  "${env[@]}" "$build/app/mnist-train" --arch "$arch" --batch-size "$batch" --epochs 1 --threads "$threads" \
    --device cpu --no-save --json 2> /dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["train_images_per_s"])' > "$2"
}

for ((r = 1; r <= rounds; r++)); do
  for s in $settings; do
    key="${s//[^A-Za-z0-9]/_}"
    one "$s" "$out/$key.alone.$r"
    one "$s" "$out/$key.pairA.$r" & one "$s" "$out/$key.pairB.$r" & wait
  done
done

python3 - "$out" "$settings" <<'PY'
import glob, re, statistics, sys
out, settings = sys.argv[1], sys.argv[2].split()
read = lambda pattern: [float(open(f).read()) for f in sorted(glob.glob(pattern))]
print("\n| setting | alone, train images/s (median) | two side by side, each (median) | pair's sum / alone |")
print("|---|---|---|---|")
for s in settings:
    key = re.sub(r"[^A-Za-z0-9]", "_", s)
    alone = statistics.median(read(f"{out}/{key}.alone.*"))
    pair = statistics.median(read(f"{out}/{key}.pair[AB].*"))
    print(f"| {s} | {alone:,.0f} | {pair:,.0f} | {2 * pair / alone:.2f} |")
PY
