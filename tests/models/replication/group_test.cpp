// Replication groups in small simulations: step-down, catch-up, the gray-failure rule, healing,
// and the planted bugs the checkers must catch.
#include "models/scenario_loader.h"
#include "models/replication/rules.h"
#include "models/simulation.h"
#include "reports/report.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace models;
using replication::Role;

namespace {

// Three AZs with two storage nodes each (so healing has somewhere to go), a router and a
// client per AZ, one table of `partitions` groups; `extra` adds or replaces sections.
std::string cluster(std::uint32_t partitions, double rate, const std::string& extra, const std::string& duration = "2m",
                    const std::string& table_size = "200KB",
                    const std::string& mix = R"({"get_strong": 0.4, "get_eventual": 0.2, "put": 0.4})") {
  return fmt::format(R"({{
    "name": "group", "duration": "{}",
    "topology": {{"azs": [{{"name": "az1", "storage_nodes": 2, "routers": 1, "clients": 1}},
                          {{"name": "az2", "storage_nodes": 2, "routers": 1, "clients": 1}},
                          {{"name": "az3", "storage_nodes": 2, "routers": 1, "clients": 1}}]}},
    "tables": [{{"name": "t", "partitions": {}, "items": 20, "size": "{}"}}],
    "workload": [{{"table": "t", "rate": {}, "mix": {}}}]{}
  }})",
                     duration, partitions, table_size, rate, mix, extra);
}

// Every storage node: a partition side that cuts one node off from all the others.
const char* kAllStorage = R"(["az1/storage0", "az1/storage1", "az2/storage0", "az2/storage1", "az3/storage0", "az3/storage1"])";

const replication::StorageNode& node_named(const Simulation& s, const std::string& name) {
  for (const auto& n : s.storage_nodes())
    if (n->name() == name) return *n;
  FAIL("no node " << name);
  throw;
}

const replication::Replica& replica_of(const Simulation& s, const std::string& node, replication::GroupId group) {
  const replication::Replica* r = node_named(s, node).find(group);
  REQUIRE(r != nullptr);
  return *r;
}

std::string leader_node_of(const Simulation& s, replication::GroupId group) {
  for (const auto& n : s.storage_nodes())
    if (const replication::Replica* r = n->find(group); r != nullptr && r->v.role == Role::leader && n->powered()) return n->name();
  return "";
}

// Runs a scenario and returns its report (with the checkers' verdicts).
reports::Json run(const Scenario& scenario, std::uint64_t seed, TestHooks hooks = {}) {
  Simulation simulation(scenario, seed, hooks);
  const RunOutcome outcome = simulation.run();
  return reports::build_report(simulation, outcome);
}

}  // namespace

TEST_CASE("Replication: a leader cut off from its followers steps down when its lease runs out", "[replication]") {
  const Scenario scenario = parse_scenario(
      cluster(1, 20,
              R"(, "faults": {"timeline": [{"at": "30s", "kind": "partition", "duration": "30s",
                                             "between": [{"leader_of": {"table": "t", "key": 0}}, )" + std::string(kAllStorage) + R"(]}]})"),
      "group.json");
  Simulation simulation(scenario, 1);
  const std::string first_leader = leader_node_of(simulation, 0);
  REQUIRE_FALSE(first_leader.empty());
  simulation.kernel().run_until(sim::Time::zero() + sim::seconds(45));
  // The old leader heard no quorum for a whole lease: it no longer claims to lead.
  CHECK(replica_of(simulation, first_leader, 0).v.role != Role::leader);
  CHECK(leader_node_of(simulation, 0) != first_leader);
  CHECK_FALSE(leader_node_of(simulation, 0).empty());
  simulation.run();
  CHECK(simulation.cluster().health.group(0).elections_won >= 1);
}

TEST_CASE("Replication: a follower back from a power-off catches up from the leader", "[replication]") {
  const Scenario scenario = parse_scenario(
      cluster(1, 200, R"(, "faults": {"timeline": [{"at": "20s", "kind": "power_off", "duration": "30s",
                                                      "node": {"follower_of": {"table": "t", "key": 0}}}]},
                         "replication": {"log_replicas": false})",
              "2m", "1000GB"),  // a full rebuild takes hours: the member stays and catches up
      "group.json");
  Simulation simulation(scenario, 2);
  const std::string leader = leader_node_of(simulation, 0);
  simulation.kernel().run_until(sim::Time::zero() + sim::seconds(49));
  std::string follower;
  for (const auto& n : simulation.storage_nodes())
    if (!n->powered()) follower = n->name();
  REQUIRE_FALSE(follower.empty());
  const replication::Slot behind = replica_of(simulation, follower, 0).d.applied;
  CHECK(behind + 1000 < replica_of(simulation, leader, 0).d.applied);  // it missed half a minute of writes
  simulation.kernel().run_until(sim::Time::zero() + sim::seconds(56));
  const replication::Replica& back = replica_of(simulation, follower, 0);
  CHECK(back.d.applied + 20 >= replica_of(simulation, leader, 0).d.applied);
  CHECK(back.v.leader_node == node_named(simulation, leader).id());
  CHECK(simulation.cluster().directory.membership(0).contains(back.v.leader_node));
}

TEST_CASE("Replication: the gray-failure rule stops a follower that alone cannot hear the leader", "[replication]") {
  // The leader's messages to one follower are dropped for a minute; the other follower hears
  // it fine. Asking peers first keeps the group's leader; electing alone keeps churning.
  const std::string gray =
      R"(, "faults": {"timeline": [{"at": "20s", "kind": "gray_link", "duration": "1m",
                                    "from": {"leader_of": {"table": "t", "key": 0}}, "to": {"follower_of": {"table": "t", "key": 0}}}]})";
  const Scenario confirmed = parse_scenario(cluster(1, 20, gray), "gray.json");
  const Scenario alone =
      parse_scenario(cluster(1, 20, gray + R"(, "replication": {"confirm_with_peers": false})"), "gray.json");
  const reports::Json with_rule = run(confirmed, 3);
  const reports::Json without_rule = run(alone, 3);
  CHECK(with_rule["replication"]["elections"]["won"] == 0);
  CHECK(without_rule["replication"]["elections"]["won"].get<int>() >= 1);
  CHECK(without_rule["replication"]["leaderless_s"]["total"].get<double>() > with_rule["replication"]["leaderless_s"]["total"].get<double>());
}

TEST_CASE("Replication: a dead member is replaced by a log replica in seconds, then by a storage replica", "[replication]") {
  const Scenario scenario = parse_scenario(
      cluster(1, 20, R"(, "faults": {"timeline": [{"at": "20s", "kind": "power_off", "node": {"follower_of": {"table": "t", "key": 0}}}]})",
              "2m", "3GB"),
      "heal.json");
  Simulation simulation(scenario, 4);
  simulation.kernel().run_until(sim::Time::zero() + sim::seconds(21));
  const replication::StorageNode* victim = nullptr;
  for (const auto& n : simulation.storage_nodes())
    if (!n->powered()) victim = n.get();
  REQUIRE(victim != nullptr);
  const replication::StorageNode* replacement = nullptr;  // the other node of the victim's AZ
  for (const auto& n : simulation.storage_nodes())
    if (n->az() == victim->az() && n.get() != victim) replacement = n.get();
  simulation.kernel().run_until(sim::Time::zero() + sim::seconds(35));
  replication::Membership m = simulation.cluster().directory.membership(0);
  REQUIRE(m.contains(replacement->id()));
  CHECK_FALSE(m.contains(victim->id()));
  CHECK_FALSE(m.is_storage(m.index_of(replacement->id())));  // a log replica: it holds the quorum, not the items
  simulation.run();
  m = simulation.cluster().directory.membership(0);
  CHECK(m.is_storage(m.index_of(replacement->id())));
  CHECK(m.epoch == 3);
  const auto& health = simulation.cluster().health;
  CHECK(health.log_replica_heal_ns().count() == 1);
  CHECK(health.log_replica_heal_ns().max() < static_cast<std::uint64_t>(sim::seconds(12).nanos()));
  CHECK(health.storage_heal_ns().max() > static_cast<std::uint64_t>(sim::seconds(30).nanos()));  // 3 GB at 100 MB/s
  CHECK(health.group(0).no_quorum_ns == 0);
}

// A member is powered off and replaced; back on, it learns it was removed and drops its replica.
// Then its replacement dies and healing picks it again (the only other node of its AZ): the
// replica built there keeps the dropped one's promise, votes only in memberships newer than the
// one it forgot, and becomes a member through the change that rebuilds it.
TEST_CASE("Replication: a node whose replica was dropped and is rebuilt keeps its promises and rejoins", "[replication]") {
  const Scenario scenario = parse_scenario(cluster(1, 20, "", "4m"), "rebuilt.json");
  Simulation simulation(scenario, 4);
  const auto at = [](int s) { return sim::Time::zero() + sim::seconds(s); };
  simulation.kernel().run_until(at(20));
  const std::string leader = leader_node_of(simulation, 0);
  replication::StorageNode* victim = nullptr;
  replication::StorageNode* other = nullptr;
  for (const auto& n : simulation.storage_nodes())
    if (n->find(0) != nullptr && n->name() != leader && victim == nullptr) victim = n.get();
  REQUIRE(victim != nullptr);
  for (const auto& n : simulation.storage_nodes())
    if (n->az() == victim->az() && n.get() != victim) other = n.get();
  REQUIRE(other != nullptr);
  victim->power_off();
  simulation.kernel().run_until(at(60));
  REQUIRE(simulation.cluster().directory.membership(0).contains(other->id()));
  const replication::Ballot promised = victim->find(0)->d.promised;
  victim->power_on();
  simulation.kernel().run_until(at(100));
  REQUIRE(victim->find(0) == nullptr);  // it learned it was removed
  other->power_off();
  simulation.kernel().run_until(at(160));
  const replication::Membership m = simulation.cluster().directory.membership(0);
  CHECK(m.contains(victim->id()));
  const replication::Replica* rebuilt = victim->find(0);
  REQUIRE(rebuilt != nullptr);
  CHECK(rebuilt->d.forgotten_epoch >= 1);
  CHECK(rebuilt->d.forgotten_epoch < m.epoch);
  CHECK(rebuilt->d.promised >= promised);
  CHECK(replication::rules::is_voter(*rebuilt, victim->id()));
  const RunOutcome outcome = simulation.run();
  const reports::Json report = reports::build_report(simulation, outcome);
  for (const auto& [name, verdict] : report["monitors"].items()) CHECK(verdict["passed"] == true);
  CHECK(report["consistency"]["durability"]["passed"] == true);
  CHECK(report["consistency"]["linearizability"]["passed"] == true);
}

TEST_CASE("Replication: corrupted messages fail their checksums and are dropped, every check still holds",
          "[replication]") {
  const Scenario scenario = parse_scenario(
      cluster(2, 40, R"(, "faults": {"timeline": [{"at": "10s", "kind": "corrupt", "duration": "1m", "probability": 0.2}]})"),
      "corrupt.json");
  const reports::Json report = run(scenario, 3);
  CHECK(report["network"]["dropped_corrupt"].get<std::uint64_t>() > 1000);
  for (const auto& [name, verdict] : report["monitors"].items()) CHECK(verdict["passed"] == true);
  CHECK(report["consistency"]["durability"]["passed"] == true);
  CHECK(report["consistency"]["linearizability"]["passed"] == true);
}

// Healing decides from what autoadmin was told. A non-member X of a follower's AZ dies, then
// the follower. With a long `silence`, autoadmin's placement list still names X (idle, so the
// least loaded): the leader builds there, the copy never answers, the change is given up at its
// deadline and the next attempt avoids X. With the default silence X is out of the list by then.
TEST_CASE("Replication: the healing target comes from autoadmin's placement list, stale or not", "[replication][control]") {
  const auto heal = [](const std::string& silence) {
    const std::string topology = R"({"azs": [{"name": "az1", "storage_nodes": 3, "routers": 1, "clients": 1},
                                             {"name": "az2", "storage_nodes": 3, "routers": 1, "clients": 1},
                                             {"name": "az3", "storage_nodes": 3, "routers": 1, "clients": 1}]})";
    const Scenario scenario = parse_scenario(fmt::format(R"({{
      "name": "stale", "duration": "2m", "topology": {},
      "tables": [{{"name": "t", "partitions": 1, "items": 20, "size": "200KB"}}],
      "workload": [{{"table": "t", "rate": 20, "mix": {{"put": 1}}}}],
      "control": {{"silence": "{}"}}}})", topology, silence), "stale.json");
    Simulation simulation(scenario, 4);
    const replication::Membership before = simulation.cluster().directory.membership(0);
    const std::string leader = leader_node_of(simulation, 0);
    const replication::StorageNode* follower = nullptr;
    for (sim::NodeId member : before.nodes)
      if (simulation.cluster().node(member)->name() != leader) follower = simulation.cluster().node(member);
    REQUIRE(follower != nullptr);
    // The two other nodes of the follower's AZ, lower id first (idle ties go to it).
    std::vector<replication::StorageNode*> others;
    for (const auto& n : simulation.storage_nodes())
      if (n->az() == follower->az() && n.get() != follower) others.push_back(n.get());
    REQUIRE(others.size() == 2);
    simulation.kernel().run_until(sim::Time::zero() + sim::seconds(10));
    others[0]->power_off();
    simulation.kernel().run_until(sim::Time::zero() + sim::seconds(11));
    const_cast<replication::StorageNode*>(follower)->power_off();
    // The follower is missed after an election timeout (4.5 s) and a log replica copies in
    // about 2 s; a build to a dead node is given up only after 4 election timeouts at least.
    simulation.kernel().run_until(sim::Time::zero() + sim::seconds(30));
    const bool healed_by_30s = !simulation.cluster().directory.membership(0).contains(follower->id());
    simulation.run();
    const replication::Membership after = simulation.cluster().directory.membership(0);
    CHECK_FALSE(after.contains(follower->id()));
    CHECK_FALSE(after.contains(others[0]->id()));
    CHECK(after.contains(others[1]->id()));
    return healed_by_30s;
  };
  CHECK(heal("3s"));
  CHECK_FALSE(heal("10m"));  // the first attempt went to the dead node and waited out its deadline
}

// ---- The planted bugs: each must be caught by a checker in a sweep of a few seeds ---------

// The leader is cut off from its followers but not from the routers, and leases are long, so
// for a while it still believes it leads while the followers elect a new leader. Strong reads
// dominate and routers wait long for storage, so some keep reading from the old leader after
// the election (a router only moves on when a write there times out; the legacy cache keeps
// its routes, where MemDS would soon push the new leader); few keys make a stale read of a
// freshly written key likely.
std::string cut_off_leader() {
  return cluster(1, 400,
                 R"(, "faults": {"timeline": [{"at": "30s", "kind": "partition", "duration": "40s",
                                                "between": [{"leader_of": {"table": "t", "key": 0}}, )" +
                     std::string(kAllStorage) + R"(]}]},
                    "replication": {"heartbeat_interval": "1s", "missed_heartbeats": 3, "lease": "12s"},
                    "router": {"storage_timeout": "3s"}, "client": {"attempt_timeout": "5s"},
                    "routing": {"cache": "legacy", "cache_ttl": "1h"})",
                 "2m", "200KB", R"({"get_strong": 0.9, "put": 0.1})");
}

// A planted bug must stop the run at once with the monitor of its invariant (and nothing else
// must), and, with the monitors only recording, the checkers must find what it did.
void check_planted(replication::PlantedBug bug, const char* invariant, const std::function<bool(const reports::Json&)>& checker_caught) {
  const Scenario scenario = parse_scenario(cut_off_leader(), "bug.json");
  int monitor_caught = 0, checkers_caught = 0;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const reports::Json correct = run(scenario, seed);
    for (const auto& [name, verdict] : correct["monitors"].items()) CHECK(verdict["passed"] == true);
    CHECK(correct["consistency"]["durability"]["passed"] == true);
    CHECK(correct["consistency"]["linearizability"]["passed"] == true);
    const reports::Json stopped = run(scenario, seed, TestHooks{bug, false});
    if (stopped["monitors"][invariant]["violations"].get<int>() > 0) {
      ++monitor_caught;
      CHECK(stopped["status"] == "stopped by a safety violation");
    }
    const reports::Json recorded = run(scenario, seed, TestHooks{bug, true});
    CHECK(recorded["monitors"][invariant]["violations"].get<int>() > 0);
    if (checker_caught(recorded)) ++checkers_caught;
  }
  CHECK(monitor_caught == 3);
  CHECK(checkers_caught >= 2);
}

TEST_CASE("Planted bug: acknowledging a write before a quorum persisted it is caught by a monitor and the checker",
          "[replication][planted]") {
  check_planted(replication::PlantedBug::ack_before_quorum, "acknowledged_on_quorum",
                [](const reports::Json& r) { return r["consistency"]["durability"]["lost_writes"].get<int>() > 0; });
}

TEST_CASE("Planted bug: a new leader that does not wait out the old lease is caught by a monitor and the checker",
          "[replication][planted]") {
  check_planted(replication::PlantedBug::skip_lease_wait, "lease_exclusivity",
                [](const reports::Json& r) { return r["consistency"]["linearizability"]["violations"].get<int>() > 0; });
}
