// Convergence, checked once after the final heal (every fault over, the groups given time):
// every group has exactly one leader, a configuration of three storage replicas in three AZs,
// and those three replicas agree on that configuration and hold identical items.
#pragma once

#include "models/monitors/replica_view.h"
#include "models/monitors/verdicts.h"

#include <functional>
#include <string>
#include <vector>

namespace models::monitors {

struct NodeFacts {
  std::function<std::string(sim::NodeId)> name;
  std::function<sim::AzId(sim::NodeId)> az;
  std::function<bool(sim::NodeId)> powered;
};

// Every replica at the end, with the node holding it.
struct PlacedReplica {
  sim::NodeId node = 0;
  const Replica* replica = nullptr;
};

// REQUIRES: `replicas` sorted by group; `groups` lists every group that exists.
void check_convergence(Verdicts& verdicts, const NodeFacts& nodes, const std::vector<GroupId>& groups,
                       const std::vector<PlacedReplica>& replicas);

// A digest of a replica's items (every version it keeps), to compare replicas cheaply.
std::uint64_t items_digest(const Replica& replica);

}  // namespace models::monitors
