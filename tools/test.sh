#!/usr/bin/env bash
# The README's second command, and what CI runs: install what is missing, build everything,
# run every test (unit, scenario, determinism, command line, chaos sweeps) with CTest. The long
# sweeps (label "long", about 40 min on 2 cores) run only when asked: tools/test.sh -L long.
# Without arguments it also fuzzes the scenario loader for 60 s (tools/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
jobs=$(nproc 2>/dev/null || echo 2)
if [ "$#" -eq 0 ]; then
  ctest --test-dir build --output-on-failure -j "$jobs" -LE long
  # A short libFuzzer run of the scenario loader (a clang build beside this one, ~3 min in all).
  tools/fuzz.sh 60
else
  ctest --test-dir build --output-on-failure -j "$jobs" "$@"
fi
