// Router forwarding with leader hints.
#include "models/router.h"

#include "models/replication/storage_node.h"

namespace models {

using replication::kNoNode;

Router::Router(sim::Network& network, std::string name, sim::AzId az, const RouterSpec& spec,
               const RequestPathKinds& kinds, const PartitionMap& partitions, replication::Cluster& cluster)
    : sim::Node(network, std::move(name), az, "router"),
      spec_(spec),
      kinds_(kinds),
      partitions_(partitions),
      cluster_(cluster),
      leader_hint_(partitions.size(), kNoNode),
      suspect_until_(network.node_count(), sim::Time::zero()) {}  // storage nodes exist before routers

void Router::on_power_off() {
  std::fill(leader_hint_.begin(), leader_hint_.end(), kNoNode);
  std::fill(suspect_until_.begin(), suspect_until_.end(), sim::Time::zero());
}

void Router::handle(const ItemRequest& request, sim::Reply<ItemResponse> reply) {
  ++stats_.requests;
  after(spec_.processing.sample(rng()), kinds_.router_process, [this, request, reply = std::move(reply)] {
    ItemRequest routed = request;
    routed.group = partitions_.partition_of(request.table, request.key);
    forward(routed, reply, 0);
  });
}

sim::NodeId Router::choose_target(const ItemRequest& request, std::uint32_t attempt) {
  const replication::Membership& members = cluster_.directory.membership(request.group);
  std::array<sim::NodeId, replication::Membership::kSize> storage{};
  std::size_t count = 0;
  for (std::size_t i = 0; i < replication::Membership::kSize; ++i)
    if (members.nodes[i] != kNoNode && members.is_storage(i)) storage[count++] = members.nodes[i];
  SIM_ASSERT_OP(count, >, 0u);
  if (request.op == Operation::get_eventual) {
    // Any replica will do, but not one that just timed out; a redirect moves to the next one.
    const sim::Time now = kernel().now();
    std::array<sim::NodeId, replication::Membership::kSize> healthy{};
    std::size_t healthy_count = 0;
    for (std::size_t i = 0; i < count; ++i)
      if (suspect_until_[storage[i]] <= now) healthy[healthy_count++] = storage[i];
    if (healthy_count == 0) return storage[rng().below(count)];
    return healthy[(rng().below(healthy_count) + attempt) % healthy_count];
  }
  const sim::NodeId hint = leader_hint_[request.group];
  if (hint != kNoNode && members.contains(hint)) return hint;
  return storage[(request.group + attempt) % count];  // no idea yet: start anywhere, spread by group
}

sim::NodeId Router::next_member(replication::GroupId group, sim::NodeId after_node) const {
  const replication::Membership& members = cluster_.directory.membership(group);
  const std::size_t at = members.index_of(after_node);
  for (std::size_t step = 1; step <= replication::Membership::kSize; ++step) {
    const std::size_t i = (at == replication::Membership::kSize ? step - 1 : at + step) % replication::Membership::kSize;
    if (members.nodes[i] != kNoNode && members.is_storage(i)) return members.nodes[i];
  }
  return kNoNode;
}

void Router::forward(const ItemRequest& request, sim::Reply<ItemResponse> reply, std::uint32_t attempt) {
  const sim::NodeId target_id = choose_target(request, attempt);
  replication::StorageNode* target = cluster_.node(target_id);
  SIM_ASSERT(target != nullptr);
  sim::async_call<ItemResponse>(
      *this, target_id, kinds_.storage_request, kinds_.storage_response, spec_.storage_timeout,
      ServeItem<replication::StorageNode>{target, request},
      [this, request, reply, attempt, target_id](sim::error_code error, ItemResponse response) {
        if (error) {
          ++stats_.storage_timeouts;
          suspect_until_[target_id] = kernel().now() + kSuspectFor;
          // Next time try the member after this one: it answers, or says who leads.
          if (request.op != Operation::get_eventual) leader_hint_[request.group] = next_member(request.group, target_id);
          reply.send(*this, ItemResponse{Outcome::unavailable, 0, 0, false, kNoNode});
          return;
        }
        if (response.redirect) {
          ++stats_.redirects;
          const replication::Membership& members = cluster_.directory.membership(request.group);
          leader_hint_[request.group] = response.leader_hint != target_id && members.contains(response.leader_hint)
                                            ? response.leader_hint
                                            : next_member(request.group, target_id);
          if (attempt + 1 < kMostRedirects) {
            forward(request, reply, attempt + 1);
          } else {
            reply.send(*this, ItemResponse{Outcome::unavailable, 0, 0, false, kNoNode});
          }
          return;
        }
        if (request.op != Operation::get_eventual) leader_hint_[request.group] = target_id;
        reply.send(*this, response);
      });
}

}  // namespace models
