// The consensus rules of one replica, as functions of its state, an input (a message, a timer,
// a disk completion, a tick, a request) and its Host, through which every effect goes. No kernel,
// network or disk here: the rules are tested alone (tests/models/replication/) and fuzzed with
// a host that reorders, drops and duplicates messages and crashes nodes.
//
// Where each rule lives:
//   acceptor.cpp   promises, accepts, following a leader, heartbeats as a follower, leader checks
//   candidate.cpp  suspecting the leader (the gray-failure rule), phase 1, becoming leader
//   leader.cpp     proposing, commit points (quorums of every configuration in play), stepping down
//   lease.cpp      granting and renewing leases, when a leader may serve
//   apply.cpp      disk completions, applying committed entries, splits
//   catch_up.cpp   catch-up and snapshots, both sides
//   changes.cpp    replacing members (healing, log to storage replica, moves) and the handoff
#pragma once

#include "models/replication/host.h"

#include <algorithm>
#include <functional>
#include <optional>

namespace models::replication::rules {

// ---- acceptor (acceptor.cpp) ----
// Promises `prepare.ballot` unless a higher ballot was promised, the candidate lacks entries
// this replica already trimmed (it must catch up first), or the candidate was removed from the
// group. A promise carries the entries after the candidate's applied slot and the latest lease
// this replica granted, which the new leader must wait out.
PromiseMessage on_prepare(Replica& r, Host& host, const PrepareMessage& prepare, sim::NodeId candidate);
// Accepts an entry from the leader of `message.ballot` and acknowledges it once on disk.
void on_accept(Replica& r, Host& host, const AcceptMessage& message, sim::NodeId leader);
// A heartbeat item from the leader of `item.ballot`: follow it, learn its commit point and log end
// (the lease is granted per pair of nodes, links.h); or, resigned, it stopped leading.
HeartbeatAnswer on_heartbeat(Replica& r, Host& host, const HeartbeatItem& item, sim::Time sent, sim::NodeId leader);
// `leader` restarted or resigned: the replica follows nobody until it hears a new leader.
void leader_gone(Replica& r, Host& host, sim::NodeId leader);
LeaderCheckReply on_leader_check(const Replica& r, Host& host, const LeaderCheckMessage& message);
// Starts following the leader of `ballot` (what matched the old leader proves nothing now).
void follow(Replica& r, Host& host, Ballot ballot, sim::NodeId leader);
// Whether `node` is a member of the applied configuration or of one in the replica's log.
bool is_voter(const Replica& r, sim::NodeId node);
// The newest membership epoch the replica knows of (applied, or in a config entry of its log).
std::uint32_t newest_epoch(const Replica& r);
// A replica that a replacement built from a leader of membership `epoch` may overwrite: no
// membership it knows names its node, or all it knows are older than the leader's.
bool replaceable(const Replica& r, sim::NodeId node, std::uint32_t epoch);
// What this replica acknowledges: on disk and known to match the leader's log.
Slot acknowledged_slot(const Replica& r);

// ---- candidate (candidate.cpp) ----
// The leader has been silent for an election timeout: ask peers first (gray-failure rule), then elect.
void suspect_leader(Replica& r, Host& host);
void on_leader_check_reply(Replica& r, Host& host, const LeaderCheckReply& reply);
// Elects at once; leases granted to `released` (a leader that handed over) need no waiting out.
void elect_now(Replica& r, Host& host, sim::NodeId released);
void on_promise(Replica& r, Host& host, const PromiseMessage& promise, sim::NodeId from);

// ---- leader (leader.cpp) ----
// Sends the entry at `slot` to `node` under the leader's ballot.
void send_accept(const Replica& r, Host& host, sim::NodeId node, Slot slot);
// Appends `entry` under the leader's ballot, writes it and sends it out; returns its slot.
Slot propose(Replica& r, Host& host, LogEntry entry);
// The version a new write of `key` gets: one past the newest applied or pending one.
std::uint64_t next_version(const Replica& r, std::uint64_t key);
// The version a write creates when it applies on top of `newest`: the one its leader gave it,
// or one past `newest` if that is no longer above it. (A new leader may recover, side by side,
// writes of a deposed leader that was cut off and of the leader that followed it, each numbered
// from its own view; every replica applies them in one order and numbers them alike.)
inline std::uint64_t effective_version(std::uint64_t newest, const LogEntry& e) {
  return e.version > newest ? e.version : newest + 1;
}
void on_accepted(Replica& r, Host& host, const AcceptedMessage& message, sim::NodeId from);
// Moves the commit point as far as the quorums allow and applies.
void try_commit(Replica& r, Host& host);
// The highest slot that may be committed now, by the quorums of every configuration governing
// the slots after the commit point. Pure.
Slot committable(const Replica& r, sim::NodeId self);
void step_down(Replica& r, Host& host);
// Every node the leader replicates to: members of the applied configuration and of a pending
// one, and replacement targets that installed its snapshot.
NodeList replication_targets(const Replica& r, sim::NodeId self);
// A config entry changes the membership only if it was derived from the one in force before
// its slot; otherwise (a deposed leader's change, recovered after another one) it is a no-op.
inline bool takes_effect(const LogEntry& e, const Membership& before) {
  return e.kind == EntryKind::config && e.base() == before;
}
// The first config entry in the log not applied yet that takes effect, and its slot (0: none).
Slot pending_config_slot(const Replica& r);
// Every config entry in the log not applied yet that takes effect, in slot order.
template <class F>
void for_each_unapplied_config(const Replica& r, F&& f) {
  Membership before = r.d.membership;
  for (Slot s = std::max(r.d.applied + 1, r.d.log.start()); s <= r.d.log.last(); ++s)
    if (takes_effect(r.d.log.at(s), before)) {
      before = r.d.log.at(s).membership();
      f(s, before);
    }
}
// A tick for a group the node looks at (one that changed, or whose peer went quiet): a leader
// whose lease lapsed steps down, a serving one checks its members and sends again what a
// member did not acknowledge; a follower whose leader went silent suspects it. Returns whether
// the group still needs looking at (quiet groups cost nothing per tick).
bool on_tick(Replica& r, Host& host);
// An item about this group to every target, in a heartbeat sent now (a new leader, a handoff).
void send_heartbeat(Replica& r, Host& host);

// ---- lease (lease.cpp) ----
// Follows a leader: follows its ballot, having promised nothing higher.
bool follows(const Replica& r, sim::NodeId self);
// The latest lease this replica granted a leader (and to which one): what a promise reports.
std::pair<sim::Time, sim::NodeId> granted_lease(const Replica& r, const Host& host);
// The leader's lease: quorums of the applied configuration and of every one in its log granted it.
sim::Time lease_end(const Replica& r, const Host& host);
// Recomputes the leader's lease into v.lease_end.
void refresh_lease(Replica& r, const Host& host);
// A peer started (its ballot) or stopped (none) following this leader in the group.
void on_follow_change(Replica& r, Host& host, sim::NodeId from, Ballot ballot);
// A peer's answer to this leader's heartbeat item.
void on_heartbeat_answer(Replica& r, Host& host, const HeartbeatAnswer& answer, sim::Time sent, sim::NodeId from);
// May the leader answer strongly consistent reads and take writes now? (Refreshes its lease.)
// The lease a leader counts from a heartbeat's sending, and how long a candidate waits out a
// grant that a promiser said still runs for `remaining`: the drift margins (lease.cpp).
sim::Duration leader_lease(const ReplicationSpec& spec);
sim::Duration outwait(const ReplicationSpec& spec, sim::Duration remaining);
bool serving(Replica& r, const Host& host, sim::Time now);
// Starts serving if it may, or wakes up when the old lease is over.
void check_serving(Replica& r, Host& host);
// When the replica last heard its leader (its messages, or its node's heartbeats).
sim::Time leader_heard(const Replica& r, const Host& host);
// Eventually consistent reads: any storage member that follows a live leader and applied what it
// knows is committed (a replica just back from power-off first catches up).
bool serves_eventual(const Replica& r, const Host& host, sim::Time now, sim::Duration leader_silence_max);

// ---- applying (apply.cpp) ----
// The disk finished the log's writes up to `write`.
void on_written(Replica& r, Host& host, std::uint64_t write);
// What on_written would send the leader if every write made so far landed now: a follower of a
// leader on another node acknowledges what its log holds that matches the leader's. Nothing for
// a leader, a candidate or a follower without a leader (their landings need on_written itself).
std::optional<AcceptedMessage> accepted_once_written(const Replica& r, const Host& host);
// Applies committed entries that are on disk and match the leader, in slot order.
void apply(Replica& r, Host& host);
// A split child's replica starts as a follower under its parent's promise and lease.
void start_split_child(Replica& child, const Replica& parent, sim::NodeId self);
void on_split_request(Replica& r, Host& host, std::uint64_t at_hash, GroupId child);

// ---- catch-up (catch_up.cpp) ----
void request_catch_up(Replica& r, Host& host, Slot from);
// The leader's answer, sent after `copying` (a snapshot takes as long as replaying the archive).
void on_catch_up_request(Replica& r, Host& host, const CatchUpRequest& request, sim::NodeId from);
void on_catch_up(Replica& r, Host& host, CatchUpMessage& message, sim::NodeId from);
// The leader's state as of its applied slot, with its log after it (items if `with_items`).
CatchUpMessage snapshot_of(const Replica& r, bool with_items, bool archiving);

// ---- membership changes (changes.cpp) ----
// A serving leader checks its members: a silent one is replaced, a log replica rebuilt as storage.
void check_members(Replica& r, Host& host);
void on_replica_ready(Replica& r, Host& host, const ReplicaReadyMessage& message, sim::NodeId from);
void on_snapshot_installed(Replica& r, Host& host, const SnapshotInstalledMessage& message, sim::NodeId from);
// A config entry applied: finish the change it was, start the next step, or leave the group.
void config_applied(Replica& r, Host& host, Slot slot);
// The control plane asks the leader to move its replica to `target` (same AZ, holding none).
void on_move_request(Replica& r, Host& host, sim::NodeId target);
void on_leadership_transfer(Replica& r, Host& host, const LeadershipTransferMessage& message, sim::NodeId from);
// The leader gives a replacement up (deadline, or stepping down before proposing it).
void give_up(const Replica& r, Host& host, const Change& change);
// `node` is no replacement target for `r` while its leadership lasts (it refused, or timed out).
void avoid(Replica& r, sim::NodeId node);
// A write may not be taken now: the leader proposed the change that removes it.
bool moving_out(const Replica& r);
// After a commit: a leader that a committed change removed hands off once it may.
void after_commit(Replica& r, Host& host);
// A damaged replica (d.damaged) gets itself replaced: as leader it hands leadership to its most
// caught-up storage member first (a damaged replica never leads); as follower it asks its leader.
// Called when the damage is found and at every tick until a change removes it.
void report_damage(Replica& r, Host& host);
// The node is draining for a restart (Host::draining): a leader hands leadership to its most
// caught-up healthy storage member, so the group does not wait out its lease. Not while a change
// is in flight; the tick asks again.
void step_aside(Replica& r, Host& host);
// A member says its replica is damaged: a serving leader replaces it (a storage replica built
// from the leader's snapshot on another node of its AZ).
void on_replica_damaged(Replica& r, Host& host, sim::NodeId from);

// ---- timers ----
void on_timer(Replica& r, Host& host, TimerKind kind, std::uint64_t token);
// Per owner (on_timer dispatches): candidate.cpp, lease.cpp, changes.cpp.
void on_election_timer(Replica& r, Host& host, TimerKind kind, std::uint64_t serial);
void on_serve_timer(Replica& r, Host& host, std::uint64_t ballot);
void on_change_timer(Replica& r, Host& host, TimerKind kind, std::uint64_t token);

}  // namespace models::replication::rules
