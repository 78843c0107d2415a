// Agreement: the value decided at each slot of each group, as the first leader to commit it or
// the first replica to apply it reported it; every later report of that slot must match. Also
// the group's configuration history, from which the slot's governing configuration follows.
#pragma once

#include "models/monitors/replica_view.h"
#include "models/replication/compact_vector.h"
#include "models/monitors/verdicts.h"

#include <functional>
#include <string>
#include <vector>

namespace models::monitors {

// The configuration that decides slot `slot`: the membership in force before it, and for a
// configuration entry the membership it installs, which must also hold it (a joint change).
struct Governing {
  Membership old_config;
  std::optional<Membership> new_config;  // set for a configuration entry
};

class AgreementMonitor {
 public:
  using NameOf = std::function<std::string(sim::NodeId)>;
  AgreementMonitor(Verdicts& verdicts, NameOf name_of) : verdicts_(verdicts), name_of_(std::move(name_of)) {}

  void group_created(GroupId group, const Membership& initial);
  // `node` decided (committed as leader, or applied) `value` at `slot`.
  void decided(GroupId group, sim::NodeId node, Slot slot, const EntryValue& value, const char* how);
  // How far `node` applied (for pruning: slots every member applied are checked for good).
  void applied_up_to(GroupId group, sim::NodeId node, Slot applied);
  void replica_dropped(GroupId group, sim::NodeId node);

  // REQUIRES: every slot before `slot` was decided (the caller commits in order).
  Governing governing(GroupId group, Slot slot) const;
  // The value decided at `slot`, if the window still holds it.
  std::optional<EntryValue> decided_value(GroupId group, Slot slot) const;
  const Membership& latest_config(GroupId group) const { return groups_[group].configs.back().membership; }

 private:
  struct ConfigAt {
    Slot slot = 0;  // 0: the group's initial membership
    Membership membership;
  };
  struct Decided {
    EntryValue value;
    sim::NodeId first_by = replication::kNoNode;  // kNoNode: not reported yet (a hole)
  };
  struct AppliedUpTo {
    sim::NodeId first = replication::kNoNode;  // the replica's node
    Slot second = 0;                           // how far it applied
  };
  // 40 bytes a group (a region has a million): its containers are CompactVectors.
  struct Group {
    bool exists = false;
    Slot base = 1;                              // slot of window[0]
    replication::CompactVector<Decided> window;  // decided values from `base` on
    replication::CompactVector<AppliedUpTo> applied;  // per replica: how far it applied
    replication::CompactVector<ConfigAt> configs;     // by slot, from the initial membership
  };
  void prune(Group& g);

  Verdicts& verdicts_;
  NameOf name_of_;
  std::vector<Group> groups_;  // by group id (split children may be created out of order)
};

}  // namespace models::monitors
