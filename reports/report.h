// The run's report: report.json (deterministic: same scenario and seed, same bytes) built from
// what the simulation recorded, and report.txt rendered from it for people.
#pragma once

#include "models/scenario.h"
#include "models/simulation.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace reports {

using Json = nlohmann::ordered_json;

struct Check {
  std::string name;
  bool passed = false;
  std::string detail;
  // Invariant checks: "durability", "linearizability", "integrity", "restore", "complete",
  // "in_flight", "monitor.<name>", each under "variants.<name>." for a variant's run. An
  // expectation {"check": id, "passed": false} says the scenario's faults must break it: it
  // passes as an expected failure, and the expectation fails if the invariant held.
  std::string id;
  bool expected_failure = false;
};

// Everything in report.json except the checks. `outcome` says whether the run finished.
Json build_report(const models::Simulation& simulation, const models::RunOutcome& outcome);

// Expectations from the scenario, then the invariants every run (and every variant's run)
// must hold. Reads only the report.
std::vector<Check> evaluate_checks(const Json& report, const models::Scenario& scenario);

// Puts a variant's report under report["variants"][name] (without what the base already says).
void attach_variant(Json& report, const std::string& name, Json variant_report);

// Adds "checks" and the overall verdict to the report.
void attach_checks(Json& report, const std::vector<Check>& checks);
bool all_passed(const std::vector<Check>& checks);

// report.txt: the same facts laid out for people.
std::string render_text(const Json& report);

// Throws sim::config::InputError (at the entry's JSON path) for an `expect` entry whose metric
// is not a number in the report this scenario produces.
void validate_expectations(const models::Scenario& scenario);

// What validate_expectations judges against: the report of the scenario unrun, built from a copy
// with one partition per unmetered table (report_shape_scenario), which has the same metrics.
models::Scenario report_shape_scenario(const models::Scenario& scenario);
Json report_skeleton(const models::Scenario& scenario);

// Reads a dotted metric path ("availability.windows[*].read.ratio") out of a report: every
// value it names, or nothing if the path names nothing. `[*]` means every element.
std::vector<const Json*> lookup_metric(const Json& report, const std::string& path);

}  // namespace reports
