// The route servers of one simulation and the partition publisher that feeds them: every
// change the storage side commits goes to the table's metadata node and to every MemDS node.
#pragma once

#include "models/replication/cluster.h"
#include "models/routing/route_servers.h"

#include <vector>

namespace models::routing {

struct RoutingFleet {
  std::vector<MetadataNode*> metadata;
  std::vector<MemdsNode*> memds;
  std::vector<std::vector<MemdsNode*>> memds_by_az;

  // The metadata table is partitioned by the table it describes.
  MetadataNode& metadata_for(std::uint32_t table) const { return *metadata[metadata_node_of(table, metadata.size())]; }

  // How many groups each table has (by table id): what a copy of the map reserves at setup.
  static std::vector<std::size_t> groups_per_table(const replication::GroupDirectory& directory) {
    std::vector<std::size_t> counts;
    for (GroupId group = 0; group < directory.size(); ++group) {
      const std::uint32_t table = directory.table_of(group);
      if (table >= counts.size()) counts.resize(table + 1);
      ++counts[table];
    }
    return counts;
  }

  static Route route_of(const replication::GroupDirectory& directory, GroupId group) {
    return Route{group,
                 directory.table_of(group),
                 directory.hash_low(group),
                 directory.hash_high(group),
                 directory.membership(group),
                 directory.leader(group),
                 directory.version(group)};
  }

  // Sends the group's current route from `from` (the storage node that changed it).
  void publish(const sim::Node& from, const replication::GroupDirectory& directory, GroupId group,
               sim::Network& network, const RoutingKinds& kinds) const {
    const Route route = route_of(directory, group);
    auto push = [&](RouteServer* server) {
      network.send(from, server->id(), kinds.publish, [server, route] { server->publish(route); });
    };
    push(&metadata_for(directory.table_of(group)));
    for (MemdsNode* node : memds) push(node);
  }
};

}  // namespace models::routing
