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
