#!/usr/bin/env bash
# A 4-trial sweep submitted with mnist-train --sweep --slurm to a real single-node Slurm cluster
# (scripts/slurm-local.sh): the array runs, the four run folders finish, and --sweep-summary pools
# them. Exit 4 (CTest: skipped) when Slurm or munge is not installed.
# Usage: tests/slurm/sweep-on-slurm.sh PATH/TO/mnist-train
set -uo pipefail
train=${1:?usage: sweep-on-slurm.sh MNIST_TRAIN}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/mnist-slurm-sweep-XXXXXX)
chmod 755 "$tmp" # munged wants every folder above its socket open to all
state="$tmp/cluster"
cleanup() {
  bash "$root/scripts/slurm-local.sh" stop "$state" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$tmp"/sweep/logs/*; do [[ -f $f ]] && { echo "--- $f" >&2; tail -n 5 "$f" >&2; }; done
  exit 1
}

bash "$root/scripts/slurm-local.sh" start "$state"
code=$?
[[ $code -eq 4 ]] && { echo "SKIPPED: Slurm or munge is not installed (scripts/setup.sh installs them)"; exit 4; }
[[ $code -eq 0 ]] || fail "the local Slurm cluster did not start"
eval "$(bash "$root/scripts/slurm-local.sh" env "$state")"

# A small synthetic dataset: the sweep is about the scheduling, not the accuracy.
data="$tmp/data"
"$train" --help >/dev/null || fail "$train does not run"
python3 - "$data" <<'PY' || fail "could not write the test data"
import gzip, os, struct, sys, random
d = sys.argv[1]; os.makedirs(d)
random.seed(1)
def images(n):
    out = bytearray()
    labels = []
    for i in range(n):
        label = i % 10
        labels.append(label)
        img = bytearray(28 * 28)
        for k in range(20):  # a bar whose place depends on the label
            img[(4 + label * 2) * 28 + 4 + k] = 255
        out += img
    return out, labels
for prefix, n in (("train", 300), ("t10k", 100)):
    pix, labels = images(n)
    with open(os.path.join(d, f"{prefix}-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 2051, n, 28, 28) + pix)
    with open(os.path.join(d, f"{prefix}-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 2049, n) + bytes(labels))
PY
cat > "$tmp/spec.json" <<'JSON'
{"base": {"arch": "LeNet", "epochs": 2, "batch_size": 50, "device": "cpu", "dataset": "idx"},
 "grid": {"lr": [0.01, 0.001]}, "seeds": [1, 2]}
JSON
sweep="$tmp/sweep"
out=$("$train" --sweep "$tmp/spec.json" --out "$sweep" --slurm --jobs 2 --threads 1 --data-dir "$data" 2>&1) || fail "--slurm failed: $out"
echo "$out"
job=$(sed -n 's/^submitted Slurm job \([0-9]*\) .*/\1/p' <<<"$out")
[[ -n $job ]] || fail "no job id in: $out"
grep -q -- '--array=0-1$' "$sweep/sweep.sbatch" || fail "sweep.sbatch has no --array=0-1 (two workers)"

# Wait for the array (at most 5 minutes).
# (squeue -j lists a finished job too, as CD: ask for the states still to come.)
active() { squeue -h -j "$job" -t PENDING,CONFIGURING,RUNNING,COMPLETING 2>/dev/null; }
for _ in $(seq 1 300); do
  [[ -z $(active) ]] && break
  sleep 1
done
[[ -n $(active) ]] && fail "job $job still queued or running after 5 minutes"

for i in 0 1 2 3; do
  run="$sweep/trial-000$i"
  [[ -f $run/summary.json ]] || fail "$run has no summary.json"
done
for i in 0 1; do
  ls "$sweep"/logs/slurm-"$job"_"$i".out >/dev/null 2>&1 || fail "no Slurm output for worker $i"
done
summary=$("$train" --sweep-summary "$sweep" --json) || fail "--sweep-summary failed"
python3 - <<PY || fail "the summary is not what the four runs say: $summary"
import json
s = json.loads('''$summary''')
assert s["trial_count"] == 4 and s["finished"] == 4, s
assert [t["state"] for t in s["trials"]] == ["finished"] * 4, s
assert len(s["groups"]) == 2, s
for g in s["groups"]:
    assert g["runs"] == 2 and g["finished"] == 2, g
    assert g["test_acc_at_best_valid"]["n"] == 2, g
PY
# Submitting again finds nothing left to do.
again=$("$train" --sweep "$sweep/sweep.json" --slurm 2>&1) || fail "resubmitting failed: $again"
grep -q "nothing to submit" <<<"$again" || fail "a finished sweep was submitted again: $again"

# A search on the cluster: TPE draws and ASHA pauses and promotes across two workers that share
# the sweep folder under its lock; one worker is cancelled mid-search and the search is submitted
# again: it goes on (the interrupted trial resumes) and ends with every trial ended.
cat > "$tmp/search.json" <<'JSON'
{"base": {"arch": "LeNet", "epochs": 3, "batch_size": 50, "device": "cpu", "dataset": "idx"},
 "tpe": {"trials": 6, "startup": 2, "seed": 1, "space": {"lr": {"log_uniform": [0.001, 0.1]}}},
 "pruner": {"type": "asha", "min_epochs": 1, "reduction_factor": 2}, "seeds": [1]}
JSON
search="$tmp/search"
out=$("$train" --sweep "$tmp/search.json" --out "$search" --slurm --jobs 2 --threads 1 --data-dir "$data" 2>&1) || fail "--slurm search failed: $out"
echo "$out"
job=$(sed -n 's/^submitted Slurm job \([0-9]*\) .*/\1/p' <<<"$out")
[[ -n $job ]] || fail "no job id in: $out"
# Cancel worker 1 once the search has begun a few trials; worker 0 goes on alone.
for _ in $(seq 1 300); do
  [[ -d $search/trial-0002 ]] && break
  sleep 0.2
done
scancel "${job}_1" 2>/dev/null
for _ in $(seq 1 300); do
  [[ -z $(active) ]] && break
  sleep 1
done
[[ -n $(active) ]] && fail "search job $job still queued or running after 5 minutes"
# Whatever the cancelled worker left is resumed by a second submission.
again=$("$train" --sweep "$search/sweep.json" --slurm --jobs 1 2>&1) || fail "resubmitting the search failed: $again"
echo "$again"
job=$(sed -n 's/^submitted Slurm job \([0-9]*\) .*/\1/p' <<<"$again")
if [[ -n $job ]]; then
  for _ in $(seq 1 300); do
    [[ -z $(active) ]] && break
    sleep 1
  done
fi
summary=$("$train" --sweep-summary "$search" --json) || fail "--sweep-summary of the search failed"
SUMMARY="$summary" python3 - <<'PY' || fail "the search did not end as it should: $summary"
import json, os
s = json.loads(os.environ["SUMMARY"])
states = [t["state"] for t in s["trials"]]
assert len(states) == 6, states
assert set(states) <= {"finished", "pruned"}, states
assert "finished" in states and "pruned" in states, states
assert not s["importance"] or abs(sum(s["importance"].values()) - 1) < 1e-9, s["importance"]
PY
ls "$search"/logs/slurm-*_0.out >/dev/null 2>&1 || fail "no Slurm output for the search's worker 0"
echo "PASS: 4 trials ran as a Slurm array job and were summed up; a TPE+ASHA search ran on two workers, one cancelled, and finished"
