// Placing groups: three replicas in three AZs on the least loaded nodes; with placement cells, a
// node shares groups only with the nodes of its cell, so its peers are bounded by the cell size.
#include "models/scenario_loader.h"
#include "models/simulation.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <map>
#include <set>
#include <string>

namespace {

models::Scenario region(std::uint32_t nodes_per_az, std::uint32_t partitions, std::uint32_t cell_nodes) {
  std::string topology = "{\"azs\": [";
  for (int a = 1; a <= 3; ++a)
    topology += fmt::format("{}{{\"name\": \"az{}\", \"storage_nodes\": {}, \"routers\": 1, \"clients\": 1}}", a > 1 ? ", " : "", a,
                            nodes_per_az);
  topology += "]";
  if (cell_nodes > 0) topology += fmt::format(", \"cell_nodes\": {}", cell_nodes);
  topology += "}";
  return models::parse_scenario(fmt::format(R"({{"name": "placement", "duration": "1s", "topology": {},
      "tables": [{{"name": "t", "partitions": {}, "items": {}}}],
      "workload": [{{"table": "t", "rate": 1, "mix": {{"get_eventual": 1}}}}]}})",
                                            topology, partitions, partitions * 4),
                                "placement.json");
}

// Each node's peers: the other nodes it holds a group with.
std::map<sim::NodeId, std::set<sim::NodeId>> peers_of(const models::Simulation& simulation) {
  std::map<sim::NodeId, std::set<sim::NodeId>> peers;
  for (const auto& node : simulation.storage_nodes())
    for (const auto* r : node->replicas())
      for (sim::NodeId other : r->d.membership.nodes)
        if (other != node->id()) peers[node->id()].insert(other);
  return peers;
}

}  // namespace

TEST_CASE("Placement: replicas spread evenly, three AZs per group, and every node may pair with any other", "[models][placement]") {
  const models::Scenario scenario = region(12, 1200, 0);
  const models::Simulation simulation(scenario, 1);
  for (const auto& node : simulation.storage_nodes()) CHECK(node->replica_count() == 100);  // 3,600 over 36
  for (const auto& node : simulation.storage_nodes())
    for (const auto* r : node->replicas()) {
      std::set<sim::AzId> azs;
      for (sim::NodeId n : r->d.membership.nodes) azs.insert(simulation.network().node(n).az());
      CHECK(azs.size() == 3);
    }
  std::size_t most = 0;
  for (const auto& [node, peers] : peers_of(simulation)) most = std::max(most, peers.size());
  CHECK(most == 24);  // every node of the two other AZs
}

TEST_CASE("Placement: with cells a node's peers are the nodes of its cell in the other AZs", "[models][placement]") {
  const models::Scenario scenario = region(12, 1200, 4);  // 3 cells of 4 nodes per AZ
  const models::Simulation simulation(scenario, 1);
  for (const auto& node : simulation.storage_nodes()) CHECK(node->replica_count() == 100);
  for (const auto& [node, peers] : peers_of(simulation)) {
    CHECK(peers.size() == 8);  // 4 in each of the two other AZs
    const std::string name = simulation.network().node(node).name();
    const int cell = (std::stoi(name.substr(name.find("storage") + 7))) / 4;
    for (sim::NodeId peer : peers) {
      const std::string other = simulation.network().node(peer).name();
      CHECK(std::stoi(other.substr(other.find("storage") + 7)) / 4 == cell);
    }
  }
}
