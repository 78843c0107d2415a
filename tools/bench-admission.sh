#!/usr/bin/env bash
# The admission benchmark: the same steady load (scenarios/bench/admission_cost.json, nothing
# throttled) run with no admission control, then static, burst, adaptive and GAC admission,
# and burst with the balancer checking node loads every minute (nothing is hot: no move).
# Prints, per design, events per request and simulated requests per wall second, so the cost
# of per-request admission and of GAC's protocol shows against the unmetered run. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh --target ddbsim >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for design in unlimited static burst adaptive gac balancing; do
  python3 - "$design" "$out/$design.json" <<'PY'
import json, sys
design, path = sys.argv[1], sys.argv[2]
scenario = json.load(open("scenarios/bench/admission_cost.json"))
scenario["name"] = "admission_cost_" + design
scenario.pop("$schema", None)
if design == "unlimited":
    scenario["tables"][0]["capacity"] = {"mode": "unlimited"}
elif design == "balancing":
    scenario["admission"]["mode"] = "burst"
    scenario["balancing"] = {"interval": "1m"}
else:
    scenario["admission"]["mode"] = design
json.dump(scenario, open(path, "w"))
PY
  build/ddbsim run "$out/$design.json" --out "$out/$design" >/dev/null 2>&1 || true
  python3 - "$design" "$out/$design" <<'PY'
import json, sys
design, d = sys.argv[1], sys.argv[2]
run = json.load(open(d + "/run.json"))
report = json.load(open(d + "/report.json"))
ops = report["operations"]["finished"]
throttled = report["errors"]["throttled"]
print(f"{design:>9}: {ops} requests, {report['events']} events ({report['events'] / ops:5.3f} per request), "
      f"{ops / run['wall_s']:9.0f} requests per wall second, {run['events_per_s'] / 1e6:4.2f}M events/s, "
      f"{throttled} throttled")
PY
done
