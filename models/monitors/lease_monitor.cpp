// Lease intervals per group.
#include "models/monitors/lease_monitor.h"

#include <fmt/format.h>

namespace models::monitors {
namespace {

std::string describe(Ballot b) { return fmt::format("{}.{}", b.round(), b.node()); }

std::string describe_time(sim::Time t) {
  return fmt::format("{}.{:06}s", t.nanos() / 1'000'000'000, t.nanos() % 1'000'000'000 / 1'000);
}

}  // namespace

void LeaseMonitor::group_created(GroupId group, std::optional<GroupId> parent) {
  if (group >= holders_.size()) holders_.resize(group + 1);
  if (!parent) return;
  Holder inherited = holders_[*parent];
  inherited.ballot = Ballot();
  holders_[group] = inherited;
}

void LeaseMonitor::served(GroupId group, sim::NodeId node, Ballot ballot, sim::Time lease_end, sim::Time now) {
  Holder& h = holders_[group];
  verdicts_.checked(Invariant::lease_exclusivity);
  if (same(h, node, ballot)) {
    h.ballot = ballot;
    h.until = std::max(h.until, lease_end);
    return;
  }
  if (h.node != replication::kNoNode && now < h.until) {
    verdicts_.violated(Invariant::lease_exclusivity, group,
                       fmt::format("group {}: {} serves under ballot {} at {} while the lease of {} under ballot {} "
                                   "runs until {}",
                                   group, name_of_(node), describe(ballot), describe_time(now), name_of_(h.node),
                                   h.ballot.none() ? std::string("of the parent group") : describe(h.ballot),
                                   describe_time(h.until)));
  }
  h = Holder{node, ballot, lease_end};
}

void LeaseMonitor::backed(GroupId group, sim::NodeId node, const Membership& membership, sim::Time now,
                          const std::function<sim::Time(sim::NodeId grantor)>& grant_end) {
  verdicts_.checked(Invariant::lease_backed);
  std::size_t granting = 0;
  for (sim::NodeId member : membership.nodes) {
    if (member == replication::kNoNode) continue;
    if (member == node || now < grant_end(member)) ++granting;
  }
  if (granting >= Membership::quorum()) return;
  // A violation: say who granted what (described only now; on every served request it cost 7% of a run).
  std::string grants;
  for (sim::NodeId member : membership.nodes) {
    if (member == replication::kNoNode || member == node) continue;
    grants += fmt::format("{}{} until {}", grants.empty() ? "" : ", ", name_of_(member), describe_time(grant_end(member)));
  }
  verdicts_.violated(Invariant::lease_backed, group,
                     fmt::format("group {}: {} serves at {} with grants from {} of its members (a quorum is {}): {}{}",
                                 group, name_of_(node), describe_time(now), granting, Membership::quorum(), grants,
                                 membership.contains(node) ? "" : "; it is no member"));
}

void LeaseMonitor::released(GroupId group, sim::NodeId node, Ballot ballot, sim::Time now) {
  if (group >= holders_.size()) return;
  Holder& h = holders_[group];
  if (same(h, node, ballot)) h.until = std::min(h.until, now);
}

}  // namespace models::monitors
