# Shared by tools/sweep-parallel.sh and tools/sweep-slurm.sh (sourced): the checks of a sharded
# sweep's arguments and its seed ranges. Each function exits 2 with one line on bad input.
#   sweep_check NAME SEEDS SHARD DDBSIM SCENARIO  sets first, last, ddbsim, scenario (absolute)
#   sweep_ranges                                   sets ranges=("A..B" ...), SHARD seeds each
sweep_check() {
  local name="$1" seeds="$2"
  shard="$3" ddbsim="$4" scenario="$5"
  if ! [[ "$seeds" =~ ^([0-9]+)\.\.([0-9]+)$ ]] || [ "${BASH_REMATCH[1]}" -gt "${BASH_REMATCH[2]}" ]; then
    echo "$name: --seeds: expected A..B with A <= B, found \"$seeds\"" >&2; exit 2
  fi
  first="${BASH_REMATCH[1]}" last="${BASH_REMATCH[2]}"
  if ! [[ "$shard" =~ ^[1-9][0-9]*$ ]]; then echo "$name: --shard: expected a positive number, found \"$shard\"" >&2; exit 2; fi
  [ -x "$ddbsim" ] || { echo "$name: no ddbsim at $ddbsim (build it, or pass --ddbsim)" >&2; exit 2; }
  ddbsim="$(realpath "$ddbsim")" scenario="$(realpath "$scenario")"
  "$ddbsim" validate "$scenario" >/dev/null || exit 2
}

sweep_ranges() {
  ranges=()
  local a b
  for ((a = first; a <= last; a += shard)); do
    b=$((a + shard - 1)); [ "$b" -le "$last" ] || b="$last"
    ranges+=("$a..$b")
  done
}
