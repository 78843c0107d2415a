#!/usr/bin/env bash
# Two builds side by side: runs a benchmark with OLD's ddbsim and NEW's alternately (so drift in
# the machine's speed hits both alike), N times each, and prints each figure's median for both
# and the ratio NEW / OLD.
#   tools/bench-compare.sh OLD NEW [-n N] [-- BENCH ARGS]
# OLD and NEW are ddbsim binaries or build directories holding one. BENCH ARGS default to
# `bench region --groups 100000`; any `ddbsim bench ...` or `ddbsim run ...` works: figures are
# read from `--format json` output (bench region) or from `name=value` words (bench phold), and
# a `run` is timed as a whole (wall seconds).
# Example: git worktree add /tmp/old HEAD~3 && (cd /tmp/old && tools/build.sh --target ddbsim)
#          tools/bench-compare.sh /tmp/old/build build -n 3 -- bench region --groups 10000
set -euo pipefail
usage() { echo "usage: tools/bench-compare.sh OLD NEW [-n N] [-- BENCH ARGS]" >&2; exit 2; }
[ $# -ge 2 ] || usage
binary() { if [ -d "$1" ]; then echo "$1/ddbsim"; else echo "$1"; fi; }
old="$(binary "$1")" new="$(binary "$2")"
shift 2
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
[ -x "$old" ] || { echo "bench-compare: $old is not an executable ddbsim" >&2; exit 2; }
[ -x "$new" ] || { echo "bench-compare: $new is not an executable ddbsim" >&2; exit 2; }
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(bench region --groups 100000)
[ "${args[0]} ${args[1]:-}" = "bench region" ] && args+=(--format json)
if [ "${args[0]}" = "run" ] && ! printf '%s\n' "${args[@]}" | grep -qx -- '--out'; then args+=(--out "$(mktemp -d)"); fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$runs"); do
  for side in old new; do
    bin=$old; [ $side = new ] && bin=$new
    start=$(date +%s%N)
    status=0
    "$bin" "${args[@]}" >"$work/$side.$i.out" 2>"$work/$side.$i.err" || status=$?
    end=$(date +%s%N)
    # A failed run has no figures worth a ratio (a run whose checks fail exits 1 and still counts).
    if [ $status -ge 2 ]; then
      echo "bench-compare: $bin ${args[*]} exited $status:" >&2
      tail -n 5 "$work/$side.$i.err" >&2
      exit 1
    fi
    echo "process_wall_s=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')" >>"$work/$side.$i.out"
    echo "run $i $side done" >&2
  done
done
python3 - "$work" "$runs" "$old" "$new" <<'PY'
import json, re, statistics, sys
work, runs, old, new = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def figures(path):
    text = open(path).read()
    out = {}
    start = text.find("{")
    if start >= 0:
        try:
            doc, end = json.JSONDecoder().raw_decode(text[start:])
            def walk(prefix, value):
                if isinstance(value, dict):
                    for k, v in value.items(): walk(f"{prefix}{k}.", v)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    out[prefix[:-1]] = float(value)
            walk("", doc)
        except ValueError:
            pass
    for name, value in re.findall(r"\b([a-z_]+)=([0-9.]+)\b", text):
        out.setdefault(name, float(value))
    return out
sides = {s: [figures(f"{work}/{s}.{i}.out") for i in range(1, runs + 1)] for s in ("old", "new")}
names = [n for n in sides["old"][0] if all(n in r for r in sides["old"] + sides["new"])]
print(f"{'figure':48} {'old (median)':>16} {'new (median)':>16} {'new/old':>9}")
for n in names:
    a = statistics.median(r[n] for r in sides["old"])
    b = statistics.median(r[n] for r in sides["new"])
    ratio = f"{b / a:9.3f}" if a else "        -"
    print(f"{n:48} {a:16.6g} {b:16.6g} {ratio}")
print(f"# {runs} runs each, alternating; old={old} new={new}")
PY
