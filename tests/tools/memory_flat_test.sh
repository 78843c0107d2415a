#!/usr/bin/env bash
# Memory stays flat over a long run: six simulated hours of a 1,000-group region at 200
# requests/s, without the checkers' history (which grows with the operations by design). By the
# second hour every group's bounded state (log tail, the agreement monitor's window, items) is
# full, so from hour 2 to hour 6 the heap in use may grow only by the per-minute report series
# (a few hundred bytes a minute) and the growth of its vector: at most 1 MiB. Before the
# timeline settled its minutes, it grew 0.6 MiB an hour (a latency histogram per operation per
# minute), and the benchmark's own progress samples grew with the events.
# Usage: memory_flat_test.sh DDBSIM
set -euo pipefail
ddbsim=$1
out=$("$ddbsim" bench region --groups 1000 --rate 200 --idle 60 --busy 21600 --items-per-group 2 --without-history --format json)
python3 - "$out" <<'PY'
import json, sys
doc = json.loads(sys.argv[1])
heap = doc["heap_bytes_by_simulated_hour"]
rss = doc["rss_bytes_by_simulated_hour"]
assert doc["complete"], "the run did not complete"
assert len(heap) == 6, f"expected samples at hours 1 to 6, found {len(heap)}"
# glibc's count (mallinfo2); an allocator that does not keep it (a sanitizer's) reports nothing.
assert min(heap) > 1048576, f"no heap figures to judge: {heap}"
mib = [round(h / 1048576, 2) for h in heap]
print("heap in use by simulated hour (MiB):", mib)
print("RSS by simulated hour (MiB):", [round(r / 1048576, 2) for r in rss])
growth = heap[5] - heap[1]
if growth > 1048576:
    sys.exit(f"the heap grew {growth / 1048576:.2f} MiB from simulated hour 2 to hour 6 (at most 1 MiB allowed)")
PY
