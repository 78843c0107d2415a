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
    if (takes_effect(r.d.log.at(s), r.d.membership)) return s;
  return 0;
}

NodeList replication_targets(const Replica& r, sim::NodeId self) {
  NodeList out;
  for (sim::NodeId node : r.d.membership.nodes)
    if (node != self) out.add(node);
  for_each_unapplied_config(r, [&](Slot, const Membership& m) {
    for (sim::NodeId node : m.nodes)
      if (node != self) out.add(node);
  });
  for (const Change& change : r.v.changes)
    if ((change.step == Change::Step::installed || change.step == Change::Step::proposed) && change.target != self)
      out.add(change.target);
  return out;
}

void send_accept(const Replica& r, Host& host, sim::NodeId node, Slot slot) {
  // The sender's side of the handoff: only a leader sends, only what is in its log, and every
  // slot past its commit point carries its ballot (it re-proposed what it recovered).
  SIM_ASSERT(r.v.role == Role::leader);
  SIM_ASSERT(r.d.log.has(slot));
  SIM_ASSERT(node != host.self());
  const LogEntry& entry = r.d.log.at(slot);
  if (slot > r.v.commit) SIM_ASSERT(entry.ballot == r.v.leader_ballot);
  host.send(node, AcceptMessage{r.group, r.v.leader_ballot, slot, r.v.commit, entry});
}

Slot propose(Replica& r, Host& host, LogEntry entry) {
  SIM_ASSERT(r.v.role == Role::leader);
  entry.ballot = r.v.leader_ballot;
  entry.format = host.writes_format();
  r.d.log.append(entry);
  const Slot slot = r.d.log.last();
  r.v.matched = slot;
  host.persist(r);
  for (sim::NodeId node : replication_targets(r, host.self())) send_accept(r, host, node, slot);
  if (entry.kind == EntryKind::config) refresh_lease(r, host);  // the new members' quorum counts too
  host.roles_changed(r);  // new members are sent to; the group is looked at until all have it
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
    if (m.promised > r.v.leader_ballot) {
      step_down(r, host);
      // Its next election must outbid the ballot it was refused for, whoever promised it.
      r.d.promised = std::max(r.d.promised, m.promised);
    }
    return;
  }
  if (m.ballot != r.v.leader_ballot) return;
  if (!replication_targets(r, host.self()).contains(from)) return;
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
    if (takes_effect(r.d.log.at(s), governing)) governing = r.d.log.at(s).membership();
  Slot reach = quorum_match(governing, self, own, r.v.progress);
  for (Slot s = commit + 1; s <= r.d.log.last() && s <= reach; ++s) {
    const LogEntry& entry = r.d.log.at(s);
    if (!takes_effect(entry, governing)) continue;
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
    host.owe_items(r, replication_targets(r, host.self()), false);  // members learn the commit point
  }
  apply(r, host);
  after_commit(r, host);
}

void step_down(Replica& r, Host& host) {
  const bool leading = r.v.role == Role::leader;
  const NodeList targets = leading ? replication_targets(r, host.self()) : NodeList{};
  if (leading) {
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
  r.v.avoid = {kNoNode, kNoNode};
  r.v.handoff_armed = false;
  r.v.progress.clear();
  // Its followers hear at once that it stopped leading (their node keeps hearing this one).
  if (leading) host.owe_items(r, targets, true);
  host.roles_changed(r);
  if (r.d.membership.epoch > 0 && !r.d.membership.contains(host.self())) host.drop_soon(r);  // a change removed it
}

void send_heartbeat(Replica& r, Host& host) { host.owe_items(r, replication_targets(r, host.self()), true); }

bool on_tick(Replica& r, Host& host) {
  const sim::Time now = host.now();
  const ReplicationSpec& spec = host.spec();
  switch (r.v.role) {
    case Role::leader: {
      // A leader that no quorum has granted a lease for a whole lease steps down.
      refresh_lease(r, host);
      if (now >= r.v.lease_end && now - r.v.leader_since >= spec.lease && host.bug() != PlantedBug::strong_read_by_role) {
        step_down(r, host);
        return true;
      }
      if (serving(r, host, now)) {
        // Its lease may have come only after the serve check (grants arrive with heartbeat
        // acks, which check nothing): it counts as serving from here, and is published.
        host.serving_changed(r, true);
        check_members(r, host);
      }
      if (r.d.damaged) report_damage(r, host);
      else if (host.draining()) step_aside(r, host);
      if (r.v.role != Role::leader) return true;
      // Accepts go out once: a member that acknowledged nothing new for a whole tick gets what
      // it lacks again (a bounded batch; the rest follows as it acknowledges).
      bool lagging = false;
      for (sim::NodeId node : replication_targets(r, host.self())) {
        PeerProgress& peer = r.v.progress.of(node);
        if (peer.match >= r.d.log.last()) continue;
        lagging = true;
        if (peer.match == peer.match_at_tick) {
          constexpr Slot kResendMax = 64;
          const Slot from = std::max(peer.match + 1, r.d.log.start());
          const Slot to = std::min(r.d.log.last(), from + kResendMax - 1);
          if (host.entries_intact(r, from, to))  // else damaged now: it hands off
            for (Slot s = from; s <= to; ++s) send_accept(r, host, node, s);
        }
        peer.match_at_tick = peer.match;
      }
      // Quiet once serving with every member caught up and nothing changing.
      return lagging || r.d.damaged || host.draining() || !r.v.changes.empty() || r.v.moving_to != kNoNode || !serving(r, host, now) ||
             r.d.membership.storage_mask != 0b111 || pending_config_slot(r) != 0;
    }
    case Role::follower: {
      // A damaged replica leads only if no leader came for a while: every storage member may be damaged.
      if (r.d.damaged && now - leader_heard(r, host) > spec.election_timeout() * 3) r.v.last_resort = true;
      if (r.may_lead(host.self()) && now - leader_heard(r, host) > spec.election_timeout()) suspect_leader(r, host);
      // Committed slots it cannot apply (it does not know its copies match the leader's): the
      // leader, which counted them as acknowledged, sends nothing unasked.
      const Slot matched = std::max(r.v.matched, r.d.applied);
      const bool behind = r.v.role == Role::follower && matched < r.v.commit;
      if (behind) request_catch_up(r, host, matched + 1);
      if (r.d.damaged) report_damage(r, host);
      // A follower of a live leader is looked at again only when its leader's node goes quiet.
      return behind || r.d.damaged || r.v.role != Role::follower || !follows(r, host.self());
    }
    case Role::candidate:
      return true;
  }
  return true;
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
