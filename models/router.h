// A request router: takes item requests from clients in its AZ, finds the storage node that
// owns the key's partition and forwards the request, then relays the answer. Stateless.
#pragma once

#include "models/messages.h"
#include "models/partition_map.h"
#include "models/scenario.h"
#include "models/storage_node.h"
#include "sim/network.h"
#include "sim/rpc.h"

#include <vector>

namespace models {

struct RouterStats {
  std::uint64_t requests = 0;
  std::uint64_t storage_timeouts = 0;
};

class Router final : public sim::Node {
 public:
  Router(sim::Network& network, std::string name, sim::AzId az, const RouterSpec& spec,
         const RequestPathKinds& kinds, const PartitionMap& partitions,
         const std::vector<StorageNode*>& storage_by_node_id);

  void handle(const ItemRequest& request, sim::Reply<ItemResponse> reply);
  const RouterStats& stats() const { return stats_; }

 private:
  void forward(const ItemRequest& request, sim::Reply<ItemResponse> reply);

  const RouterSpec& spec_;
  const RequestPathKinds& kinds_;
  const PartitionMap& partitions_;
  const std::vector<StorageNode*>& storage_by_node_id_;
  RouterStats stats_;
};

}  // namespace models
