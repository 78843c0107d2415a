// A router's partition-map cache, in one of two designs (RoutingSpec::Cache):
//  - memds: every lookup, hit or miss, also asks MemDS; a hit answers at once and MemDS answers
//    the refresh only when it knows a newer route (or another leader) than the entry the router
//    named; a miss waits for MemDS. MemDS load equals the request rate, always.
//  - legacy: the first request for a table fetches the whole table from the metadata table; a
//    fresh entry answers at once (no other work); a missing, expired or stale one asks the
//    metadata table and waits. Cheap while warm, a flood of metadata requests when cold.
// The cache is the router's volatile state: lost when the router loses power.
#pragma once

#include "models/routing/fleet.h"
#include "models/routing/range_index.h"
#include "models/routing/route.h"
#include "models/routing/route_servers.h"
#include "models/scenario.h"
#include "models/timeline.h"
#include "sim/rpc.h"

#include <functional>
#include <map>
#include <vector>

namespace models::routing {

struct RouteCacheStats {
  std::uint64_t lookups = 0;
  std::uint64_t hits = 0;
  std::uint64_t failed = 0;       // no route could be found in time
  std::uint64_t invalidated = 0;  // a replica answered "moved"
};

class RouteCache {
 public:
  RouteCache(sim::Node& router, const Scenario& scenario, const RoutingKinds& kinds, const RoutingFleet& fleet,
             Timeline& timeline);

  // The group whose cached range holds `hash` (a floor lookup in the table's range index), or
  // kUnknownGroup when no cached range holds it.
  GroupId group_for(std::uint32_t table, std::uint64_t hash) const;

  // Calls done(const Route*) with the route to use, now (a hit) or when an answer comes (a
  // miss); with nullptr if none came in time. `group` may be kUnknownGroup: then the route
  // servers find the group holding `hash`.
  template <class Done>
  void lookup(GroupId group, std::uint32_t table, std::uint64_t hash, Done done);

  // MemDS knew a newer route than a refresh said the cache holds.
  void refreshed(const Route& route) {
    if (route.version > 0) store(route, false);
  }
  std::uint32_t router_incarnation() const { return router_.incarnation(); }
  // A replica named the current leader: remember it (no version change).
  void learned_leader(GroupId group, sim::NodeId leader);
  // A replica said the route is stale: the next lookup is a miss.
  void invalidate(GroupId group);
  // The routes the router had before the run started (it has been up for a long time).
  void warm(const replication::GroupDirectory& directory, sim::Rng& rng);
  void clear();

  const RouteCacheStats& stats() const { return stats_; }
  // The route cached for `group` (version 0: none).
  Route route_of(GroupId group) const;

 private:
  struct TableState {
    bool loaded = false;
    bool fetching = false;
  };

  struct Entry {
    Membership membership;
    sim::NodeId leader = replication::kNoNode;
    std::uint32_t version = 0;    // 0: no route cached
    std::uint32_t expires_s = 0;  // legacy: refetch after this second of virtual time
    std::uint32_t table = 0;
    PackedU64 hash_low = 0;
    PackedU64 hash_high = 0;
    bool valid() const { return version > 0; }
  };
  static_assert(sizeof(Entry) == 52);
  Entry& entry(GroupId group);
  void store(const Route& route, bool set_expiry);
  bool fresh(const Entry& entry) const;
  MemdsNode& memds_for(std::uint32_t attempt);
  void fetch_table(std::uint32_t table);
  template <class Done>
  void ask_memds(RouteLookup request, std::uint32_t attempt, Done done);
  template <class Done>
  void ask_metadata(RouteLookup request, Done done);
  // Constant work on a hit: MemDS hears of the lookup and answers only with news.
  void refresh(const RouteLookup& request);
  // Completes a miss: the answer's route, now cached.
  template <class Done>
  void answer_with(const Route& route, Done& done) {
    if (route.version == 0) {
      done(&route);  // the servers know no such route: the router answers "unavailable"
      return;
    }
    const Route cached = route_of(route.group);
    done(cached.version > 0 ? &cached : &route);
  }

  sim::Node& router_;
  const Scenario& scenario_;
  const RoutingKinds& kinds_;
  const RoutingFleet& fleet_;
  Timeline& timeline_;
  std::vector<Entry> entries_;      // by group (grows as splits create groups)
  std::vector<TableState> tables_;  // by table
  std::vector<RangeIndex> index_;   // by table: hash_low -> group
  // Legacy misses in flight, by group: later misses for the group wait for the same answer
  // instead of asking the metadata table again (single flight, as any sane cache does).
  std::map<std::pair<GroupId, std::uint64_t>, std::vector<std::function<void(const Route*)>>> waiting_;
  std::uint32_t next_memds_ = 0;
  RouteCacheStats stats_;
};

template <class Done>
void RouteCache::lookup(GroupId group, std::uint32_t table, std::uint64_t hash, Done done) {
  ++stats_.lookups;
  const bool hit = group != kUnknownGroup && entry(group).valid() && fresh(entry(group));
  timeline_.route_lookup(router_.kernel().now(), hit);
  const RouteLookup request{group, table, hash};
  if (scenario_.routing.cache == RoutingSpec::Cache::memds) {
    // Constant work: MemDS hears about every lookup, whatever the cache holds.
    if (hit) {
      ++stats_.hits;
      const Route route = route_of(group);
      refresh(request);
      done(&route);
    } else {
      ask_memds(request, 0, std::move(done));
    }
    return;
  }
  if (!tables_[table].loaded && !tables_[table].fetching) fetch_table(table);
  if (hit) {
    ++stats_.hits;
    const Route route = route_of(group);
    done(&route);
    return;
  }
  ask_metadata(request, std::move(done));
}

template <class Done>
void RouteCache::ask_memds(RouteLookup request, std::uint32_t attempt, Done done) {
  MemdsNode& server = memds_for(attempt);
  sim::async_call<RouteAnswer>(
      router_, server.id(), kinds_.lookup, kinds_.lookup_answer, scenario_.routing.lookup_timeout,
      [&server, request](sim::Reply<RouteAnswer> reply) { server.lookup(request, std::move(reply)); },
      [this, request, attempt, done = std::move(done)](sim::error_code error, RouteAnswer answer) mutable {
        if (!error && answer.ok) {
          if (answer.route.version > 0) store(answer.route, false);
          answer_with(answer.route, done);
          return;
        }
        if (attempt == 0) {    // one more MemDS node, then give up
          ask_memds(request, 1, std::move(done));
          return;
        }
        ++stats_.failed;
        done(nullptr);
      });
}

template <class Done>
void RouteCache::ask_metadata(RouteLookup request, Done done) {
  // Misses for a known group share one request (single flight); a key whose group the cache
  // cannot tell asks on its own.
  const std::pair<GroupId, std::uint64_t> flight{request.group, request.group == kUnknownGroup ? request.hash : 0};
  auto [slot, first] = waiting_.try_emplace(flight);
  slot->second.emplace_back(std::move(done));
  if (!first) return;  // a lookup for this group is already on its way
  MetadataNode& server = fleet_.metadata_for(request.table);
  sim::async_call<RouteAnswer>(
      router_, server.id(), kinds_.lookup, kinds_.lookup_answer, scenario_.routing.lookup_timeout,
      [&server, request](sim::Reply<RouteAnswer> reply) { server.lookup(request, std::move(reply)); },
      [this, flight](sim::error_code error, RouteAnswer answer) {
        auto it = waiting_.find(flight);
        if (it == waiting_.end()) return;  // the cache was cleared meanwhile
        std::vector<std::function<void(const Route*)>> waiters = std::move(it->second);
        waiting_.erase(it);
        if (error || !answer.ok) {
          stats_.failed += waiters.size();
          for (auto& waiter : waiters) waiter(nullptr);
          return;
        }
        if (answer.route.version > 0) store(answer.route, true);
        for (auto& waiter : waiters) answer_with(answer.route, waiter);
      });
}

}  // namespace models::routing
