#!/usr/bin/env bash
# End-to-end check of deploy/slurm/campaign.sbatch on a throwaway one-node
# Slurm cluster on this machine:
#
#   1. installs Debian's slurm-wlm and munge if missing (apt-get; needs root),
#   2. creates a munge key if there is none and starts munged if none runs,
#   3. writes a single-node slurm.conf in a temporary directory (nothing in
#      /etc/slurm is touched; every Slurm command here gets SLURM_CONF),
#   4. starts slurmctld and slurmd, waits for the node to be idle,
#   5. builds wmsim (cargo build --release; a no-op when up to date) unless
#      WMSIM names a binary,
#   6. submits the sbatch script as a 3-task array of a small sweep, waits,
#   7. merges the three shards with `wmsim merge`, runs the same sweep in one
#      process without sharding, and compares: the CSVs byte for byte without
#      their last column (runs_per_second), the JSONs without their timing
#      fields (runs_per_second, elapsed_seconds, cpu_seconds),
#   8. prints PASS or FAIL (with a diff) and stops every daemon it started.
#
# Usage: scripts/slurm-smoke.sh            (as root; about a minute once the
#                                          packages are installed)
# Env:   WMSIM=path     use this binary instead of building
#        RUNS=N         runs per combination (default 2000)
#        KEEP=1         keep the temporary directory even on PASS
#        READY_TIMEOUT, JOB_TIMEOUT   seconds (default 60, 300)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD

log() { printf '[slurm-smoke %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
# Exit 77: this machine could not run the test (packages, daemons, queue);
# exit 1: wmsim failed it (a task failed, or the merge differs). CI gates on 1.
die() { printf '[slurm-smoke] CANNOT RUN: %s\n' "$*" >&2; exit 77; }
fail() { printf '[slurm-smoke] FAIL: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (it installs packages and starts daemons)"

READY_TIMEOUT=${READY_TIMEOUT:-60}
JOB_TIMEOUT=${JOB_TIMEOUT:-300}
RUNS=${RUNS:-2000}
SCENARIO='xen-shutdown-sb:vcpu=mb,shutdown=wmb'
MODEL=weak
SB_DEPTH=0..2
IQ_DEPTH=0..2
SEED=0
SHARDS=3
# Not Slurm's default ports, so that a real Slurm on this host (or a
# leftover one) cannot be confused with this throwaway cluster.
CTLD_PORT=${CTLD_PORT:-16817}
SLURMD_PORT=${SLURMD_PORT:-16818}

started=$(date +%s)

# ---------------------------------------------------------------- packages
missing=()
for pkg in slurm-wlm munge; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    log "installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for cmd in munged munge unmunge slurmctld slurmd sinfo sbatch squeue scontrol scancel; do
    command -v "$cmd" >/dev/null || die "$cmd not found after installing slurm-wlm and munge"
done

# ---------------------------------------------------------------- state
work=$(mktemp -d /tmp/wmsim-slurm-smoke.XXXXXX)
chmod 755 "$work"
conf=$work/slurm.conf
export SLURM_CONF=$conf
ctld_pid=
slurmd_pid=
munged_pid=
job_id=
result=FAIL

# Stop a daemon by the pid it was started with: TERM, then KILL after 10 s.
stop_pid() {
    local name=$1 pid=$2 i
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "$name ($pid) ignored TERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
}

show_logs() {
    local f
    for f in "$work"/slurmctld.log "$work"/slurmd.log "$work"/task-*.out; do
        [[ -s $f ]] || continue
        echo "----- $f (last 40 lines)"
        tail -n 40 "$f"
    done
    if [[ -s /var/log/munge/munged.log ]]; then
        echo "----- /var/log/munge/munged.log (last 10 lines)"
        tail -n 10 /var/log/munge/munged.log
    fi
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    if [[ -n $job_id ]] && [[ -n $ctld_pid ]] && kill -0 "$ctld_pid" 2>/dev/null; then
        scancel "$job_id" 2>/dev/null
    fi
    # slurmd first, so that it does not try to reach a dead controller.
    stop_pid slurmd "$slurmd_pid"
    stop_pid slurmctld "$ctld_pid"
    stop_pid munged "$munged_pid"
    if [[ $status -ne 0 || $result != PASS ]]; then
        show_logs
        log "kept $work for inspection"
    elif [[ ${KEEP:-0} == 1 ]]; then
        log "kept $work"
    else
        rm -rf "$work"
    fi
    log "daemons stopped; took $(($(date +%s) - started)) s"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- munge
# Debian's package normally creates the key; make one if it did not.
key=/etc/munge/munge.key
if [[ ! -s $key ]]; then
    log "creating $key"
    install -d -o munge -g munge -m 0700 /etc/munge
    if command -v mungekey >/dev/null; then
        mungekey --create --keyfile="$key"
    else
        dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
    fi
    chown munge:munge "$key"
    chmod 0400 "$key"
fi
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "munged already running; using it"
else
    log "starting munged"
    # munged refuses a key it does not own, so it runs as its own user (as
    # Debian's init script does). A pid file left by a killed munged would
    # make it refuse to start.
    rm -f /run/munge/munged.pid
    runuser -u munge -- munged --force || die "munged did not start (see /var/log/munge/munged.log)"
    for ((i = 0; i < 50; i++)); do [[ -s /run/munge/munged.pid ]] && break; sleep 0.1; done
    munged_pid=$(cat /run/munge/munged.pid) || die "munged wrote no pid file"
    for ((i = 0; i < 50; i++)); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        sleep 0.1
    done
    munge -n | unmunge >/dev/null || die "munge does not work"
fi

# ---------------------------------------------------------------- slurm.conf
# Slurm calls a node by its short hostname; addresses are pinned to
# loopback so that nothing depends on how the hostname resolves.
node=$(hostname -s)
hw=$(slurmd -C | grep '^NodeName=') || die "slurmd -C printed no NodeName line"
# slurmd -C prints NodeName=<host> CPUs=.. Boards=.. SocketsPerBoard=..
# CoresPerSocket=.. ThreadsPerCore=.. RealMemory=..: the real hardware,
# which slurmd checks at registration.
cat >"$conf" <<EOF
# Written by scripts/slurm-smoke.sh: a one-node cluster on loopback.
ClusterName=wmsim-smoke
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: plain /proc process tracking and no task containment, which
# work in a container or microVM without a delegated cgroup tree.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
# Debian has no mail program by default; silence the error about it.
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
$hw NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=smoke Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
mkdir -p "$work/state" "$work/spool" "$work/shards"

# ---------------------------------------------------------------- daemons
log "starting slurmctld and slurmd (config $conf)"
slurmctld -f "$conf" || die "slurmctld did not start (see $work/slurmctld.log)"
for ((i = 0; i < 50; i++)); do [[ -s $work/slurmctld.pid ]] && break; sleep 0.1; done
ctld_pid=$(cat "$work/slurmctld.pid" 2>/dev/null) || die "slurmctld wrote no pid file"
slurmd -f "$conf" -N "$node" || die "slurmd did not start (see $work/slurmd.log)"
for ((i = 0; i < 50; i++)); do [[ -s $work/slurmd.pid ]] && break; sleep 0.1; done
slurmd_pid=$(cat "$work/slurmd.pid" 2>/dev/null) || die "slurmd wrote no pid file"

deadline=$(($(date +%s) + READY_TIMEOUT))
state=
while :; do
    state=$(sinfo -h -N -n "$node" -o '%T' 2>/dev/null | head -n 1 || true)
    [[ $state == idle ]] && break
    kill -0 "$ctld_pid" 2>/dev/null || die "slurmctld exited (see $work/slurmctld.log)"
    kill -0 "$slurmd_pid" 2>/dev/null || die "slurmd exited (see $work/slurmd.log)"
    (($(date +%s) < deadline)) \
        || die "node $node not idle after ${READY_TIMEOUT}s (state: '${state:-none}')"
    sleep 1
done
log "node $node is idle"
sinfo

# ---------------------------------------------------------------- wmsim
if [[ -z ${WMSIM:-} ]]; then
    log "cargo build --release (no-op when up to date)"
    cargo build --release --quiet --bin wmsim
    WMSIM=$root/target/release/wmsim
fi
[[ -x $WMSIM ]] || die "no wmsim binary at $WMSIM"
WMSIM=$(realpath "$WMSIM")

# ---------------------------------------------------------------- the array
log "submitting deploy/slurm/campaign.sbatch as --array=1-$SHARDS"
job_id=$(
    CAMPAIGN=sweep WMSIM=$WMSIM SCENARIO=$SCENARIO MODEL=$MODEL \
        SB_DEPTH=$SB_DEPTH IQ_DEPTH=$IQ_DEPTH RUNS=$RUNS SEED=$SEED \
        OUT_DIR=$work/shards \
        sbatch --parsable --array=1-$SHARDS --output="$work/task-%A_%a.out" \
        --chdir="$root" deploy/slurm/campaign.sbatch
)
job_id=${job_id%%;*}
log "array job $job_id submitted"

deadline=$(($(date +%s) + JOB_TIMEOUT))
last=
while :; do
    queued=$(squeue -h -j "$job_id" -o '%i %T' 2>/dev/null | sort | tr '\n' ' ' || true)
    [[ -z $queued ]] && break
    if [[ $queued != "$last" ]]; then log "queue: $queued"; last=$queued; fi
    (($(date +%s) < deadline)) || die "array job $job_id not done after ${JOB_TIMEOUT}s"
    sleep 1
done

# Without accounting, finished tasks stay in slurmctld's memory for
# MinJobAge (300 s): read their final states there.
scontrol -o show job "$job_id" | awk '{ s = ""; for (i = 1; i <= NF; i++) if ($i ~ /^(ArrayTaskId|JobState|ExitCode)=/) s = s " " $i; print "    task:" s }'
bad=$(scontrol -o show job "$job_id" | grep -v 'JobState=COMPLETED' || true)
[[ -z $bad ]] || fail "some tasks of $job_id did not complete: $bad"
for ((t = 1; t <= SHARDS; t++)); do
    [[ -s $work/shards/shard-$t.json ]] || fail "task $t wrote no $work/shards/shard-$t.json"
    sed 's/^/    /' "$work/task-${job_id}_$t.out"
done

# ---------------------------------------------------------------- compare
cd "$work"
log "wmsim merge shards/shard-{1..$SHARDS}.json --csv merged.csv --out merged.json --json"
shard_files=()
for ((t = 1; t <= SHARDS; t++)); do shard_files+=("shards/shard-$t.json"); done
"$WMSIM" merge "${shard_files[@]}" --csv merged.csv --out merged.json --json >merged.stdout.json

log "the same sweep in one process, unsharded"
"$WMSIM" sweep "$SCENARIO" --model "$MODEL" --sb-depth "$SB_DEPTH" --iq-depth "$IQ_DEPTH" \
    --runs "$RUNS" --seed "$SEED" --csv single.csv --out single.json --json >single.stdout.json

fail=0
# CSV: byte for byte once the last column (runs_per_second, the only one that
# measures time) is dropped. Check it really is that column first.
for f in merged.csv single.csv; do
    [[ $(head -n 1 "$f" | awk -F, '{print $NF}') == runs_per_second ]] \
        || { log "$f: last column is not runs_per_second"; fail=1; }
done
sed 's/,[^,]*$//' merged.csv >merged.notime.csv
sed 's/,[^,]*$//' single.csv >single.notime.csv
if cmp -s merged.notime.csv single.notime.csv; then
    log "CSV: identical without runs_per_second ($(($(wc -l <single.csv) - 1)) rows)"
else
    log "CSV: differ"
    diff -u single.notime.csv merged.notime.csv || true
    fail=1
fi

# JSON: equal once runs_per_second, elapsed_seconds and cpu_seconds are
# removed at every level; printed canonically (sorted keys) for a readable
# diff. merge's stdout and its --out file must be the same JSON too.
strip_timing() {
    if command -v python3 >/dev/null; then
        python3 -c '
import json, sys
T = {"runs_per_second", "elapsed_seconds", "cpu_seconds"}
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in T}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
print(json.dumps(strip(json.load(open(sys.argv[1]))), indent=1, sort_keys=True))
' "$1"
    elif command -v jq >/dev/null; then
        jq -S 'walk(if type == "object" then del(.runs_per_second, .elapsed_seconds, .cpu_seconds) else . end)' "$1"
    else
        die "need python3 or jq to compare the JSON"
    fi
}
strip_timing merged.json >merged.notime.json
strip_timing single.json >single.notime.json
if cmp -s merged.notime.json single.notime.json; then
    log "JSON: identical without timing fields"
else
    log "JSON: differ"
    diff -u single.notime.json merged.notime.json || true
    fail=1
fi
if ! cmp -s merged.json merged.stdout.json; then
    log "merge printed a different JSON than it wrote to --out"
    fail=1
fi

echo
column -t -s, merged.notime.csv 2>/dev/null || cat merged.notime.csv
echo
if ((fail)); then
    echo "FAIL: the merged Slurm shards differ from the single run"
    exit 1
fi
result=PASS
echo "PASS: $SHARDS Slurm array tasks merged == one unsharded run (CSV and JSON, timing aside)"
