// Tests of the request path: partition map, storage node, router and client retries, through
// small simulations built from scenario text.
#include "models/partition_map.h"
#include "models/scenario_loader.h"
#include "models/simulation.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <map>
#include <string>

using namespace models;

namespace {

// Three AZs with one storage node and one router each, and one client in az1; `extra` adds
// sections. Every link is 100us (client to router 200us) so latencies can be checked exactly.
std::string world(const std::string& workload, const std::string& extra = "") {
  return fmt::format(R"({{
    "name": "unit", "seed": 1, "duration": "1m",
    "topology": {{"azs": [{{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 1}},
                          {{"name": "az2", "storage_nodes": 1, "routers": 1, "clients": 0}},
                          {{"name": "az3", "storage_nodes": 1, "routers": 1, "clients": 0}}]}},
    "network": {{
      "same_az": {{"latency": {{"dist": "constant", "value": "100us"}}}},
      "cross_az": {{"latency": {{"dist": "constant", "value": "100us"}}}},
      "client_router": {{"latency": {{"dist": "constant", "value": "200us"}}}}
    }},
    "tables": [{{"name": "t", "partitions": 3, "items": 100}}],
    "workload": [{}]{}
  }})",
                     workload, extra);
}

std::size_t items_on(const replication::StorageNode& node) {
  std::size_t items = 0;
  for (const replication::Replica* replica : node.replicas()) items += replica->d.items.size();
  return items;
}

const OutcomeCounts total(const ClientMetrics& m, bool write) {
  OutcomeCounts sum;
  for (std::size_t w = 0; w < m.window_count(); ++w)
    for (std::size_t az = 0; az < m.az_count(); ++az) sum.add(m.cell(w, az, 0, write));
  return sum;
}

}  // namespace

TEST_CASE("PartitionMap: ranges tile the hash space and every key has exactly one partition", "[models]") {
  PartitionMap map;
  const PartitionId first = map.add_table(0, 7);
  CHECK(first == 0);
  CHECK(map.partition(0).hash_low == 0);
  CHECK(map.partition(6).hash_high == ~std::uint64_t{0});
  for (PartitionId p = 1; p < 7; ++p) CHECK(map.partition(p).hash_low == map.partition(p - 1).hash_high + 1);
  std::map<PartitionId, int> hits;
  for (std::uint64_t key = 0; key < 70000; ++key) ++hits[map.partition_of(0, key)];
  REQUIRE(hits.size() == 7);
  for (const auto& [partition, count] : hits) CHECK(count == Approx(10000).epsilon(0.05));
  // A second table has its own ranges and ids.
  CHECK(map.add_table(1, 2) == 7);
  CHECK(map.partition(map.partition_of(1, 5)).table == 1);
}

TEST_CASE("Request path: with nothing failing every operation succeeds on its first attempt", "[models]") {
  const Scenario scenario = parse_scenario(
      world(R"({"table": "t", "rate": 20, "mix": {"get_strong": 0.5, "put": 0.5}})"), "unit.json");
  Simulation simulation(scenario, 1);
  simulation.run();
  const ClientMetrics& m = simulation.metrics();
  CHECK(m.operations() > 1000);
  CHECK(m.attempts() == m.operations());
  CHECK(total(m, false).succeeded() == total(m, false).requests);
  CHECK(total(m, true).succeeded() == total(m, true).requests);
  // client->router 200us, router 100us, router->d.storage 100us, service, and back again.
  CHECK(m.latency(Operation::get_strong).min() >= 700'000u);
  CHECK(items_on(*simulation.storage_nodes().front()) > 0);
}

TEST_CASE("Request path: a rate so low that no operation arrives runs to the end with none", "[models]") {
  // The exponential gap (about 1e19 ns) overflows integer time: it must end the arrivals, not the run.
  const Scenario scenario = parse_scenario(world(R"({"table": "t", "rate": 1e-10, "mix": {"put": 1}})"), "unit.json");
  Simulation simulation(scenario, 1);
  const RunOutcome outcome = simulation.run();
  CHECK(outcome.complete());
  CHECK(simulation.metrics().operations() == 0);
}

TEST_CASE("Request path: a group without a write quorum makes the client retry, then fail as unavailable", "[models]") {
  const Scenario scenario = parse_scenario(
      world(R"({"table": "t", "rate": 5, "mix": {"put": 1}})",
            R"(, "faults": {"timeline": [{"at": "0s", "kind": "power_off", "node": "az2/storage0"},
                                         {"at": "0s", "kind": "power_off", "node": "az3/storage0"}]},
                "client": {"max_attempts": 3, "backoff_base": "10ms", "backoff_max": "40ms"},
                "router": {"storage_timeout": "200ms"})"),
      "unit.json");
  Simulation simulation(scenario, 1);
  simulation.run();
  const ClientMetrics& m = simulation.metrics();
  const OutcomeCounts writes = total(m, true);
  REQUIRE(writes.requests > 100);
  CHECK(writes.succeeded() == 0);
  CHECK(writes.by_outcome[static_cast<std::size_t>(Outcome::unavailable)] == writes.requests);
  CHECK(m.attempts() == 3 * m.operations());
  CHECK(simulation.operations_in_flight() == 0);
}

TEST_CASE("Request path: one replica down costs nothing once its groups have new leaders", "[models]") {
  const Scenario scenario = parse_scenario(
      world(R"({"table": "t", "rate": 20, "mix": {"put": 0.5, "get_strong": 0.5}})",
            R"(, "faults": {"timeline": [{"at": "10s", "kind": "power_off", "node": "az2/storage0"}]})"),
      "unit.json");
  Simulation simulation(scenario, 1);
  replication::GroupId led_from_az2 = 99;
  for (const replication::Replica* replica : simulation.storage_nodes()[1]->replicas())
    if (replica->v.role == replication::Role::leader) led_from_az2 = replica->group;
  REQUIRE(led_from_az2 < 3);
  simulation.run();
  const OutcomeCounts writes = total(simulation.metrics(), true);
  // Only the group led from az2 loses writes, for about an election; nothing else fails.
  CHECK(writes.requests - writes.succeeded() < writes.requests / 20);
  for (replication::GroupId g = 0; g < 3; ++g) CHECK(simulation.cluster().health.group(g).elections_won == (g == led_from_az2 ? 1u : 0u));
  CHECK(simulation.cluster().health.group(led_from_az2).leaderless_ns > sim::seconds(3).nanos());
  CHECK(simulation.cluster().health.group(led_from_az2).leaderless_ns < sim::seconds(9).nanos());
}

TEST_CASE("Request path: a dead router makes the client time out", "[models]") {
  const Scenario scenario = parse_scenario(
      world(R"({"table": "t", "rate": 5, "mix": {"get_eventual": 1}})",
            R"(, "faults": {"timeline": [{"at": "0s", "kind": "power_off", "node": "az1/router0"},
                                         {"at": "0s", "kind": "power_off", "node": "az2/router0"},
                                         {"at": "0s", "kind": "power_off", "node": "az3/router0"}]},
                "client": {"max_attempts": 2, "attempt_timeout": "300ms"})"),
      "unit.json");
  Simulation simulation(scenario, 1);
  simulation.run();
  const OutcomeCounts reads = total(simulation.metrics(), false);
  REQUIRE(reads.requests > 100);
  CHECK(reads.by_outcome[static_cast<std::size_t>(Outcome::timeout)] == reads.requests);
}

TEST_CASE("Request path: an overloaded storage node answers unavailable beyond its queue", "[models]") {
  const Scenario scenario = parse_scenario(
      world(R"({"table": "t", "rate": 2000, "mix": {"put": 1}})",
            R"(, "storage": {"workers": 1, "queue_limit": 5,
                             "write_service": {"dist": "constant", "value": "2ms"}},
                "client": {"max_attempts": 1})"),
      "unit.json");
  Simulation simulation(scenario, 1);
  simulation.run();
  // The overloaded node leads one of the three groups; writes to it overflow its queue.
  const replication::StorageNode& node = *simulation.storage_nodes().front();
  const OutcomeCounts writes = total(simulation.metrics(), true);
  CHECK(node.request_queue().rejected > 0);
  // One worker at 2 ms each serves at most 500 a second.
  CHECK(writes.by_outcome[static_cast<std::size_t>(Outcome::unavailable)] >= node.request_queue().rejected);
}

TEST_CASE("Request path: a storage node keeps its items across a power cycle", "[models]") {
  const Scenario scenario = parse_scenario(
      world(R"({"table": "t", "rate": 50, "mix": {"put": 0.5, "get_strong": 0.5}})",
            R"(, "faults": {"timeline": [{"at": "30s", "kind": "power_off", "node": "az1/storage0", "duration": "5s"}]})"),
      "unit.json");
  Simulation simulation(scenario, 1);
  simulation.kernel().run_until(sim::Time::zero() + sim::seconds(29));
  const std::size_t before = items_on(*simulation.storage_nodes().front());
  simulation.kernel().run_until(sim::Time::zero() + sim::seconds(31));
  CHECK_FALSE(simulation.storage_nodes().front()->powered());
  CHECK(items_on(*simulation.storage_nodes().front()) == before);
}

TEST_CASE("ClientMetrics: operations count in the 5-minute window they started in", "[models]") {
  ClientMetrics metrics(2, 1, sim::minutes(12));
  CHECK(metrics.window_count() == 3);
  metrics.record(sim::Time::zero() + sim::minutes(4), 1, 0, Operation::put, Outcome::ok, sim::millis(3), 1);
  metrics.record(sim::Time::zero() + sim::minutes(5), 1, 0, Operation::get_strong, Outcome::timeout, sim::seconds(4), 4);
  metrics.record(sim::Time::zero() + sim::minutes(11), 0, 0, Operation::get_eventual, Outcome::ok, sim::millis(2), 1);
  CHECK(metrics.cell(0, 1, 0, true).requests == 1);
  CHECK(metrics.cell(1, 1, 0, false).by_outcome[static_cast<std::size_t>(Outcome::timeout)] == 1);
  CHECK(metrics.cell(2, 0, 0, false).succeeded() == 1);
  CHECK(metrics.latency(Operation::get_strong).count() == 0);  // failures have no latency
  CHECK(metrics.attempts() == 6);
}
