#!/usr/bin/env bash
# Rewrites tests/golden/digests.json from the current build. Run it only after a deliberate
# change to the models, and say in the commit why the digests moved. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh --target ddbsim >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for run in "quickstart 1" "quickstart 2" "az_outage 1" "power_off_chaos 1" "power_off_chaos 7" "hot_partition 1" "burst 1" "throughput_dilution 1" "on_demand 1" "split_point 1" "hot_node 1"; do
  read -r name seed <<<"$run"
  build/ddbsim run "scenarios/$name.json" --seed "$seed" --out "$tmp/$name/$seed" >/dev/null 2>&1 || true
done
python3 - "$tmp" >tests/golden/digests.json <<'PY'
import json, os, sys
root = sys.argv[1]
golden = {}
for name in sorted(os.listdir(root)):
    for seed in sorted(os.listdir(os.path.join(root, name)), key=int):
        report = json.load(open(os.path.join(root, name, seed, "report.json")))
        entry = {k: report[k] for k in ("trace_digest", "final_rng_draw")}
        for variant, sub in sorted(report.get("variants", {}).items()):
            entry.setdefault("variants", {})[variant] = {k: sub[k] for k in ("trace_digest", "final_rng_draw")}
        golden.setdefault(name, {})[seed] = entry
print(json.dumps(golden, indent=2))
PY
echo "wrote tests/golden/digests.json"
