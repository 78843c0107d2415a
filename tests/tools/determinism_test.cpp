// Determinism, the first non-negotiable: every shipped scenario run twice with one seed gives
// byte-identical report.json and digest; another seed gives another digest; and the digests
// match the golden file, so a build with another compiler or optimisation level is checked too.
#include "models/scenario_loader.h"
#include "reports/report.h"
#include "tools/run_one.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(DDBSIM_SOURCE_DIR) + "/scenarios")) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && entry.path().extension() == ".json" && name != "scenario.schema.json")
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

tools::SeedRun run(const models::Scenario& scenario, std::uint64_t seed) {
  return tools::run_seed(scenario, seed, nullptr, nullptr);
}

}  // namespace

TEST_CASE("Determinism: every shipped scenario gives identical report bytes twice", "[determinism]") {
  const std::vector<std::string> files = shipped_scenarios();
  REQUIRE(files.size() >= 3);
  for (const std::string& file : files) {
    SECTION(std::filesystem::path(file).filename().string()) {
      const models::Scenario scenario = models::load_scenario(file);
      const tools::SeedRun first = run(scenario, scenario.seed);
      const tools::SeedRun second = run(scenario, scenario.seed);
      CHECK(first.report.dump(2) == second.report.dump(2));
      CHECK(first.digest == second.digest);
      CHECK(first.events == second.events);
      CHECK(first.events > 1000);
      // And the run is one a user would accept: the shipped scenarios pass their checks.
      for (const reports::Check& check : first.checks) {
        INFO(check.name << ": " << check.detail);
        CHECK(check.passed);
      }
    }
  }
}

TEST_CASE("Determinism: another seed gives another digest and other draws", "[determinism]") {
  const models::Scenario scenario = models::load_scenario(std::string(DDBSIM_SOURCE_DIR) + "/scenarios/quickstart.json");
  const tools::SeedRun one = run(scenario, 1);
  const tools::SeedRun two = run(scenario, 2);
  CHECK(one.digest != two.digest);
  CHECK(one.report["final_rng_draw"] != two.report["final_rng_draw"]);
}

TEST_CASE("Determinism: digests match the golden file, whatever the compiler or optimisation", "[determinism][golden]") {
  // tests/golden/digests.json was written by one build; every other build (g++ or clang++,
  // -O0 or -O2) must reproduce it. After a deliberate model change, refresh it with
  // tools/update-golden.sh and say why in the commit.
  std::ifstream in(std::string(DDBSIM_SOURCE_DIR) + "/tests/golden/digests.json");
  REQUIRE(in.good());
  const nlohmann::json golden = nlohmann::json::parse(in);
  REQUIRE(golden.size() >= 3);
  for (const auto& [name, seeds] : golden.items()) {
    const models::Scenario scenario =
        models::load_scenario(std::string(DDBSIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
    for (const auto& [seed, expected] : seeds.items()) {
      INFO(name << " seed " << seed);
      const tools::SeedRun result = run(scenario, std::stoull(seed));
      CHECK(fmt::format("{:016x}", result.digest) == expected["trace_digest"].get<std::string>());
      CHECK(result.report["final_rng_draw"].get<std::string>() == expected["final_rng_draw"].get<std::string>());
      if (!expected.contains("variants")) continue;
      for (const auto& [variant, digests] : expected["variants"].items()) {
        INFO("variant " << variant);
        REQUIRE(result.report["variants"].contains(variant));
        const auto& got = result.report["variants"][variant];
        CHECK(got["trace_digest"].get<std::string>() == digests["trace_digest"].get<std::string>());
        CHECK(got["final_rng_draw"].get<std::string>() == digests["final_rng_draw"].get<std::string>());
      }
    }
  }
}
