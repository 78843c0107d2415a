// Reading `topology`: the AZs with their nodes, the endpoints beside the regional one, and the
// placement cells.
#include "models/topology_loader.h"

#include "models/scenario_sections.h"

#include <fmt/format.h>

#include <set>

namespace models {

using sim::config::Node;
using sim::config::ObjectReader;
using sections::read_unique_name;

namespace {
constexpr std::uint32_t kMostNodesPerAz = 100'000;
}  // namespace

void read_topology(const Node& node, Scenario& scenario) {
  ObjectReader topology = node.object();
  const Node azs_node = topology.required("azs");
  std::set<std::string> seen;
  std::uint64_t storage = 0, routers = 0, clients = 0;
  for (const Node& az_node : azs_node.array(1)) {
    ObjectReader az = az_node.object();
    AzSpec spec;
    spec.name = read_unique_name(az, seen, "an AZ name", "AZ");
    spec.storage_nodes = static_cast<std::uint32_t>(az.required("storage_nodes").uint64_in(0, kMostNodesPerAz));
    spec.routers = static_cast<std::uint32_t>(az.required("routers").uint64_in(0, kMostNodesPerAz));
    spec.clients = static_cast<std::uint32_t>(az.required("clients").uint64_in(0, kMostNodesPerAz));
    az.finish();
    storage += spec.storage_nodes;
    routers += spec.routers;
    clients += spec.clients;
    scenario.azs.push_back(spec);
  }
  if (scenario.azs.size() > 64) azs_node.fail("at most 64 AZs", fmt::format("{}", scenario.azs.size()));
  if (storage == 0) azs_node.fail("at least one storage node in the topology", "none");
  std::size_t azs_with_storage = 0;
  for (const AzSpec& az : scenario.azs) azs_with_storage += az.storage_nodes > 0 ? 1 : 0;
  if (azs_with_storage < 3)
    azs_node.fail("storage nodes in at least three AZs (every partition keeps a replica in three AZs)",
                  fmt::format("storage nodes in {} AZ{}", azs_with_storage, azs_with_storage == 1 ? "" : "s"));
  if (routers == 0) azs_node.fail("at least one router in the topology", "none");
  if (clients == 0) azs_node.fail("at least one client in the topology", "none");
  if (auto endpoints = topology.optional("endpoints")) {
    std::set<std::string> names{scenario.endpoints[0].name};
    for (const Node& endpoint_node : endpoints->array(1)) {
      ObjectReader endpoint = endpoint_node.object();
      EndpointSpec spec;
      spec.name = read_unique_name(endpoint, names, "an endpoint name", "endpoint (\"regional\" is the AZs' own routers)");
      spec.routers_per_az = static_cast<std::uint32_t>(endpoint.required("routers_per_az").uint64_in(1, kMostNodesPerAz));
      endpoint.finish();
      scenario.endpoints.push_back(spec);
    }
    if (scenario.endpoints.size() > 16) endpoints->fail("at most 15 endpoints beside \"regional\"", fmt::format("{}", scenario.endpoints.size() - 1));
    for (const AzSpec& az : scenario.azs) {
      std::uint64_t in_az = 0;
      for (std::uint32_t e = 0; e < scenario.endpoints.size(); ++e) in_az += e == 0 ? az.routers : scenario.endpoints[e].routers_per_az;
      if (in_az > kMostNodesPerAz)
        endpoints->fail(fmt::format("at most {} routers in an AZ, over all endpoints", kMostNodesPerAz), fmt::format("{} in {}", in_az, az.name));
    }
  }
  if (auto cell = topology.optional("cell_nodes"))
    scenario.cell_nodes = static_cast<std::uint32_t>(cell->uint64_in(1, kMostNodesPerAz));
  topology.finish();
}

}  // namespace models
