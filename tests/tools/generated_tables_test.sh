#!/usr/bin/env bash
# sim's generated tables are exactly what tools/gen writes (nobody edited them by hand, and the
# generators still make them). Usage: generated_tables_test.sh SOURCE_DIR
set -euo pipefail
src=$1
status=0
check() {  # check HEADER GENERATOR [ARGS]
  local header=$1
  shift
  if ! diff <(python3 "$src/$1" "${@:2}") "$src/$header" >/dev/null; then
    echo "$header differs from: python3 $*" >&2
    status=1
  fi
}
for kind in log exp; do check "sim/detmath_${kind}_table.h" tools/gen/detmath_tables.py "$kind"; done
check sim/rng_normal_table.h tools/gen/normal_table.py
exit $status
