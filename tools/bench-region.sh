#!/usr/bin/env bash
# The region benchmark: 100,000 replication groups on 300 storage nodes under steady load.
# Prints simulated requests per wall second, events per second and peak memory per replica
# (peak RSS of the whole process divided by the replicas, so item data and everything else
# is included: an upper bound on the simulator's own memory per replica).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh --target ddbsim >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
build/ddbsim run scenarios/bench/region_steady.json --out "$out" >/dev/null 2>&1 || true
field() { sed -n "s/^  \"$1\": \(.*\),\{0,1\}$/\1/p" "$out/run.json" | tr -d ','; }
printf 'region_steady: %s replicas, %s operations, %s events in %.1f s wall\n' \
  "$(field replicas)" "$(field operations)" "$(field events)" "$(field wall_s)"
printf 'operations_per_wall_s=%.0f events_per_s=%.0f peak_rss_kib=%s peak_rss_bytes_per_replica=%.0f\n' \
  "$(field operations_per_wall_s)" "$(field events_per_s)" "$(field peak_rss_kib)" "$(field peak_rss_bytes_per_replica)"
