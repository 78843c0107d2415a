// Membership changes, driven by the leader: replacing a silent member (with a log replica, then a
// storage replica, or a storage replica at once), rebuilding a log replica as a storage replica,
// and moving the leader's own replica to another node, ended by a handoff.
//
// Each is a small state machine: the target copies (copying), installs the leader's snapshot and
// acknowledges it (installing; the snapshot is sent again until it is), then the leader proposes
// the config entry (proposed) once no other change is in the log. The target learns the log as
// a joining node and counts as a member only once the entry applies; the entry commits on
// quorums of the old and of the new membership. A change whose copy or install does not finish
// by its deadline is given up; the next check starts it over.
#include "models/replication/rules.h"

#include "sim/assert.h"

#include <algorithm>

namespace models::replication::rules {
namespace {

Change* find_change(Replica& r, sim::NodeId target, std::uint64_t attempt, Change::Step step) {
  for (Change& c : r.v.changes)
    if (c.target == target && c.attempt == attempt && c.step == step) return &c;
  return nullptr;
}

void start_change(Replica& r, Host& host, Change::Kind kind, sim::NodeId replaced, sim::NodeId target, bool storage,
                  sim::Time detected) {
  Change c;
  c.kind = kind;
  c.replaced = replaced;
  c.target = target;
  c.storage = storage;
  c.attempt = static_cast<std::uint32_t>(host.next_serial());
  c.detected = detected;
  const sim::Duration copy = host.copy_time(r, storage);
  const sim::Duration deadline = copy * 2 + host.spec().election_timeout() * 4;
  c.deadline = host.now() + deadline;
  host.send(target, BuildReplicaMessage{r.group, r.table, r.v.leader_ballot, storage, c.attempt, r.d.membership.epoch,
                                         kind == Change::Kind::make_storage, copy});
  host.start_timer(r, TimerKind::change_deadline, deadline, c.attempt);
  // Bounded: one change per seat (a move excludes the others).
  SIM_ASSERT_OP(r.v.changes.size(), <, Membership::kSize);
  r.v.changes.push_back(c);
}

void send_snapshot(Replica& r, Host& host, const Change& c) {
  // A damaged replica's items are copied nowhere: the change waits for a healthy leader (or its
  // deadline). With page checksums the copy reads every page, and finds rot it had not seen.
  // Every copy carries the unarchived log, whose entries are checked as they are read.
  if (c.storage ? !host.items_intact(r) : !host.entries_intact(r, r.d.archived + 1, r.d.log.last())) return;
  CatchUpMessage snapshot = snapshot_of(r, c.storage, host.spec().archiving);
  snapshot.make_storage = c.storage;
  snapshot.attempt = c.attempt;
  host.send(c.target, std::move(snapshot));
  host.start_timer(r, TimerKind::snapshot_retry, host.spec().election_timeout(), c.attempt);
}

// Proposes the config entry of the first installed change, if no change is in the log now.
void maybe_propose(Replica& r, Host& host) {
  if (r.v.role != Role::leader || pending_config_slot(r) != 0 || !r.is_member(host.self())) return;
  for (const Change& c : r.v.changes)
    if (c.step == Change::Step::proposed) return;
  for (auto it = r.v.changes.begin(); it != r.v.changes.end(); ++it) {
    if (it->step != Change::Step::installed) continue;
    Membership next = r.d.membership;
    const std::size_t seat = next.index_of(it->replaced);
    const bool stale = seat == Membership::kSize || (it->kind != Change::Kind::make_storage && next.contains(it->target));
    if (stale) {  // the membership moved on under it
      if (it->kind == Change::Kind::move) r.v.moving_to = kNoNode;
      r.v.changes.erase(it);
      return maybe_propose(r, host);
    }
    next.nodes[seat] = it->target;
    if (it->storage) next.storage_mask = static_cast<std::uint8_t>(next.storage_mask | (1u << seat));
    else next.storage_mask = static_cast<std::uint8_t>(next.storage_mask & ~(1u << seat));
    ++next.epoch;
    it->step = Change::Step::proposed;
    Change& proposed = *it;
    proposed.config_slot = propose(r, host, LogEntry::config(r.v.leader_ballot, r.d.membership, next));
    return;
  }
}

// The leader hands leadership to its healthy storage member that has the most of its log (one
// that answered within an election timeout, damaged by no report); false if there is none.
bool hand_to_best_member(Replica& r, Host& host) {
  sim::NodeId best = kNoNode;
  Slot best_match = 0;
  for (sim::NodeId member : r.d.membership.nodes) {
    if (member == host.self() || member == kNoNode || !r.d.membership.is_storage_node(member)) continue;
    const PeerProgress* peer = r.v.progress.find(member);
    if (peer == nullptr || !peer->follows || peer->damaged ||
        host.now() - std::max(peer->last_ack, host.acked_by(member)) > host.spec().election_timeout())
      continue;
    if (best == kNoNode || peer->match > best_match) {
      best = member;
      best_match = peer->match;
    }
  }
  if (best == kNoNode) return false;
  const LeadershipTransferMessage transfer{r.group, r.v.leader_ballot, r.v.commit};
  send_heartbeat(r, host);
  step_down(r, host);  // before telling it: this node serves nothing under its lease from here
  host.handed_off(r, best);
  host.send(best, transfer);
  return true;
}

void hand_off(Replica& r, Host& host) {
  const sim::NodeId to = r.v.moving_to;
  const LeadershipTransferMessage transfer{r.group, r.v.leader_ballot, r.v.commit};
  // The members learn the commit point (the change that removed this node included), so none
  // keeps following a leader that is gone.
  send_heartbeat(r, host);
  // Stepping down before telling anyone: from here on this node serves nothing under its lease,
  // so the node it tells may lead without waiting that lease out.
  if (host.bug() != PlantedBug::handoff_keeps_leading) step_down(r, host);
  if (to == kNoNode) return;
  host.handed_off(r, to);
  host.send(to, transfer);
}

// The leader applied the change that removed it: once the node it moved to has every entry (or
// a deadline passed), it hands off; removed without a move, it just steps down.
void maybe_hand_off(Replica& r, Host& host) {
  const sim::NodeId to = r.v.moving_to;
  const PeerProgress* peer = to == kNoNode ? nullptr : r.v.progress.find(to);
  if (to == kNoNode || (peer != nullptr && peer->match >= r.d.log.last())) return hand_off(r, host);
  if (r.v.handoff_armed) return;
  r.v.handoff_armed = true;
  send_heartbeat(r, host);  // it learns the commit point now and asks for what it lacks
  host.start_timer(r, TimerKind::handoff_deadline, host.spec().election_timeout(), r.v.leader_ballot.raw());
}

}  // namespace

void avoid(Replica& r, sim::NodeId node) {
  if (r.v.avoid[0] == node) return;
  r.v.avoid[1] = r.v.avoid[0];
  r.v.avoid[0] = node;
}

void give_up(const Replica& r, Host& host, const Change& c) {
  // A target that is no member (not a log replica being rebuilt) drops what it built.
  if (c.kind != Change::Kind::make_storage) host.send(c.target, AbandonReplicaMessage{r.group});
}

bool moving_out(const Replica& r) {
  for (const Change& c : r.v.changes)
    if (c.kind == Change::Kind::move && c.step == Change::Step::proposed) return true;
  return false;
}

void check_members(Replica& r, Host& host) {
  // No healing while it moves itself, nor from a damaged replica (it would copy its damage).
  if (!r.is_member(host.self()) || r.v.moving_to != kNoNode || r.d.damaged) return;
  const sim::Time now = host.now();
  const ReplicationSpec& spec = host.spec();
  for (sim::NodeId member : r.d.membership.nodes) {
    if (member == host.self() || member == kNoNode) continue;
    const PeerProgress* peer = r.v.progress.find(member);
    const sim::Time heard = std::max(peer != nullptr ? peer->last_ack : r.v.leader_since, host.acked_by(member));
    auto change = std::find_if(r.v.changes.begin(), r.v.changes.end(), [member](const Change& c) { return c.replaced == member; });
    if (now - heard > spec.election_timeout()) {
      // The log replica being rebuilt as storage died itself: replace it instead.
      if (change != r.v.changes.end() && change->kind == Change::Kind::make_storage && change->step != Change::Step::proposed) {
        r.v.changes.erase(change);
        change = r.v.changes.end();
      }
      if (change != r.v.changes.end()) continue;
      const sim::NodeId target = host.replacement_for(r, member);
      if (target != kNoNode) start_change(r, host, Change::Kind::heal, member, target, !spec.log_replicas, now);
    } else if (!r.d.membership.is_storage_node(member) && change == r.v.changes.end()) {
      // A log replica holds the quorum but no storage replica is being built on it (its node
      // restarted, or this leader is new): build it now.
      start_change(r, host, Change::Kind::make_storage, member, member, true, now);
    }
  }
}

void on_replica_ready(Replica& r, Host& host, const ReplicaReadyMessage& m, sim::NodeId from) {
  if (r.v.role != Role::leader) return;
  Change* c = find_change(r, from, m.attempt, Change::Step::copying);
  if (c == nullptr) return;
  if (m.refused) {
    // The target is a voter of a newer membership: this leader is behind, and the node is no
    // target for it. Nothing was built there to abandon; the next check picks another node.
    SIM_ASSERT(c->kind != Change::Kind::make_storage);  // a member never refuses its own rebuild
    avoid(r, from);
    if (c->kind == Change::Kind::move) r.v.moving_to = kNoNode;
    r.v.changes.erase(r.v.changes.begin() + (c - r.v.changes.data()));
    return;
  }
  c->step = Change::Step::installing;
  send_snapshot(r, host, *c);
}

void on_snapshot_installed(Replica& r, Host& host, const SnapshotInstalledMessage& m, sim::NodeId from) {
  if (r.v.role != Role::leader) return;
  Change* c = find_change(r, from, m.attempt, Change::Step::installing);
  if (c == nullptr) return;
  c->step = Change::Step::installed;
  PeerProgress& peer = r.v.progress.of(from);
  peer.match = std::max(peer.match, m.applied);
  peer.last_ack = host.now();
  host.roles_changed(r);  // a target now: sent to, and its node heartbeated
  // The new replica follows the log from here: send it what came after its snapshot.
  // (Not if an entry fails its checksum: damaged now, it hands off, and the next leader sends.)
  if (host.entries_intact(r, m.applied + 1, r.d.log.last()))
    for (Slot slot = m.applied + 1; slot <= r.d.log.last(); ++slot)
      if (r.d.log.has(slot)) host.send(from, AcceptMessage{r.group, r.v.leader_ballot, slot, r.v.commit, r.d.log.at(slot)});
  maybe_propose(r, host);
}

void config_applied(Replica& r, Host& host, Slot slot) {
  if (r.v.role != Role::leader) {
    host.roles_changed(r);
    if (r.d.membership.epoch > 0 && !r.is_member(host.self()) && r.v.role == Role::follower) host.drop_soon(r);
    return;
  }
  refresh_lease(r, host);
  for (auto it = r.v.changes.begin(); it != r.v.changes.end(); ++it) {
    if (it->step != Change::Step::proposed || it->config_slot != slot) continue;
    const Change done = *it;
    r.v.changes.erase(it);
    host.replacement_done(r, done);
    // The log replica holds the write quorum; now rebuild a full storage replica there.
    if (done.kind == Change::Kind::heal && !done.storage)
      start_change(r, host, Change::Kind::make_storage, done.target, done.target, true, done.detected);
    break;
  }
  r.v.progress.keep_only(replication_targets(r, host.self()));
  host.roles_changed(r);
  if (!r.is_member(host.self())) return maybe_hand_off(r, host);
  maybe_propose(r, host);
}

void on_move_request(Replica& r, Host& host, sim::NodeId target) {
  if (!serving(r, host, host.now()) || r.v.splitting_at != 0 || r.d.has_staged_splits() ||
      !r.v.changes.empty() || pending_config_slot(r) != 0 || r.d.membership.contains(target))
    return;
  r.v.moving_to = target;
  start_change(r, host, Change::Kind::move, host.self(), target, true, host.now());
}

void on_leadership_transfer(Replica& r, Host& host, const LeadershipTransferMessage& m, sim::NodeId from) {
  // What the old leader committed, this node has (it was caught up first): apply it, the
  // change that made this node a member included.
  if (r.v.leader_node == from && r.v.leader_ballot == m.ballot) {
    r.v.commit = std::max(r.v.commit, m.commit);
    apply(r, host);
  }
  if (!r.may_lead(host.self()) || r.v.role != Role::follower || r.v.election || host.draining()) return;
  r.v.transferred_from = from;
  elect_now(r, host, from);
}

void after_commit(Replica& r, Host& host) {
  if (r.v.role == Role::leader && r.d.membership.epoch > 0 && !r.is_member(host.self())) maybe_hand_off(r, host);
}

void report_damage(Replica& r, Host& host) {
  if (!r.d.damaged || !r.is_member(host.self())) return;
  if (r.v.role == Role::follower) {
    if (r.v.leader_node != kNoNode && r.v.leader_node != host.self()) host.send(r.v.leader_node, ReplicaDamagedMessage{r.group});
    return;
  }
  if (r.v.role != Role::leader || r.v.moving_to != kNoNode || pending_config_slot(r) != 0) return;
  // Just elected (a last resort): its members' damage reports, sent every tick, come first, so
  // it does not hand off to a member as damaged as itself, which could not take over.
  if (host.now() - r.v.leader_since < host.spec().heartbeat_interval * 2) return;
  if (hand_to_best_member(r, host)) return;
  // No healthy member to hand to: it leads on as the last resort (serving the pages that check
  // out) until one follows it.
  if (!r.v.last_resort) {
    r.v.last_resort = true;
    host.damaged_leader(r);
  }
}

void step_aside(Replica& r, Host& host) {
  if (r.v.role != Role::leader || r.v.moving_to != kNoNode || pending_config_slot(r) != 0) return;
  hand_to_best_member(r, host);
}

void on_replica_damaged(Replica& r, Host& host, sim::NodeId from) {
  if (r.v.role != Role::leader || from == host.self() || !r.is_member(from)) return;
  r.v.progress.of(from).damaged = true;
  if (r.d.damaged || r.v.moving_to != kNoNode || !serving(r, host, host.now())) return;
  if (std::any_of(r.v.changes.begin(), r.v.changes.end(), [from](const Change& c) { return c.replaced == from; })) return;
  const sim::NodeId target = host.replacement_for(r, from);
  if (target != kNoNode) start_change(r, host, Change::Kind::heal, from, target, true, host.now());
}

void on_change_timer(Replica& r, Host& host, TimerKind kind, std::uint64_t token) {
  if (r.v.role != Role::leader) return;
  if (kind == TimerKind::handoff_deadline) {
    if (r.v.leader_ballot.raw() == token && !r.is_member(host.self())) hand_off(r, host);
    return;
  }
  auto it = std::find_if(r.v.changes.begin(), r.v.changes.end(), [token](const Change& c) { return c.attempt == token; });
  if (it == r.v.changes.end()) return;
  if (kind == TimerKind::snapshot_retry) {
    if (it->step == Change::Step::installing) send_snapshot(r, host, *it);
    return;
  }
  if (it->step == Change::Step::proposed) return;  // in the log: it commits or a new leader finishes it
  if (it->kind == Change::Kind::move) r.v.moving_to = kNoNode;  // given up; the control plane may ask again
  if (it->kind == Change::Kind::heal) avoid(r, it->target);     // dead, or too slow: heal elsewhere
  give_up(r, host, *it);
  r.v.changes.erase(it);
}

}  // namespace models::replication::rules
