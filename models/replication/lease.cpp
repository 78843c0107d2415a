// Lease rules. Leases are granted per pair of nodes (links.h): a follower node answering a
// heartbeat grants the sender a lease until the heartbeat's arrival plus the lease, on its own
// clock, covering every group in which it follows the sender's ballot, and keeps the latest
// grant on disk. A replica that stops following a leader keeps that grant as its own, and a
// candidate waits out the latest grant its promisers report.
//
// Clocks (sim/clock.h) differ by a skew and run fast or slow by up to the drift bound e
// (replication.clock_drift_bound_ppm), so no time of one node is compared with another's: the
// leader counts a grant from the heartbeat's sending, on its clock, for lease * (1-e)/(1+e)
// (leader_lease), which ends in true time before the follower's lease, counted from the later
// arrival on a clock at most 1+e fast, can end. A promise reports the grant's remaining time, and
// the candidate waits remaining * (1+e)/(1-e) on its own clock (outwait), which lasts at least as
// long in true time as the remaining lease on the promiser's clock at most 1-e slow.
//
// A leader's lease in a group runs until the latest time
// a quorum of its applied membership (and of every one in its log) granted it: a member counts
// with the node's grant while it follows, with what it had granted when it stopped, and the
// leader counts itself only while it is a member. It serves strongly consistent requests only
// inside its lease, after the old leader's lease is over, once its first own entry committed and
// applied here.
#include "models/replication/rules.h"

#include "sim/clock.h"
#include "sim/uint128.h"

#include <algorithm>

namespace models::replication::rules {

sim::Duration leader_lease(const ReplicationSpec& spec) {
  const std::int64_t ppm = spec.clock_drift_bound_ppm;
  return sim::Duration::from_nanos(static_cast<std::int64_t>(static_cast<sim::int128>(spec.lease.nanos()) *
                                                             (sim::Clock::kPpm - ppm) / (sim::Clock::kPpm + ppm)));
}

sim::Duration outwait(const ReplicationSpec& spec, sim::Duration remaining) {
  const std::int64_t ppm = spec.clock_drift_bound_ppm;
  const sim::int128 numerator = static_cast<sim::int128>(remaining.nanos()) * (sim::Clock::kPpm + ppm);
  const sim::int128 denominator = sim::Clock::kPpm - ppm;
  return sim::Duration::from_nanos(static_cast<std::int64_t>((numerator + denominator - 1) / denominator));
}

bool follows(const Replica& r, sim::NodeId self) {
  return r.v.role == Role::follower && r.v.leader_node != kNoNode && r.v.leader_node != self &&
         r.d.promised == r.v.leader_ballot;
}

std::pair<sim::Time, sim::NodeId> granted_lease(const Replica& r, const Host& host) {
  std::pair<sim::Time, sim::NodeId> out{r.d.granted_lease_end, r.d.lease_granted_to};
  if (follows(r, host.self())) {
    const sim::Time now_granted = host.granted_to(r.v.leader_node);
    if (now_granted >= out.first) out = {now_granted, r.v.leader_node};
  }
  return out;
}

sim::Time lease_end(const Replica& r, const Host& host) {
  const auto granted = [&](sim::NodeId node) {
    const PeerProgress* p = r.v.progress.find(node);
    if (p == nullptr) return sim::Time();
    return p->follows ? std::max(p->lease_until, host.granted_by(node)) : p->lease_until;
  };
  sim::Time end = quorum_lease(r.d.membership, host.self(), granted);
  for_each_unapplied_config(r, [&](Slot, const Membership& m) { end = std::min(end, quorum_lease(m, host.self(), granted)); });
  return end;
}

void refresh_lease(Replica& r, const Host& host) {
  if (r.v.role == Role::leader) r.v.lease_end = lease_end(r, host);
}

void on_follow_change(Replica& r, Host& host, sim::NodeId from, Ballot ballot) {
  if (r.v.role != Role::leader) return;
  PeerProgress* p = r.v.progress.find(from);
  if (p == nullptr) return;  // no peer of this leadership
  const bool follows_now = ballot == r.v.leader_ballot;
  if (p->follows && !follows_now) p->lease_until = std::max(p->lease_until, host.granted_by(from));
  p->follows = follows_now;
  refresh_lease(r, host);
  check_serving(r, host);
  host.roles_changed(r);  // looked at the next tick: the lease may be gone
}

void on_heartbeat_answer(Replica& r, Host& host, const HeartbeatAnswer& answer, sim::Time, sim::NodeId from) {
  if (!answer.ok || r.v.role != Role::leader || answer.ballot != r.v.leader_ballot) return;
  if (!replication_targets(r, host.self()).contains(from)) return;
  PeerProgress& peer = r.v.progress.of(from);
  peer.local_hint = answer.follower_local;
}

bool serving(Replica& r, const Host& host, sim::Time now) {
  // Its first own entry applied here, not just committed: a quorum of followers can commit it
  // while this node's own disk still holds the slots before it, and until they apply, its items
  // lack writes the previous leader acknowledged (a strong read would be stale).
  if (r.v.role != Role::leader || !r.may_lead(host.self()) || now < r.v.serve_after || r.d.applied < r.v.first_own_slot)
    return false;
  refresh_lease(r, host);
  return now < r.v.lease_end || host.bug() == PlantedBug::strong_read_by_role;
}

void check_serving(Replica& r, Host& host) {
  const sim::Time now = host.now();
  if (serving(r, host, now)) {
    host.serving_changed(r, true);
    return;
  }
  // Not applied yet: apply() checks again once the first own entry applies.
  if (r.v.role == Role::leader && r.d.applied >= r.v.first_own_slot && now < r.v.serve_after)
    host.start_timer(r, TimerKind::serve_check, r.v.serve_after - now, r.v.leader_ballot.raw());
}

void on_serve_timer(Replica& r, Host& host, std::uint64_t ballot) {
  if (r.v.role == Role::leader && r.v.leader_ballot.raw() == ballot) check_serving(r, host);
}

sim::Time leader_heard(const Replica& r, const Host& host) {
  if (r.v.leader_node == kNoNode) return r.v.leader_contact;
  return std::max(r.v.leader_contact, host.heard_from(r.v.leader_node));
}

bool serves_eventual(const Replica& r, const Host& host, sim::Time now, sim::Duration leader_silence_max) {
  if (!r.d.storage || !r.is_member(host.self())) return false;
  if (r.v.role == Role::leader) return true;
  return r.v.leader_node != kNoNode && now - leader_heard(r, host) <= leader_silence_max && r.d.applied >= r.v.commit;
}

}  // namespace models::replication::rules
