// What a router needs to reach a partition: the group's members, its leader and a version that
// grows with every change. The storage side publishes routes; the metadata table and MemDS
// serve them; routers cache them.
#pragma once

#include "models/replication/types.h"

#include <cstdint>

namespace models::routing {

using replication::GroupId;
using replication::Membership;

struct Route {
  GroupId group = 0;
  std::uint32_t table = 0;
  std::uint64_t hash_low = 0;   // the slice of the table's hash space it serves, [low, high]
  std::uint64_t hash_high = 0;
  Membership membership;
  sim::NodeId leader = replication::kNoNode;  // as last published; may be stale
  std::uint32_t version = 0;                  // 0: no route
  bool covers(std::uint64_t hash) const { return hash_low <= hash && hash <= hash_high; }
};

// The metadata table is partitioned by the table it describes: the node of `nodes` holding a
// table's routes.
inline std::size_t metadata_node_of(std::uint32_t table, std::size_t nodes) { return table % nodes; }

}  // namespace models::routing
