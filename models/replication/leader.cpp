// Leader rules: proposing, counting commits, stepping down, and the per-tick duties of a leader
// (and of a follower waiting for one).
//
// The configuration that governs a slot is the membership in force before it: the applied one,
// or that of the last config entry at a lower slot. A config entry itself commits only on a
// quorum of the membership before it and a quorum of the one it installs; the slots after it
// count on the new one alone. Progress is kept per node id, so a replacement never inherits
// what the member it replaces had acknowledged.
#include "models/replication/rules.h"

#include "sim/assert.h"

#include <algorithm>

namespace models::replication::rules {

Slot pending_config_slot(const Replica& r) {
  for (Slot s = std::max(r.d.applied + 1, r.d.log.start()); s <= r.d.log.last(); ++s)
    if (r.d.log.at(s).kind == EntryKind::config) return s;
  return 0;
}

void for_each_unapplied_config(const Replica& r, const std::function<void(Slot, const Membership&)>& f) {
  for (Slot s = std::max(r.d.applied + 1, r.d.log.start()); s <= r.d.log.last(); ++s)
    if (r.d.log.at(s).kind == EntryKind::config) f(s, r.d.log.at(s).membership());
}

std::vector<sim::NodeId> replication_targets(const Replica& r, sim::NodeId self) {
  std::vector<sim::NodeId> out;
  out.reserve(Membership::kSize);
  auto add = [&](sim::NodeId node) {
    if (node != kNoNode && node != self && std::find(out.begin(), out.end(), node) == out.end()) out.push_back(node);
  };
  for (sim::NodeId node : r.d.membership.nodes) add(node);
  for_each_unapplied_config(r, [&](Slot, const Membership& m) {
    for (sim::NodeId node : m.nodes) add(node);
  });
  for (const Change& change : r.v.changes)
    if (change.step == Change::Step::installed || change.step == Change::Step::proposed) add(change.target);
  return out;
}

Slot propose(Replica& r, Host& host, LogEntry entry) {
  SIM_ASSERT(r.v.role == Role::leader);
  entry.ballot = r.v.leader_ballot;
  r.d.log.append(entry);
  const Slot slot = r.d.log.last();
  r.v.matched = slot;
  host.persist(r);
  for (sim::NodeId node : replication_targets(r, host.self()))
    host.send(node, AcceptMessage{r.group, r.v.leader_ballot, slot, r.v.commit, entry});
  if (entry.kind == EntryKind::config) refresh_lease(r, host.self());  // the new members' quorum counts too
  return slot;
}

std::uint64_t next_version(const Replica& r, std::uint64_t key) {
  std::uint64_t newest = r.applied_value(key).first;
  if (auto it = r.v.pending_versions.find(key); it != r.v.pending_versions.end()) newest = std::max(newest, it->second);
  return newest + 1;
}

void on_accepted(Replica& r, Host& host, const AcceptedMessage& m, sim::NodeId from) {
  if (r.v.role != Role::leader) return;
  if (!m.ok) {
    if (m.promised > r.v.leader_ballot) step_down(r, host);
    return;
  }
  if (m.ballot != r.v.leader_ballot) return;
  const std::vector<sim::NodeId> targets = replication_targets(r, host.self());
  if (std::find(targets.begin(), targets.end(), from) == targets.end()) return;
  PeerProgress& peer = r.v.progress.of(from);
  peer.match = std::max(peer.match, m.persisted);
  peer.last_ack = host.now();
  try_commit(r, host);
}

Slot committable(const Replica& r, sim::NodeId self) {
  const Slot own = std::min(r.d.log.persisted(), r.d.log.last());
  // The membership in force after the commit point: the applied one, or a committed config
  // entry the leader has not applied yet.
  Membership governing = r.d.membership;
  const Slot commit = std::max(r.v.commit, r.d.applied);
  for (Slot s = std::max(r.d.applied + 1, r.d.log.start()); s <= commit && s <= r.d.log.last(); ++s)
    if (r.d.log.at(s).kind == EntryKind::config) governing = r.d.log.at(s).membership();
  Slot reach = quorum_match(governing, self, own, r.v.progress);
  for (Slot s = commit + 1; s <= r.d.log.last() && s <= reach; ++s) {
    const LogEntry& entry = r.d.log.at(s);
    if (entry.kind != EntryKind::config) continue;
    // The change needs the new membership's quorum too; what follows it, that quorum alone.
    governing = entry.membership();
    const Slot next_reach = quorum_match(governing, self, own, r.v.progress);
    if (next_reach < s) return std::max(commit, s - 1);
    reach = next_reach;
  }
  return std::max(commit, std::min(reach, r.d.log.last()));
}

void try_commit(Replica& r, Host& host) {
  if (r.v.role != Role::leader) return;
  const Slot before = r.v.commit;
  const Slot reach = committable(r, host.self());
  if (reach > before) {
    // Every slot past the commit point carries this leader's ballot (it re-proposed what it
    // recovered), so counting copies commits it.
    SIM_ASSERT(r.d.log.at(reach).ballot == r.v.leader_ballot);
    r.v.commit = reach;
    if (Observer* observer = host.observer()) observer->committed(host.self(), r, before + 1, reach);
  }
  apply(r, host);
  after_commit(r, host);
}

void step_down(Replica& r, Host& host) {
  if (r.v.role == Role::leader) {
    if (Observer* observer = host.observer()) observer->released(host.self(), r);
    host.serving_changed(r, false);
    host.leadership_ended(r);
  }
  r.v.role = Role::follower;
  r.v.leader_node = kNoNode;
  r.v.leader_contact = host.now();
  r.v.lease_end = sim::Time::zero();
  r.v.first_own_slot = 0;
  r.v.pending_versions.clear();
  r.v.election.reset();
  r.v.splitting_at = 0;
  for (const Change& c : r.v.changes)
    if (c.step != Change::Step::proposed) give_up(r, host, c);
  r.v.changes.clear();
  r.v.handoff_armed = false;
  r.v.progress.clear();
  if (r.d.membership.epoch > 0 && !r.d.membership.contains(host.self())) host.drop_soon(r);  // a change removed it
}

void send_heartbeat(Replica& r, Host& host) {
  for (sim::NodeId node : replication_targets(r, host.self())) {
    const HeartbeatItem item{r.group, r.v.leader_ballot, r.v.commit, r.d.log.last(), r.local, r.v.progress.of(node).local_hint};
    host.send(node, HeartbeatMessage{host.now(), {item}});
  }
}

void on_tick(Replica& r, Host& host, const std::function<void(sim::NodeId, const HeartbeatItem&)>& heartbeat) {
  const sim::Time now = host.now();
  const ReplicationSpec& spec = host.spec();
  switch (r.v.role) {
    case Role::leader:
      // A leader that no quorum has answered for a whole lease steps down.
      if (now >= r.v.lease_end && now - r.v.leader_since >= spec.lease) {
        step_down(r, host);
        return;
      }
      if (serving(r, host.self(), now)) check_members(r, host);
      if (r.v.role != Role::leader) return;
      for (sim::NodeId node : replication_targets(r, host.self()))
        heartbeat(node, HeartbeatItem{r.group, r.v.leader_ballot, r.v.commit, r.d.log.last(), r.local, r.v.progress.of(node).local_hint});
      return;
    case Role::follower:
      if (r.may_lead(host.self()) && now - r.v.leader_contact > spec.election_timeout())
        suspect_leader(r, host);
      return;
    case Role::candidate:
      return;
  }
}

void on_timer(Replica& r, Host& host, TimerKind kind, std::uint64_t token) {
  switch (kind) {
    case TimerKind::election_step:
    case TimerKind::election_timeout:
      on_election_timer(r, host, kind, token);
      return;
    case TimerKind::serve_check:
      on_serve_timer(r, host, token);
      return;
    case TimerKind::handoff_deadline:
    case TimerKind::change_deadline:
    case TimerKind::snapshot_retry:
      on_change_timer(r, host, kind, token);
      return;
  }
}

}  // namespace models::replication::rules
