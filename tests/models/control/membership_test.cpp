// Tests of models/control/membership: a blip below the cells' capacity is absorbed; above it, the
// retries keep the fleet out of service until the cell sheds load; a node out of service refuses
// requests.
#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "reports/report.h"

#include <catch2/catch.hpp>

#include <string>

using reports::Json;

namespace {

// Two storage nodes per AZ (six), one cell with one worker; a fetch costs `service_ms`.
Json run_storm(int service_ms, const std::string& extra) {
  const std::string text = R"({"name": "m", "duration": "20m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 2, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 2, "routers": 1, "clients": 1},
                         {"name": "az3", "storage_nodes": 2, "routers": 1, "clients": 1}]},
    "tables": [{"name": "t", "partitions": 6, "items": 1000}],
    "workload": [{"table": "t", "rate": 50, "mix": {"get_strong": 0.5, "put": 0.5}}],
    "membership": {"cells": 1, "workers": 1, "size": 1, "base": ")" + std::to_string(service_ms) +
                           R"(ms", "per_member": "0s", "timeout": "1s", "retry": "1s", "refresh": "5m")" + extra + R"(},
    "faults": {"timeline": [{"at": "5m", "kind": "membership_blip", "spread": "0s"}]}})";
  const models::Scenario scenario = models::parse_scenario(text, "m.json");
  models::Simulation simulation(scenario, 1);
  return reports::build_report(simulation, simulation.run());
}

}  // namespace

TEST_CASE("Membership: a blip the cell serves within the timeout takes no node out of service", "[membership]") {
  // Six fetches of 100 ms each: the last is answered after 600 ms.
  const Json r = run_storm(100, "");
  const Json& m = r["membership"];
  CHECK(m["out_of_service"]["max"] == 0);
  CHECK(m["timed_out"] == 0);
  CHECK(m["recovered_after_s"] == 0.0);
  CHECK(r["availability"]["read"]["ratio"] == 1.0);
  // Boot refreshes (one per node in the first 5 minutes, then every 2.5 to 7.5 minutes), and the blip.
  CHECK(m["fetches"].get<std::uint64_t>() >= 6 + 6);
}

TEST_CASE("Membership: past the cell's capacity the fleet stays out of service until the cell sheds load",
          "[membership]") {
  // 800 ms a fetch: only the first of six is answered in time; the five others retry about every
  // two seconds (timeout plus retry), 2.5 fetches a second against 1.25 served: metastable.
  const Json stuck = run_storm(800, "");
  CHECK(stuck["membership"]["out_of_service"]["at_end"].get<std::uint64_t>() >= 5);
  CHECK(stuck["membership"]["recovered_after_s"].is_null());
  CHECK(stuck["availability"]["read"]["ratio"].get<double>() < 0.7);  // nodes out of service refuse requests
  CHECK(stuck["membership"]["shed"] == 0);

  const Json shed = run_storm(800, R"(, "shed_from": "10m")");
  const Json& m = shed["membership"];
  CHECK(m["out_of_service"]["at_end"] == 0);
  CHECK(m["shed"].get<std::uint64_t>() > 0);
  // Recovered only once shedding started (5 minutes after the blip), and soon after.
  CHECK(m["recovered_after_s"].get<double>() >= 300);
  CHECK(m["recovered_after_s"].get<double>() <= 400);
  CHECK(m["minutes"][8]["out_of_service_at_end"].get<std::uint64_t>() >= 5);  // 3 minutes after the blip
}
