// A request router: takes item requests from clients in its AZ, finds the partition's
// replication group, and forwards writes and strongly consistent reads to the group's leader
// (following "not the leader, try X" answers) and eventually consistent reads to any storage
// replica; then relays the answer. Its only state is a cache of leader hints.
#pragma once

#include "models/messages.h"
#include "models/partition_map.h"
#include "models/replication/cluster.h"
#include "models/scenario.h"
#include "sim/network.h"
#include "sim/rpc.h"

#include <vector>

namespace models {

struct RouterStats {
  std::uint64_t requests = 0;
  std::uint64_t storage_timeouts = 0;
  std::uint64_t redirects = 0;   // a replica said it is not the leader (a stale route)
};

class Router final : public sim::Node {
 public:
  Router(sim::Network& network, std::string name, sim::AzId az, const RouterSpec& spec,
         const RequestPathKinds& kinds, const PartitionMap& partitions, replication::Cluster& cluster);

  void handle(const ItemRequest& request, sim::Reply<ItemResponse> reply);
  const RouterStats& stats() const { return stats_; }

 protected:
  void on_power_off() override;

 private:
  static constexpr std::uint32_t kMostRedirects = 3;
  void forward(const ItemRequest& request, sim::Reply<ItemResponse> reply, std::uint32_t attempt);
  sim::NodeId choose_target(const ItemRequest& request, std::uint32_t attempt);
  sim::NodeId next_member(replication::GroupId group, sim::NodeId after_node) const;

  const RouterSpec& spec_;
  const RequestPathKinds& kinds_;
  const PartitionMap& partitions_;
  replication::Cluster& cluster_;
  static constexpr sim::Duration kSuspectFor = sim::seconds(10);
  std::vector<sim::NodeId> leader_hint_;  // by group; kNoNode: ask a member
  std::vector<sim::Time> suspect_until_;  // by storage NodeId: timed out lately, avoid for reads
  RouterStats stats_;
};

}  // namespace models
