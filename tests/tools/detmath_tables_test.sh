#!/usr/bin/env bash
# sim/detmath's tables are exactly what tools/gen/detmath_tables.py writes (nobody edited them by
# hand, and the generator still makes them). Usage: detmath_tables_test.sh SOURCE_DIR
set -euo pipefail
src=$1
status=0
for kind in log exp; do
  if ! diff <(python3 "$src/tools/gen/detmath_tables.py" "$kind") "$src/sim/detmath_${kind}_table.h" >/dev/null; then
    echo "sim/detmath_${kind}_table.h differs from: python3 tools/gen/detmath_tables.py $kind" >&2
    status=1
  fi
done
exit $status
