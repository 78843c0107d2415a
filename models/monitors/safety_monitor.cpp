// Routing what storage nodes report to the monitor of each invariant.
#include "models/monitors/safety_monitor.h"

#include "sim/assert.h"

namespace models::monitors {

SafetyMonitor::SafetyMonitor(std::function<sim::Time()> clock, World world, bool record_only)
    : clock_(std::move(clock)),
      world_(std::move(world)),
      verdicts_(clock_),
      agreement_(verdicts_, world_.nodes.name),
      quorum_(verdicts_, agreement_, world_.replica, world_.nodes.name, clock_),
      lease_(verdicts_, world_.nodes.name) {
  if (record_only) verdicts_.record_only();
}

void SafetyMonitor::group_created(GroupId group, const Membership& initial, std::optional<GroupId> parent) {
  agreement_.group_created(group, initial);
  lease_.group_created(group, parent);
}

void SafetyMonitor::replica_dropped(GroupId group, sim::NodeId node) { agreement_.replica_dropped(group, node); }

void SafetyMonitor::applying(sim::NodeId node, const Replica& r, Slot from, Slot to) {
  for (Slot slot = from; slot <= to; ++slot) {
    SIM_ASSERT(holds_slot(r, slot));
    agreement_.decided(r.group, node, slot, value_at(r, slot), "applied");
  }
  agreement_.applied_up_to(r.group, node, to);
}

void SafetyMonitor::snapshot_installed(sim::NodeId node, const Replica& r) {
  agreement_.applied_up_to(r.group, node, applied_of(r));
}

void SafetyMonitor::committed(sim::NodeId node, const Replica& r, Slot from, Slot to) {
  for (Slot slot = from; slot <= to; ++slot) {
    // A leader's commit point may cover slots it applied and trimmed long ago (it learned the
    // point late): those were decided then.
    if (!holds_slot(r, slot)) continue;
    const EntryValue value = value_at(r, slot);
    agreement_.decided(r.group, node, slot, value, "committed");
    quorum_.committed(r.group, node, slot, value);
  }
}

void SafetyMonitor::acknowledged(sim::NodeId node, const Replica& r, Slot slot) {
  SIM_ASSERT(holds_slot(r, slot));
  quorum_.acknowledged(r.group, node, slot, value_at(r, slot));
}

void SafetyMonitor::served(sim::NodeId node, const Replica& r) {
  const sim::Time lease_end = world_.true_time ? world_.true_time(node, lease_end_of(r)) : lease_end_of(r);
  lease_.served(r.group, node, leader_ballot_of(r), lease_end, clock_());
  if (world_.granted) {
    lease_.backed(r.group, node, membership_of(r), clock_(), [&](sim::NodeId grantor) {
      sim::Time local = world_.granted(grantor, node);
      if (const Replica* member = world_.replica(grantor, r.group))
        if (const auto [end, to] = replica_grant_of(*member); to == node) local = std::max(local, end);
      return world_.true_time ? world_.true_time(grantor, local) : local;
    });
  }
}

void SafetyMonitor::released(sim::NodeId node, const Replica& r) {
  lease_.released(r.group, node, leader_ballot_of(r), clock_());
}

void SafetyMonitor::at_end(const std::vector<GroupId>& groups) {
  verdicts_.record_only();
  check_convergence(verdicts_, world_.nodes, groups, world_.all_replicas());
}

}  // namespace models::monitors
