#!/usr/bin/env bash
# What watching a run costs (issue 19's goals): trains the same run with mnist-train and with the
# window (mnist-studio --autostart, Training tab in view, under Xvfb when it is installed, else
# offscreen), alternated, and prints per pair the window's training images/s over the CLI's, the
# share of one core its GUI thread used over the measured epochs, and its worst 30 s window there.
# Usage: bench/gui-cost.sh [BUILD_DIR [PAIRS [ARCH]]]   (make bench runs it)
set -euo pipefail
build=${1:-build}
pairs=${2:-2}
arch=${3:-LeNet}
root=$(cd "$(dirname "$0")/.." && pwd)
studio="$build/app/mnist-studio"
train="$build/app/mnist-train"
[[ -x $studio && -x $train ]] || { echo "gui-cost: build $studio and $train first" >&2; exit 2; }
[[ -f $root/data/mnist/t10k-images-idx3-ubyte ]] || { echo "gui-cost: no MNIST under data/mnist (make data)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
epochs=${GUI_COST_EPOCHS:-5} # the first warms up; the others are measured (LeNet: about 50 s on 2 cores)
settings=(--arch "$arch" --epochs "$epochs" --batch-size 100 --threads 2 --seed 1 --data-dir "$root/data/mnist")
display=()
# GUI_COST_DISPLAY=offscreen draws into memory instead of an X server (no server process to pay);
# GUI_COST_TAB=runs (any --tab) watches another tab than the Training dashboard, as a control.
if [[ ${GUI_COST_DISPLAY:-xvfb} != offscreen ]] && command -v xvfb-run >/dev/null 2>&1; then
  display=(xvfb-run -a -s "-screen 0 1600x1000x24")
else
  export QT_QPA_PLATFORM=offscreen
fi
ticks=$(getconf CLK_TCK)

# images/s of epochs 2..N from a run's metrics.csv (its 7th column), averaged.
rate() { awk -F, 'NR > 2 { s += $7; n++ } END { if (n) printf "%.0f", s / n; else print 0 }' "$1/metrics.csv"; }
# utime + stime of one thread, in clock ticks (fields 14 and 15 after the command's parentheses).
cpu() { sed 's/.*) //' "/proc/$1/task/$2/stat" | awk '{ print $12 + $13 }'; }

lscpu | sed -n 's/^Model name: *//p' | head -n 1 | sed 's/^/machine: /'
echo "| pair | CLI images/s | window images/s | window / CLI | GUI thread, % of a core | worst 30 s, % of a core |"
echo "|---|---|---|---|---|---|"
for ((i = 1; i <= pairs; i++)); do
  "$train" "${settings[@]}" --out "$tmp/cli-$i" > /dev/null 2>&1
  runs="$tmp/gui-$i"
  "${display[@]}" "$studio" --no-restore --runs-dir "$runs" "${settings[@]}" --autostart \
    --export-dir "$tmp/export-$i" --size 1600x1000 --tab "${GUI_COST_TAB:-training}" > /dev/null 2>&1 &
  launcher=$!
  # The window's process (xvfb-run starts it as a child) and its main thread, the GUI thread.
  pid=""
  for _ in $(seq 1 200); do
    # The newest process named mnist-studio whose command line has this run's folder (xvfb-run's
    # own shell has it too, under another name).
    for p in $(pgrep -x mnist-studio || true); do
      tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q -- "--runs-dir $runs" && pid=$p
    done
    [[ -n $pid ]] && break
    sleep 0.1
  done
  [[ -n $pid ]] || { echo "gui-cost: the window did not start" >&2; exit 1; }
  # Measure from the end of epoch 1 to the end of the run.
  run=""
  while kill -0 "$pid" 2>/dev/null; do
    run=$(ls -d "$runs"/*/ 2>/dev/null | head -n 1 || true)
    [[ -n $run && -f $run/metrics.csv && $(wc -l < "$run/metrics.csv") -ge 2 ]] && break
    sleep 0.2
  done
  start_cpu=$(cpu "$pid" "$pid" 2>/dev/null || echo 0)
  start_ns=$(date +%s%N)
  end_cpu=$start_cpu
  end_ns=$start_ns
  samples="$tmp/samples-$i"
  echo "$start_ns $start_cpu" > "$samples"
  while kill -0 "$pid" 2>/dev/null; do
    if [[ $(wc -l < "$run/metrics.csv") -gt $epochs ]]; then break; fi
    end_cpu=$(cpu "$pid" "$pid" 2>/dev/null || echo "$end_cpu")
    end_ns=$(date +%s%N)
    echo "$end_ns $end_cpu" >> "$samples"
    sleep 0.2
  done
  wait "$launcher" || true
  share=$(awk -v c=$((end_cpu - start_cpu)) -v t="$ticks" -v ns=$((end_ns - start_ns)) \
    'BEGIN { if (ns > 0) printf "%.1f", 100 * c / t / (ns / 1e9); else print "n/a" }')
  # The worst 30 s window: from each sample to the first one 30 s or more later (the whole span
  # when it is shorter, marked with *).
  worst=$(awk -v t="$ticks" '{ ns[NR] = $1; c[NR] = $2 }
    END {
      w = -1; j = 1
      for (i = 1; i <= NR; i++) {
        while (j <= NR && ns[j] - ns[i] < 30e9) j++
        if (j > NR) break
        r = 100 * (c[j] - c[i]) / t / ((ns[j] - ns[i]) / 1e9)
        if (r > w) w = r
      }
      if (w >= 0) printf "%.1f", w
      else if (NR > 1 && ns[NR] > ns[1]) printf "%.1f*", 100 * (c[NR] - c[1]) / t / ((ns[NR] - ns[1]) / 1e9)
      else print "n/a"
    }' "$samples")
  cli=$(rate "$tmp/cli-$i")
  gui=$(rate "${run%/}")
  ratio=$(awk -v g="$gui" -v c="$cli" 'BEGIN { if (c > 0) printf "%.2f", g / c; else print "n/a" }')
  echo "| $i | $cli | $gui | $ratio | $share | $worst |"
  echo "$ratio $share ${worst%\*}" >> "$tmp/pairs"
done
# Medians over the pairs: on a shared machine one pair can be off by 20% either way.
awk '{ r[NR] = $1; s[NR] = $2; w[NR] = $3 }
  function median(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END { if (NR) printf "| median of %d | | | %.2f | %.1f | %.1f |\n", NR, median(r, NR), median(s, NR), median(w, NR) }' "$tmp/pairs"
