#!/usr/bin/env bash
# tools/sweep-parallel.sh gives the summary of one local sweep, byte for byte: on this machine,
# again with --resume-failed (nothing reruns), and over SSH to a loopback sshd this test starts
# itself (its own host key, client key and port; stopped at exit).
#   tests/tools/sweep_parallel_test.sh SOURCE_DIR DDBSIM
set -euo pipefail
source_dir="$1" ddbsim="$(realpath "$2")"
scenario="$source_dir/tests/scenarios/failing_expectation.json"
work="$(mktemp -d /tmp/ddbsim-sweep-parallel.XXXXXX)"
sshd_pid=""
cleanup() { [ -z "$sshd_pid" ] || kill "$sshd_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The reference: one sweep (every seed fails its expectation: signatures are in the summary).
"$ddbsim" sweep "$scenario" --seeds 1..7 --jobs 2 --out "$work/one" >/dev/null 2>&1 && fail "the reference sweep passed" || [ $? -eq 1 ]
grep -q '"failed": 7' "$work/one/summary.json" || fail "the reference summary does not count 7 failures"

# Locally, in shards of 3 seeds.
"$source_dir/tools/sweep-parallel.sh" "$scenario" --seeds 1..7 --shard 3 --jobs 2 --out "$work/local" --ddbsim "$ddbsim" \
  >"$work/local.log" 2>&1 && fail "a sweep of failing seeds exited 0" || [ $? -eq 1 ] || { cat "$work/local.log"; fail "local sweep"; }
cmp "$work/one/summary.json" "$work/local/summary.json" || fail "local shards: summary differs from one sweep"
[ "$(ls "$work/local/seeds" | wc -l)" -eq 7 ] || fail "local shards: expected 7 records"
# Resumed: the job log says every job finished, so none runs again.
jobs_before=$(wc -l < "$work/local/joblog")
"$source_dir/tools/sweep-parallel.sh" "$scenario" --seeds 1..7 --shard 3 --jobs 2 --out "$work/local" --ddbsim "$ddbsim" \
  --resume-failed >/dev/null 2>&1 || [ $? -eq 1 ] || fail "resumed sweep"
[ "$(wc -l < "$work/local/joblog")" -eq "$jobs_before" ] || fail "--resume-failed ran finished jobs again"
cmp "$work/one/summary.json" "$work/local/summary.json" || fail "resumed: summary differs"

# Over SSH, to a loopback sshd of our own.
command -v sshd >/dev/null || PATH="$PATH:/usr/sbin"
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/client_key"
cp "$work/client_key.pub" "$work/authorized_keys"
chmod 600 "$work/authorized_keys"
mkdir -p /run/sshd 2>/dev/null || true
port=$((20000 + $$ % 20000))
cat > "$work/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $work/host_key
AuthorizedKeysFile $work/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile $work/sshd.pid
CONF
"$(command -v sshd)" -D -f "$work/sshd_config" -E "$work/sshd.log" &
sshd_pid=$!
cat > "$work/ssh_config" <<CONF
Host loopback
  HostName 127.0.0.1
  Port $port
  User $(id -un)
  IdentityFile $work/client_key
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
CONF
for _ in $(seq 50); do ssh -F "$work/ssh_config" -o BatchMode=yes loopback true 2>/dev/null && break; sleep 0.2; done
ssh -F "$work/ssh_config" -o BatchMode=yes loopback true || { cat "$work/sshd.log" >&2; fail "the loopback sshd does not answer"; }
(cd "$work" && "$source_dir/tools/sweep-parallel.sh" "$scenario" --seeds 1..7 --shard 3 --out "$work/ssh" --ddbsim "$ddbsim" \
  --sshlogin "2/ssh -F $work/ssh_config loopback") >"$work/ssh.log" 2>&1 || [ $? -eq 1 ] || { cat "$work/ssh.log"; fail "ssh sweep"; }
cmp "$work/one/summary.json" "$work/ssh/summary.json" || { cat "$work/ssh.log"; fail "over SSH: summary differs from one sweep"; }
echo "sweep-parallel: local, resumed and SSH summaries equal one sweep's"
