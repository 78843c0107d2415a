#!/usr/bin/env bash
# Fuzzes the scenario loader: builds its libFuzzer target with clang++ (ASan and UBSan on, into
# build-fuzz/) and runs it for SECONDS (default 60), starting from every scenario in scenarios/
# and tests/scenarios/ (the broken ones too) and a dictionary of the schema's keys. New inputs
# go to build-fuzz/corpus (kept between runs). A finding stops the run with a non-zero exit and
# is written to build-fuzz/findings/; replay one with: build-fuzz/scenario_loader_fuzz FILE
# Usage: tools/fuzz.sh [SECONDS]   (tools/test.sh runs it for 60 s after the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ is not installed (tools/install-deps.sh installs it); skipped" >&2
  exit 0
fi
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release -DDDBSIM_TESTS=OFF \
  -DDDBSIM_FUZZ=ON >/dev/null
cmake --build build-fuzz --target scenario_loader_fuzz -j "$jobs" -- --no-print-directory >/dev/null

seeds=build-fuzz/seeds
rm -rf "$seeds"
mkdir -p "$seeds" build-fuzz/corpus build-fuzz/findings
i=0
for file in scenarios/*.json scenarios/*/*.json tests/scenarios/*.json tests/scenarios/broken/*.json; do
  cp "$file" "$seeds/$i.json"
  i=$((i + 1))
done
# Every key the schema names, quoted, as libFuzzer dictionary entries.
grep -o '"[A-Za-z_][A-Za-z0-9_]*"' scenarios/scenario.schema.json | sort -u |
  sed 's/"/\\"/g; s/.*/"&"/' > build-fuzz/keys.dict

echo "fuzz: scenario loader for ${seconds}s from $i seed files"
build-fuzz/scenario_loader_fuzz build-fuzz/corpus "$seeds" -dict=build-fuzz/keys.dict \
  -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=65536 \
  -artifact_prefix=build-fuzz/findings/ -print_final_stats=1 2>build-fuzz/fuzz.log || {
  status=$?
  tail -n 60 build-fuzz/fuzz.log >&2
  echo "fuzz: a finding (exit $status); see build-fuzz/findings/ and build-fuzz/fuzz.log" >&2
  exit 1
}
grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" build-fuzz/fuzz.log | sed 's/^/fuzz: /'
echo "fuzz: no findings"
