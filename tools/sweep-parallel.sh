#!/usr/bin/env bash
# A sweep split into seed ranges run by GNU parallel, on this machine or on hosts over SSH, then
# merged: the merged DIR/summary.json has the same bytes as one `ddbsim sweep --out` of the same
# seeds (tests/tools/sweep_parallel_test.sh checks it).
#
#   tools/sweep-parallel.sh SCENARIO --seeds A..B --out DIR [--shard N] [--jobs J]
#                           [--sshlogin LOGINS] [--resume-failed] [--ddbsim PATH]
#
#   --shard N          seeds per job (default 10)
#   --jobs J           jobs at once per host (default: its cores)
#   --sshlogin LOGINS  GNU parallel's --sshlogin, e.g. "8/user@host1,8/user@host2" (":" is this
#                      machine). Every host needs ddbsim at the --ddbsim path and the scenario at
#                      the same path; each job's records come back with --return.
#   --resume-failed    run again only the jobs the job log (DIR/joblog) records as failed or
#                      never finished; seeds a shard recorded already are not run again either.
#   --ddbsim PATH      the ddbsim binary (default: build/ddbsim beside this script)
#
# Exit code: the merge's (0 every seed passed, 1 one failed or a seed had two digests, 2 bad
# input); 2 as well when a job could not run at all.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
usage() { sed -n '5,8p' "$0" | sed 's/^# \{0,2\}//' >&2; exit 2; }

scenario="" seeds="" out="" shard=10 jobs="" sshlogin="" resume=() ddbsim="$here/build/ddbsim"
[ "$#" -gt 0 ] || usage
scenario="$1"; shift
while [ "$#" -gt 0 ]; do
  case "$1" in
    --seeds) seeds="${2:?}"; shift 2 ;;
    --out) out="${2:?}"; shift 2 ;;
    --shard) shard="${2:?}"; shift 2 ;;
    --jobs) jobs="${2:?}"; shift 2 ;;
    --sshlogin) sshlogin="${2:?}"; shift 2 ;;
    --resume-failed) resume=(--resume-failed); shift ;;
    --ddbsim) ddbsim="${2:?}"; shift 2 ;;
    *) echo "sweep-parallel: unknown argument \"$1\"" >&2; usage ;;
  esac
done
[ -n "$seeds" ] && [ -n "$out" ] || usage
command -v parallel >/dev/null || { echo "sweep-parallel: GNU parallel is missing (apt-get install parallel)" >&2; exit 2; }
source "$here/tools/sweep-common.sh"
sweep_check sweep-parallel "$seeds" "$shard" "$ddbsim" "$scenario"
mkdir -p "$out/shards"
out="$(realpath "$out")"
sweep_ranges

options=(--joblog "$out/joblog" --line-buffer --tagstring '{}' "${resume[@]}")
[ -z "$jobs" ] || options+=(--jobs "$jobs")
if [ -z "$sshlogin" ]; then
  # A sweep exits 1 when a seed fails: that is a verdict, recorded; the merge reports it.
  parallel "${options[@]}" "'$ddbsim' sweep '$scenario' --seeds {} --out '$out/shards/{}' --jobs 1 || [ \$? -eq 1 ]" ::: "${ranges[@]}"
else
  # Remote jobs write into a scratch directory below the remote home and send it back here.
  parallel "${options[@]}" --sshlogin "$sshlogin" --workdir ... --return "shards/{}" --cleanup \
    "mkdir -p shards && '$ddbsim' sweep '$scenario' --seeds {} --out 'shards/{}' --jobs 1 || [ \$? -eq 1 ]" ::: "${ranges[@]}"
  # --return lands in the working directory of this script's caller: gather it into $out.
  for range in "${ranges[@]}"; do
    if [ -d "shards/$range" ] && [ "$(realpath "shards/$range")" != "$out/shards/$range" ]; then
      mkdir -p "$out/shards/$range"
      cp -r "shards/$range/." "$out/shards/$range/"
      rm -rf "shards/$range"
    fi
  done
  rmdir shards 2>/dev/null || true
fi
shards=()
for range in "${ranges[@]}"; do shards+=("$out/shards/$range"); done
exec "$ddbsim" merge "${shards[@]}" --out "$out"
