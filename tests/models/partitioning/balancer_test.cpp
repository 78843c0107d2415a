// Tests of moves: the balancer moves the hottest partition off a node above the threshold to
// the roomiest node of its AZ, the leader rebuilds its replica there, commits the membership
// change and hands leadership over without a lease wait, and nothing is lost. No move when no
// node has room; a move whose target dies is given up and the partition keeps being served.
#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "reports/report.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace models;
using replication::GroupId;

namespace {

// Twelve partitions on two storage nodes per AZ; az1/storage0 leads groups 4 and 6, and
// az1/storage1 groups 0 and 9 (the placement is fixed by the topology, not the seed). A node
// serves about 125 writes a second (one worker, 8 ms a write) and reports against 120 WCU.
// Background writes spread 60 a second over the table; `hot` adds 45 a second to each named
// partition from 30 s on.
Scenario hot_nodes(const std::vector<int>& hot, const std::string& faults = "[]") {
  std::string workload = R"({"table": "t", "rate": 60, "mix": {"put": 1}})";
  for (int group : hot)
    workload += fmt::format(R"(, {{"table": "t", "rate": 45, "start": "30s", "mix": {{"put": 1}},
                                  "keys": {{"dist": "uniform", "within": {{"from": {}, "to": {}}}}}}})",
                            (group + 0.01) / 12.0, (group + 0.99) / 12.0);
  return parse_scenario(fmt::format(R"({{
    "name": "balance", "duration": "5m",
    "topology": {{"azs": [{{"name": "az1", "storage_nodes": 2, "routers": 1, "clients": 1}},
                          {{"name": "az2", "storage_nodes": 2, "routers": 1, "clients": 1}},
                          {{"name": "az3", "storage_nodes": 2, "routers": 1, "clients": 1}}]}},
    "storage": {{"workers": 1, "write_service": {{"dist": "constant", "value": "8ms"}}}},
    "admission": {{"node_wcu": 120}},
    "balancing": {{"interval": "30s", "threshold": 0.8}},
    "tables": [{{"name": "t", "partitions": 12, "items": 12000, "item_size": "1KB", "size": "120MB",
                 "capacity": {{"mode": "provisioned", "rcu": 3000, "wcu": 1200}}}}],
    "workload": [{}],
    "faults": {{"timeline": {}}}
  }})", workload, faults), "balance.json");
}

sim::NodeId node_named(const Simulation& simulation, const std::string& name) {
  for (const auto& node : simulation.storage_nodes())
    if (node->name() == name) return node->id();
  FAIL("no node " << name);
  return 0;
}

void check_consistent(const reports::Json& report) {
  CHECK(report["consistency"]["durability"]["lost_writes"].get<std::uint64_t>() == 0);
  CHECK(report["consistency"]["durability"]["unhealed_groups"].get<std::uint64_t>() == 0);
  CHECK(report["consistency"]["linearizability"]["violations"].get<std::uint64_t>() == 0);
}

}  // namespace

TEST_CASE("Balancer: the hottest partition of a hot node moves to the roomiest node of its AZ and leads there at once",
          "[move]") {
  const Scenario scenario = hot_nodes({4, 6});
  Simulation simulation(scenario, 1);
  const RunOutcome outcome = simulation.run();
  const reports::Json report = reports::build_report(simulation, outcome);
  const partitioning::Balancer* balancer = simulation.balancer();
  REQUIRE(balancer != nullptr);
  CHECK(balancer->stats().decided == 1);
  CHECK(balancer->stats().completed == 1);
  CHECK(balancer->stats().abandoned == 0);
  REQUIRE(balancer->records().size() == 1);
  const partitioning::MoveRecord& move = balancer->records().front();
  const sim::NodeId hot = node_named(simulation, "az1/storage0");
  const sim::NodeId roomy = node_named(simulation, "az1/storage1");
  CHECK(move.from == hot);
  CHECK(move.to == roomy);
  CHECK((move.group == 4 || move.group == 6));
  CHECK(move.from_load > 800);
  // The old leader stepped down and handed over; the new one served within milliseconds: no
  // election timeout, and no wait for the lease the old leader held (2.5 s).
  REQUIRE(move.handed_off);
  REQUIRE(move.serving);
  CHECK(*move.serving - *move.handed_off < sim::millis(100));
  // The partition lives on the roomy node now, and nothing of it is left on the hot one.
  const auto& directory = simulation.cluster().directory;
  CHECK(directory.leader(move.group) == roomy);
  CHECK(directory.membership(move.group).contains(roomy));
  CHECK_FALSE(directory.membership(move.group).contains(hot));
  CHECK(simulation.cluster().node(hot)->find(move.group) == nullptr);
  const replication::Replica* moved = simulation.cluster().node(roomy)->find(move.group);
  REQUIRE(moved != nullptr);
  CHECK(moved->d.storage);
  CHECK(moved->v.role == replication::Role::leader);
  // After the move no node is over the threshold.
  const auto& loads = balancer->loads()[hot];
  REQUIRE(loads.size() >= 5);
  CHECK(loads[loads.size() - 3] < 800);
  CHECK(report["capacity"]["node_loads"]["last_over_threshold_s"].get<double>() <= 90.0);
  // Clients hardly noticed, and the checkers find nothing lost or reordered.
  CHECK(report["availability"]["write"]["ratio"].get<double>() >= 0.999);
  check_consistent(report);
  CHECK(report["capacity"]["moves"]["list"][0]["leaderless_ms"].get<double>() < 100.0);
}

TEST_CASE("Balancer: no move when no node of the AZ has room for the partition", "[move]") {
  // Both az1 nodes run hot: moving a partition from one to the other would only swap the hot spot.
  const Scenario scenario = hot_nodes({0, 4, 6, 9});
  Simulation simulation(scenario, 1);
  simulation.run();
  const partitioning::Balancer* balancer = simulation.balancer();
  REQUIRE(balancer != nullptr);
  CHECK(balancer->stats().decided == 0);
  CHECK(balancer->stats().no_room > 0);
}

TEST_CASE("Balancer: a move whose target dies while copying is given up, the partition stays served and moves later",
          "[move]") {
  // az1/storage1 loses power 5 s into the copy that starts with the check at 60 s, for a minute.
  const Scenario scenario =
      hot_nodes({4, 6}, R"([{"at": "61s", "kind": "power_off", "node": "az1/storage1", "duration": "1m"}])");
  Simulation simulation(scenario, 1);
  const RunOutcome outcome = simulation.run();
  const reports::Json report = reports::build_report(simulation, outcome);
  const partitioning::Balancer* balancer = simulation.balancer();
  REQUIRE(balancer != nullptr);
  REQUIRE(balancer->records().size() >= 2);
  CHECK(balancer->records().front().abandoned);
  CHECK_FALSE(balancer->records().front().handed_off);
  CHECK(balancer->stats().completed >= 1);
  CHECK(balancer->records().back().serving);
  check_consistent(report);
}

TEST_CASE("Balancer: a move over slow links keeps every committed entry and one membership on every replica", "[move]") {
  // The old leader is slow to reach az3 and the new node slow to reach az2 while the move
  // commits: the old quorum {old leader, az2} and the new quorum {new node, az3} do not
  // overlap, so the change must wait for a quorum of each.
  const Scenario scenario = hot_nodes({4, 6}, R"([
      {"at": "55s", "kind": "latency", "duration": "35s", "between": ["az1/storage0", "az3"], "extra": "40ms"},
      {"at": "55s", "kind": "latency", "duration": "35s", "between": ["az1/storage1", "az2"], "extra": "40ms"}])");
  Simulation simulation(scenario, 1);
  const RunOutcome outcome = simulation.run();
  const reports::Json report = reports::build_report(simulation, outcome);
  const partitioning::Balancer* balancer = simulation.balancer();
  REQUIRE(balancer != nullptr);
  REQUIRE(balancer->stats().completed == 1);
  const GroupId group = balancer->records().front().group;
  const replication::Membership& final_members = simulation.cluster().directory.membership(group);
  for (sim::NodeId node : final_members.nodes) {
    const replication::Replica* r = simulation.cluster().node(node)->find(group);
    REQUIRE(r != nullptr);
    CHECK(r->d.membership == final_members);
  }
  check_consistent(report);
}

TEST_CASE("Balancer: a leader that loses power between its replacement and the handoff comes back without the replica",
          "[move]") {
  // tests/scenarios/move_removed_leader_loses_power.json: the old leader applied the change that
  // removed it and lost power before handing off. The replica it comes back with belongs to no
  // member; left in place, it would stop the group from rebuilding its az1 copy there when the
  // new node dies for good at 90 s.
  const Scenario scenario =
      load_scenario(std::string(DDBSIM_SOURCE_DIR) + "/tests/scenarios/move_removed_leader_loses_power.json");
  Simulation simulation(scenario, 1);
  const RunOutcome outcome = simulation.run();
  const reports::Json report = reports::build_report(simulation, outcome);
  const sim::NodeId old_leader = node_named(simulation, "az1/storage0");
  const auto& directory = simulation.cluster().directory;
  for (const auto& node : simulation.storage_nodes())
    for (const replication::Replica* r : node->replicas()) {
      INFO("group " << r->group << " on " << node->name() << ": epoch " << r->d.membership.epoch << " joined "
                    << r->d.joined << " role " << static_cast<int>(r->v.role) << " applied " << r->d.applied
                    << "; the directory's epoch " << directory.membership(r->group).epoch);
      CHECK(directory.membership(r->group).contains(node->id()));  // no leftover replica anywhere
    }
  CHECK(directory.membership(4).contains(old_leader));  // group 4 healed back onto it
  check_consistent(report);
}
