// Route cache bookkeeping.
#include "models/routing/route_cache.h"

namespace models::routing {

RouteCache::RouteCache(sim::Node& router, const Scenario& scenario, const RoutingKinds& kinds,
                       const RoutingFleet& fleet, Timeline& timeline, std::size_t groups,
                       const std::vector<GroupId>& table_first_group)
    : router_(router),
      scenario_(scenario),
      kinds_(kinds),
      fleet_(fleet),
      timeline_(timeline),
      table_first_group_(table_first_group),
      entries_(groups),
      tables_(scenario.tables.size()) {}

Route RouteCache::route_of(GroupId group) const {
  const Entry& e = entries_[group];
  return Route{group, e.membership, e.leader, e.version};
}

bool RouteCache::fresh(const Entry& entry) const {
  if (scenario_.routing.cache == RoutingSpec::Cache::memds) return true;  // refreshed on every use
  return router_.kernel().now() < sim::Time::zero() + sim::seconds(entry.expires_s);
}

void RouteCache::store(const Route& route, bool set_expiry) {
  Entry& e = entries_[route.group];
  if (e.valid() && route.version < e.version) return;  // an older answer overtaken by a newer one
  e.membership = route.membership;
  e.leader = route.leader;
  e.version = route.version;
  if (set_expiry) {
    // +-20%, so the entries of one fetch do not all expire in the same second.
    const std::int64_t ttl_s = scenario_.routing.cache_ttl.nanos() / 1'000'000'000;
    const std::int64_t jitter = router_.rng().uniform_int(-ttl_s / 5, ttl_s / 5);
    const std::int64_t now_s = (router_.kernel().now() - sim::Time::zero()).nanos() / 1'000'000'000;
    e.expires_s = static_cast<std::uint32_t>(now_s + ttl_s + jitter);
  }
}

void RouteCache::learned_leader(GroupId group, sim::NodeId leader) {
  Entry& e = entries_[group];
  if (e.valid() && e.membership.contains(leader)) e.leader = leader;
}

void RouteCache::invalidate(GroupId group) {
  ++stats_.invalidated;
  entries_[group].version = 0;
}

void RouteCache::warm(const replication::GroupDirectory& directory, sim::Rng& rng) {
  const std::int64_t ttl_s = std::max<std::int64_t>(1, scenario_.routing.cache_ttl.nanos() / 1'000'000'000);
  for (GroupId group = 0; group < entries_.size(); ++group) {
    store(RoutingFleet::route_of(directory, group), false);
    // Fetched at some point in the last TTL: expiries spread evenly over the next one.
    entries_[group].expires_s = static_cast<std::uint32_t>(rng.below(static_cast<std::uint64_t>(ttl_s)) + 1);
  }
  for (TableState& table : tables_) table.loaded = true;
}

void RouteCache::clear() {
  std::fill(entries_.begin(), entries_.end(), Entry{});
  std::fill(tables_.begin(), tables_.end(), TableState{});
  waiting_.clear();  // their requests died with the router
}

MemdsNode& RouteCache::memds_for(std::uint32_t attempt) {
  // Round-robin over the MemDS nodes of the router's AZ; a second attempt goes anywhere.
  const std::vector<MemdsNode*>& local = fleet_.memds_by_az[router_.az()];
  const std::vector<MemdsNode*>& pool = attempt == 0 && !local.empty() ? local : fleet_.memds;
  SIM_ASSERT(!pool.empty());
  return *pool[next_memds_++ % pool.size()];
}

void RouteCache::fetch_table(std::uint32_t table, GroupId first, std::uint32_t count) {
  tables_[table].fetching = true;
  MetadataNode& server = fleet_.metadata_for(table);
  sim::async_call<TableAnswer>(
      router_, server.id(), kinds_.table_lookup, kinds_.table_answer, scenario_.routing.lookup_timeout * 5,
      [&server, first, count](sim::Reply<TableAnswer> reply) { server.table_lookup(TableLookup{first, count}, std::move(reply)); },
      [this, table](sim::error_code error, TableAnswer answer) {
        tables_[table].fetching = false;
        if (error || !answer.ok) return;  // the next request for the table tries again
        for (const Route& route : answer.routes) store(route, true);
        tables_[table].loaded = true;
      });
}

}  // namespace models::routing
