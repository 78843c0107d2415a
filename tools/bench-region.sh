#!/usr/bin/env bash
# The region benchmark: 100,000 replication groups on 300 storage nodes under steady load.
# Prints simulated requests per wall second, events per second and peak memory per replica
# (peak RSS of the whole process divided by the replicas, so item data and everything else
# is included: an upper bound on the simulator's own memory per replica).
# --idle: the same region with no requests (scenarios/bench/region_idle.json): the background
# cost of keeping it alive (heartbeats, leases, failure detection), per simulated second.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh --target ddbsim >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
scenario=region_steady
[ "${1:-}" = "--idle" ] && scenario=region_idle
build/ddbsim run "scenarios/bench/$scenario.json" --out "$out" >/dev/null 2>&1 || true
field() { sed -n "s/^  \"$1\": \(.*\),\{0,1\}$/\1/p" "$out/run.json" | tr -d ','; }
printf '%s: %s replicas, %s operations, %s events in %.1f s wall (%.1f s of it setup), %.0f simulated s\n' \
  "$scenario" "$(field replicas)" "$(field operations)" "$(field events)" "$(field wall_s)" "$(field setup_wall_s)" "$(field sim_end_s)"
printf 'operations_per_wall_s=%.0f events_per_s=%.0f peak_rss_kib=%s peak_rss_bytes_per_replica=%.0f\n' \
  "$(field operations_per_wall_s)" "$(field events_per_s)" "$(field peak_rss_kib)" "$(field peak_rss_bytes_per_replica)"
awk -v e="$(field events)" -v w="$(field wall_s)" -v s="$(field setup_wall_s)" -v t="$(field sim_end_s)" \
  'BEGIN { printf "per simulated second: events=%.0f wall_ms=%.2f\n", e / t, (w - s) * 1000 / t }'
