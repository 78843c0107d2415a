// Tests of splits: the partition map, splits committed through a partition's log (no item
// lost, routers follow), split for size at the middle, split for heat at the observed keys,
// and no split for a single hot item.
#include "models/partition_map.h"
#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "reports/report.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>

using namespace models;

namespace {

double fraction(std::uint64_t hash) { return std::ldexp(static_cast<double>(hash), -64); }

// One partition, two storage nodes per AZ, splits checked every 30 s and prepared in 30 s.
Scenario splitting(const std::string& table, const std::string& workload, const std::string& partitioning,
                   const std::string& duration = "6m") {
  return parse_scenario(fmt::format(R"({{
    "name": "split", "duration": "{}",
    "topology": {{"azs": [{{"name": "az1", "storage_nodes": 2, "routers": 1, "clients": 1}},
                          {{"name": "az2", "storage_nodes": 2, "routers": 1, "clients": 1}},
                          {{"name": "az3", "storage_nodes": 2, "routers": 1, "clients": 1}}]}},
    "admission": {{"partition_rcu": 300, "partition_wcu": 100}},
    "partitioning": {},
    "tables": [{}],
    "workload": [{}]
  }})", duration, partitioning, table, workload), "split.json");
}

}  // namespace

TEST_CASE("PartitionMap: a split gives the upper part of a range to the child, keys follow", "[split]") {
  PartitionMap map;
  map.add_table(0, 2);
  const Partition before = map.partition(0);
  const std::uint64_t at = before.hash_low + (before.hash_high - before.hash_low) / 2;
  map.split(0, 5, at);  // ids may leave gaps: 2..4 are other splits' reserved children
  CHECK(map.partition(0).hash_high == at - 1);
  CHECK(map.partition(5).hash_low == at);
  CHECK(map.partition(5).hash_high == before.hash_high);
  for (std::uint64_t key = 0; key < 2000; ++key) {
    const std::uint64_t h = key_hash(0, key);
    const PartitionId id = map.partition_of(0, key);
    if (h < at) CHECK(id == 0);
    else if (h <= before.hash_high) CHECK(id == 5);
    else CHECK(id == 1);
  }
}

TEST_CASE("Splits for size go through the log: every item moves with its range, routers follow, nothing is lost", "[split]") {
  const Scenario scenario = splitting(
      R"({"name": "t", "partitions": 1, "items": 1000000, "item_size": "1KB", "size": "1MB"})",
      R"({"table": "t", "rate": 200, "mix": {"get_strong": 0.3, "get_eventual": 0.2, "put": 0.5}})",
      R"({"size_limit": "20MB", "split_for_heat": false, "split_duration": "30s", "check_interval": "30s"})", "10m");
  Simulation simulation(scenario, 1);
  const RunOutcome outcome = simulation.run();
  const reports::Json report = reports::build_report(simulation, outcome);
  REQUIRE(simulation.splitter() != nullptr);
  CHECK(simulation.splitter()->stats().completed >= 2);
  CHECK(simulation.splitter()->stats().for_heat == 0);
  // Size splits cut at the middle: the first child holds the upper half of the hash space.
  const auto& first = simulation.splitter()->records().front();
  REQUIRE(first.done);
  CHECK(fraction(simulation.partitions().partition(first.child).hash_low) == Approx(0.5).margin(1e-9));
  // Routers reached the children: some answers said "moved", and clients hardly noticed.
  CHECK(report["routing"]["misroutes"].get<std::uint64_t>() > 0);
  CHECK(report["availability"]["write"]["ratio"].get<double>() >= 0.999);
  // The checkers read the final replicas by the final map: nothing acknowledged was lost and
  // strong operations stayed linearizable across the splits.
  CHECK(report["consistency"]["durability"]["lost_writes"].get<std::uint64_t>() == 0);
  CHECK(report["consistency"]["durability"]["unhealed_groups"].get<std::uint64_t>() == 0);
  CHECK(report["consistency"]["linearizability"]["violations"].get<std::uint64_t>() == 0);
  // Every replica holds only keys of its own range, on three nodes in three AZs.
  for (const auto& node : simulation.storage_nodes())
    for (const replication::Replica* r : node->replicas()) {
      const Partition& p = simulation.partitions().partition(r->group);
      CHECK(r->d.hash_low == p.hash_low);
      CHECK(r->d.hash_high == p.hash_high);
      for (const auto& [key, versions] : r->d.items) {
        CHECK(p.hash_low <= key_hash(0, key));
        CHECK(key_hash(0, key) <= p.hash_high);
      }
    }
}

TEST_CASE("Split for heat: at the observed keys, not the middle, when load is skewed", "[split]") {
  // All load on the lowest quarter of the hash space, on an on-demand table at 150% of a
  // partition's ceiling: the split should fall inside that quarter.
  auto run = [](const char* point) {
    const Scenario scenario = splitting(
        R"({"name": "t", "partitions": 1, "items": 100000, "item_size": "1KB", "size": "1MB", "capacity": {"mode": "on_demand"}})",
        R"({"table": "t", "rate": 150, "mix": {"put": 1}, "keys": {"dist": "uniform", "within": {"from": 0, "to": 0.25}}})",
        fmt::format(R"({{"split_point": "{}", "split_duration": "30s", "check_interval": "30s"}})", point), "3m");
    Simulation simulation(scenario, 1);
    simulation.run();
    REQUIRE(!simulation.splitter()->records().empty());
    const auto& first = simulation.splitter()->records().front();
    REQUIRE(first.done);
    CHECK(first.for_heat);
    return fraction(simulation.partitions().partition(first.child).hash_low);
  };
  const double observed = run("observed");
  CHECK(observed > 0.05);
  CHECK(observed < 0.25);
  CHECK(run("midpoint") == Approx(0.5).margin(1e-9));
}

TEST_CASE("Split for heat: skipped when one item takes the traffic (a split cannot divide it)", "[split]") {
  const Scenario scenario = splitting(
      R"({"name": "t", "partitions": 1, "items": 100000, "item_size": "1KB", "size": "1MB", "capacity": {"mode": "on_demand"}})",
      R"({"table": "t", "rate": 150, "mix": {"put": 1}, "keys": {"dist": "hot_set", "hot_fraction": 0.00001, "share": 0.9}})",
      R"({"split_duration": "30s", "check_interval": "30s"})", "3m");
  Simulation simulation(scenario, 1);
  simulation.run();
  CHECK(simulation.splitter()->stats().skipped_single_item > 0);
  CHECK(simulation.splitter()->stats().completed == 0);
  // The item stays capped at the partition ceiling: 100 of the 135 writes a second.
  const auto& totals = simulation.cluster().ledger.totals(0);
  CHECK(totals.throttled > 0);
}

TEST_CASE("Split for heat: skipped for sequential keys (every write lands at the moving end)", "[split]") {
  const Scenario scenario = splitting(
      R"({"name": "t", "partitions": 1, "items": 100000, "item_size": "1KB", "size": "1MB", "capacity": {"mode": "on_demand"}})",
      R"({"table": "t", "rate": 150, "mix": {"put": 1}, "keys": {"dist": "sequential"}})",
      R"({"split_duration": "30s", "check_interval": "30s"})", "3m");
  Simulation simulation(scenario, 1);
  simulation.run();
  CHECK(simulation.splitter()->stats().skipped_sequential > 0);
  CHECK(simulation.splitter()->stats().completed == 0);
}

TEST_CASE("Splits in a table of several partitions stay inside the parent's range, ranges never overlap", "[split]") {
  const Scenario scenario = splitting(
      R"({"name": "t", "partitions": 3, "items": 1000000, "item_size": "1KB", "size": "3MB"})",
      R"({"table": "t", "rate": 300, "mix": {"get_strong": 0.3, "get_eventual": 0.2, "put": 0.5}})",
      R"({"size_limit": "20MB", "split_for_heat": false, "split_duration": "30s", "check_interval": "30s"})", "10m");
  Simulation simulation(scenario, 1);
  const RunOutcome outcome = simulation.run();
  const reports::Json report = reports::build_report(simulation, outcome);
  REQUIRE(simulation.splitter()->stats().completed >= 3);
  // The ranges tile the hash space: sorted by their low end, each starts right after the last.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& record : simulation.splitter()->records())
    if (record.done) CHECK(record.child > 2);
  for (replication::GroupId g = 0; g < simulation.cluster().directory.size(); ++g)
    if (simulation.cluster().directory.exists(g))
      ranges.emplace_back(simulation.cluster().directory.hash_low(g), simulation.cluster().directory.hash_high(g));
  std::sort(ranges.begin(), ranges.end());
  CHECK(ranges.front().first == 0);
  CHECK(ranges.back().second == ~std::uint64_t{0});
  for (std::size_t i = 1; i < ranges.size(); ++i) CHECK(ranges[i].first == ranges[i - 1].second + 1);
  for (const auto& node : simulation.storage_nodes())
    for (const replication::Replica* r : node->replicas()) {
      CHECK(r->d.hash_low == simulation.cluster().directory.hash_low(r->group));
      CHECK(r->d.hash_high == simulation.cluster().directory.hash_high(r->group));
      for (const auto& [key, versions] : r->d.items) CHECK(r->holds(key_hash(0, key)));
    }
  CHECK(report["consistency"]["durability"]["lost_writes"].get<std::uint64_t>() == 0);
  CHECK(report["consistency"]["linearizability"]["violations"].get<std::uint64_t>() == 0);
  CHECK(report["availability"]["write"]["ratio"].get<double>() >= 0.999);
}
