// Global admission control (shared/DYNAMODB_MODEL 1.5 c). Routers meter each provisioned table
// as a whole from local token buckets whose rate GAC grants for a limited time; GAC servers sit
// on a hash ring of tables, keep only ephemeral state rebuilt from the routers' reports, and
// give each router its share of the table's rate for the next interval:
//   total demand D <= rate R: each router gets its demand plus an equal part of R - D;
//   D > R: each router gets R in proportion to its demand.
// A restarted (or newly responsible) server knows nothing and answers from the reports that
// reach it, so for one interval it may grant more than R; the partition buckets, which stay at
// the partition ceiling, cap that.
#pragma once

#include "models/admission/token_bucket.h"
#include "models/ops/build.h"
#include "models/scenario.h"
#include "sim/network.h"
#include "sim/rpc.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace models::admission {

// A router's report of one table's demand (units per second asked for since its last report,
// admitted or not) and its request for a grant.
struct GacRequest {
  std::uint32_t table = 0;
  MicroUnits read_demand = 0;
  MicroUnits write_demand = 0;
  void describe(std::string& out) const;
};

struct GacGrant {
  bool ok = false;
  MicroUnits read_rate = 0;   // units per second the router may spend until the grant expires
  MicroUnits write_rate = 0;
  void describe(std::string& out) const;
};

struct GacKinds {
  explicit GacKinds(sim::Kernel& kernel);
  sim::KindId request, grant, refill;
};

struct GacServerStats {
  std::uint64_t requests = 0;
  std::uint64_t grants_over_rate = 0;  // grants made while demand exceeded the table's rate
};

class GacServer final : public sim::Node {
 public:
  GacServer(sim::Network& network, std::string name, sim::AzId az, const Scenario& scenario);

  void request(const GacRequest& request, sim::Reply<GacGrant> reply);
  // Routers this server currently counts for `table` (for tests and reports).
  std::size_t clients_of(std::uint32_t table) const;
  const GacServerStats& stats() const { return stats_; }
  ops::RunningBuild& build() { return build_; }
  const ops::RunningBuild& build() const { return build_; }

 protected:
  void on_power_off() override { tables_.clear(); }  // ephemeral by design

 private:
  struct ClientEntry {
    MicroUnits read_demand = 0;
    MicroUnits write_demand = 0;
    sim::Time last;
  };
  // rate R split over `demand` (the requester's) within `total` demand of `clients` routers.
  static MicroUnits share_of(MicroUnits rate, MicroUnits demand, MicroUnits total, std::size_t clients);

  const Scenario& scenario_;
  std::map<std::uint32_t, std::map<sim::NodeId, ClientEntry>> tables_;  // table -> router -> report
  GacServerStats stats_;
  ops::RunningBuild build_;  // a deployed build's errors refuse grants, its extra latency delays them
  std::optional<sim::KindId> delayed_;
};

// Which server tracks a table: consistent hashing with virtual nodes.
class GacRing {
 public:
  static constexpr std::uint32_t kVirtualNodes = 32;
  void add(GacServer* server);
  // The owner of `table`, skipping servers for which `skip(id)` is true; null if all are.
  template <class Skip>
  GacServer* owner(std::uint32_t table, Skip&& skip) const {
    if (points_.empty()) return nullptr;
    const std::uint64_t h = hash_table(table);
    auto it = std::lower_bound(points_.begin(), points_.end(), h, [](const auto& point, std::uint64_t value) { return point.first < value; });
    for (std::size_t step = 0; step < points_.size(); ++step, ++it) {
      if (it == points_.end()) it = points_.begin();
      if (!skip(it->second->id())) return it->second;
    }
    return nullptr;
  }
  GacServer* owner(std::uint32_t table) const {
    return owner(table, [](sim::NodeId) { return false; });
  }
  const std::vector<GacServer*>& servers() const { return servers_; }

 private:
  static std::uint64_t hash_table(std::uint32_t table);
  std::vector<std::pair<std::uint64_t, GacServer*>> points_;  // sorted by hash, then by add order
  std::vector<GacServer*> servers_;
};

}  // namespace models::admission
