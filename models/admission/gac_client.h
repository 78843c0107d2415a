// A router's side of global admission control: one pair of token buckets (reads, writes) per
// provisioned table, refilled at the rate GAC last granted until the grant expires. Every
// refill interval the router reports each table's demand to the table's GAC server and gets a
// new grant; it also asks early when a bucket runs dry. Without a valid grant (a cold router,
// or GAC unreachable) it admits, metered only by the partition buckets: failing open keeps GAC
// off the availability path.
#pragma once

#include "models/admission/capacity.h"
#include "models/admission/gac.h"
#include "models/scenario.h"
#include "sim/network.h"

#include <cstdint>
#include <vector>

namespace models::admission {

struct GacClientStats {
  std::uint64_t admitted = 0;
  std::uint64_t throttled = 0;
  std::uint64_t unmetered = 0;   // admitted without a valid grant
  std::uint64_t requests = 0;    // grant requests sent
  std::uint64_t grants = 0;
  std::uint64_t failures = 0;    // timed out or refused
};

class GacClient {
 public:
  GacClient(sim::Node& router, const Scenario& scenario, const GacKinds& kinds, const GacRing& ring);

  // True if `op` on `table` may go on; false: throttled at the router.
  bool admit(std::uint32_t table, Operation op, std::uint64_t item_bytes);
  // A router that has been up since before the run holds a grant of its part of each table's
  // rate (`routers` routers share it) for one grant lifetime.
  void warm(std::size_t routers);
  // Power loss: grants and demand counts are volatile.
  void clear();
  const GacClientStats& stats() const { return stats_; }

 private:
  struct Meter {
    bool active = false;       // asked for since the last report
    bool granted = false;
    bool in_flight = false;
    sim::Time expires;
    sim::Time last_ask;
    sim::Time since;           // start of the demand window
    MicroUnits asked_read = 0;
    MicroUnits asked_write = 0;
    TokenBucket read;
    TokenBucket write;
  };
  void ask(std::uint32_t table);
  void granted(std::uint32_t table, const GacGrant& grant);
  void refill_tick();

  sim::Node& router_;
  const Scenario& scenario_;
  const GacKinds& kinds_;
  const GacRing& ring_;
  std::vector<Meter> meters_;                // by table
  std::vector<sim::Time> suspect_until_;     // by GAC server position in the ring's list
  bool ticking_ = false;
  GacClientStats stats_;
};

}  // namespace models::admission
