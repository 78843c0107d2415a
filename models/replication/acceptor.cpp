// Acceptor and follower rules: promises, accepts, following a leader, answering heartbeats.
#include "models/replication/rules.h"

#include "sim/assert.h"

#include <algorithm>

namespace models::replication::rules {

bool is_voter(const Replica& r, sim::NodeId node) {
  if (r.d.membership.contains(node)) return true;
  for (Slot s = std::max(r.d.applied + 1, r.d.log.start()); s <= r.d.log.last(); ++s)
    if (r.d.log.at(s).kind == EntryKind::config && r.d.log.at(s).membership().contains(node)) return true;
  return false;
}

std::uint32_t newest_epoch(const Replica& r) {
  std::uint32_t epoch = r.d.membership.epoch;
  for (Slot s = std::max(r.d.applied + 1, r.d.log.start()); s <= r.d.log.last(); ++s)
    if (r.d.log.at(s).kind == EntryKind::config) epoch = std::max(epoch, r.d.log.at(s).membership().epoch);
  return epoch;
}

bool replaceable(const Replica& r, sim::NodeId node, std::uint32_t epoch) {
  return !is_voter(r, node) || newest_epoch(r) < epoch;
}

Slot acknowledged_slot(const Replica& r) { return std::min(r.d.log.persisted(), std::max(r.v.matched, r.d.applied)); }

PromiseMessage on_prepare(Replica& r, Host& host, const PrepareMessage& prepare, sim::NodeId candidate) {
  PromiseMessage out{prepare.group, prepare.ballot, r.d.promised, PromiseRefusal::none,
                     r.d.granted_lease_end, prepare.applied + 1, {}, r.d.split_lease_holder,
                     r.d.lease_granted_to};
  if (!r.d.membership.contains(candidate) && r.d.membership.epoch > prepare.epoch) {
    out.refusal = PromiseRefusal::removed;
    return out;
  }
  // Only a member of a configuration it knows votes: a replica built for a replacement that
  // never happened, or left behind by one, must not make up a quorum of an old configuration.
  if (!is_voter(r, host.self())) {
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
  // A promise is durable at once (the model writes promises without a disk delay).
  r.d.promised = prepare.ballot;
  out.promised = prepare.ballot;
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
  return out;
}

void follow(Replica& r, Host& host, Ballot ballot, sim::NodeId leader) {
  if (r.v.role == Role::leader) step_down(r, host);
  r.v.leader_ballot = ballot;
  r.v.leader_node = leader;
  r.v.matched = r.d.applied;
  if (r.v.role == Role::candidate) {
    r.v.role = Role::follower;
    r.v.election.reset();
  }
}

namespace {

void acknowledge(Replica& r, Host& host, sim::NodeId leader) {
  host.send(leader, AcceptedMessage{r.group, r.v.leader_ballot, r.d.promised, acknowledged_slot(r), true});
}

}  // namespace

void on_accept(Replica& r, Host& host, const AcceptMessage& m, sim::NodeId leader) {
  if (m.ballot < r.d.promised) {
    host.send(leader, AcceptedMessage{m.group, m.ballot, r.d.promised, 0, false});
    return;
  }
  r.d.promised = m.ballot;
  if (m.ballot != r.v.leader_ballot || r.v.leader_node != leader) follow(r, host, m.ballot, leader);
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
  r.v.matched = slot;
  if (changed) host.persist(r);
  else acknowledge(r, host, leader);
  apply(r, host);
}

HeartbeatAnswer on_heartbeat(Replica& r, Host& host, const HeartbeatItem& item, sim::Time sent, sim::NodeId leader) {
  if (item.ballot < r.d.promised) return HeartbeatAnswer{item.group, item.ballot, false, 0, item.sender_local, r.local};
  r.d.promised = item.ballot;
  if (r.v.leader_ballot != item.ballot || r.v.leader_node != leader) follow(r, host, item.ballot, leader);
  r.v.leader_contact = host.now();
  grant_lease(r, host.spec(), sent, leader);
  r.v.commit = std::max(r.v.commit, item.commit);
  apply(r, host);
  // Missing committed slots; or short of the leader's log with no progress for a whole
  // interval: accepts were lost (the leader sends each once).
  const Slot matched = std::max(r.v.matched, r.d.applied);
  if (matched < item.commit || (matched < item.last && matched == r.v.matched_at_heartbeat))
    request_catch_up(r, host, matched + 1);
  r.v.matched_at_heartbeat = matched;
  return HeartbeatAnswer{item.group, item.ballot, true, acknowledged_slot(r), item.sender_local, r.local};
}

LeaderCheckReply on_leader_check(const Replica& r, Host& host, const LeaderCheckMessage& m) {
  const bool healthy = r.v.role == Role::follower && r.v.leader_node == m.leader &&
                       host.now() - r.v.leader_contact <= host.spec().election_timeout();
  return LeaderCheckReply{m.group, healthy};
}

}  // namespace models::replication::rules
