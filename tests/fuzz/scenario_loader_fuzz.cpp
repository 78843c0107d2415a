// libFuzzer target for the scenario loader (tools/fuzz.sh builds it with clang and runs it,
// seeded from scenarios/ and tests/scenarios/). The loader's contract: any bytes either load
// into a scenario the simulator accepts, or are refused with one sim::config::InputError that
// names the file and the JSON path. Anything else is a bug the fuzzer reports: a crash, a failed
// SIM_ASSERT, another exception, a sanitizer finding, or a hang.
//
// A small accepted scenario is also built and run for a few virtual seconds, with its
// expectations checked first, because an accepted scenario must never end in an assertion.
#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "reports/report.h"
#include "sim/config/json_reader.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

// Small enough to build and run in milliseconds (the fuzzer runs thousands of inputs a minute).
bool small(const models::Scenario& s) {
  std::uint64_t nodes = 0, partitions = 0;
  for (const models::AzSpec& az : s.azs) nodes += az.storage_nodes + az.routers + az.clients;
  for (const models::TableSpec& t : s.tables) partitions += t.partitions;
  double rate = 0;
  for (const models::WorkloadSpec& w : s.workload) rate += w.peak_rate();
  return nodes <= 40 && partitions <= 16 && rate <= 2000 && s.variants.size() <= 2;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  models::Scenario scenario;
  try {
    scenario = models::parse_scenario(text, "fuzz.json");
    if (!small(scenario)) return 0;
    reports::validate_expectations(scenario);
  } catch (const sim::config::InputError&) {
    return 0;  // refused, with a message: the contract
  }
  models::Simulation simulation(scenario, scenario.seed);
  simulation.kernel().run_until(sim::Time::zero() + sim::seconds(3));
  return 0;
}
