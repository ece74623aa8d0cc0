#!/usr/bin/env bash
# A 4-task Slurm job array (at most 2 at a time) runs on a real one-node cluster started by
# scripts/slurm-local.sh in a temporary folder: each task writes its index and this host's name,
# all 4 end COMPLETED with exit code 0, and no more than 2 ever run at once.
# Exit codes: 0 passed; 4 skipped (Slurm or munge not installed, or not root); 1 failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cluster=$root/scripts/slurm-local.sh
dir=$(mktemp -d -t slurm-smoke.XXXXXX)
trap 'bash "$cluster" stop "$dir"; rm -rf "$dir"' EXIT

fail() {
  echo "slurm-array-smoke: FAIL: $*" >&2
  {
    echo "----- squeue"; squeue -a 2>&1 || true
    echo "----- scontrol show job ${job:-}"; [[ -n "${job:-}" ]] && scontrol show job "$job" 2>&1
    for f in "$dir"/out-*.txt "$dir"/log/*.log; do
      [[ -f "$f" ]] && { echo "----- $f"; tail -n 30 "$f"; }
    done
  } >&2 || true
  exit 1
}

# A caller inside a Slurm job (or with sbatch defaults set) must not steer our submissions.
for v in $(compgen -e | grep -E '^(SLURM|SBATCH|SQUEUE|SINFO|SCONTROL)_' || true); do unset "$v"; done

rc=0
bash "$cluster" start "$dir" || rc=$?
if [[ $rc -eq 4 ]]; then
  echo "SKIPPED: no local Slurm cluster (scripts/setup.sh installs Slurm and munge; slurmd needs root)"
  exit 4
fi
[[ $rc -eq 0 ]] || { echo "slurm-array-smoke: FAIL: the cluster did not start (exit $rc)" >&2; exit 1; }
eval "$(bash "$cluster" env "$dir")"

# shellcheck disable=SC2016  # the task's shell expands these
job=$(sbatch --parsable --array=0-3%2 --chdir="$dir" --output="$dir/out-%a.txt" \
  --wrap 'echo task $SLURM_ARRAY_TASK_ID on $(hostname); s=$(date +%s.%N); sleep 1; echo $s $(date +%s.%N) > times-$SLURM_ARRAY_TASK_ID.txt') ||
  fail "sbatch refused the array"
[[ "$job" =~ ^[0-9]+$ ]] || fail "sbatch --parsable printed '$job', not a job id"

for ((i = 0; i < 600; i++)); do   # 120 s
  left=$(squeue -h -j "$job" 2>&1) || fail "squeue failed: $left"
  [[ -z "$left" ]] && break
  sleep 0.2
done
[[ -z "$left" ]] || fail "the array has not finished after 120 s"

host=$(hostname)
for t in 0 1 2 3; do
  [[ -f "$dir/out-$t.txt" ]] || fail "task $t wrote no out-$t.txt"
  got=$(cat "$dir/out-$t.txt")
  [[ "$got" == "task $t on $host" ]] || fail "out-$t.txt holds '$got', not 'task $t on $host'"
done

info=$(scontrol -o show job "$job") || fail "scontrol show job $job failed"
[[ $(grep -c . <<<"$info") -eq 4 ]] || fail "scontrol shows $(grep -c . <<<"$info") records of array $job, not 4"
for t in 0 1 2 3; do
  line=$(grep -E "ArrayJobId=$job ArrayTaskId=$t " <<<"$info") || fail "no record of task $t"
  [[ "$line" == *" JobState=COMPLETED "* && "$line" == *" ExitCode=0:0 "* ]] ||
    fail "task $t: $(grep -oE 'JobState=[^ ]+|ExitCode=[^ ]+' <<<"$line" | tr '\n' ' ')"
  [[ "$line" == *" ArrayTaskThrottle=2 "* ]] || fail "task $t lacks ArrayTaskThrottle=2"
done

# %2: at any task's start, at most 2 tasks (itself included) are running.
times=("$dir"/times-*.txt)
[[ ${#times[@]} -eq 4 && -f "${times[0]}" ]] || fail "not every task wrote its times"
most=$(cat "${times[@]}" | awk '{ s[NR] = $1; e[NR] = $2 }
  END { m = 0; for (i = 1; i <= NR; i++) { n = 0; for (j = 1; j <= NR; j++) if (s[j] <= s[i] && s[i] < e[j]) n++; if (n > m) m = n }; print m }')
[[ "$most" -ge 1 && "$most" -le 2 ]] || fail "$most tasks ran at once under --array=0-3%2"

echo "slurm-array-smoke: ok: array $job, 4 tasks COMPLETED on $host, at most $most at once"
