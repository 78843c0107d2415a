// Candidate rules: suspecting a silent leader (after asking peers), phase 1, and winning.
//
// Phase 1 must reach a quorum of every configuration that may govern a slot the candidate does
// not know to be decided: its applied membership, and the membership of every config entry the
// promises bring to light (such an entry may have committed on the old and the new membership,
// and entries after it on the new one alone). A candidate asks the new members as it finds them.
#include "models/replication/rules.h"

#include "sim/assert.h"

#include <algorithm>

namespace models::replication::rules {
namespace {

void abandon(Replica& r, Host& host) {
  r.v.election.reset();
  r.v.role = Role::follower;
  r.v.leader_contact = host.now();  // wait a whole timeout before trying again
  host.roles_changed(r);
}

// The configurations phase 1 must reach a quorum of, in slot order.
std::vector<Membership> configs_to_reach(const Replica& r) {
  std::vector<Membership> out{r.d.membership};
  const Election& e = *r.v.election;
  for (const LogEntry& entry : e.recovered)
    if (!entry.ballot.none() && takes_effect(entry, out.back())) out.push_back(entry.membership());
  return out;
}

bool won(const Replica& r) {
  const Election& e = *r.v.election;
  for (const Membership& config : configs_to_reach(r)) {
    const bool reached = is_quorum(config, [&e](sim::NodeId node) {
      return std::find(e.promised.begin(), e.promised.end(), node) != e.promised.end();
    });
    if (!reached) return false;
  }
  return true;
}

PrepareMessage prepare_of(const Replica& r, Ballot ballot) {
  return PrepareMessage{r.group, ballot, r.d.applied, r.d.membership.epoch, r.d.membership};
}

// Sends the prepare to every node of the configurations to reach that has not had it.
void ask(Replica& r, Host& host) {
  Election& e = *r.v.election;
  const PrepareMessage prepare = prepare_of(r, e.ballot);
  for (const Membership& config : configs_to_reach(r))
    for (sim::NodeId node : config.nodes) {
      if (node == kNoNode || std::find(e.asked.begin(), e.asked.end(), node) != e.asked.end()) continue;
      e.asked.push_back(node);
      if (node != host.self()) host.send(node, prepare);
    }
}

// Folds one promise in: per slot, the entry with the highest ballot wins.
void record_promise(Election& e, const Host& host, const PromiseMessage& promise, sim::NodeId from) {
  if (std::find(e.promised.begin(), e.promised.end(), from) != e.promised.end()) return;
  e.promised.push_back(from);
  // A lease need not be waited out if the candidate held it (a split child's parent leader), or
  // if it went to a leader that stepped down and handed leadership to the candidate.
  const bool held_by_candidate = promise.lease_holder != kNoNode && promise.lease_holder == e.candidate;
  const bool released = e.released != kNoNode && promise.granted_to == e.released;
  if (!held_by_candidate && !released)
    e.old_lease_end = std::max(e.old_lease_end, host.now() + outwait(host.spec(), promise.lease_remaining));
  SIM_ASSERT_OP(promise.from, ==, e.recovered_from);
  for (std::size_t i = 0; i < promise.entries.size(); ++i) {
    const LogEntry& entry = promise.entries[i];
    const std::size_t at = promise.from + i - e.recovered_from;
    if (at >= e.recovered.size()) e.recovered.resize(at + 1);  // placeholders have ballot 0 and lose to anything
    const bool adopt = host.bug() == PlantedBug::adopt_lowest_ballot
                           ? e.recovered[at].ballot.none() || entry.ballot < e.recovered[at].ballot
                           : e.recovered[at].ballot < entry.ballot;
    if (adopt) e.recovered[at] = entry;
  }
}

void send_prepare(Replica& r, Host& host) {
  // Between suspecting its leader and asking for votes (a peer check, a jittered wait, or a
  // pause of the whole node) the replica may have applied a configuration without it.
  if (!r.may_lead(host.self()) || !is_voter(r, host.self()) || host.draining()) {
    abandon(r, host);
    return;
  }
  Election& e = *r.v.election;
  e.ballot = std::max(r.d.promised, r.v.leader_ballot).next_for(host.self());
  e.recovered_from = r.d.applied + 1;
  host.election_started(r);
  // Its own promise carries only entries it has not applied, which never rot at rest.
  const PromiseMessage own = on_prepare(r, host, prepare_of(r, e.ballot), host.self());
  SIM_ASSERT_OP(static_cast<int>(own.refusal), ==, static_cast<int>(PromiseRefusal::none));
  record_promise(e, host, own, host.self());
  ask(r, host);
  host.start_timer(r, TimerKind::election_timeout, host.spec().election_timeout(), e.serial);
}

void become_leader(Replica& r, Host& host) {
  Election& e = *r.v.election;
  const sim::Time now = host.now();
  const Ballot ballot = e.ballot;
  r.v.role = Role::leader;
  r.v.leader_ballot = ballot;
  r.v.leader_node = host.self();
  r.d.promised = std::max(r.d.promised, ballot);
  r.v.serve_after = host.bug() == PlantedBug::skip_lease_wait ? now : std::max(now, e.old_lease_end);
  r.v.lease_end = now;  // no lease until quorums answer a heartbeat of this ballot
  r.v.leader_since = now;
  r.v.progress.clear();
  host.election_won(r);

  // Adopt the highest-ballot entry of every slot the promises reported, under our ballot; a
  // slot nobody had becomes a no-op.
  Slot slot = e.recovered_from;
  for (LogEntry entry : e.recovered) {
    if (entry.ballot.none()) entry = LogEntry::noop(ballot);
    entry.ballot = ballot;
    r.d.log.store(slot, entry);
    if (entry.kind == EntryKind::write) {
      // The version it will create when it applies, so this leader numbers new writes past it.
      auto pending = r.v.pending_versions.find(entry.key);
      const std::uint64_t newest =
          pending != r.v.pending_versions.end() ? pending->second : r.applied_value(entry.key).first;
      r.v.pending_versions[entry.key] = effective_version(newest, entry);
    }
    // A split recovered from the promises is in the log: nothing for its range may follow it.
    if (entry.kind == EntryKind::split && entry.key > r.d.hash_low && entry.key <= r.d.hash_high)
      r.v.splitting_at = entry.key;
    ++slot;
  }
  r.d.log.truncate_from(slot);
  r.d.log.append(LogEntry::noop(ballot));
  r.v.first_own_slot = slot;
  r.v.matched = slot;
  const Slot first = std::min(e.recovered_from, slot);
  r.v.election.reset();  // `e` is gone from here on
  for (sim::NodeId node : replication_targets(r, host.self())) {
    PeerProgress& peer = r.v.progress.of(node);
    peer.last_ack = now;
  }
  host.roles_changed(r);
  host.persist(r);
  for (sim::NodeId node : replication_targets(r, host.self()))
    for (Slot s = first; s <= slot; ++s) send_accept(r, host, node, s);
  send_heartbeat(r, host);
}

void start_election(Replica& r, Host& host, sim::NodeId released) {
  r.v.role = Role::candidate;
  r.v.election = std::make_unique<Election>();
  r.v.election->serial = host.next_serial();
  r.v.election->candidate = host.self();
  r.v.election->released = released;
  host.roles_changed(r);
}

}  // namespace

void suspect_leader(Replica& r, Host& host) {
  if (r.v.election) return;
  const sim::NodeId leader = r.v.leader_node;
  start_election(r, host, kNoNode);
  const std::uint64_t serial = r.v.election->serial;
  const ReplicationSpec& spec = host.spec();
  const auto jitter = sim::Duration::from_nanos(
      static_cast<std::int64_t>(host.random_below(static_cast<std::uint64_t>(spec.heartbeat_interval.nanos()))));
  if (spec.confirm_with_peers && leader != kNoNode) {
    // The gray-failure rule: a follower that stops hearing its leader first asks the other
    // members; one "I still hear it" cancels the election.
    for (sim::NodeId member : r.d.membership.nodes)
      if (member != host.self() && member != kNoNode && member != leader)
        host.send(member, LeaderCheckMessage{r.group, leader});
    // No answer within a heartbeat interval counts as "nobody hears it" (the peer is down too).
    host.start_timer(r, TimerKind::election_step, spec.heartbeat_interval + jitter, serial);
    return;
  }
  host.start_timer(r, TimerKind::election_step, jitter, serial);
}

void on_leader_check_reply(Replica& r, Host& host, const LeaderCheckReply& reply) {
  if (!r.v.election || !r.v.election->ballot.none()) return;
  if (reply.leader_healthy) {
    abandon(r, host);
    return;
  }
  // Every other member answered that it does not hear the leader either: elect now.
  if (std::size_t{++r.v.election->leader_check_replies} + 2 >= Membership::kSize) send_prepare(r, host);
}

void elect_now(Replica& r, Host& host, sim::NodeId released) {
  start_election(r, host, released);
  send_prepare(r, host);
}

void on_promise(Replica& r, Host& host, const PromiseMessage& m, sim::NodeId from) {
  if (!r.v.election || r.v.role != Role::candidate || m.ballot != r.v.election->ballot) return;
  switch (m.refusal) {
    case PromiseRefusal::removed:
      // A member of a newer configuration says this node left the group.
      abandon(r, host);
      host.drop_removed(r);
      return;
    case PromiseRefusal::not_voter:
    case PromiseRefusal::behind:
    case PromiseRefusal::damaged:
      // No vote, but others may still make the quorum (the time limit ends the election). A
      // quorum that did promise holds every slot the refusing replica archived.
      return;
    case PromiseRefusal::ballot:
      r.d.promised = std::max(r.d.promised, m.promised);
      abandon(r, host);
      return;
    case PromiseRefusal::none:
      break;
  }
  record_promise(*r.v.election, host, m, from);
  ask(r, host);  // the promise may have shown a configuration whose members must be asked too
  if (won(r)) become_leader(r, host);
}

void on_election_timer(Replica& r, Host& host, TimerKind kind, std::uint64_t serial) {
  if (!r.v.election || r.v.election->serial != serial) return;
  if (kind == TimerKind::election_step) {
    if (r.v.election->ballot.none()) send_prepare(r, host);
  } else {
    abandon(r, host);
  }
}

}  // namespace models::replication::rules
