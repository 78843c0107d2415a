// Quorums: when a leader commits a slot or acknowledges a write, the slot's value must be on
// disk on a quorum of the configuration that governs it (for a configuration change: a quorum
// of the old configuration, and of the new one when the change is joint), read from the
// replicas themselves.
#pragma once

#include "models/monitors/agreement_monitor.h"
#include "models/monitors/replica_view.h"
#include "models/monitors/verdicts.h"

#include <functional>
#include <string>

namespace models::monitors {

class QuorumMonitor {
 public:
  using ReplicaOf = std::function<const Replica*(sim::NodeId, GroupId)>;
  using NameOf = std::function<std::string(sim::NodeId)>;
  QuorumMonitor(Verdicts& verdicts, const AgreementMonitor& agreement, ReplicaOf replica_of, NameOf name_of,
                std::function<sim::Time()> clock)
      : verdicts_(verdicts),
        agreement_(agreement),
        replica_of_(std::move(replica_of)),
        name_of_(std::move(name_of)),
        clock_(std::move(clock)) {}

  // `leader` committed `slot` holding `value` (after the agreement monitor recorded it).
  void committed(GroupId group, sim::NodeId leader, Slot slot, const EntryValue& value);
  // `leader` told a client that the write at `slot` succeeded.
  void acknowledged(GroupId group, sim::NodeId leader, Slot slot, const EntryValue& value);

 private:
  // How many nodes of `config` hold `value` at `slot` on disk, and which do not.
  std::size_t holders(GroupId group, const Membership& config, Slot slot, const EntryValue& value, std::string& missing) const;
  bool on_quorum(GroupId group, const Governing& governing, bool joint, Slot slot, const EntryValue& value,
                 std::string& why) const;

  Verdicts& verdicts_;
  const AgreementMonitor& agreement_;
  ReplicaOf replica_of_;
  NameOf name_of_;
  std::function<sim::Time()> clock_;
};

}  // namespace models::monitors
