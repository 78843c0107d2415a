// Names and rules of the safety invariants, and recording what the monitors find.
#include "models/monitors/verdicts.h"

#include "sim/assert.h"

namespace models::monitors {

std::string_view invariant_name(Invariant invariant) {
  switch (invariant) {
    case Invariant::lease_exclusivity: return "lease_exclusivity";
    case Invariant::agreement: return "agreement";
    case Invariant::acknowledged_on_quorum: return "acknowledged_on_quorum";
    case Invariant::config_quorum: return "config_quorum";
    case Invariant::convergence: return "convergence";
    case Invariant::lease_backed: return "lease_backed";
  }
  SIM_ASSERT(false);
  return "";
}

std::string_view invariant_rule(Invariant invariant) {
  switch (invariant) {
    case Invariant::lease_exclusivity:
      return "at most one replica of a group serves strong reads or writes under a lease at any instant";
    case Invariant::agreement:
      return "no two replicas apply different entries at one slot, and a committed entry never changes";
    case Invariant::acknowledged_on_quorum:
      return "an acknowledged write is on disk on a quorum of the configuration governing its slot";
    case Invariant::config_quorum:
      return "a configuration change commits only on quorums of the old and of the new configuration";
    case Invariant::convergence:
      return "after the final heal every group has one leader and three voting storage replicas in distinct AZs "
             "holding identical items";
    case Invariant::lease_backed:
      return "a leader serves strong reads or writes only while a quorum of its group's members has granted it a "
             "lease that has not ended, in true time";
  }
  SIM_ASSERT(false);
  return "";
}

void Verdicts::violated(Invariant invariant, replication::GroupId group, std::string detail) {
  InvariantVerdict& verdict = verdicts_[index(invariant)];
  ++verdict.violations;
  if (!verdict.first) verdict.first = Violation{invariant, group, clock_(), std::move(detail)};
  if (running_) throw SafetyViolation{invariant};
}

bool Verdicts::any_violated() const {
  for (const InvariantVerdict& verdict : verdicts_)
    if (!verdict.passed()) return true;
  return false;
}

}  // namespace models::monitors
