#!/usr/bin/env bash
# A real single-node Slurm cluster that lives entirely in one folder, for tests: its own munge
# key and munged socket, its own slurm.conf (this host's name, CPUs and memory; two free TCP
# ports), its own state, spool, logs and pid files. Nothing under /etc, /run, /var is used, and
# the daemons talk to each other over 127.0.0.1 (they listen on all addresses, as Slurm always
# does; munge authenticates every message), so two such clusters, or a system Slurm, do not clash.
#
# Usage:
#   scripts/slurm-local.sh start DIR   # creates DIR, starts munged, slurmctld, slurmd; waits
#                                      # until the node is idle. Silent on success. Each start
#                                      # is an empty cluster (no jobs kept from an earlier one).
#   eval "$(scripts/slurm-local.sh env DIR)"   # then sbatch, squeue, scontrol, scancel work
#   scripts/slurm-local.sh stop DIR    # cancels the jobs, stops the three daemons of DIR
#
# Exit codes: 0 done; 4 Slurm or munge not installed, or not root (a test reports itself
# skipped); 1 failure (the reason and the daemons' log tails on stderr); 2 bad usage.
set -euo pipefail

PATH=$PATH:/usr/sbin:/sbin
START_TIMEOUT=${SLURM_LOCAL_START_TIMEOUT:-60}

usage() { echo "usage: $0 start|stop|env STATE_DIR" >&2; exit 2; }
[[ $# -eq 2 && -n "$2" ]] || usage
cmd=$1
dir=$(realpath -m -- "$2")

conf=$dir/slurm.conf
socket=$dir/munge/munge.socket
daemons=(slurmd slurmctld munged)   # stop order; started in reverse
pidfile() { echo "$dir/run/$1.pid"; }

fail() {
  echo "slurm-local: $*" >&2
  for log in "$dir"/log/*.log; do
    [[ -s "$log" ]] || continue
    echo "----- last lines of $log" >&2
    tail -n 25 "$log" >&2
  done
  stop_cluster
  exit 1
}

# The pid in NAME's pid file if that process is alive and is NAME of this DIR (its command line
# names DIR), so a stale pid file whose pid was reused is never acted on.
live_pid() {
  local f pid
  f=$(pidfile "$1")
  [[ -r "$f" ]] || return 1
  pid=$(tr -dc 0-9 < "$f")
  [[ -n "$pid" && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$dir/" || return 1
  echo "$pid"
}

# What is left of this cluster once its daemons are gone: the jobs' slurmstepd (an empty
# environment, but slurmd's log in DIR open), their descendants, and job tasks that escaped
# (this SLURM_CONF and a SLURM_JOB_ID in their environment); never this script or its callers.
leftover_pids() {
  local p pid ppid fd env skip=" " a=$$ found=" " grew=1
  declare -A parent=()
  while [[ -n "$a" && "$a" != 0 ]]; do
    skip+="$a "
    a=$({ sed -n 's/^PPid:[[:space:]]*//p' "/proc/$a/status"; } 2>/dev/null || true)
  done
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [[ "$skip" != *" $pid "* && $pid -ne $BASHPID ]] || continue
    ppid=$({ sed -n 's/^PPid:[[:space:]]*//p' "$p/status"; } 2>/dev/null) || continue
    parent[$pid]=$ppid
    if [[ "$(cat "$p/comm" 2>/dev/null)" == slurmstepd* ]]; then
      for fd in "$p"/fd/*; do
        [[ "$(readlink "$fd" 2>/dev/null)" == "$dir/"* ]] && { found+="$pid "; break; }
      done
      continue
    fi
    env=$({ tr '\0' '\n' < "$p/environ"; } 2>/dev/null) || continue
    grep -qxF "SLURM_CONF=$conf" <<<"$env" && grep -q '^SLURM_JOB_ID=' <<<"$env" && found+="$pid "
  done
  while ((grew)); do   # add the descendants of what was found
    grew=0
    for pid in "${!parent[@]}"; do
      [[ "$found" != *" $pid "* && "$found" == *" ${parent[$pid]} "* ]] && { found+="$pid "; grew=1; }
    done
  done
  for pid in $found; do echo "$pid"; done
}

# Whether PID runs (a zombie does not: an init that is slow to reap must not make us wait).
running() {
  local state
  state=$({ sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status"; } 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z* && "$state" != X* ]]
}

wait_gone() {  # PID... : waits up to 15 s for them to exit, then SIGKILLs the rest
  local i pid alive
  for ((i = 0; i < 150; i++)); do
    alive=0
    for pid in "$@"; do running "$pid" && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
  sleep 0.2
}

stop_cluster() {
  local name pid pids=() jobs=() i
  # Cancel the jobs first, while slurmctld and munged still answer: slurmd does not end its
  # jobs' slurmstepd when it stops.
  if live_pid slurmctld >/dev/null && live_pid munged >/dev/null; then
    mapfile -t jobs < <(SLURM_CONF=$conf timeout 10 squeue -h -o %A 2>/dev/null || true)
    if ((${#jobs[@]})); then
      SLURM_CONF=$conf timeout 10 scancel "${jobs[@]}" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        [[ -z "$(SLURM_CONF=$conf timeout 10 squeue -h -o %i 2>/dev/null)" ]] && break
        sleep 0.1
      done
    fi
  fi
  for name in "${daemons[@]}"; do
    if pid=$(live_pid "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid"
    fi
    rm -f "$(pidfile "$name")"
  done
  mapfile -t pids < <(leftover_pids)
  if ((${#pids[@]})); then   # a slurmstepd whose slurmd is gone ignores SIGTERM
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait_gone "${pids[@]}"
  fi
  rm -f "$socket" "$socket.lock"
}

# Two distinct free TCP ports below the ephemeral range, not in any socket's local address now.
free_ports() {
  local used=" " addr port n=0 picked=()
  while read -r _ addr _; do
    [[ "$addr" == *:* ]] && used+="$((16#${addr##*:})) "
  done < <(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | tail -n +2)
  while ((${#picked[@]} < 2 && n++ < 1000)); do
    port=$((10000 + RANDOM % 22000))
    [[ "$used" == *" $port "* || " ${picked[*]} " == *" $port "* ]] || picked+=("$port")
  done
  ((${#picked[@]} == 2)) || return 1
  echo "${picked[@]}"
}

write_conf() {
  local host node ctl_port node_port
  host=$(hostname -s)
  # slurmd -C prints this node's line as slurmd itself will see it (CPUs, sockets, cores,
  # threads, RealMemory in MB); the node must not be configured larger than it registers.
  node=$(slurmd -C 2>/dev/null | grep -m1 '^NodeName=') || fail "slurmd -C printed no node line"
  node=${node#NodeName=* }
  read -r ctl_port node_port < <(free_ports) || fail "no free TCP ports found"
  # Slurm finds the address to listen on with getaddrinfo(AI_ADDRCONFIG), IPv4 only by default;
  # glibc answers that with nothing where 127.0.0.1 is the only IPv4 address (a container
  # without a network), so there Slurm may take either family (it listens on :: then).
  local comm="#CommunicationParameters: the default (IPv4)"
  getent ahostsv4 localhost >/dev/null 2>&1 || comm="CommunicationParameters=EnableIPv4,EnableIPv6"
  cat > "$conf" <<EOF
# Generated by scripts/slurm-local.sh start: a one-node cluster living in $dir.
ClusterName=mnistlocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$node_port
$comm
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$(pidfile slurmctld)
SlurmdPidFile=$(pidfile slurmd)
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# No accounting: finished jobs stay visible to scontrol show job for an hour.
MinJobAge=3600
KillWait=5
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 $node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  : > "$dir/plugstack.conf"   # no SPANK plugins (not /etc/slurm/plugstack.conf.d)
}

# Runs a daemon detached from our stdout/stderr and any other inherited descriptor (CTest
# waits for its pipes to close), its early complaints appended to LOG.
spawn() {
  local log=$1
  shift
  (
    for fd in "/proc/$BASHPID"/fd/*; do
      fd=${fd##*/}
      ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
    done
    SLURM_LOCAL_CLUSTER=$dir exec "$@" </dev/null >>"$log" 2>&1
  ) || return 1
}

start_cluster() {
  local b missing=() i state longest
  for b in munged mungekey munge slurmctld slurmd sinfo sbatch squeue scontrol scancel; do
    command -v "$b" >/dev/null 2>&1 || missing+=("$b")
  done
  if ((${#missing[@]})); then
    echo "slurm-local: not installed: ${missing[*]} (scripts/setup.sh installs slurmctld, slurmd, slurm-client, munge)" >&2
    exit 4
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "slurm-local: needs root (slurmd runs the jobs as their users)" >&2
    exit 4
  fi
  for b in slurmctld munged; do
    live_pid "$b" >/dev/null && { echo "slurm-local: already running in $dir (stop it first)" >&2; exit 1; }
  done
  [[ "$dir" != *[[:space:]]* ]] || { echo "slurm-local: STATE_DIR must not contain blanks: $dir" >&2; exit 1; }
  # Unix socket paths: at most 107 bytes (munged's, and slurmd's per job step in the spool).
  longest="$dir/spool/$(hostname -s)_4294967294.4294967294"
  ((${#longest} <= 107)) || { echo "slurm-local: STATE_DIR too long for Unix socket paths: $dir" >&2; exit 1; }
  stop_cluster   # a half-started earlier try
  # Each start is an empty cluster: jobs recovered from an earlier state would hold the node
  # (allocated) until slurmctld gives up on them.
  rm -rf "$dir/state" "$dir/spool"
  mkdir -p "$dir"/{munge,state,spool,log,run}
  # munged wants its socket's folder searchable by all, and no folder above writable by others.
  chmod 0755 "$dir" "$dir/munge" "$dir/log" "$dir/run"

  [[ -s "$dir/munge/munge.key" ]] ||
    mungekey --create --keyfile="$dir/munge/munge.key" 2>>"$dir/log/munged.log" ||
    fail "mungekey could not create $dir/munge/munge.key"
  chmod 0600 "$dir/munge/munge.key"
  spawn "$dir/log/munged.log" munged --key-file="$dir/munge/munge.key" --socket="$socket" \
    --pid-file="$(pidfile munged)" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed" || fail "munged did not start"
  for ((i = 0; i < 100; i++)); do
    munge -n -S "$socket" 2>/dev/null | unmunge -S "$socket" >/dev/null 2>&1 && break
    sleep 0.1
  done
  ((i < 100)) || fail "munged does not answer on $socket"

  write_conf
  spawn "$dir/log/slurmctld.log" slurmctld -f "$conf" || fail "slurmctld did not start"
  spawn "$dir/log/slurmd.log" slurmd -f "$conf" || fail "slurmd did not start"

  for ((i = 0; i < START_TIMEOUT * 5; i++)); do
    state=$(SLURM_CONF=$conf timeout 5 sinfo -h -N -o %T 2>/dev/null || true)
    [[ "$state" == idle ]] && return 0
    if ((i % 10 == 9)); then
      live_pid slurmctld >/dev/null || fail "slurmctld exited"
      live_pid slurmd >/dev/null || fail "slurmd exited"
    fi
    sleep 0.2
  done
  fail "the node is not idle after ${START_TIMEOUT} s (sinfo: ${state:-no answer})"
}

case $cmd in
  start) start_cluster ;;
  stop) stop_cluster ;;
  env) printf 'export SLURM_CONF=%q\n' "$conf" ;;
  *) usage ;;
esac
