#!/usr/bin/env bash
# A sweep as a Slurm job array: array task i runs seeds A + i*N .. A + i*N + N - 1 into
# DIR/shards/<range>, and a merge job that waits for the whole array (afterany: a failing seed
# fails its task but is a verdict, recorded) writes DIR/summary.json, with the same bytes as one
# `ddbsim sweep --out` of the same seeds. DIR, the scenario and ddbsim must be on a file system
# every node shares.
#
#   tools/sweep-slurm.sh SCENARIO --seeds A..B --out DIR [--shard N] [--ddbsim PATH] [--wait]
#                        [-- SBATCH OPTIONS...]
#
#   --shard N   seeds per array task (default 10)
#   --wait      block until the merge job ends, print its summary and exit with its code
#               (0 every seed passed, 1 one failed); without it, print the job ids and exit 0
#   -- ...      passed to both sbatch calls (e.g. --partition, --time, --account)
#
# A task that dies (node failure, time limit) leaves its shard incomplete: submit the same
# command again and only the seeds not recorded run (each shard resumes from its records).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
usage() { sed -n '8,9p' "$0" | sed 's/^# \{0,2\}//' >&2; exit 2; }

seeds="" out="" shard=10 wait=0 ddbsim="$here/build/ddbsim" extra=()
[ "$#" -gt 0 ] || usage
scenario="$1"; shift
while [ "$#" -gt 0 ]; do
  case "$1" in
    --seeds) seeds="${2:?}"; shift 2 ;;
    --out) out="${2:?}"; shift 2 ;;
    --shard) shard="${2:?}"; shift 2 ;;
    --ddbsim) ddbsim="${2:?}"; shift 2 ;;
    --wait) wait=1; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "sweep-slurm: unknown argument \"$1\"" >&2; usage ;;
  esac
done
[ -n "$seeds" ] && [ -n "$out" ] || usage
command -v sbatch >/dev/null || { echo "sweep-slurm: sbatch is missing (a Slurm client: apt-get install slurm-client)" >&2; exit 2; }
source "$here/tools/sweep-common.sh"
sweep_check sweep-slurm "$seeds" "$shard" "$ddbsim" "$scenario"
mkdir -p "$out/shards" "$out/slurm"
out="$(realpath "$out")"
sweep_ranges
tasks=${#ranges[@]}

# The array index to a seed range, computed by the task itself.
task="a=\$(( $first + SLURM_ARRAY_TASK_ID * $shard )); b=\$(( a + $shard - 1 )); [ \$b -le $last ] || b=$last; \
'$ddbsim' sweep '$scenario' --seeds \$a..\$b --out '$out/shards/'\$a..\$b --jobs 1"
array=$(sbatch --parsable --job-name=ddbsim-sweep --array="0-$((tasks - 1))" --output="$out/slurm/%A_%a.out" \
  "${extra[@]}" --wrap "$task")
array="${array%%;*}"
shards=()
for range in "${ranges[@]}"; do shards+=("'$out/shards/$range'"); done
merge_options=(--parsable --job-name=ddbsim-merge --dependency="afterany:$array" --output="$out/slurm/merge.out")
[ "$wait" -eq 0 ] || merge_options+=(--wait)
echo "sweep-slurm: array job $array ($tasks tasks of $shard seeds), merge into $out/summary.json" >&2
set +e
merge=$(sbatch "${merge_options[@]}" "${extra[@]}" --wrap "'$ddbsim' merge ${shards[*]} --out '$out'")
code=$?
set -e
if [ "$wait" -eq 0 ]; then
  echo "sweep-slurm: merge job ${merge%%;*} runs after the array" >&2
  exit 0
fi
cat "$out/slurm/merge.out"
exit "$code"
