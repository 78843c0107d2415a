// Lease exclusivity: per group, the lease interval of the leader that last served (from its first
// strongly consistent answer to the end of the lease it held then, cut short only when it stops
// leading by itself; a power-off does not cut it). A leader of another ballot serving inside
// that interval is a violation, whether or not the old one is alive to notice.
#pragma once

#include "models/monitors/replica_view.h"
#include "models/monitors/verdicts.h"

#include <functional>
#include <string>
#include <vector>

namespace models::monitors {

class LeaseMonitor {
 public:
  using NameOf = std::function<std::string(sim::NodeId)>;
  LeaseMonitor(Verdicts& verdicts, NameOf name_of) : verdicts_(verdicts), name_of_(std::move(name_of)) {}

  // A split child starts under its parent's lease: the parent's leader may serve it at once (it
  // stopped serving the child's keys as the parent when it applied the split), anyone else waits.
  void group_created(GroupId group, std::optional<GroupId> parent);
  // `node` answers a strongly consistent request of `group` (or starts serving) at `now`.
  void served(GroupId group, sim::NodeId node, Ballot ballot, sim::Time lease_end, sim::Time now);
  // `node` stopped leading `group` under `ballot` by itself (stepped down, handed over, dropped
  // the replica): it serves nothing under that lease any more.
  void released(GroupId group, sim::NodeId node, Ballot ballot, sim::Time now);
  // `node` serves `group` at `now` (true time): a quorum of `membership` must have granted it a
  // lease lasting past now (`grant_end`: the true time the grant of a member ends); the leader
  // counts itself while it is a member. What the leader believes of its lease is not asked.
  void backed(GroupId group, sim::NodeId node, const Membership& membership, sim::Time now,
              const std::function<sim::Time(sim::NodeId grantor)>& grant_end);

 private:
  struct Holder {
    sim::NodeId node = replication::kNoNode;
    Ballot ballot;              // none: any ballot of `node` (a split child's first leader)
    sim::Time until;            // the end of the interval
  };
  bool same(const Holder& h, sim::NodeId node, Ballot ballot) const {
    return h.node == node && (h.ballot.none() || h.ballot == ballot);
  }

  Verdicts& verdicts_;
  NameOf name_of_;
  std::vector<Holder> holders_;  // by group
};

}  // namespace models::monitors
