// The seam between the consensus rules and the node that runs them. The rules (acceptor,
// candidate, leader, lease, changes: models/replication/rules/) never touch the kernel, the
// network or the disk: they change a replica's state and ask their Host, in order, for every
// effect (send this, write the log, wake me then) and tell it what happened (these slots were
// applied, the leadership ended). A storage node is the Host in a simulation; the fuzz test of
// the rules is another, which delivers, drops, duplicates and reorders at will.
#pragma once

#include "models/planted_bug.h"
#include "models/replication/messages.h"
#include "models/replication/replica.h"
#include "models/scenario.h"

namespace models::replication {

using models::PlantedBug;

enum class TimerKind : std::uint8_t {
  election_step,     // the gray-failure check is over (or the jitter before a prepare)
  election_timeout,  // phase 1 took too long: give up
  serve_check,       // the old lease is over: start serving
  handoff_deadline,  // a move's new replica did not catch up in time: hand off anyway
  change_deadline,   // a replacement's copy or install did not finish: give up
  snapshot_retry,    // a replacement's snapshot was not acknowledged: send it again
};

// Told what changes replica state, so the safety monitors can check it (they never change it).
class Observer {
 public:
  virtual void applying(sim::NodeId node, const Replica& r, Slot from, Slot to) = 0;
  virtual void committed(sim::NodeId node, const Replica& r, Slot from, Slot to) = 0;
  virtual void acknowledged(sim::NodeId node, const Replica& r, Slot slot) = 0;
  virtual void served(sim::NodeId node, const Replica& r) = 0;
  virtual void released(sim::NodeId node, const Replica& r) = 0;
  virtual void snapshot_installed(sim::NodeId node, const Replica& r) = 0;
  virtual void replica_dropped(GroupId group, sim::NodeId node) = 0;

 protected:
  ~Observer() = default;
};

class Host {
 public:
  virtual sim::NodeId self() const = 0;
  virtual sim::Time now() const = 0;
  virtual const ReplicationSpec& spec() const = 0;
  virtual PlantedBug bug() const { return PlantedBug::none; }
  // The node is about to restart for a deployment: its leaders step aside, it stands for nothing.
  virtual bool draining() const { return false; }
  // The log format this node's build writes: a leader stamps every entry it proposes.
  virtual std::uint8_t writes_format() const { return 1; }
  virtual Observer* observer() = 0;
  // A uniform draw in [0, n) from the node's stream (election jitter).
  virtual std::uint64_t random_below(std::uint64_t n) = 0;
  // A number never handed out before on this node (election serials, replacement attempts).
  virtual std::uint64_t next_serial() = 0;

  // ---- effects ----
  virtual void send(sim::NodeId to, Message message) = 0;
  // The same, once `delay` has passed (a snapshot sent when its copy is done).
  virtual void send_after(sim::Duration delay, sim::NodeId to, Message message) = 0;
  // Write the replica's log through its newest write; when the disk is done, call
  // rules::on_written with that write. Or, for a follower (rules::accepted_once_written), send
  // that answer when the disk is done and hand the write to the log (Wal::hand), which the host
  // settles before the rules read it again; the rules then ask for apply_when_landed.
  virtual void persist(Replica& r) = 0;
  // `r` has committed slots that writes handed to the disk will let it apply: call rules::apply
  // once the newest of them has landed (nothing if the host always calls on_written).
  virtual void apply_when_landed(const Replica& r) = 0;
  // Call rules::on_timer(r, kind, token) after `delay`, unless the node loses power first.
  virtual void start_timer(const Replica& r, TimerKind kind, sim::Duration delay, std::uint64_t token) = 0;
  // Ask the host to make the child replicas of the splits `r` staged.
  virtual void splits_staged(Replica& r) = 0;
  // Drop this replica soon (a committed change removed this node from the group).
  virtual void drop_soon(const Replica& r) = 0;
  // Drop it soon whatever it believes: a member of a newer configuration said it was removed.
  virtual void drop_removed(const Replica& r) = 0;

  // ---- what happened ----
  // Slots [from, to] were applied, in order (writes may be acknowledged; configs published).
  virtual void applied(Replica& r, Slot from, Slot to) = 0;
  // The leader starts or stops serving strongly consistent requests.
  virtual void serving_changed(Replica& r, bool serving) = 0;
  // The leadership (or candidacy) ended: requests waiting for it fail.
  virtual void leadership_ended(Replica& r) = 0;
  virtual void election_started(const Replica& r) = 0;
  virtual void election_won(const Replica& r) = 0;
  // A replacement's config applied: a log replica holds the seat, or a storage replica does.
  virtual void replacement_done(const Replica& r, const Change& change) = 0;
  // A move handed leadership over (from this node to `to`).
  virtual void handed_off(const Replica& r, sim::NodeId to) = 0;

  // ---- the node's links (links.h): leases and contact per pair of nodes ----
  virtual sim::Time granted_to(sim::NodeId leader) const = 0;  // the lease this node last granted `leader`
  virtual sim::Time granted_by(sim::NodeId peer) const = 0;    // the lease `peer` last granted this node
  virtual sim::Time heard_from(sim::NodeId leader) const = 0;  // its last heartbeat here
  virtual sim::Time acked_by(sim::NodeId peer) const = 0;      // its last answer to a heartbeat
  // The replica's role, leader, promise or configurations may have changed: the links register
  // it anew (what it follows, what it leads), and the node looks at it at its next tick.
  virtual void roles_changed(Replica& r) = 0;
  // `peers` are owed an item about `r`'s group in their next heartbeat (its commit point moved,
  // or its leadership started or ended); `soon`: send them a heartbeat now.
  virtual void owe_items(const Replica& r, const NodeList& peers, bool soon) = 0;

  // ---- what the leader asks the control plane ----
  // A node of `member`'s AZ that can take a new replica of `r`'s group, or kNoNode.
  virtual sim::NodeId replacement_for(const Replica& r, sim::NodeId member) = 0;
  // How long copying a replacement takes (the unarchived log tail, plus the partition for a
  // storage replica), and how long replaying `entries` archived log entries takes.
  virtual sim::Duration copy_time(const Replica& r, bool storage) const = 0;
  virtual sim::Duration replay_time(const Replica& r, Slot entries) const = 0;
  // Continuous verification. The value the node's code stores for a write entry it applies (a
  // buggy build may store another), and a scrub marker applied at `slot`.
  virtual WriteId stored_value(const Replica& r, const LogEntry& e) {
    (void)r;
    return e.write;
  }
  virtual void scrub_applied(Replica& r, Slot slot) { (void)r, (void)slot; }
  // Before its items are copied: false if the replica is damaged, or (page checksums) a page
  // fails its checksum now, which marks it damaged.
  virtual bool items_intact(Replica& r) { return !r.d.damaged; }
  // Before the log entries from..to (those it holds) are read to be sent or replayed: false if
  // one fails its checksum (bit rot), which marks the replica damaged.
  virtual bool entries_intact(Replica& r, Slot from, Slot to) {
    (void)r, (void)from, (void)to;
    return true;
  }
  // A damaged replica leads as the last resort (no healthy member took over): an alarm.
  virtual void damaged_leader(const Replica& r) { (void)r; }

 protected:
  ~Host() = default;
};

}  // namespace models::replication
