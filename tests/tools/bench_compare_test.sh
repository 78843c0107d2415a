#!/usr/bin/env bash
# tools/bench-compare.sh prints a figure's medians for two builds and their ratio, and refuses to
# print figures when a run fails (it once timed a failed run and showed it as 0.004 s).
#   tests/tools/bench_compare_test.sh SOURCE_DIR DDBSIM
set -euo pipefail
source_dir="$1" ddbsim="$(realpath "$2")"
fail() { echo "FAIL: $*" >&2; exit 1; }
out="$("$source_dir/tools/bench-compare.sh" "$ddbsim" "$ddbsim" -n 2 -- bench phold --events 20000 2>/dev/null)"
echo "$out" | grep -Eq '^events_per_s +[0-9.e+]+ +[0-9.e+]+ +[0-9.]+$' || fail "no events_per_s row: $out"
echo "$out" | grep -Eq '^process_wall_s ' || fail "no process_wall_s row: $out"
# The same binary on both sides: the event count is the same, so its ratio is exactly 1.
echo "$out" | grep -Eq '^events +[0-9.e+]+ +[0-9.e+]+ +1\.000$' || fail "events differ between identical builds: $out"
# A run that fails (bad usage: exit 2) stops the comparison with its error, and no figures.
if bad="$("$source_dir/tools/bench-compare.sh" "$ddbsim" "$ddbsim" -n 1 -- bench phold --no-such-flag 2>&1)"; then
  fail "a failing run was compared: $bad"
fi
echo "$bad" | grep -q "exited 2" || fail "the failure is not named: $bad"
echo "$bad" | grep -q "process_wall_s" && fail "figures printed for a failed run: $bad"
echo "ok"
