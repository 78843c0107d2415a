// Lease rules. A follower that hears a heartbeat of the ballot it follows grants that leader a
// lease until the heartbeat's send time plus the lease, and remembers it on disk; a candidate
// waits out the latest lease its promisers granted anyone else. A leader's lease runs until the
// latest time a quorum of its applied membership (and of every one in its log) granted it; it counts
// itself only while it is a member. It serves strongly consistent requests only inside its
// lease, after the old leader's lease is over, and once its first own entry committed.
#include "models/replication/rules.h"

#include <algorithm>

namespace models::replication::rules {

void grant_lease(Replica& r, const ReplicationSpec& spec, sim::Time sent, sim::NodeId leader) {
  if (sent + spec.lease >= r.d.granted_lease_end) {
    r.d.granted_lease_end = sent + spec.lease;
    r.d.lease_granted_to = leader;
  }
  r.d.split_lease_holder = kNoNode;  // the group's own leaders grant leases now
}

sim::Time lease_end(const Replica& r, sim::NodeId self) {
  sim::Time end = quorum_lease(r.d.membership, self, r.v.progress);
  for_each_unapplied_config(r, [&](Slot, const Membership& m) { end = std::min(end, quorum_lease(m, self, r.v.progress)); });
  return end;
}

void on_heartbeat_answer(Replica& r, Host& host, const HeartbeatAnswer& answer, sim::Time sent, sim::NodeId from) {
  if (!answer.ok || r.v.role != Role::leader || answer.ballot != r.v.leader_ballot) return;
  const std::vector<sim::NodeId> targets = replication_targets(r, host.self());
  if (std::find(targets.begin(), targets.end(), from) == targets.end()) return;
  PeerProgress& peer = r.v.progress.of(from);
  peer.last_ack = host.now();
  peer.local_hint = answer.follower_local;
  peer.lease_until = std::max(peer.lease_until, sent + host.spec().lease);
  refresh_lease(r, host.self());
  check_serving(r, host);
}

void refresh_lease(Replica& r, sim::NodeId self) {
  if (r.v.role == Role::leader) r.v.lease_end = lease_end(r, self);
}

bool serving(const Replica& r, sim::NodeId self, sim::Time now) {
  return r.v.role == Role::leader && r.may_lead(self) && now < r.v.lease_end && now >= r.v.serve_after &&
         r.v.commit >= r.v.first_own_slot;
}

void check_serving(Replica& r, Host& host) {
  const sim::Time now = host.now();
  if (serving(r, host.self(), now)) {
    host.serving_changed(r, true);
    return;
  }
  if (r.v.role == Role::leader && r.v.commit >= r.v.first_own_slot && now < r.v.serve_after)
    host.start_timer(r, TimerKind::serve_check, r.v.serve_after - now, r.v.leader_ballot.raw());
}

void on_serve_timer(Replica& r, Host& host, std::uint64_t ballot) {
  if (r.v.role == Role::leader && r.v.leader_ballot.raw() == ballot) check_serving(r, host);
}

bool serves_eventual(const Replica& r, sim::NodeId self, sim::Time now, sim::Duration leader_silence_max) {
  if (!r.d.storage || !r.is_member(self)) return false;
  if (r.v.role == Role::leader) return true;
  return r.v.leader_node != kNoNode && now - r.v.leader_contact <= leader_silence_max && r.d.applied >= r.v.commit;
}

}  // namespace models::replication::rules
