#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets with clang in their own folder, writes a fresh seed
# corpus, replays the kept regression inputs, then fuzzes each target for FUZZ_SECONDS (default
# 60). Prints executions and findings per target; exits 1 if any target found something.
set -uo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"idx safetensors trainconfig runfiles networkspec calibration sweep csv mnistfamily image imagefolder"}
JOBS=${JOBS:-$(nproc)}
CXX_CLANG=${FUZZ_CXX:-$(command -v clang++ || command -v clang++-14 || true)}
[[ -n "$CXX_CLANG" ]] || { echo "fuzz: clang++ not found (run scripts/setup.sh)" >&2; exit 1; }

launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$BUILD_DIR" -DCMAKE_CXX_COMPILER="$CXX_CLANG" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMNIST_STUDIO_BUILD_UI=OFF -DBUILD_TESTING=OFF -DMNIST_STUDIO_BUILD_FUZZERS=ON "${launcher[@]}" >/dev/null || exit 1
build_targets=(mnist-fuzz-seeds)
for t in $TARGETS; do build_targets+=("fuzz_$t"); done
cmake --build "$BUILD_DIR" -j "$JOBS" --target "${build_targets[@]}" || exit 1

work="$BUILD_DIR/fuzz"
rm -rf "$work/seeds"
"$BUILD_DIR/fuzz/mnist-fuzz-seeds" "$work/seeds" || exit 1

status=0
summary=()
for t in $TARGETS; do
  corpus="$work/corpus/$t"        # grows over runs; a fresh clone starts from the seeds
  findings="$work/findings/$t"
  regressions="tests/fuzz-regressions/$t"
  mkdir -p "$corpus" "$findings" "$regressions"
  log="$work/fuzz-$t.log"
  marker="$work/.start-$t"
  touch "$marker"
  echo "fuzz: $t for ${SECONDS_EACH}s (log: $log)"
  # -timeout: an input taking over 10 s counts as a hang. -rss_limit_mb/-malloc_limit_mb: one
  # allocation or a resident size over 2 GiB counts as a finding (a header's size trusted).
  dict=()
  [[ $t == safetensors || $t == trainconfig || $t == networkspec || $t == calibration || $t == sweep ]] && dict=(-dict=fuzz/json.dict)
  [[ $t == runfiles ]] && dict=(-dict=fuzz/runfiles.dict)
  "$work/fuzz_$t" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" \
    "$corpus" "$work/seeds/$t" "$regressions" >"$log" 2>&1
  rc=$?
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -n1)
  found=$(find "$findings" -type f -newer "$marker" | wc -l)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | awk '{print $2}')
  if [[ $rc -ne 0 ]]; then
    status=1
    echo "fuzz: $t FAILED (exit $rc): $(grep -m1 -E 'ERROR|FUZZ FINDING|runtime error|SUMMARY' "$log")"
  fi
  summary+=("$(printf '%-12s %12s executions  %6s edges  %3s new finding file(s)  %s' "$t" "${execs:-?}" "${cov:-?}" "$found" \
    "$([[ $rc -eq 0 ]] && echo ok || echo FAILED)")")
done

echo
echo "fuzz summary (${SECONDS_EACH}s per target; findings under $work/findings/):"
printf '  %s\n' "${summary[@]}"
exit $status
