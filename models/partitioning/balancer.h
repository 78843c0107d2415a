// The control plane's node balancer (shared/DYNAMODB_MODEL 1.4 and 1.6). Every interval it reads
// what storage nodes reported (models/control/fleet_view.h): the units each consumed (as a
// fraction of what a node can serve, admission.node_rcu and node_wcu) and, per partition, the
// units it consumed and the node that charged them (its leader). A node above the threshold gets
// the hottest partition it leads moved to the least loaded node of the same AZ (so the three
// replicas stay in three AZs) that it heard from lately and that is no member, if that node
// stays under the threshold with it. A node holding a replica of a newer membership refuses
// the build, and the move is abandoned. Writes and strongly consistent reads are
// served, and charged, at the leader, so that is where a partition's load sits and what a move
// relieves. The leader does the move itself: it rebuilds its replica on the target, commits the
// membership change through the partition's log, steps down and hands leadership over.
#pragma once

#include "models/control/autoadmin.h"
#include "models/replication/cluster.h"
#include "models/scenario.h"
#include "sim/network.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace models::partitioning {

using replication::GroupId;

struct BalancerStats {
  std::uint64_t decided = 0;    // moves asked of leaders
  std::uint64_t handed_off = 0; // old leaders that stepped down and handed over
  std::uint64_t completed = 0;  // new leaders serving
  std::uint64_t abandoned = 0;  // not done in time (the leader refused, or the copy failed)
  std::uint64_t no_room = 0;    // a node over the threshold with no partition that fits on a roomy node
};

struct MoveRecord {
  GroupId group = 0;
  sim::NodeId from = 0;
  sim::NodeId to = 0;
  sim::Time decided;
  std::optional<sim::Time> handed_off;
  std::optional<sim::Time> serving;
  bool abandoned = false;
  std::uint32_t from_load = 0;    // per mille of a node's capacity, over the interval before
  std::uint32_t to_load = 0;
  std::uint32_t group_load = 0;   // the partition's part of that, per mille of a node
};

class Balancer final : public sim::Node {
 public:
  Balancer(sim::Network& network, std::string name, sim::AzId az, const Scenario& scenario,
           replication::Cluster& cluster, const control::Autoadmin& autoadmin);

  void start();
  // The storage side's report of a move's progress (Cluster::on_move).
  void moved(GroupId group, sim::NodeId from, sim::NodeId to, replication::MoveStep step);

  const BalancerStats& stats() const { return stats_; }
  const std::vector<MoveRecord>& records() const { return records_; }
  // Per storage node (by NodeId; empty for other nodes): its load at every check, per mille.
  const std::vector<std::vector<std::uint32_t>>& loads() const { return loads_; }
  // The last check that found a node above the threshold, if one did.
  const std::optional<sim::Time>& last_hot() const { return last_hot_; }

 protected:
  void on_power_on() override { start(); }

 private:
  void tick();
  // Reads the interval's consumption: per node into `node_load`, per group into `group_load`.
  void measure(std::vector<std::uint32_t>& node_load, std::vector<std::uint32_t>& group_load);
  void expire_moves();
  // One move off `node`, if a partition and a roomy target exist; updates the projections.
  void relieve(sim::NodeId node, std::vector<std::uint32_t>& projected, const std::vector<std::uint32_t>& group_load,
               std::vector<bool>& busy);
  // Units per interval as per mille of a node's capacity (reads and writes add up).
  std::uint32_t per_mille(admission::MicroUnits read, admission::MicroUnits write) const;

  const Scenario& scenario_;
  replication::Cluster& cluster_;
  const control::Autoadmin& autoadmin_;
  sim::KindId tick_kind_;
  std::vector<std::pair<admission::MicroUnits, admission::MicroUnits>> node_seen_;  // by NodeId
  std::vector<admission::AdmissionTotals> group_seen_;                              // by group
  std::vector<std::optional<sim::Time>> moved_at_;                                   // by group: last move done
  std::vector<std::vector<std::uint32_t>> loads_;
  std::vector<MoveRecord> records_;
  std::optional<sim::Time> last_hot_;
  BalancerStats stats_;
};

}  // namespace models::partitioning
