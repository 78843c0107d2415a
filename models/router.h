// A request router: takes item requests from clients in its AZ, finds the partition's route
// in its cache (models/routing/route_cache.h: MemDS-backed constant work, or the legacy
// metadata-table cache), and forwards writes and strongly consistent reads to the group's
// leader, eventually consistent reads to any storage replica, then relays the answer. A
// "not the leader, try X" answer updates the leader; a "moved" answer (a stale route)
// invalidates the entry and is counted. Its only state is its caches.
#pragma once

#include "models/admission/gac_client.h"
#include "models/ops/build.h"
#include "models/messages.h"
#include "models/partition_map.h"
#include "models/replication/cluster.h"
#include "models/routing/route_cache.h"
#include "models/scenario.h"
#include "models/timeline.h"
#include "sim/network.h"
#include "sim/rpc.h"

#include <optional>
#include <vector>

namespace models {

struct RouterStats {
  std::uint64_t requests = 0;
  std::uint64_t storage_timeouts = 0;
  std::uint64_t redirects = 0;   // a replica said it is not the leader
  std::uint64_t misroutes = 0;   // a replica said the route is stale: the group moved
  // A request misrouted again after the fresh lookup its first misroute caused: the routing
  // invariant (a misroute is resolved within one extra hop) broken.
  std::uint64_t misroutes_repeated = 0;
  std::uint64_t no_route = 0;    // the cache found no route in time
  std::uint64_t throttled = 0;   // turned away by global admission control
};

class Router final : public sim::Node {
 public:
  Router(sim::Network& network, std::string name, sim::AzId az, std::uint32_t endpoint, const Scenario& scenario,
         const RequestPathKinds& kinds, replication::Cluster& cluster,
         const routing::RoutingKinds& routing_kinds, const routing::RoutingFleet& fleet, Timeline& timeline);

  void handle(const ItemRequest& request, sim::Reply<ItemResponse> reply);
  // A router that has been up since before the run: its cache holds the current routes.
  void warm_cache() { cache_.warm(cluster_.directory, rng()); }
  // Meters provisioned tables with global admission control from now on (admission mode gac).
  void enable_gac(const admission::GacKinds& kinds, const admission::GacRing& ring) {
    gac_.emplace(*this, scenario_, kinds, ring);
  }
  // A router that has been up since before the run holds GAC grants, as its cache holds routes.
  void warm_gac(std::size_t routers) {
    if (gac_) gac_->warm(routers);
  }
  const admission::GacClient* gac() const { return gac_ ? &*gac_ : nullptr; }
  const RouterStats& stats() const { return stats_; }
  // Registered with its AZ's load balancer: clients send it requests (a deployment takes it out
  // while it drains and restarts).
  bool in_service() const { return in_service_; }
  // The endpoint whose load balancer it is behind (an index into Scenario::endpoints).
  std::uint32_t endpoint() const { return endpoint_; }
  void set_in_service(bool in) { in_service_ = in; }
  ops::RunningBuild& build() { return build_; }
  const ops::RunningBuild& build() const { return build_; }
  const routing::RouteCacheStats& cache_stats() const { return cache_.stats(); }
  const routing::RouteCache& cache() const { return cache_; }

 protected:
  void on_power_off() override;
  sim::Duration inbound_work_delay(sim::KindId kind) override;

 private:
  static constexpr std::uint32_t kMostRedirects = 3;
  void forward(const ItemRequest& request, sim::Reply<ItemResponse> reply, std::uint32_t attempt);
  void send(const ItemRequest& request, const routing::Route& route, sim::Reply<ItemResponse> reply,
            std::uint32_t attempt);
  sim::NodeId choose_target(const ItemRequest& request, const routing::Route& route, std::uint32_t attempt);
  static sim::NodeId next_member(const routing::Route& route, sim::NodeId after_node);
  bool suspect(sim::NodeId node) const { return node < suspect_until_.size() && suspect_until_[node] > kernel().now(); }

  const Scenario& scenario_;
  const RequestPathKinds& kinds_;
  replication::Cluster& cluster_;
  Timeline& timeline_;
  routing::RouteCache cache_;
  std::optional<admission::GacClient> gac_;
  static constexpr sim::Duration kSuspectFor = sim::seconds(10);
  std::vector<sim::Time> suspect_until_;  // by storage NodeId: timed out lately, avoid for reads
  RouterStats stats_;
  ops::RunningBuild build_;
  std::uint32_t endpoint_ = 0;
  bool in_service_ = true;  // the load balancer's state, not the router's
};

}  // namespace models
