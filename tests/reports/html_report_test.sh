#!/usr/bin/env bash
# report.html in a real browser (headless Chromium, no network): it renders, its charts have the
# elements they should (lines, fault windows, bars, the checks), and a screenshot is not blank.
#   tests/reports/html_report_test.sh SOURCE_DIR DDBSIM
set -euo pipefail
source_dir="$1" ddbsim="$(realpath "$2")"
work="$(mktemp -d /tmp/ddbsim-html.XXXXXX)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
browser="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$browser" ] || fail "chromium is missing (tools/install-deps.sh installs it)"

"$ddbsim" run "$source_dir/tests/scenarios/tiny.json" --out "$work/run" >/dev/null 2>&1 || true
[ -s "$work/run/report.html" ] || fail "no report.html"
grep -q 'https\?://' <(grep -o 'src="[^"]*"\|href="[^"]*"' "$work/run/report.html") && fail "report.html loads something from the network"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,2000 --user-data-dir="$work/profile")
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/run/report.html" >"$work/dom.html" 2>"$work/browser.log" ||
  { tail -5 "$work/browser.log" >&2; fail "chromium could not render report.html"; }
count() { grep -o "$1" "$work/dom.html" | wc -l; }
[ "$(count '<svg')" -ge 4 ] || fail "expected at least 4 charts, found $(count '<svg')"
[ "$(count '<polyline')" -ge 2 ] || fail "expected lines in the time charts"
[ "$(count 'class="window fault"')" -ge 1 ] || fail "tiny.json has faults: expected a shaded fault window"
[ "$(count 'class="bar"')" -ge 4 ] || fail "expected availability bars"
grep -q '<h2>Checks</h2>' "$work/dom.html" || fail "no checks table"
# Latency per minute for each operation of the workload, and replication over time (the
# power-off of az1/storage0 leaves groups leaderless and on two copies: a line above zero).
[ "$(count 'latency per minute')" -ge 2 ] || fail "expected a latency-per-minute chart for get_strong and put"
grep -q 'data-title="Replication: group-seconds' "$work/dom.html" || fail "no replication chart"
# Capacity: a provisioned table that is throttled gets consumption, throttle and partition charts.
python3 - "$source_dir/tests/scenarios/tiny.json" "$work/capacity.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["name"] = "tiny_capacity"
d["faults"] = {}
d["tables"][0]["capacity"] = {"mode": "provisioned", "rcu": 20, "wcu": 10}
d["expect"] = []
json.dump(d, open(sys.argv[2], "w"))
PY
"$ddbsim" run "$work/capacity.json" --out "$work/capacity" >/dev/null 2>&1 || true
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/capacity/report.html" >"$work/capacity.html" 2>>"$work/browser.log" ||
  fail "chromium could not render the capacity report"
for title in 'capacity consumed per second' 'throttled requests per minute' 'the partition throttled most'; do
  grep -q "$title" "$work/capacity.html" || fail "capacity: no chart \"$title\""
done
timeout 120 "$browser" "${flags[@]}" --screenshot="$work/shot.png" "file://$work/run/report.html" >/dev/null 2>>"$work/browser.log" ||
  fail "no screenshot"
# Not blank: the decoded pixels take many values (a white page takes one).
python3 - "$work/shot.png" <<'PY' || fail "the screenshot is blank"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat = 8, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + length]
    pos += 12 + length
pixels = zlib.decompress(idat)
distinct = len(set(pixels[i:i + 3] for i in range(0, min(len(pixels), 3_000_000), 3)))
print(f"screenshot: {distinct} distinct byte triples")
sys.exit(0 if distinct > 50 else 1)
PY
# A sweep's page: its seeds with verdicts, and links to the failing seeds' reports.
"$ddbsim" sweep "$source_dir/tests/scenarios/failing_expectation.json" --seeds 1..2 --out "$work/sweep" >/dev/null 2>&1 || true
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/sweep/summary.html" >"$work/sweep.html" 2>>"$work/browser.log" ||
  fail "chromium could not render summary.html"
[ "$(grep -o 'href="seed-[12]/report.html"' "$work/sweep.html" | wc -l)" -eq 2 ] || fail "summary.html: expected links to both failing seeds"
echo "report.html: renders in Chromium with its charts, and the screenshot is not blank; summary.html links the failures"
