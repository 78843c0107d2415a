#!/usr/bin/env bash
# tools/sweep-slurm.sh on a single-node Slurm cluster this test starts itself (munged, slurmctld
# and slurmd in a scratch directory, on ports of their own; stopped at exit): the merged summary
# has the bytes of one local sweep.
#   tests/tools/sweep_slurm_test.sh SOURCE_DIR DDBSIM
set -euo pipefail
source_dir="$1" ddbsim="$(realpath "$2")"
scenario="$source_dir/tests/scenarios/failing_expectation.json"
PATH="$PATH:/usr/sbin"
work="$(mktemp -d /tmp/ddbsim-sweep-slurm.XXXXXX)"
stop() {
  for pid_file in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
    [ -f "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null || true
  done
  sleep 0.5
  rm -rf "$work"
}
trap stop EXIT
fail() { echo "FAIL: $*" >&2; for log in "$work"/*.log "$work/munge/munged.log"; do [ -f "$log" ] && tail -5 "$log" >&2; done; exit 1; }
for program in munged slurmctld slurmd sbatch; do
  command -v "$program" >/dev/null || fail "$program is missing (tools/install-deps.sh installs it)"
done

"$ddbsim" sweep "$scenario" --seeds 1..7 --jobs 2 --out "$work/one" >/dev/null 2>&1 && fail "the reference sweep passed" || [ $? -eq 1 ]

# munge: a key and a socket of our own.
mkdir -p "$work/munge" "$work/state" "$work/spool"
chmod 700 "$work/munge"
dd if=/dev/urandom bs=1 count=1024 of="$work/munge/munge.key" 2>/dev/null
chmod 400 "$work/munge/munge.key"
munged --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" --force || fail "munged did not start"

host="$(hostname -s)" user="$(id -un)"
port=$((21000 + ($$ % 4000) * 2))
cat > "$work/slurm.conf" <<CONF
ClusterName=ddbsim-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -f "$SLURM_CONF" -i || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for _ in $(seq 60); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 0.5; done
sinfo -h -o %t | grep -q idle || fail "the Slurm node never became idle"

"$source_dir/tools/sweep-slurm.sh" "$scenario" --seeds 1..7 --shard 3 --out "$work/slurm-sweep" --ddbsim "$ddbsim" --wait \
  >"$work/sweep.log" 2>&1 && fail "a Slurm sweep of failing seeds exited 0" || [ $? -eq 1 ] || { cat "$work/sweep.log"; fail "the Slurm sweep"; }
[ "$(ls "$work/slurm-sweep/slurm" | grep -c '_')" -eq 3 ] || fail "expected 3 array tasks' logs"
cmp "$work/one/summary.json" "$work/slurm-sweep/summary.json" || { cat "$work/sweep.log"; fail "summary differs from one sweep"; }
echo "sweep-slurm: a 3-task array and its merge job give one sweep's summary"
