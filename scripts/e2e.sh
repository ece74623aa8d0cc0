#!/usr/bin/env bash
# make e2e: the real mnist-studio under Xvfb. It loads the notebook's first recipe on a generated
# dataset, Train is pressed with a real key event (xdotool), two epochs train, the run's charts
# (PNG, SVG), metrics (CSV) and model (.safetensors, .pt) are exported, and every file is checked:
# image headers, CSV rows, the model scored by mnist-train --evaluate. Leaves build/e2e/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if [[ ${1:-} == --drive ]]; then
  drive_only=1
  shift
fi
build=$(cd "${1:-$root/build}" && pwd)
out=$build/e2e
studio=$build/app/mnist-studio
train=$build/app/mnist-train
make_dataset=$build/tests/mnist-make-dataset
for exe in "$studio" "$train" "$make_dataset"; do
  [[ -x $exe ]] || { echo "e2e: $exe is missing (make build first)" >&2; exit 1; }
done
for tool in xvfb-run xdotool; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (run scripts/setup.sh)" >&2; exit 1; }
done

# The user's settings and runs stay untouched: QSettings and the runs folder live under build/e2e.
export HOME=$out/home XDG_CONFIG_HOME=$out/home/.config XDG_DATA_HOME=$out/home/.local/share
export OMP_NUM_THREADS=1

fail() { echo "e2e: FAIL: $*" >&2; exit 1; }

# Runs inside xvfb-run: start the window, press Train once it is up, wait for it to finish.
drive() {
  "$studio" --no-restore --size 1400x900 --recipe 1 --dataset idx --data-dir "$out/data" --epochs 2 --threads 1 \
    --runs-dir "$out/runs" --export-dir "$out/exports" --screenshot "$out/screenshot.png" \
    >"$out/studio.log" 2>&1 &
  local pid=$!
  local wid=""
  for _ in $(seq 1 300); do
    wid=$(xdotool search --onlyvisible --name '^MNIST Studio' 2>/dev/null | head -n1 || true)
    [[ -n $wid ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $wid ]] || { kill "$pid" 2>/dev/null || true; echo "e2e: the window never appeared" >&2; return 1; }
  sleep 1 # the first paint and the initial set-up validation
  # Real X input (XTEST), as a user's keyboard: focus the window, then the Run menu's Train shortcut.
  xdotool mousemove --window "$wid" 700 450
  xdotool windowfocus --sync "$wid" 2>/dev/null || true
  xdotool key --clearmodifiers ctrl+Return
  echo "e2e: pressed Ctrl+Return (Train) in window $wid"
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    waited=$((waited + 1))
    if ((waited > 240)); then
      kill "$pid"
      echo "e2e: mnist-studio did not finish within 240 s" >&2
      return 1
    fi
  done
  wait "$pid"
}
if [[ ${drive_only:-0} == 1 ]]; then
  drive
  exit
fi

start=$(date +%s)
rm -rf "$out"
mkdir -p "$out/home"
"$make_dataset" "$out/data" 1000 200
echo "e2e: dataset of 1000 training and 200 test images in $out/data"
# xvfb-run is a POSIX sh script: the driver is this script again, not a bash function.
xvfb-run -a -s "-screen 0 1600x1000x24" bash "$0" --drive "$build" || { cat "$out/studio.log" >&2; fail "mnist-studio exited with an error"; }
cat "$out/studio.log"

# The run itself: two epochs recorded.
run=$(find "$out/runs" -mindepth 1 -maxdepth 1 -type d | head -n1)
[[ -n $run ]] || fail "no run folder under $out/runs"
[[ $(($(wc -l <"$run/metrics.csv") - 1)) -eq 2 ]] || fail "$run/metrics.csv does not hold 2 epochs"
name=$(basename "$run")

is_png() { [[ $(head -c 8 "$1" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]; }
for chart in epochs learning-rate loss-per-iteration; do
  is_png "$out/exports/$chart.png" || fail "$chart.png is not a PNG"
  [[ $(stat -c %s "$out/exports/$chart.png") -gt 10000 ]] || fail "$chart.png is suspiciously small"
  grep -q '<svg' "$out/exports/$chart.svg" || fail "$chart.svg is not an SVG document"
  grep -q '<path\|<polyline' "$out/exports/$chart.svg" || fail "$chart.svg draws nothing"
done
csv=$out/exports/$name.csv
[[ $(head -n1 "$csv") == run,epoch,train_loss,valid_loss,test_acc,lr,seconds,images_per_s ]] || fail "$csv: wrong header"
[[ $(tail -n +2 "$csv" | awk -F, 'NF == 8 && $2 ~ /^[0-9]+$/ && $5 + 0 > 0' | wc -l) -eq 2 ]] || fail "$csv: expected 2 rows of 8 cells"
is_png "$out/screenshot.png" || fail "the screenshot is not a PNG"

# The exported models load in the CLI and score like the run's last epoch.
arch=$(sed -n 's/.*"arch": *"\([^"]*\)".*/\1/p' "$run/config.json")
last_acc=$(tail -n1 "$run/metrics.csv" | cut -d, -f4)
for model in "$out/exports/$name.safetensors" "$out/exports/$name.pt"; do
  acc=$("$train" --evaluate "$model" --arch "$arch" --dataset idx --data-dir "$out/data" --device cpu --json |
        sed -n 's/.*"test_acc": *\([0-9.eE+-]*\).*/\1/p')
  [[ -n $acc ]] || fail "mnist-train --evaluate $model printed no accuracy"
  awk -v a="$acc" -v b="$last_acc" 'BEGIN { exit !(a - b < 0.01 && b - a < 0.01) }' ||
    fail "$model scores $acc%, the run's last epoch $last_acc%"
  echo "e2e: $(basename "$model") loads: $acc% test accuracy (run: $last_acc%)"
done
echo "e2e: PASS in $(($(date +%s) - start)) s; screenshot $out/screenshot.png"
