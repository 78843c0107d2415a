// Quorum checks at commit and at acknowledgement.
#include "models/monitors/quorum_monitor.h"

#include <fmt/format.h>

namespace models::monitors {

std::size_t QuorumMonitor::holders(GroupId group, const Membership& config, Slot slot, const EntryValue& value,
                                   std::string& missing) const {
  std::size_t count = 0;
  const sim::Time now = clock_();
  for (sim::NodeId node : config.nodes) {
    if (node == replication::kNoNode) continue;
    const Replica* r = replica_of_(node, group);
    if (r != nullptr && durable_at(*r, slot, value, now) != Durable::none) {
      ++count;
    } else {
      missing += missing.empty() ? "" : ", ";
      missing += name_of_(node);
    }
  }
  return count;
}

bool QuorumMonitor::on_quorum(GroupId group, const Governing& governing, bool joint, Slot slot, const EntryValue& value,
                              std::string& why) const {
  std::string missing_old;
  const std::size_t old_holders = holders(group, governing.old_config, slot, value, missing_old);
  if (old_holders < Membership::quorum()) {
    why = fmt::format("on {} of the {} configuration (epoch {}; missing on {})", old_holders,
                      governing.new_config ? "old" : "governing", governing.old_config.epoch, missing_old);
    return false;
  }
  if (!joint || !governing.new_config) return true;
  std::string missing_new;
  const std::size_t new_holders = holders(group, *governing.new_config, slot, value, missing_new);
  if (new_holders < Membership::quorum()) {
    why = fmt::format("on {} of the new configuration (epoch {}; missing on {})", new_holders,
                      governing.new_config->epoch, missing_new);
    return false;
  }
  return true;
}

void QuorumMonitor::committed(GroupId group, sim::NodeId leader, Slot slot, const EntryValue& value) {
  const bool config = value.kind == replication::EntryKind::config;
  const Governing governing = agreement_.governing(group, slot);
  const Invariant invariant = config ? Invariant::config_quorum : Invariant::acknowledged_on_quorum;
  verdicts_.checked(invariant);
  std::string why;
  if (on_quorum(group, governing, config, slot, value, why)) return;
  verdicts_.violated(invariant, group,
                     fmt::format("group {} slot {}: {} committed it while it is {}", group, slot, name_of_(leader), why));
}

void QuorumMonitor::acknowledged(GroupId group, sim::NodeId leader, Slot slot, const EntryValue& value) {
  const Governing governing = agreement_.governing(group, slot);
  verdicts_.checked(Invariant::acknowledged_on_quorum);
  std::string why;
  if (on_quorum(group, governing, false, slot, value, why)) return;
  verdicts_.violated(Invariant::acknowledged_on_quorum, group,
                     fmt::format("group {} slot {}: {} acknowledged write {:x} while it is {}", group, slot,
                                 name_of_(leader), value.write, why));
}

}  // namespace models::monitors
