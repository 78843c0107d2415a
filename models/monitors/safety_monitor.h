// The safety monitors: an oracle beside the replication groups, on in every run. Storage nodes
// tell it when replica state changed (a slot committed or applied, a write acknowledged, a
// strongly consistent request served, a leader stepping down); it then reads the replicas
// themselves, never the nodes' bookkeeping, and changes nothing. A violation names the
// invariant, the group and the virtual time, and stops the run (SafetyViolation is thrown out of
// the event that broke the rule; the simulation catches it).
#pragma once

#include "models/monitors/agreement_monitor.h"
#include "models/monitors/convergence_monitor.h"
#include "models/monitors/lease_monitor.h"
#include "models/monitors/quorum_monitor.h"
#include "models/monitors/verdicts.h"
#include "models/replication/host.h"

#include <functional>
#include <optional>
#include <vector>

namespace models::monitors {

// How the monitors see the world: every replica and node, as the simulator (not any actor) does.
struct World {
  std::function<const Replica*(sim::NodeId, GroupId)> replica;
  NodeFacts nodes;
  // Every replica of every storage node, sorted by group.
  std::function<std::vector<PlacedReplica>()> all_replicas;
  // The true time at which `node`'s clock reads `local` (a leader's lease end is on its clock);
  // empty: clocks are true.
  std::function<sim::Time(sim::NodeId node, sim::Time local)> true_time;
  // Until when, on `grantor`'s clock, its node granted `grantee` a lease (what it keeps on disk);
  // empty: grants are not checked. (A replica's own grant is read from the replica.)
  std::function<sim::Time(sim::NodeId grantor, sim::NodeId grantee)> granted;
};

class SafetyMonitor final : public replication::Observer {
 public:
  // `clock` gives virtual time; `record_only` (tests): violations are recorded and the run goes on.
  SafetyMonitor(std::function<sim::Time()> clock, World world, bool record_only = false);
  SafetyMonitor(const SafetyMonitor&) = delete;
  SafetyMonitor& operator=(const SafetyMonitor&) = delete;

  // ---- what storage nodes report ----
  // A group exists with this first membership (a split child: `parent` is the group it came from).
  void group_created(GroupId group, const Membership& initial, std::optional<GroupId> parent = std::nullopt);
  void replica_dropped(GroupId group, sim::NodeId node) override;
  // `r` (on `node`) is about to apply slots [from, to] (checked before they change its items);
  // or installed a snapshot up to its applied slot.
  void applying(sim::NodeId node, const Replica& r, Slot from, Slot to) override;
  void snapshot_installed(sim::NodeId node, const Replica& r) override;
  // Leader `r` moved its commit point from `from` - 1 to `to`.
  void committed(sim::NodeId node, const Replica& r, Slot from, Slot to) override;
  // Leader `r` acknowledged the write at `slot` to a client.
  void acknowledged(sim::NodeId node, const Replica& r, Slot slot) override;
  // Leader `r` answered a strongly consistent read or took a write under its lease.
  void served(sim::NodeId node, const Replica& r) override;
  // `r` stopped leading by itself (stepped down, handed over, or its replica was dropped).
  void released(sim::NodeId node, const Replica& r) override;

  // After the final heal: convergence; from here on violations are only recorded.
  void at_end(const std::vector<GroupId>& groups);

  const InvariantVerdict& verdict(Invariant invariant) const { return verdicts_[invariant]; }
  bool any_violated() const { return verdicts_.any_violated(); }

 private:
  std::function<sim::Time()> clock_;
  World world_;
  Verdicts verdicts_;
  AgreementMonitor agreement_;
  QuorumMonitor quorum_;
  LeaseMonitor lease_;
};

}  // namespace models::monitors
