// Adaptive capacity (shared/DYNAMODB_MODEL 1.5 b): a control-plane actor that, every interval,
// reads the partition metrics storage nodes reported to autoadmin (models/control/fleet_view.h)
// for the interval just ended and
//  - raises the share of each partition that throttled while its table consumed less than it
//    provisioned, by `boost` times the units it turned away, within the table's unused rate
//    and the partition ceiling;
//  - cuts boosted shares back toward the even split when the table consumed more than it
//    provisioned.
// It is a proportional controller and reacts only after throttling: the lag is the point.
#pragma once

#include "models/admission/ledger.h"
#include "models/control/fleet_view.h"
#include "models/admission/shares.h"
#include "models/scenario.h"
#include "sim/network.h"

#include <cstdint>
#include <vector>

namespace models::admission {

struct AdaptiveStats {
  std::uint64_t boosts = 0;    // partition shares raised
  std::uint64_t cutbacks = 0;  // partition shares lowered
};

class AdaptiveController final : public sim::Node {
 public:
  // `groups_by_table[t]`: the partitions (groups) of table t.
  AdaptiveController(sim::Network& network, std::string name, sim::AzId az, const Scenario& scenario,
                     Shares& shares, const control::FleetView& view, std::vector<std::vector<std::uint32_t>> groups_by_table);

  void start();
  // A partition created after the start (a split) joins its table's set.
  void add_partition(std::uint32_t table, std::uint32_t group);
  const AdaptiveStats& stats() const { return stats_; }

 protected:
  void on_power_on() override { start(); }

 private:
  void tick();
  // One direction (reads or writes) of one table over the interval just ended.
  void adjust(std::uint32_t table, bool write, sim::Duration interval);

  const Scenario& scenario_;
  Shares& shares_;
  const control::FleetView& view_;
  std::vector<std::vector<std::uint32_t>> groups_by_table_;
  std::vector<AdmissionTotals> seen_;  // by group: the totals at the last tick
  sim::KindId tick_kind_;
  AdaptiveStats stats_;
};

}  // namespace models::admission
