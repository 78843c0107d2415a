// The control plane's partition splitter (shared/DYNAMODB_MODEL 1.6). Every check interval it
// reads what the storage nodes reported about each partition (models/control/fleet_view.h):
// its size (the base size of its range plus every key its leader reported written) and, for
// metered tables, the units it consumed over the interval. A partition past the size limit is
// split at the middle of its range; one consuming more than heat_threshold of the partition
// ceiling is split where its leader advises from the keys it served lately (their median),
// unless one key takes most of them or they only move forward (replication/split_point.h).
// After split_duration (preparing the child) it asks the partition's leader to commit the split
// through its log, and asks again if the leader changed before it did.
#pragma once

#include "models/control/fleet_view.h"
#include "models/replication/cluster.h"
#include "models/scenario.h"
#include "sim/network.h"

#include <cstdint>
#include <map>
#include <vector>

namespace models::partitioning {

using replication::GroupId;

struct SplitStats {
  std::uint64_t for_size = 0;              // splits decided because a partition grew too big
  std::uint64_t for_heat = 0;              // ... because it ran hot
  std::uint64_t skipped_single_item = 0;   // hot, but one key took most of the traffic
  std::uint64_t skipped_sequential = 0;    // hot, but keys only moved forward: a split only helps the end
  std::uint64_t completed = 0;             // children created
  std::uint64_t requests = 0;              // split requests sent to leaders
};

struct SplitRecord {
  sim::Time decided;
  sim::Time completed;
  GroupId parent = 0;
  GroupId child = 0;
  bool for_heat = false;
  bool done = false;
};

class SplitController final : public sim::Node {
 public:
  SplitController(sim::Network& network, std::string name, sim::AzId az, const Scenario& scenario,
                  replication::Cluster& cluster, const control::FleetView& view);

  void start();
  // The control-plane hook (Cluster::on_split) calls this once a split completed.
  void completed(GroupId parent, GroupId child, std::uint64_t low, std::uint64_t high);
  // The bytes a partition stands for before any write of the run (its share of the table).
  std::uint64_t base_bytes(GroupId group) const { return group < base_bytes_.size() ? base_bytes_[group] : 0; }
  std::uint64_t bytes_of(GroupId group) const;
  const SplitStats& stats() const { return stats_; }
  const std::vector<SplitRecord>& records() const { return records_; }

 protected:
  void on_power_on() override { start(); }

 private:
  struct Pending {
    GroupId child = 0;
    std::uint64_t at = 0;
    sim::Time request_at;   // when the preparation is over and the leader is asked
    std::size_t record = 0;
  };
  void tick();
  void consider(GroupId group, sim::Duration interval);
  // A leader's answer to "where would you split this hot partition?".
  void on_advice(const replication::SplitAdvice& advice);
  void decide(GroupId group, std::uint64_t at, bool heat);
  void request(GroupId parent, const Pending& pending);

  const Scenario& scenario_;
  replication::Cluster& cluster_;
  const control::FleetView& view_;
  std::map<GroupId, sim::Time> advising_;                  // hot partitions whose leader was asked, by group
  std::vector<std::uint64_t> base_bytes_;                  // by group
  std::vector<admission::AdmissionTotals> seen_;           // by group: reported totals at the last tick
  std::vector<sim::Time> born_;                            // by group: when it was created
  std::map<GroupId, Pending> pending_;                     // by parent
  GroupId next_group_ = 0;
  sim::KindId tick_kind_;
  SplitStats stats_;
  std::vector<SplitRecord> records_;
};

}  // namespace models::partitioning
