// A storage node: hosts replicas of many groups from many tables, serves item requests from
// routers (writes and strongly consistent reads only as a leased leader; eventually consistent
// reads from any storage replica), runs Multi-Paxos for every group it hosts, and heals its
// groups. Heartbeats and lease renewals are coalesced per pair of nodes.
#pragma once

#include "models/messages.h"
#include "models/work_queue.h"
#include "models/replication/cluster.h"
#include "models/replication/messages.h"
#include "models/replication/replica.h"
#include "sim/network.h"
#include "sim/rpc.h"

#include <deque>
#include <map>
#include <memory>
#include <vector>

namespace models::replication {

struct StorageNodeStats {
  std::uint64_t requests = 0;
  std::uint64_t redirected = 0;           // not the serving leader: told the router where to go
  std::uint64_t writes_committed = 0;
  std::uint64_t heartbeats_sent = 0;      // messages, each covering every group of a node pair
  std::uint64_t elections_cancelled_by_peers = 0;
  std::uint64_t catch_ups_sent = 0;
  std::uint64_t snapshots_sent = 0;
  std::uint64_t moves_started = 0;        // own replicas being rebuilt on another node
  std::uint64_t leaderships_handed_off = 0;
  std::uint64_t elections_by_handoff = 0; // elections run because a leader handed over
};

class StorageNode final : public sim::Node {
 public:
  StorageNode(sim::Network& network, std::string name, sim::AzId az, Cluster& cluster,
              const RequestPathKinds& request_kinds);

  // Setup, before the run: hosts a replica; the group's first leader starts leased.
  Replica& host(GroupId group, std::uint32_t table, const Membership& membership, bool storage);
  void lead_initially(GroupId group);
  void start();

  // A request from a router.
  void handle(const ItemRequest& request, sim::Reply<ItemResponse> reply);

  // Replication messages, delivered by the network.
  void on_accept(sim::NodeId from, const AcceptMessage& message);
  void on_accepted(sim::NodeId from, const AcceptedMessage& message);
  void on_prepare(sim::NodeId from, const PrepareMessage& message);
  void on_promise(sim::NodeId from, const PromiseMessage& message);
  void on_heartbeat(sim::NodeId from, const HeartbeatMessage& message);
  void on_heartbeat_ack(sim::NodeId from, const HeartbeatAckMessage& message);
  void on_leader_check(sim::NodeId from, const LeaderCheckMessage& message);
  void on_leader_check_reply(sim::NodeId from, const LeaderCheckReply& message);
  void on_catch_up_request(sim::NodeId from, const CatchUpRequest& message);
  void on_catch_up(sim::NodeId from, CatchUpMessage& message);
  void on_build_replica(sim::NodeId from, const BuildReplicaMessage& message);
  void on_replica_ready(sim::NodeId from, const ReplicaReadyMessage& message);

  const Replica* find(GroupId group) const;
  Replica* find(GroupId group);
  // The replica at a local index if it is the group's, else found by group.
  Replica* find(GroupId group, std::uint32_t local_hint);
  std::size_t replica_count() const { return replica_count_; }
  // Replicas in group order (for the final state and the reports).
  std::vector<const Replica*> replicas() const;
  const StorageNodeStats& stats() const { return stats_; }
  const WorkQueueStats& request_queue() const { return requests_.stats(); }
  const admission::AdmissionStats& admission() const { return admission_.stats(); }

  // The control plane asks this node, if it leads `group`, to split it at `at_hash` into the
  // new group `child`: a split entry goes through the group's log, and every replica that
  // applies it creates the child's replica beside its own, holding the upper part.
  void on_split_request(GroupId group, std::uint64_t at_hash, GroupId child);

  // The control plane asks this node, if it leads `group`, to move its replica to `target` (a
  // node of the same AZ holding none): the replica is rebuilt there as in healing, a membership
  // change replaces this node with it, and then this node steps down and hands leadership to
  // it, so the new leader serves without waiting out this node's lease.
  void on_move_request(GroupId group, sim::NodeId target);
  // A leader that stepped down (it no longer serves) hands `group`'s leadership to this node.
  void on_leadership_transfer(sim::NodeId from, const LeadershipTransferMessage& message);

 protected:
  void on_power_off() override;
  void on_power_on() override;

 private:
  // A request waiting for a worker; served when one finishes it.
  struct Job {
    StorageNode* node;
    ItemRequest request;
    sim::Reply<ItemResponse> reply;
    void operator()() const { node->serve(request, reply); }
  };
  struct PendingWrite {
    sim::Reply<ItemResponse> reply;
    std::uint64_t version;
    WriteId write;
  };
  // A leader's replacement of one unhealthy member.
  struct Healing {
    std::size_t member = 0;        // index in the membership being replaced
    sim::NodeId target = kNoNode;
    sim::Time detected;
    bool storage_phase = false;    // building the storage replica (the log replica, if any, is in)
    std::uint32_t attempt = 0;
    bool move = false;             // replacing the leader itself, at the control plane's request
  };

  // requests
  void serve(const ItemRequest& request, sim::Reply<ItemResponse> reply);
  void redirect(const Replica* replica, const sim::Reply<ItemResponse>& reply);

  // leader
  Slot propose(Replica& replica, const LogEntry& entry);
  void send_accepts(const Replica& replica, Slot from, Slot to);
  void try_commit(Replica& replica);
  void after_apply(Replica& replica, Slot from, Slot to);
  void step_down(Replica& replica);
  // Applies what is committed, then makes the child replicas of splits it applied.
  void apply(Replica& replica);
  void create_child(GroupId parent, GroupId child);
  // A member has the child (or a heartbeat passed): the parent's leader elects itself for it.
  void on_split_ready(GroupId child);
  // Runs an election for `r` at once; leases granted to `released` (a leader that handed over,
  // kNoNode if none) need no waiting out.
  void elect_now(Replica& r, sim::NodeId released);
  // The leader applied the membership change that replaced it: once the node it moved to has
  // every entry (or a deadline passed), it hands off.
  void maybe_hand_off(Replica& r);
  // Tells the members the commit point, steps down, hands leadership to the moved-to node, goes.
  void hand_off(Replica& r);
  // Drops, soon, a replica of `group` that a committed change removed from the group (moves only).
  void drop_removed(GroupId group);
  // Sets the joining node from the pending joint config, if any.
  void track_joining(Replica& r);
  void become_leader(Replica& replica);
  void start_serving_check(Replica& replica);
  void set_serving(Replica& replica, bool serving);
  void check_members(Replica& replica);
  void start_healing(Replica& replica, std::size_t member);
  void start_build(Replica& replica, std::size_t member, sim::NodeId target, bool storage);
  void arm_healing_timeout(const Replica& replica, std::size_t member, std::uint32_t attempt, bool storage);
  void send_heartbeat(const Replica& replica);

  // follower and candidate
  void suspect_leader(Replica& replica);
  void send_prepare(Replica& replica);
  void abandon_election(Replica& replica);
  void request_catch_up(Replica& replica, Slot from);
  void persist(Replica& replica, Slot slot);
  void persisted(GroupId group, Slot slot, Ballot ballot);
  void drop_replica(GroupId group);

  void tick();
  void heard_from(sim::NodeId node) { if (node < last_heard_.size()) last_heard_[node] = kernel().now(); }
  bool hears(sim::NodeId node) const;
  template <class Message, class Handler>
  void send_to(sim::NodeId to, sim::KindId kind, Message message, Handler handler);
  sim::NodeId self() const { return id(); }
  std::uint8_t healthy_members(const Membership& membership) const;

  Cluster& cluster_;
  const ReplicationSpec& spec_;

  std::vector<std::unique_ptr<Replica>> replicas_;              // by local index
  std::vector<std::pair<GroupId, std::uint32_t>> index_;        // sorted (group, local index)
  std::vector<std::uint32_t> free_;
  std::size_t replica_count_ = 0;
  // Leaders' healing in progress, by (group, member index): members heal independently, so a
  // second failure gets its log replica while the first one's storage replica is still copying.
  std::map<std::pair<GroupId, std::size_t>, Healing> healing_;
  void forget_healing(GroupId group);
  std::uint64_t election_serial_ = 0;
  std::uint32_t healing_attempts_ = 0;

  // volatile
  WorkQueue<Job> requests_;
  admission::NodeAdmission admission_;
  std::map<std::pair<GroupId, Slot>, PendingWrite> pending_writes_;
  std::vector<sim::Time> last_heard_;                           // by NodeId
  sim::Time disk_free_at_;
  std::vector<GroupId> catching_up_;                            // sorted: groups with a catch-up asked
  std::vector<std::pair<sim::NodeId, HeartbeatItem>> heartbeat_batch_;

  StorageNodeStats stats_;
};

}  // namespace models::replication
