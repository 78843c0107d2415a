// The control plane's knowledge of the storage fleet: only what storage nodes reported
// (reports.h). The balancer, the splitter, the adaptive controller and autoadmin's placement
// list decide from it; the reports measure with the simulator's own bookkeeping instead.
#pragma once

#include "models/admission/ledger.h"
#include "models/control/reports.h"
#include "sim/time.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace models::control {

inline constexpr sim::NodeId kNobody = ~sim::NodeId{0};

class FleetView {
 public:
  // A storage node the control plane placed replicas on (at setup, or added later).
  void add_node(sim::NodeId node, sim::AzId az, std::uint32_t replicas, sim::Time now);
  // Partitions 0..count-1 exist (each with nothing reported yet).
  void add_groups(std::size_t count) {
    if (groups_.size() < count) groups_.resize(count);
  }
  void on_report(sim::NodeId from, const NodeReport& report, sim::Time now);

  // Heard from within `silence` (a node added at setup counts as heard from then).
  bool alive(sim::NodeId node, sim::Time now, sim::Duration silence) const;
  bool known(sim::NodeId node) const { return node < nodes_.size() && nodes_[node].known; }
  std::uint32_t replicas(sim::NodeId node) const { return nodes_[node].replicas; }
  sim::AzId az(sim::NodeId node) const { return nodes_[node].az; }
  // Units admitted on the node over every report received (reads, writes).
  std::pair<admission::MicroUnits, admission::MicroUnits> consumed(sim::NodeId node) const {
    return {nodes_[node].consumed_read, nodes_[node].consumed_write};
  }
  std::size_t node_slots() const { return nodes_.size(); }

  // A partition's admission totals over every report received (zero if none came).
  const admission::AdmissionTotals& totals(std::uint32_t group) const {
    return group < groups_.size() ? groups_[group].totals : kNone;
  }
  // The node whose report last charged the partition (its leader then), if any did.
  sim::NodeId charged_by(std::uint32_t group) const { return group < groups_.size() ? groups_[group].charged_by : kNobody; }
  // Items written to the partition, as its leader last reported (nothing reported: none).
  std::uint64_t items(std::uint32_t group) const { return group < groups_.size() ? groups_[group].items : 0; }
  std::size_t group_slots() const { return groups_.size(); }

  std::uint64_t reports() const { return reports_; }

  // The placement list autoadmin sends: live nodes, by id.
  PlacementListPtr placement(sim::Time now, sim::Duration silence) const;

 private:
  struct NodeState {
    bool known = false;
    sim::AzId az = 0;
    sim::Time last_sent;               // the newest report's send time
    std::uint32_t replicas = 0;        // as of that report
    admission::MicroUnits consumed_read = 0;
    admission::MicroUnits consumed_write = 0;
  };
  struct GroupState {
    admission::AdmissionTotals totals;
    sim::NodeId charged_by = kNobody;
    sim::Time charged_at;              // the send time of the report that named charged_by
    std::uint64_t items = 0;
    sim::Time sized_at;
  };
  GroupState& group(std::uint32_t g) {
    if (g >= groups_.size()) groups_.resize(g + 1);
    return groups_[g];
  }
  static inline const admission::AdmissionTotals kNone{};
  std::vector<NodeState> nodes_;    // by node id
  std::vector<GroupState> groups_;  // by group
  std::uint64_t reports_ = 0;
};

}  // namespace models::control
