// Acceptor and follower rules: promises, accepts, following a leader, answering heartbeats.
#include "models/replication/rules.h"

#include "sim/assert.h"

#include <algorithm>

namespace models::replication::rules {

bool is_voter(const Replica& r, sim::NodeId node) {
  // A membership no newer than what a dropped replica of this node knew counted that replica,
  // whose promises and accepts this one never saw.
  const auto counts = [&r, node](const Membership& m) { return m.contains(node) && m.epoch > r.d.forgotten_epoch; };
  bool voter = counts(r.d.membership);
  for_each_unapplied_config(r, [&](Slot, const Membership& m) { voter = voter || counts(m); });
  return voter;
}

std::uint32_t newest_epoch(const Replica& r) {
  std::uint32_t epoch = r.d.membership.epoch;
  for_each_unapplied_config(r, [&](Slot, const Membership& m) { epoch = m.epoch; });
  return std::max(epoch, r.d.forgotten_epoch);
}

bool replaceable(const Replica& r, sim::NodeId node, std::uint32_t epoch) {
  return !is_voter(r, node) || newest_epoch(r) < epoch;
}

Slot acknowledged_slot(const Replica& r) { return std::min(r.d.log.persisted(), std::max(r.v.matched, r.d.applied)); }

PromiseMessage on_prepare(Replica& r, Host& host, const PrepareMessage& prepare, sim::NodeId candidate) {
  const auto [granted_end, granted_to] = granted_lease(r, host);
  const sim::Duration remaining = std::max(sim::Duration::zero(), granted_end - host.now());
  PromiseMessage out{prepare.group, prepare.ballot, r.d.promised, PromiseRefusal::none,
                     remaining, prepare.applied + 1, {}, r.d.split_lease_holder, granted_to};
  if (!r.d.membership.contains(candidate) && r.d.membership.epoch > prepare.epoch) {
    out.refusal = PromiseRefusal::removed;
    return out;
  }
  // Only a member of a configuration it knows votes: a replica built for a replacement that
  // never happened, or left behind by one, must not make up a quorum of an old configuration.
  // A committed configuration the candidate applied counts as known to the replica built for it:
  // one that installed its snapshot (from the configuration before, epoch one lower) votes there
  // while its own log still lags behind the change that added it (else two such laggards leave a
  // group without a leader for good; found by scenarios/nemesis_leases.json). A newer change a
  // quorum of it accepted shows up in the promises, so the candidate must reach that one too. An
  // empty replica never votes: it may be a dropped member built again, which forgot what it
  // accepted (a vote by it broke agreement in the same sweep).
  const bool in_committed = r.d.applied > 0 && newest_epoch(r) + 1 == prepare.membership.epoch &&
                            prepare.membership.contains(host.self());
  if (!is_voter(r, host.self()) && !in_committed) {
    out.refusal = PromiseRefusal::not_voter;
    return out;
  }
  if (prepare.ballot <= r.d.promised) {
    out.refusal = PromiseRefusal::ballot;
    return out;
  }
  // Slots this replica trimmed are applied here, so committed: a candidate without them would
  // lose them. It must catch up before it can lead.
  if (r.d.log.start() > prepare.applied + 1) {
    out.refusal = PromiseRefusal::behind;
    return out;
  }
  // The promise carries the log from `from`: an entry failing its checksum there (bit rot) makes
  // the replica damaged, and it does not vote until it is replaced (no promise is always safe).
  if (!host.entries_intact(r, out.from, r.d.log.last())) {
    out.refusal = PromiseRefusal::damaged;
    return out;
  }
  // A promise is durable at once (the model writes promises without a disk delay). From here on
  // this replica follows no leader of a lower ballot: its node's grants no longer cover it.
  r.d.promised = prepare.ballot;
  out.promised = prepare.ballot;
  if (host.bug() != PlantedBug::promise_without_entries || candidate == host.self())
    for (Slot slot = std::max(out.from, r.d.log.start()); slot <= r.d.log.last(); ++slot)
      out.entries.push_back(r.d.log.at(slot));
  if (candidate != host.self()) {
    if (r.v.role == Role::leader) step_down(r, host);
    else if (r.v.role == Role::candidate) {
      r.v.election.reset();
      r.v.role = Role::follower;
      r.v.leader_contact = host.now();
    }
  }
  host.roles_changed(r);
  return out;
}

void follow(Replica& r, Host& host, Ballot ballot, sim::NodeId leader) {
  if (r.v.role == Role::leader) step_down(r, host);
  r.v.last_resort = false;  // there is a leader again
  r.v.leader_ballot = ballot;
  r.v.leader_node = leader;
  // What it holds of this ballot matches the leader's log (a leader gives a slot one value);
  // what it applied is committed. Beyond that, nothing is known to match.
  r.v.matched = r.d.applied;
  while (r.d.log.has(r.v.matched + 1) && r.d.log.at(r.v.matched + 1).ballot == ballot) ++r.v.matched;
  if (r.v.role == Role::candidate) {
    r.v.role = Role::follower;
    r.v.election.reset();
  }
  host.roles_changed(r);
}

void leader_gone(Replica& r, Host& host, sim::NodeId leader) {
  if (r.v.role != Role::follower || r.v.leader_node != leader) return;
  r.v.leader_node = kNoNode;
  r.v.leader_contact = host.now();  // a whole timeout before it elects: the old lease may run
  host.roles_changed(r);
}

namespace {

void acknowledge(Replica& r, Host& host, sim::NodeId leader) {
  host.send(leader, AcceptedMessage{.ballot = r.v.leader_ballot, .promised = r.d.promised, .persisted = acknowledged_slot(r), .group = r.group, .ok = true});
}

}  // namespace

void on_accept(Replica& r, Host& host, const AcceptMessage& m, sim::NodeId leader) {
  if (m.ballot < r.d.promised && host.bug() != PlantedBug::accept_lower_ballot) {
    host.send(leader, AcceptedMessage{.ballot = m.ballot, .promised = r.d.promised, .persisted = 0, .group = m.group, .ok = false});
    return;
  }
  const bool raised = m.ballot > r.d.promised;
  r.d.promised = m.ballot;
  if (m.ballot != r.v.leader_ballot || r.v.leader_node != leader) follow(r, host, m.ballot, leader);
  else if (raised) host.roles_changed(r);
  r.v.commit = std::max(r.v.commit, m.commit);
  r.v.leader_contact = host.now();
  const Slot slot = m.slot;
  if (slot <= r.d.applied) {  // a chosen value re-proposed: this replica has it already
    r.v.matched = std::max(r.v.matched, slot);
    acknowledge(r, host, leader);
    return;
  }
  if (slot > std::max(r.v.matched, r.d.applied) + 1) {  // a gap: what came before is missing
    request_catch_up(r, host, std::max(r.v.matched, r.d.applied) + 1);
    return;
  }
  // The same value stays with everything after it (a duplicate, or a re-proposal under this
  // ballot); another value replaces a deposed leader's entry and what followed it.
  const bool changed = r.d.log.store(slot, m.entry);
  // The receiver's side: the slot now holds the leader's value, under a ballot no lower than
  // the one that carried it, and everything up to it matches the leader's log.
  SIM_ASSERT(r.d.log.at(slot).same_value(m.entry));
  SIM_ASSERT(r.d.log.at(slot).ballot >= m.entry.ballot);
  // Never lowered by a reordered older accept: a leader gives a slot one value, so what matched
  // past `slot` still does, unless the store dropped it (then the log ends at `slot`). Lowered, a
  // follower of a quiet leader keeps committed slots it never applies (no tick asks for them).
  r.v.matched = std::min(std::max(r.v.matched, slot), r.d.log.last());
  if (changed) host.persist(r);
  else acknowledge(r, host, leader);
  apply(r, host);
}

HeartbeatAnswer on_heartbeat(Replica& r, Host& host, const HeartbeatItem& item, sim::Time, sim::NodeId leader) {
  HeartbeatAnswer no{item.group, item.ballot, false, 0, item.sender_local, r.local};
  if (item.resigned) {
    if (r.v.leader_ballot == item.ballot) leader_gone(r, host, leader);
    return no;
  }
  if (item.ballot < r.d.promised) return no;
  const bool raised = item.ballot > r.d.promised;
  r.d.promised = item.ballot;
  if (r.v.leader_ballot != item.ballot || r.v.leader_node != leader) follow(r, host, item.ballot, leader);
  else if (raised) host.roles_changed(r);
  r.v.leader_contact = host.now();
  r.v.commit = std::max(r.v.commit, item.commit);
  apply(r, host);
  // Missing committed slots; or short of the leader's log with no progress since the last item:
  // accepts were lost.
  const Slot matched = std::max(r.v.matched, r.d.applied);
  if (matched < item.commit || (matched < item.last && matched == r.v.matched_at_heartbeat))
    request_catch_up(r, host, matched + 1);
  r.v.matched_at_heartbeat = matched;
  return HeartbeatAnswer{item.group, item.ballot, true, acknowledged_slot(r), item.sender_local, r.local};
}

LeaderCheckReply on_leader_check(const Replica& r, Host& host, const LeaderCheckMessage& m) {
  // Only what it really heard counts: not the back-off of an election it gave up.
  const bool healthy = follows(r, host.self()) && r.v.leader_node == m.leader &&
                       host.now() - host.heard_from(m.leader) <= host.spec().election_timeout();
  return LeaderCheckReply{m.group, healthy};
}

}  // namespace models::replication::rules
