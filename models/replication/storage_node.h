// A storage node: hosts replicas of many groups from many tables and is the only code between
// them and the kernel. It delivers messages, timers, disk completions and ticks to the consensus
// rules (rules.h) and carries out what they ask (it is their Host); it serves item requests from
// routers through its request service (writes and strongly consistent reads only as a serving
// leader; eventually consistent reads from any storage member), with admission control; and it
// does the control plane's bidding (copies for replacements, splits, moves). Heartbeats and lease
// renewals go per pair of nodes, and a tick looks only at groups that changed (links.h).
//
// Files: storage_node.cpp (hosting, messages, the Host side, ticks, power), request_service.cpp
// (requests and admission), node_control.cpp (copies, splits, moves, replacement targets);
// heartbeats and leases per node pair are links.h.
#pragma once

#include "models/control/membership.h"
#include "models/control/reports.h"
#include "models/messages.h"
#include "models/ops/build.h"
#include "models/replication/cluster.h"
#include "models/replication/host.h"
#include "models/replication/links.h"
#include "models/replication/messages.h"
#include "models/replication/replica.h"
#include "models/work_queue.h"
#include "sim/network.h"
#include "sim/rpc.h"

#include <map>
#include <memory>
#include <vector>

namespace models::replication {

struct StorageNodeStats {
  std::uint64_t requests = 0;
  std::uint64_t redirected = 0;           // not the serving leader: told the router where to go
  std::uint64_t writes_committed = 0;
  std::uint64_t heartbeats_sent = 0;      // messages, each covering every group of a node pair
  std::uint64_t catch_ups_sent = 0;
  std::uint64_t snapshots_sent = 0;
  std::uint64_t moves_started = 0;        // own replicas being rebuilt on another node
  std::uint64_t builds_refused = 0;       // replacements refused: a replica of a newer membership is here
  std::uint64_t leaderships_handed_off = 0;
  std::uint64_t elections_by_handoff = 0; // elections run because a leader handed over
};

class StorageNode final : public sim::Node, private Host {
 public:
  StorageNode(sim::Network& network, std::string name, sim::AzId az, Cluster& cluster,
              const RequestPathKinds& request_kinds);

  // Setup, before the run: hosts a replica; the group's first leader starts leased.
  Replica& host(GroupId group, std::uint32_t table, const Membership& membership, bool storage);
  // Setup, after host(): this node's side of the group's first term, led by `leader` (this node
  // or another member) with ballot (1, leader), leased from the start. Every member calls it on
  // its own replica, so setup can host node by node (each node's structures stay in cache).
  void begin_first_term(Replica& r, sim::NodeId leader);
  void start();

  // A request from a router.
  void handle(const ItemRequest& request, sim::Reply<ItemResponse> reply);

  // Messages from other storage nodes, delivered by the network.
  template <class M>
  void receive(sim::NodeId from, M& message);

  // The replica of `group` as it is (for readers outside the node: monitors, reports); nullptr if none.
  const Replica* find(GroupId group) const;
  // The lease this node last granted `leader`, on its own clock (for the lease monitor).
  sim::Time lease_granted_to(sim::NodeId leader) const { return links_.granted_to(leader); }
  // The replica of `group`, its log settled to the present (the writes handed to the disk that
  // have landed are on it): how the node's own code reaches a replica.
  Replica* find(GroupId group);
  // The replica at a local index if it is the group's, else found by group; settled as find().
  Replica* find(GroupId group, std::uint32_t local_hint);
  std::size_t replica_count() const { return replica_count_; }
  // Replicas in group order (for the final state and the reports).
  std::vector<const Replica*> replicas() const;
  const StorageNodeStats& stats() const { return stats_; }
  const WorkQueueStats& request_queue() const { return requests_.stats(); }
  std::size_t request_queue_depth() const { return requests_.depth(); }
  const admission::AdmissionStats& admission() const { return admission_.stats(); }
  // Is this replica a serving leader right now (for placement and the reports)?
  bool leads(const Replica& r) const;

  // The control plane asks this node, if it leads `group`, to split it at `at_hash` into the
  // new group `child`: a split entry goes through the group's log, and every replica that
  // applies it creates the child's replica beside its own, holding the upper part.
  void on_split_request(GroupId group, std::uint64_t at_hash, GroupId child);
  // The control plane asks this node, if it leads `group`, to move its replica to `target` (a
  // node of the same AZ holding none): the replica is rebuilt there, a membership change
  // replaces this node with it, and then this node steps down and hands leadership to it, so the
  // new leader serves without waiting out this node's lease.
  void on_move_request(GroupId group, sim::NodeId target);
  // A deployment will restart this node soon: it hands every group it leads to a caught-up peer
  // (again each tick until none is left) and stands for no election until it loses power.
  void drain();
  // The drain is called off (the run ends before the restart): it may lead again.
  void undrain() {
    draining_ = false;
    drain_handoffs_.clear();
  }
  // Drained: it leads no group, and every group it handed off since drain() has a new leader it
  // heard from (a power-off before then would lose the handoff message in flight).
  bool drained() const;
  // Whether `build` can read every entry in this node's logs (else it cannot start on it).
  bool reads_logs(const BuildSpec* build) const;
  // The membership service's agent on this node (the scenario has a membership section).
  void attach_membership(control::MembershipAgent* agent) { membership_ = agent; }
  void membership_blip(sim::Duration spread);
  ops::RunningBuild& build() { return build_; }
  const ops::RunningBuild& build() const { return build_; }
  // Autoadmin's latest placement list (node_control.cpp).
  void on_placement(control::PlacementListPtr list);
  // The splitter asks the leader of `group` where it would split it (node_control.cpp).
  void on_split_advice_request(GroupId group, sim::NodeId splitter);

  // ---- data integrity (integrity.cpp) ----
  // Bit rot: corrupts the newest value of `count` items drawn from its storage replicas (as
  // many as it holds); returns how many.
  std::uint32_t rot_items(std::uint32_t count);
  // Bit rot on `count` applied write entries of its replicas' logs; returns how many rotted.
  std::uint32_t rot_log(std::uint32_t count);
  // A buggy build starts (probability > 0) or ends (0) on this node.
  void set_buggy_build(verification::BuggyPath path, double probability);
  // The scrub verifier found this node's replica of `group` (the one with `serial`) damaged.
  void on_damage_notice(GroupId group, std::uint64_t serial, verification::Detection how);

 protected:
  void on_power_off() override;
  void on_power_on() override;

 private:
  // A write waiting for a worker; proposed when one finishes it.
  struct Job {
    StorageNode* node;
    ItemRequest request;
    sim::Reply<ItemResponse> reply;
    void operator()() const { node->serve(request, reply, sim::Time::zero()); }
  };
  struct PendingWrite {
    sim::Reply<ItemResponse> reply;
    std::uint64_t version;
    WriteId write;
  };

  // ---- Host: what the consensus rules ask of the node (storage_node.cpp) ----
  sim::NodeId self() const override { return id(); }
  sim::Time now() const override { return local_now(); }  // the node's clock: the rules run on it
  const ReplicationSpec& spec() const override { return spec_; }
  PlantedBug bug() const override { return cluster_.bug; }
  bool draining() const override { return draining_; }
  std::uint8_t writes_format() const override { return build_.writes_format(); }
  Observer* observer() override { return cluster_.observer; }
  std::uint64_t random_below(std::uint64_t n) override;
  std::uint64_t next_serial() override { return ++serial_; }
  void send(sim::NodeId to, Message message) override;
  void send_after(sim::Duration delay, sim::NodeId to, Message message) override;
  // The disk takes the log's writes so far. A leader's (or candidate's) landing is an event: it
  // may commit. A follower's is not: its answer to the leader leaves held back until the landing,
  // and the log learns of it when next read.
  void persist(Replica& r) override;
  void apply_when_landed(const Replica& r) override;
  void start_timer(const Replica& r, TimerKind kind, sim::Duration delay, std::uint64_t token) override;
  void splits_staged(Replica& r) override;
  void drop_soon(const Replica& r) override;
  void drop_removed(const Replica& r) override;
  void schedule_drop(const Replica& r, bool whatever_it_believes);
  void applied(Replica& r, Slot from, Slot to) override;
  void serving_changed(Replica& r, bool serving) override;
  void leadership_ended(Replica& r) override;
  void election_started(const Replica& r) override;
  void election_won(const Replica& r) override;
  void replacement_done(const Replica& r, const Change& change) override;
  void handed_off(const Replica& r, sim::NodeId to) override;
  sim::NodeId replacement_for(const Replica& r, sim::NodeId member) override;
  sim::Time granted_to(sim::NodeId leader) const override { return links_.granted_to(leader); }
  sim::Time granted_by(sim::NodeId peer) const override { return links_.granted_by(peer); }
  sim::Time heard_from(sim::NodeId leader) const override { return links_.heard_from(leader); }
  sim::Time acked_by(sim::NodeId peer) const override { return links_.acked_by(peer); }
  void roles_changed(Replica& r) override;
  void owe_items(const Replica& r, const NodeList& peers, bool soon) override;
  sim::Duration copy_time(const Replica& r, bool storage) const override;
  // The log a new replica must copy: the unarchived tail (archiving on), else replication.wal_tail.
  std::uint64_t log_tail_bytes(const Replica& r) const;
  sim::Duration replay_time(const Replica& r, Slot entries) const override;
  WriteId stored_value(const Replica& r, const LogEntry& e) override;
  void scrub_applied(Replica& r, Slot slot) override;
  bool items_intact(Replica& r) override;
  bool entries_intact(Replica& r, Slot from, Slot to) override;
  // Rotten log entries of this node trimmed unread count as gone (every archive interval).
  void forget_trimmed_rot();
  // A log entry of `r` at `slot` failed its checksum: ask the peers for it, or (no intact copy
  // came in time) the replica is damaged.
  void repair_entry(Replica& r, Slot slot);
  void on_entry_repair_request(sim::NodeId from, const EntryRepairRequest& m);
  void on_entry_repair_reply(const EntryRepairReply& m);
  void damaged_leader(const Replica& r) override;

  template <class M>
  void transmit(sim::NodeId to, M message);
  void send_heartbeat(sim::NodeId peer);
  Links::Lookup lookup();
  // The node looks at `group` at its next tick (it changed, or a peer went quiet).
  void touch(GroupId group);
  void on_build_replica(sim::NodeId from, const BuildReplicaMessage& message);
  bool refuses(const BuildReplicaMessage& message) const;
  void on_split_ready(GroupId child);

  // ---- request service (request_service.cpp) ----
  // Serves a request a worker took. A read's answer leaves at `departs` (when the worker is done
  // with it: handle() served it on arrival); a write's answers leave when they are sent.
  void serve(const ItemRequest& request, sim::Reply<ItemResponse> reply, sim::Time departs);
  void redirect(const Replica* replica, const sim::Reply<ItemResponse>& reply, sim::Time departs);
  void acknowledge_writes(Replica& r, Slot from, Slot to);
  void fail_writes(GroupId group);

  // ---- archiving (archiver.cpp) ----
  void start_archiving();
  void archive_tick();
  void upload_next_segment(Replica& r);
  bool full_segment_pending(const Replica& r) const;

  // ---- data integrity (integrity.cpp) ----
  // The replica's items are corrupted: it stops serving and gets itself replaced, at once or
  // (`act_now` false: found in the middle of a consensus step) at the group's next tick.
  void found_damaged(Replica& r, verification::Detection how, bool act_now = true);
  // Whether the buggy build on `path` damages this write (a function of the write alone).
  bool buggy_hits(verification::BuggyPath path, GroupId group, const LogEntry& e) const;
  WriteId buggy_value(GroupId group, const LogEntry& e) const;
  void start_scrubbing();
  void scrub_tick();

  // ---- splits and drops (node_control.cpp) ----
  void create_child(GroupId parent, GroupId child);
  void drop_replica(GroupId group);

  void tick();
  // Every control.report_interval: what autoadmin should know of this node (node_control.cpp).
  void report();
  std::uint8_t healthy_members(const Membership& membership) const;

  Cluster& cluster_;
  const ReplicationSpec& spec_;

  std::vector<std::unique_ptr<Replica>> replicas_;              // by local index
  std::vector<std::pair<GroupId, std::uint32_t>> index_;        // sorted (group, local index)
  std::vector<std::uint32_t> free_;
  std::size_t replica_count_ = 0;
  std::uint64_t serial_ = 0;                                    // elections, attempts, replicas
  // On disk: what the replicas dropped here had promised, granted and known, so a replica of the
  // same group built here again keeps their promises (an acceptor must never forget one) and
  // takes no vote in the memberships that counted them (sorted by group; one per group).
  struct DroppedReplica {
    GroupId group = kNoGroup;
    Ballot promised;
    std::uint32_t epoch = 0;
    sim::Time granted_lease_end;
    sim::NodeId lease_granted_to = kNoNode;
  };
  std::vector<DroppedReplica> dropped_;

  // volatile
  WorkQueue<Job> requests_;
  admission::NodeAdmission admission_;
  std::map<std::pair<GroupId, Slot>, PendingWrite> pending_writes_;
  sim::Time disk_free_at_;
  // Replicas waiting for a handed write to land before they apply more, and when (apply_when_landed).
  std::map<GroupId, sim::Time> landing_wakes_;
  Links links_;                      // heartbeats and leases per pair of nodes
  std::uint32_t incarnation_ = 0;    // counts power-offs (its peers learn it forgot its leaderships)
  std::vector<GroupId> attention_;   // sorted: groups to look at next tick; the others are quiet
  std::vector<GroupId> looking_;     // the tick's own copy
  // What it knows of the fleet: autoadmin's last placement list, and the replacements it asked
  // of nodes since (by node, sorted; bounded by the nodes in the list).
  control::PlacementListPtr placement_;
  std::vector<std::pair<sim::NodeId, std::uint32_t>> asked_;
  admission::MicroUnits reported_read_ = 0, reported_write_ = 0;  // admission totals at the last report
  std::map<GroupId, std::uint64_t> reported_sizes_;  // led groups' items at the last report (splits only)

  bool draining_ = false;            // a deployment restarts it soon: it leads nothing
  std::vector<GroupId> drain_handoffs_;  // groups handed off since drain()

  StorageNodeStats stats_;
  ops::RunningBuild build_;         // on disk
  control::MembershipAgent* membership_ = nullptr;
  double buggy_apply_ = 0.0;    // a buggy build's probabilities (data integrity)
  double buggy_propose_ = 0.0;
};

}  // namespace models::replication
