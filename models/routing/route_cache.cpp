// Route cache bookkeeping.
#include "models/routing/route_cache.h"

namespace models::routing {

RouteCache::RouteCache(sim::Node& router, const Scenario& scenario, const RoutingKinds& kinds,
                       const RoutingFleet& fleet, Timeline& timeline)
    : router_(router),
      scenario_(scenario),
      kinds_(kinds),
      fleet_(fleet),
      timeline_(timeline),
      tables_(scenario.tables.size()),
      index_(scenario.tables.size()) {}

RouteCache::Entry& RouteCache::entry(GroupId group) {
  if (group >= entries_.size()) entries_.resize(group + 1);
  return entries_[group];
}

Route RouteCache::route_of(GroupId group) const {
  if (group >= entries_.size()) return Route{};
  const Entry& e = entries_[group];
  return Route{group, e.table, e.hash_low, e.hash_high, e.membership, e.leader, e.version};
}

GroupId RouteCache::group_for(std::uint32_t table, std::uint64_t hash) const {
  const GroupId group = index_[table].floor(hash, kUnknownGroup);
  if (group == kUnknownGroup) return kUnknownGroup;
  // The nearest range below may end before the hash (the cache does not know the partition
  // in between, or knows the group narrowed by a split): then the cache cannot tell.
  return entries_[group].hash_high >= hash ? group : kUnknownGroup;
}

bool RouteCache::fresh(const Entry& entry) const {
  if (scenario_.routing.cache == RoutingSpec::Cache::memds) return true;  // refreshed on every use
  return router_.kernel().now() < sim::Time::zero() + sim::seconds(entry.expires_s);
}

void RouteCache::store(const Route& route, bool set_expiry) {
  Entry& e = entry(route.group);
  if (e.valid() && route.version < e.version) return;  // an older answer overtaken by a newer one
  e.table = route.table;
  e.hash_low = route.hash_low;
  e.hash_high = route.hash_high;
  // A range keeps its low end for life (splits give the upper part away), so one index entry
  // per group is all it takes; a narrowed range ends where its new neighbour starts.
  index_[route.table].set(route.hash_low, route.group);
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
  Entry& e = entry(group);
  if (e.valid() && e.membership.contains(leader)) e.leader = leader;
}

void RouteCache::invalidate(GroupId group) {
  ++stats_.invalidated;
  entry(group).version = 0;
}

void RouteCache::warm(const replication::GroupDirectory& directory, sim::Rng& rng) {
  const std::int64_t ttl_s = std::max<std::int64_t>(1, scenario_.routing.cache_ttl.nanos() / 1'000'000'000);
  // Sized once: growing by doubling would leave up to half of a million-group map unused.
  entries_.reserve(directory.size());
  const std::vector<std::size_t> per_table = RoutingFleet::groups_per_table(directory);
  if (index_.size() < per_table.size()) index_.resize(per_table.size());
  for (std::size_t table = 0; table < per_table.size(); ++table) index_[table].reserve(per_table[table]);
  for (GroupId group = 0; group < directory.size(); ++group) {
    store(RoutingFleet::route_of(directory, group), false);
    // Fetched at some point in the last TTL: expiries spread evenly over the next one.
    entries_[group].expires_s = static_cast<std::uint32_t>(rng.below(static_cast<std::uint64_t>(ttl_s)) + 1);
  }
  for (TableState& table : tables_) table.loaded = true;
}

void RouteCache::clear() {
  std::fill(entries_.begin(), entries_.end(), Entry{});
  std::fill(tables_.begin(), tables_.end(), TableState{});
  for (auto& ranges : index_) ranges.clear();
  waiting_.clear();  // their requests died with the router
}

MemdsNode& RouteCache::memds_for(std::uint32_t attempt) {
  // Round-robin over the MemDS nodes of the router's AZ; a second attempt goes anywhere.
  const std::vector<MemdsNode*>& local = fleet_.memds_by_az[router_.az()];
  const std::vector<MemdsNode*>& pool = attempt == 0 && !local.empty() ? local : fleet_.memds;
  SIM_ASSERT(!pool.empty());
  return *pool[next_memds_++ % pool.size()];
}

void RouteCache::refresh(const RouteLookup& request) {
  MemdsNode& server = memds_for(0);
  const Entry& e = entry(request.group);
  const RouteRefresh refresh{request, e.version, e.leader, this, router_.id(), router_.incarnation()};
  router_.network().send(router_, server.id(), kinds_.lookup, [&server, refresh] { server.refresh(refresh); },
                         sim::Transport::stream);
}

void RouteCache::fetch_table(std::uint32_t table) {
  tables_[table].fetching = true;
  MetadataNode& server = fleet_.metadata_for(table);
  sim::async_call<TableAnswer>(
      router_, server.id(), kinds_.table_lookup, kinds_.table_answer, scenario_.routing.lookup_timeout * 5,
      [&server, table](sim::Reply<TableAnswer> reply) { server.table_lookup(TableLookup{table}, std::move(reply)); },
      [this, table](sim::error_code error, TableAnswer answer) {
        tables_[table].fetching = false;
        if (error || !answer.ok) return;  // the next request for the table tries again
        for (const Route& route : answer.routes) store(route, true);
        tables_[table].loaded = true;
      });
}

}  // namespace models::routing
