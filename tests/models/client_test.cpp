// Clients: each workload entry draws from streams of its own, and calls its endpoint.
#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "reports/report.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>
#include <tuple>
#include <vector>

using namespace models;
using Json = nlohmann::ordered_json;

namespace {

std::string scenario_with(const std::string& extra_entries) {
  return fmt::format(R"({{
    "name": "streams", "duration": "1m",
    "topology": {{"azs": [{{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 2}},
                          {{"name": "az2", "storage_nodes": 1, "routers": 1, "clients": 1}},
                          {{"name": "az3", "storage_nodes": 1, "routers": 1, "clients": 1}}]}},
    "tables": [{{"name": "a", "partitions": 2, "items": 1000}}, {{"name": "b", "partitions": 2, "items": 1000}}],
    "workload": [{{"table": "a", "rate": 40, "mix": {{"get_strong": 0.5, "get_eventual": 0.2, "put": 0.3}},
                   "keys": {{"dist": "zipf", "exponent": 0.9}}}}{}],
    "faults": {{"timeline": [{{"at": "20s", "kind": "power_off", "node": "az1/storage0", "duration": "10s"}}]}}
  }})",
                     extra_entries);
}

// The arrivals of workload entry 0, as the trace shows them: (time, client).
struct ArrivalTrace final : sim::Tracer {
  std::vector<std::pair<std::int64_t, std::string>> arrivals;
  void on_event(sim::Time time, std::uint64_t, std::string_view actor, std::string_view kind,
                std::string_view detail) override {
    if (kind == "client.arrival" && detail == "workload=0") arrivals.emplace_back(time.nanos(), std::string(actor));
  }
};

struct Seen {
  std::vector<std::pair<std::int64_t, std::string>> arrivals;
  std::vector<std::tuple<std::int64_t, Operation, std::uint64_t>> table_a;  // (invoked, op, key)
};

Seen run(const std::string& text) {
  const Scenario scenario = parse_scenario(text, "streams.json");
  Simulation simulation(scenario, 7);
  ArrivalTrace trace;
  simulation.set_tracer(&trace);
  simulation.run();
  Seen seen{std::move(trace.arrivals), {}};
  for (const HistoryEntry& e : simulation.history())
    if (e.table == 0) seen.table_a.emplace_back(e.invoked.nanos(), e.op, e.key);
  std::sort(seen.table_a.begin(), seen.table_a.end());
  return seen;
}

}  // namespace

TEST_CASE("Clients: adding a workload entry leaves every other entry's arrivals, operations and keys unchanged",
          "[client][determinism]") {
  const Seen alone = run(scenario_with(""));
  REQUIRE(alone.arrivals.size() > 1000);
  // Another entry, on another table, with another mix, a burst of its own and retries: the
  // other streams (router choice, backoff, the nodes') see different traffic, entry 0 must not.
  const Seen beside = run(scenario_with(R"(, {"table": "b", "rate": 80, "start": "10s",
                                             "mix": {"put": 0.7, "get_eventual": 0.3}, "keys": {"dist": "uniform"}})"));
  CHECK(beside.arrivals == alone.arrivals);
  CHECK(beside.table_a == alone.table_a);
  // And the test can fail: another seed for entry 0 moves its arrivals.
  const Scenario other = parse_scenario(scenario_with(""), "streams.json");
  Simulation simulation(other, 8);
  ArrivalTrace trace;
  simulation.set_tracer(&trace);
  simulation.run();
  CHECK(trace.arrivals != alone.arrivals);
}

TEST_CASE("Endpoints: an operation goes only through its endpoint's routers, and each endpoint has its own canaries",
          "[endpoints]") {
  const std::string text = R"({"name": "endpoints", "duration": "2m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az3", "storage_nodes": 1, "routers": 1, "clients": 1}],
                 "endpoints": [{"name": "private", "routers_per_az": 2}]},
    "tables": [{"name": "a", "partitions": 2, "items": 1000}],
    "workload": [{"table": "a", "endpoint": "private", "rate": 60, "mix": {"get_strong": 0.5, "put": 0.5}}],
    "canaries": {"rate": 3},
    "faults": {"timeline": [{"at": "30s", "kind": "power_off", "node": "az2/router1", "duration": "1m"},
                            {"at": "30s", "kind": "power_off", "node": "az2/router2", "duration": "1m"}]}})";
  const Scenario scenario = parse_scenario(text, "endpoints.json");
  Simulation simulation(scenario, 3);
  const Json r = reports::build_report(simulation, simulation.run());
  // The private endpoint's routers follow each AZ's regional one: "<az>/router1" and "router2".
  REQUIRE(simulation.routers().size() == 9);
  std::uint64_t regional_requests = 0, private_requests = 0;
  for (const auto& router : simulation.routers()) {
    CHECK(router->endpoint() == (router->name().ends_with("router0") ? 0u : 1u));
    (router->endpoint() == 0 ? regional_requests : private_requests) += router->stats().requests;
  }
  const Json& by_endpoint = r["canaries"]["by_endpoint"];
  std::uint64_t regional_canary = 0;
  for (const auto& [az, c] : by_endpoint["regional"].items()) regional_canary += c["requests"].get<std::uint64_t>();
  // Only the regional canaries (one attempt each) call the regional routers.
  CHECK(regional_requests == regional_canary);
  CHECK(private_requests > 60 * 120 * 9 / 10);
  // az2's private routers are down for a minute: only its private canary sees it.
  CHECK(by_endpoint["private"]["az2"]["availability"].get<double>() < 0.75);
  CHECK(by_endpoint["regional"]["az2"]["availability"].get<double>() == 1.0);
  CHECK(by_endpoint["private"]["az1"]["availability"].get<double>() == 1.0);
  // By AZ pools the AZ's canaries of both endpoints.
  CHECK(r["canaries"]["by_az"]["az2"]["requests"].get<std::uint64_t>() ==
        by_endpoint["regional"]["az2"]["requests"].get<std::uint64_t>() + by_endpoint["private"]["az2"]["requests"].get<std::uint64_t>());
}
