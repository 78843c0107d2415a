// Router forwarding.
#include "models/router.h"

namespace models {

Router::Router(sim::Network& network, std::string name, sim::AzId az, const RouterSpec& spec,
               const RequestPathKinds& kinds, const PartitionMap& partitions,
               const std::vector<StorageNode*>& storage_by_node_id)
    : sim::Node(network, std::move(name), az, "router"),
      spec_(spec),
      kinds_(kinds),
      partitions_(partitions),
      storage_by_node_id_(storage_by_node_id) {}

void Router::handle(const ItemRequest& request, sim::Reply<ItemResponse> reply) {
  ++stats_.requests;
  after(spec_.processing.sample(rng()), kinds_.router_process,
        [this, request, reply = std::move(reply)] { forward(request, reply); });
}

void Router::forward(const ItemRequest& request, sim::Reply<ItemResponse> reply) {
  const Partition& partition = partitions_.partition(partitions_.partition_of(request.table, request.key));
  StorageNode* owner = storage_by_node_id_.at(partition.owner);
  SIM_ASSERT(owner != nullptr);
  sim::async_call<ItemResponse>(
      *this, owner->id(), kinds_.storage_request, kinds_.storage_response, spec_.storage_timeout,
      ServeItem<StorageNode>{owner, request},
      [this, reply](sim::error_code error, ItemResponse response) {
        if (error) {
          ++stats_.storage_timeouts;
          response = ItemResponse{Outcome::unavailable, 0};
        }
        reply.send(*this, response);
      });
}

}  // namespace models
