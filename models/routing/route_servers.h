// The two places routers fetch routes from. The metadata table (the legacy design) is the
// authoritative, durable partition map; MemDS is a fleet of in-memory copies fed with every
// change by the storage side. Both have finite capacity: requests queue, service takes time, a
// full queue is an error. Neither knows whether it is overloaded: overload emerges.
#pragma once

#include "models/ops/build.h"
#include "models/routing/range_index.h"
#include "models/routing/route.h"
#include "models/scenario.h"
#include "models/timeline.h"
#include "models/work_queue.h"
#include "sim/network.h"
#include "sim/rpc.h"

#include <map>
#include <vector>

namespace models::routing {

class RouteCache;

struct RouteAnswer {
  bool ok = false;  // false: busy (queue full) or not ready
  Route route;
};

struct TableAnswer {
  bool ok = false;
  std::vector<Route> routes;  // every partition of the table, in group order
};

// By group, or (group kUnknownGroup) by the key's hash: the route whose range holds it, found
// with a floor lookup in the server's range index, as MemDS's floor(key) does.
inline constexpr GroupId kUnknownGroup = 0xffffffffu;
struct RouteLookup {
  GroupId group = kUnknownGroup;
  std::uint32_t table = 0;
  std::uint64_t hash = 0;
};

// A router's refresh of a route its cache holds (constant work: one per cache hit). The server
// answers only when it knows better than `known_version` and `known_leader`, with a one-way
// message; a refresh it cannot serve (busy, not ready, failing) costs the router nothing.
struct RouteRefresh {
  RouteLookup lookup;
  std::uint32_t known_version = 0;
  sim::NodeId known_leader = 0;
  RouteCache* cache = nullptr;           // the router's, which keeps a newer route
  sim::NodeId router = 0;
  std::uint32_t router_incarnation = 0;  // a router that rebooted since asking takes no answer
};

struct TableLookup {
  std::uint32_t table = 0;
};

struct RoutingKinds {
  explicit RoutingKinds(sim::Kernel& kernel);
  sim::KindId lookup, lookup_answer, table_lookup, table_answer, publish, sync, served, reloaded;
};

class RouteServer : public sim::Node {
 public:
  RouteServer(sim::Network& network, std::string name, sim::AzId az, std::string role, const ServiceSpec& spec,
              const RoutingKinds& kinds, std::size_t groups, Timeline& timeline);

  // A lookup from a router.
  void lookup(const RouteLookup& request, sim::Reply<RouteAnswer> reply);
  // A refresh from a router's cache hit: answered only if the server knows a newer route.
  void refresh(const RouteRefresh& request);
  // A route published by the storage side: kept if newer.
  void publish(const Route& route);
  const std::vector<Route>& routes() const { return routes_; }
  bool ready() const { return ready_; }
  void load(std::vector<Route> routes);
  // Room for `ranges` partitions of `table` in the index (sized once at setup, not by doubling).
  void reserve_ranges(std::uint32_t table, std::size_t ranges) {
    if (table >= index_.size()) index_.resize(table + 1);
    index_[table].reserve(ranges);
  }
  // How many partitions the server knows `table` to have.
  std::size_t partitions_of(std::uint32_t table) const;

  std::size_t depth() const { return queue_.depth(); }
  ops::RunningBuild& build() { return build_; }
  const ops::RunningBuild& build() const { return build_; }
  const WorkQueueStats& queue_stats() const { return queue_.stats(); }

 protected:
  // A request for a worker: a route lookup, or (metadata only) a whole table's.
  struct Work {
    sim::Reply<RouteAnswer> route_reply;
    sim::Reply<TableAnswer> table_reply;
    RouteLookup route;
    TableLookup table;
    bool whole_table;
    RouteRefresh refresh{};  // refresh.cache set: a refresh, answered only with news
  };
  // Counts the arrival and takes a worker (models/work_queue.h, reserve): the answer is read
  // from the map on arrival and leaves when the worker is done, in one event. A full queue
  // answers "busy" at once. What the map learns while the request waits is not in its answer:
  // the route is older by the wait, as it is by the answer's flight, and the router's next
  // refresh brings the news. (The queue is only reserved, so its `served` kind names no event.)
  void admit(sim::Duration service, const Work& work);
  void answer(const Work& work, sim::Time departs);
  void answer_refresh(const RouteRefresh& request, sim::Time departs);

  bool ready_ = true;  // has a map to answer from
  const ServiceSpec& spec_;
  const RoutingKinds& kinds_;
  // Keeps `route` if it is newer than what the server holds.
  void keep(const Route& route);
  GroupId find(std::uint32_t table, std::uint64_t hash) const;

  std::vector<Route> routes_;  // by group
  std::vector<RangeIndex> index_;  // by table: hash_low -> group
  WorkQueue<Work> queue_;
  Timeline& timeline_;
  ops::RunningBuild build_;  // a deployed build's errors fail lookups, its extra latency lengthens their service
};

// The legacy partition map: a DynamoDB table of routes, partitioned by the table it describes.
class MetadataNode final : public RouteServer {
 public:
  MetadataNode(sim::Network& network, std::string name, sim::AzId az, const MetadataSpec& spec,
               const RoutingKinds& kinds, std::size_t groups, Timeline& timeline);
  // The whole routing of a table, as a router fetches it on its first request for the table;
  // it takes longer the more partitions the table has.
  void table_lookup(const TableLookup& request, sim::Reply<TableAnswer> reply);

 protected:
  void on_power_off() override { queue_.clear(); }  // its work in hand dies with it

 private:
  const MetadataSpec& metadata_spec_;
};

// A MemDS node: the whole map in memory. Losing power loses it; on power-on it copies the map
// from a peer before answering again, or, with every peer down or empty too, from the metadata
// table (the authoritative map), as a cold start of the whole fleet must.
class MemdsNode final : public RouteServer {
 public:
  MemdsNode(sim::Network& network, std::string name, sim::AzId az, const MemdsSpec& spec,
            const RoutingKinds& kinds, std::size_t groups, Timeline& timeline);
  void set_peers(std::vector<MemdsNode*> peers) { peers_ = std::move(peers); }
  void set_metadata(std::vector<const RouteServer*> metadata) { metadata_ = std::move(metadata); }

 protected:
  void on_power_off() override;
  void on_power_on() override;

 private:
  void resync();
  std::vector<MemdsNode*> peers_;
  std::vector<const RouteServer*> metadata_;
  std::uint64_t reload_ = 0;          // the current reload from the metadata table
  std::size_t parts_pending_ = 0;     // metadata nodes whose routes it still waits for
};

}  // namespace models::routing
