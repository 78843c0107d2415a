// `ddbsim shrink`: a failure found with many faults comes back with the one that matters and a
// shorter run; a planted bug's failure shrinks and still fails the same way.
#include "tools/shrink.h"

#include "models/scenario_loader.h"
#include "sim/config/json_reader.h"
#include "sim/config/units.h"
#include "tools/run_one.h"
#include "tools/sweep_records.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>
#include <string>
#include <sys/wait.h>

using reports::Json;

namespace {

Json document_of(const std::string& relative) {
  return Json::parse(sim::config::read_text_file(std::string(DDBSIM_SOURCE_DIR) + "/" + relative));
}

double minutes_of(const Json& document) {
  return static_cast<double>(sim::config::parse_duration(document["duration"].get<std::string>(), nullptr)->nanos()) / 60e9;
}

}  // namespace

TEST_CASE("Shrink: of five faults the one that breaks the expectation stays, and the run gets shorter", "[shrink]") {
  const Json original = document_of("tests/scenarios/shrink.json");
  const auto result = tools::shrink(original, "shrink.json", 5, 2, 300);
  REQUIRE(result.has_value());
  CHECK(result->signature == std::vector<std::string>{"expect: writes stay available"});
  CHECK(result->faults_before == 5);
  REQUIRE(result->faults_after == 1);
  CHECK(result->scenario["faults"]["timeline"][0]["kind"] == "az_outage");
  // Weakened: the outage is shorter than the original 3 minutes and still breaks the expectation.
  CHECK(sim::config::parse_duration(result->scenario["faults"]["timeline"][0]["duration"].get<std::string>(), nullptr)->nanos() <
        180'000'000'000);
  // The one non-default setting it needs stays (with 2 attempts, a write dies with its AZ).
  CHECK(result->scenario["client"]["max_attempts"] == 2);
  CHECK_FALSE(result->scenario.contains("variants"));  // it took no part
  CHECK(minutes_of(result->scenario) < minutes_of(original));
  CHECK(result->replayed);
  // The minimal scenario, run as a user would, fails the same way.
  const models::Scenario minimal = models::parse_scenario(result->scenario.dump(), "minimal.json");
  CHECK(tools::failure_signature(tools::run_seed(minimal, 5, nullptr, nullptr)) == result->signature);
  // A seed that passes has nothing to shrink.
  Json passing = original;
  passing.erase("expect");
  passing["expect"] = Json::array();
  CHECK_FALSE(tools::shrink(passing, "passing.json", 5, 2, 60).has_value());
}

TEST_CASE("Shrink: a planted bug's failure shrinks to a shorter, smaller run with the same signature", "[shrink]") {
  // Acknowledging a write before a quorum has it: the acknowledged_on_quorum monitor catches it.
  models::TestHooks hooks;
  hooks.planted_bug = models::PlantedBug::ack_before_quorum;
  const Json original = document_of("scenarios/leader_failover.json");
  std::optional<tools::ShrinkResult> result;
  for (std::uint64_t seed = 1; seed <= 3 && !result; ++seed) result = tools::shrink(original, "leader_failover.json", seed, 2, 600, hooks);
  REQUIRE(result.has_value());
  CHECK(std::find(result->signature.begin(), result->signature.end(), "monitor.acknowledged_on_quorum") != result->signature.end());
  CHECK(result->faults_after <= result->faults_before);
  CHECK(minutes_of(result->scenario) <= minutes_of(original) / 2);
  CHECK(result->replayed);
}

TEST_CASE("Shrink: a swarm's failure becomes the explicit episodes that matter", "[shrink]") {
  // Recovery adopting the lowest ballot's value: the agreement monitor catches it under a swarm of
  // partitions, loss, latency, duplication, pauses and power-offs (nemesis_small.json, seed 17:
  // one of the seeds whose failure needs a majority/minority split; seeds move when draws do).
  models::TestHooks hooks;
  hooks.planted_bug = models::PlantedBug::adopt_lowest_ballot;
  const Json original = document_of("scenarios/nemesis_small.json");
  REQUIRE(original["faults"].contains("swarm"));
  const auto result = tools::shrink(original, "nemesis_small.json", 17, 2, 600, hooks);
  REQUIRE(result.has_value());
  CHECK(std::find(result->signature.begin(), result->signature.end(), "monitor.agreement") != result->signature.end());
  // The swarm became the episodes it drew before the failure, as timeline entries with the
  // targets it drew (a majority/minority split names its minority); ddmin keeps what matters.
  CHECK(result->faults_before == 1);
  CHECK(result->drawn_made_explicit >= 3);
  CHECK(result->faults_after <= result->drawn_made_explicit);
  CHECK_FALSE(result->scenario["faults"].contains("swarm"));
  REQUIRE(result->scenario["faults"].contains("timeline"));
  bool named_minority = false;
  for (const Json& entry : result->scenario["faults"]["timeline"]) {
    CHECK(entry.contains("at"));
    CHECK(entry.contains("duration"));
    named_minority |= entry.contains("minority");
  }
  CHECK(named_minority);
  CHECK(minutes_of(result->scenario) < minutes_of(original));
  CHECK(result->replayed);
  // Run as a user would run the file (with the bug planted), it fails the same way.
  const models::Scenario minimal = models::parse_scenario(result->scenario.dump(), "minimal.json");
  CHECK(tools::failure_signature(tools::run_seed(minimal, 17, nullptr, nullptr, hooks)) == result->signature);
}

TEST_CASE("Shrink: every random fault's episodes are timeline entries the loader accepts", "[shrink]") {
  // Every chaos kind and partition shape, often: each episode's timeline form must load.
  Json document = Json::parse(R"({"name": "every_shape", "seed": 1, "duration": "10m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 2, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 2, "routers": 1, "clients": 0},
                         {"name": "az3", "storage_nodes": 2, "routers": 1, "clients": 0}]},
    "tables": [{"name": "t", "partitions": 4, "items": 1000}],
    "workload": [{"table": "t", "rate": 20, "mix": {"get_strong": 0.5, "put": 0.5}}],
    "faults": {
      "swarm": {"enabled": 1, "kinds": {
        "partition": {"per_hour": 300, "duration": ["1s", "5s"], "max_active": 3},
        "loss": {"per_hour": 60, "duration": ["1s", "5s"], "probability": [0.1, 0.5]},
        "latency": {"per_hour": 60, "duration": ["1s", "5s"], "extra": ["10ms", "1s"], "jitter": ["0s", "1s"]},
        "duplicate": {"per_hour": 60, "duration": ["1s", "5s"], "probability": [0.1, 0.5]},
        "pause": {"per_hour": 60, "duration": ["1s", "5s"]},
        "power_off": {"per_hour": 60, "down": ["1s", "5s"]}}},
      "chaos": [{"kind": "random_power_off", "per_hour": 60, "down": {"dist": "uniform", "min": "1s", "max": "5s"}}]}})");
  const models::Scenario scenario = models::parse_scenario(document.dump(), "every_shape.json");
  const tools::SeedRun run = tools::run_seed(scenario, 1, nullptr, nullptr);
  std::set<std::string> forms;
  for (const Json& entry : run.drawn_faults) {
    std::string form = entry["kind"].get<std::string>();
    if (entry.contains("shape")) form += "." + entry["shape"].get<std::string>();
    if (entry.contains("node")) form += ".node";
    if (entry.contains("between")) form += ".az";
    forms.insert(form);
  }
  for (const char* form : {"partition.isolate", "partition.majority_minority", "partition.bridge", "partition.leader_from_followers",
                           "gray_link", "loss.node", "loss.az", "latency.node", "duplicate.node", "pause.node", "power_off.node"}) {
    INFO(form);
    CHECK(forms.count(form) == 1);
  }
  Json timeline = document;
  timeline["faults"] = {{"timeline", run.drawn_faults}};
  const models::Scenario explicit_form = models::parse_scenario(timeline.dump(), "every_shape_explicit.json");
  // Each episode is one timeline entry: the same number of faults start, on the same targets.
  CHECK(explicit_form.faults.size() == run.drawn_faults.size());
  const tools::SeedRun replay = tools::run_seed(explicit_form, 1, nullptr, nullptr);
  CHECK(replay.complete);
}
