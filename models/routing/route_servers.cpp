// Route servers: the metadata table and MemDS nodes.
#include "models/routing/route_servers.h"

#include "models/routing/route_cache.h"

namespace models::routing {

RoutingKinds::RoutingKinds(sim::Kernel& k)
    : lookup(k.register_kind("msg.route_lookup")),
      lookup_answer(k.register_kind("msg.route_answer")),
      table_lookup(k.register_kind("msg.table_routes_lookup")),
      table_answer(k.register_kind("msg.table_routes_answer")),
      publish(k.register_kind("msg.route_publish")),
      sync(k.register_kind("msg.memds_sync")),
      served(k.register_kind("routes.served")),
      reloaded(k.register_kind("memds.reloaded")) {}

RouteServer::RouteServer(sim::Network& network, std::string name, sim::AzId az, std::string role,
                         const ServiceSpec& spec, const RoutingKinds& kinds, std::size_t groups, Timeline& timeline)
    : sim::Node(network, std::move(name), az, std::move(role)),
      spec_(spec),
      kinds_(kinds),
      routes_(groups),
      queue_(*this, kinds.served, spec.workers, spec.queue_limit),
      timeline_(timeline) {}

void RouteServer::admit(sim::Duration service, const Work& work) {
  const std::optional<sim::Duration> done_in = ready_ ? queue_.reserve(service) : std::nullopt;
  timeline_.route_server_request(kernel().now(), role() == "metadata", !done_in, queue_.depth());
  if (!done_in) {
    // Answer at once with "busy": a real server sheds load rather than go silent. A refresh
    // needs no answer: the router already went on with the route it holds.
    if (work.refresh.cache != nullptr) return;
    if (work.whole_table) work.table_reply.send(*this, TableAnswer{});
    else work.route_reply.send(*this, RouteAnswer{});
    return;
  }
  // The answer is read from the map now and leaves when a worker has served it.
  answer(work, kernel().now() + *done_in);
}

void RouteServer::lookup(const RouteLookup& request, sim::Reply<RouteAnswer> reply) {
  if (build_.fails(rng())) {
    // An internal error: the router asks elsewhere, as for "busy"; counted as a rejected request.
    timeline_.route_server_request(kernel().now(), role() == "metadata", true, queue_.depth());
    reply.send(*this, RouteAnswer{});
    return;
  }
  admit(spec_.service.sample(rng()) + build_.extra_latency(), Work{std::move(reply), {}, request, {}, false});
}

void RouteServer::refresh(const RouteRefresh& request) {
  if (build_.fails(rng())) {
    timeline_.route_server_request(kernel().now(), role() == "metadata", true, queue_.depth());
    return;
  }
  Work work{{}, {}, request.lookup, {}, false};
  work.refresh = request;
  admit(spec_.service.sample(rng()) + build_.extra_latency(), work);
}

void RouteServer::answer_refresh(const RouteRefresh& request, sim::Time departs) {
  const GroupId group = request.lookup.group == kUnknownGroup ? find(request.lookup.table, request.lookup.hash)
                                                              : request.lookup.group;
  if (group >= routes_.size()) return;
  const Route& route = routes_[group];
  // News: a newer version, or another leader than the router named when it asked (a leader the
  // router learns from a replica meanwhile stays unless MemDS knows yet another).
  const bool news = route.version > request.known_version ||
                    (route.version == request.known_version && route.leader != request.known_leader);
  if (!news) return;
  // What travels is the route and whom it is for (small enough for the kernel's event slot).
  network().send_at(*this, departs, request.router, kinds_.lookup_answer,
                    [cache = request.cache, incarnation = request.router_incarnation, route] {
                      if (cache->router_incarnation() == incarnation) cache->refreshed(route);
                    },
                    sim::Transport::stream);
}

void RouteServer::answer(const Work& work, sim::Time departs) {
  if (work.refresh.cache != nullptr) {
    answer_refresh(work.refresh, departs);
    return;
  }
  if (!work.whole_table) {
    const GroupId group =
        work.route.group == kUnknownGroup ? find(work.route.table, work.route.hash) : work.route.group;
    work.route_reply.send_at(*this, departs, RouteAnswer{true, group < routes_.size() ? routes_[group] : Route{}});
    return;
  }
  TableAnswer answer{true, {}};
  if (work.table.table < index_.size())
    for (const RangeIndex::Range& range : index_[work.table.table].ranges()) answer.routes.push_back(routes_[range.group]);
  work.table_reply.send_at(*this, departs, std::move(answer));
}

GroupId RouteServer::find(std::uint32_t table, std::uint64_t hash) const {
  // floor((table, hash)): the range starting at or before the hash.
  return table < index_.size() ? index_[table].floor(hash, kUnknownGroup) : kUnknownGroup;
}

std::size_t RouteServer::partitions_of(std::uint32_t table) const {
  return table < index_.size() ? index_[table].size() : 0;
}

void RouteServer::keep(const Route& route) {
  if (route.group >= routes_.size()) routes_.resize(route.group + 1);
  Route& mine = routes_[route.group];
  if (route.version <= mine.version) return;
  mine = route;
  // A range keeps its low end for life (a split gives away the upper part), so the index
  // entry of a group never moves.
  if (route.table >= index_.size()) index_.resize(route.table + 1);
  index_[route.table].set(route.hash_low, route.group);
}

void RouteServer::publish(const Route& route) {
  if (!ready_) return;  // the reload brings it
  keep(route);
}

void RouteServer::load(std::vector<Route> routes) {
  routes_.clear();
  index_.clear();
  for (const Route& route : routes)
    if (route.version > 0) keep(route);
}

MetadataNode::MetadataNode(sim::Network& network, std::string name, sim::AzId az, const MetadataSpec& spec,
                           const RoutingKinds& kinds, std::size_t groups, Timeline& timeline)
    : RouteServer(network, std::move(name), az, "metadata", spec, kinds, groups, timeline), metadata_spec_(spec) {}

void MetadataNode::table_lookup(const TableLookup& request, sim::Reply<TableAnswer> reply) {
  const sim::Duration service = spec_.service.sample(rng()) + metadata_spec_.table_fetch_per_partition *
                                                                  static_cast<std::int64_t>(partitions_of(request.table));
  admit(service, Work{{}, std::move(reply), {}, request, true});
}

MemdsNode::MemdsNode(sim::Network& network, std::string name, sim::AzId az, const MemdsSpec& spec,
                     const RoutingKinds& kinds, std::size_t groups, Timeline& timeline)
    : RouteServer(network, std::move(name), az, "memds", spec, kinds, groups, timeline) {}

void MemdsNode::on_power_off() {
  queue_.clear();
  ready_ = false;
  routes_.assign(routes_.size(), Route{});
  index_.clear();
}

void MemdsNode::on_power_on() { resync(); }

void MemdsNode::resync() {
  // Copy the map from the first peer that has one, else from the first metadata node up; try
  // again shortly if none can send it.
  struct Copy {
    MemdsNode* node;
    std::vector<Route> routes;
    void operator()() {
      node->load(std::move(routes));
      node->ready_ = true;
    }
  };
  const MemdsNode* source = nullptr;
  for (const MemdsNode* peer : peers_)
    if (source == nullptr && peer != this && peer->powered() && peer->ready_) source = peer;
  if (source != nullptr) {
    network().send(*source, id(), kinds_.sync, Copy{this, source->routes_});
  } else {
    // No peer has a map: each metadata node sends the routes of the tables it holds (all of
    // them up, or none is asked), and the node answers once every part has come.
    bool all_up = !metadata_.empty();
    for (const RouteServer* node : metadata_) all_up = all_up && node->powered() && node->ready();
    if (all_up) {
      struct Part {
        MemdsNode* node;
        std::vector<Route> routes;
        std::uint64_t reload;
        void operator()() {
          if (node->ready_ || reload != node->reload_) return;  // a later reload asked again
          for (const Route& route : routes) node->keep(route);
          if (--node->parts_pending_ == 0) node->ready_ = true;
        }
      };
      ++reload_;
      parts_pending_ = metadata_.size();
      for (std::size_t i = 0; i < metadata_.size(); ++i) {
        std::vector<Route> mine;
        for (const Route& route : metadata_[i]->routes())
          if (route.version != 0 && metadata_node_of(route.table, metadata_.size()) == i) mine.push_back(route);
        network().send(*metadata_[i], id(), kinds_.sync, Part{this, std::move(mine), reload_});
      }
    }
  }
  // The copy may be lost (the peer dies on the way): check again, and again until ready.
  after(sim::seconds(2), kinds_.reloaded, [this] {
    if (!ready_) resync();
  });
}

}  // namespace models::routing
