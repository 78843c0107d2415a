// Router forwarding through the route cache.
#include "models/router.h"

#include "models/replication/storage_node.h"

namespace models {

using replication::kNoNode;

Router::Router(sim::Network& network, std::string name, sim::AzId az, std::uint32_t endpoint, const Scenario& scenario,
               const RequestPathKinds& kinds, replication::Cluster& cluster,
               const routing::RoutingKinds& routing_kinds, const routing::RoutingFleet& fleet, Timeline& timeline)
    : sim::Node(network, std::move(name), az, "router"),
      scenario_(scenario),
      kinds_(kinds),
      cluster_(cluster),
      timeline_(timeline),
      cache_(*this, scenario, routing_kinds, fleet, timeline),
      endpoint_(endpoint) {
  declare_inbound_work();
}

void Router::on_power_off() {
  cache_.clear();
  if (gac_) gac_->clear();
  std::fill(suspect_until_.begin(), suspect_until_.end(), sim::Time::zero());
}

sim::Duration Router::inbound_work_delay(sim::KindId kind) {
  // Parsing a client's request: the network adds it to the request's flight (sim::Node), so
  // handle() runs with it done.
  if (kind != kinds_.client_request) return sim::Duration::zero();
  return scenario_.router.processing.sample(rng()) + build_.extra_latency();
}

void Router::handle(const ItemRequest& request, sim::Reply<ItemResponse> reply) {
  ++stats_.requests;
  if (build_.fails(rng())) {
    reply.send(*this, ItemResponse{.outcome = Outcome::unavailable});
    return;
  }
  ItemRequest routed = request;
  // The partition as this router's cache knows the map; a stale guess is corrected by the
  // replica it reaches ("moved", naming the group the key went to).
  routed.group = cache_.group_for(request.table, key_hash(request.table, request.key));
  if (gac_ && !gac_->admit(routed.table, routed.op, routed.item_bytes)) {
    ++stats_.throttled;
    if (routed.group != routing::kUnknownGroup && cluster_.ledger.tracked(routed.group))
      cluster_.ledger.throttled(routed.group, kernel().now(), is_write(routed.op),
                                admission::capacity_units(routed.op, routed.item_bytes));
    reply.send(*this, ItemResponse{.outcome = Outcome::throttled});
    return;
  }
  forward(routed, reply, 0);
}

void Router::forward(const ItemRequest& request, sim::Reply<ItemResponse> reply, std::uint32_t attempt) {
  const std::uint64_t hash = key_hash(request.table, request.key);
  cache_.lookup(request.group, request.table, hash, [this, request, reply, attempt, hash](const routing::Route* route) {
    if (route == nullptr || route->version == 0) {
      ++stats_.no_route;
      reply.send(*this, ItemResponse{.outcome = Outcome::unavailable});
      return;
    }
    ItemRequest routed = request;
    routed.group = route->group;
    if (!route->covers(hash)) {
      // The group split since the cache learned the range: ask for the key's group instead.
      if (attempt + 1 >= kMostRedirects) {
        reply.send(*this, ItemResponse{.outcome = Outcome::unavailable});
        return;
      }
      routed.group = routing::kUnknownGroup;
      forward(routed, reply, attempt + 1);
      return;
    }
    send(routed, *route, reply, attempt);
  });
}

sim::NodeId Router::next_member(const routing::Route& route, sim::NodeId after_node) {
  const replication::Membership& members = route.membership;
  const std::size_t at = members.index_of(after_node);
  for (std::size_t step = 1; step <= replication::Membership::kSize; ++step) {
    const std::size_t i = (at == replication::Membership::kSize ? step - 1 : at + step) % replication::Membership::kSize;
    if (members.nodes[i] != kNoNode && members.is_storage(i)) return members.nodes[i];
  }
  return kNoNode;
}

sim::NodeId Router::choose_target(const ItemRequest& request, const routing::Route& route, std::uint32_t attempt) {
  const replication::Membership& members = route.membership;
  std::array<sim::NodeId, replication::Membership::kSize> storage{};
  std::size_t count = 0;
  for (std::size_t i = 0; i < replication::Membership::kSize; ++i)
    if (members.nodes[i] != kNoNode && members.is_storage(i)) storage[count++] = members.nodes[i];
  SIM_ASSERT_OP(count, >, 0u);
  if (request.op == Operation::get_eventual) {
    // Any replica will do, but not one that just timed out; a redirect moves to the next one.
    std::array<sim::NodeId, replication::Membership::kSize> healthy{};
    std::size_t healthy_count = 0;
    for (std::size_t i = 0; i < count; ++i)
      if (!suspect(storage[i])) healthy[healthy_count++] = storage[i];
    if (healthy_count == 0) return storage[rng().below(count)];
    return healthy[(rng().below(healthy_count) + attempt) % healthy_count];
  }
  if (route.leader != kNoNode && members.contains(route.leader)) return route.leader;
  return storage[(request.group + attempt) % count];  // no idea yet: start anywhere, spread by group
}

void Router::send(const ItemRequest& request, const routing::Route& route, sim::Reply<ItemResponse> reply,
                  std::uint32_t attempt) {
  const sim::NodeId target_id = choose_target(request, route, attempt);
  replication::StorageNode* target = cluster_.node(target_id);
  SIM_ASSERT(target != nullptr);
  const sim::NodeId next = next_member(route, target_id);
  sim::async_call<ItemResponse>(
      *this, target_id, kinds_.storage_request, kinds_.storage_response, build_.storage_timeout(scenario_.router.storage_timeout),
      ServeItem<replication::StorageNode>{target, request},
      [this, request, reply, attempt, target_id, next](sim::error_code error, ItemResponse response) {
        if (error) {
          ++stats_.storage_timeouts;
          if (target_id >= suspect_until_.size()) suspect_until_.resize(target_id + 1, sim::Time::zero());
          suspect_until_[target_id] = kernel().now() + kSuspectFor;
          // Next time try the member after this one: it answers, or says who leads.
          if (request.op != Operation::get_eventual) cache_.learned_leader(request.group, next);
          reply.send(*this, ItemResponse{.outcome = Outcome::unavailable});
          return;
        }
        if (response.redirect) {
          if (response.moved) {
            // The route is stale (the replica left the group): look it up again.
            ++stats_.misroutes;
            if (request.misroutes > 0) ++stats_.misroutes_repeated;
            timeline_.misroute(kernel().now());
            const bool keeps_stale = cluster_.bug == PlantedBug::router_keeps_stale_route;
            if (!keeps_stale) cache_.invalidate(request.group);
            if (attempt + 1 < kMostRedirects) {
              ItemRequest again = request;
              again.misroutes = static_cast<std::uint8_t>(std::min(request.misroutes + 1, 255));
              // The split's child, or unknown: look the key up.
              if (!keeps_stale) again.group = response.owner_hint;
              forward(again, reply, attempt + 1);
            } else {
              reply.send(*this, ItemResponse{.outcome = Outcome::unavailable});
            }
            return;
          } else {
            ++stats_.redirects;
            cache_.learned_leader(request.group, response.leader_hint != target_id ? response.leader_hint : next);
          }
          if (attempt + 1 < kMostRedirects) forward(request, reply, attempt + 1);
          else reply.send(*this, ItemResponse{.outcome = Outcome::unavailable});
          return;
        }
        if (request.op != Operation::get_eventual) cache_.learned_leader(request.group, target_id);
        reply.send(*this, response);
      });
}

}  // namespace models
