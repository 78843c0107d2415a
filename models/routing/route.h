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
  Membership membership;
  sim::NodeId leader = replication::kNoNode;  // as last published; may be stale
  std::uint32_t version = 0;                  // 0: no route
};

}  // namespace models::routing
