// Heartbeats and leases per pair of nodes. A node sends one heartbeat per interval to each peer
// it leads groups with, and the peer answers once; the answer grants a lease covering every
// group in which the peer follows the sender's current ballot. Which groups those are, the peer
// tells with versioned follow changes (started following under this ballot; stopped), sent in
// every answer until the leader confirms them; the leader applies the changes of an answer before
// its grant, so a group whose follower stopped is never extended by a later grant. Heartbeats
// carry per-group items only for groups whose commit point or log end moved, or whose leadership
// ended, until answered. So the work per interval grows with node pairs and with groups that
// changed, never with every group. A restarted node has a new incarnation: its peers drop what
// they knew of its leaderships and follow changes.
//
// Pure: no kernel. A storage node owns one; the fuzz test of the rules gives one to every node.
#pragma once

#include "models/replication/host.h"
#include "models/replication/messages.h"
#include "models/replication/replica.h"

#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace models::replication {

class Links {
 public:
  // The replica of a group on this node; `hint` is where the peer said it keeps it (kNoHint: none).
  static constexpr std::uint32_t kNoHint = ~std::uint32_t{0};
  using Lookup = std::function<Replica*(GroupId, std::uint32_t hint)>;

  // ---- what the consensus rules read (through their Host) ----
  sim::Time granted_to(sim::NodeId leader) const;  // the lease this node last granted `leader`
  sim::Time granted_by(sim::NodeId peer) const;    // the lease `peer` last granted this node
  sim::Time heard_from(sim::NodeId leader) const;  // its last heartbeat here
  sim::Time acked_by(sim::NodeId peer) const;      // its last answer here

  // ---- bookkeeping the node keeps current ----
  // Re-registers `r` after its role, leader or configurations may have changed: which leader it
  // follows (recording the follow changes, and freezing the lease it had granted the old one in
  // the replica), and which peers it leads with.
  void relink(Replica& r, sim::NodeId self, const NodeList& targets);
  void forget(Replica& r);  // the replica is dropped
  // `r` (a leader) moved its commit point or log end, or ended its leadership: items are owed.
  void owe_items(const Replica& r, const NodeList& peers);

  // ---- heartbeats ----
  // The peers to send a heartbeat to now (those this node leads groups with).
  std::vector<sim::NodeId> heartbeat_peers() const;
  NodeHeartbeat heartbeat_for(sim::NodeId peer, sim::Time now, const Lookup& lookup);
  // Nothing when the heartbeat comes from before its sender restarted.
  std::optional<NodeHeartbeatAck> on_heartbeat(sim::NodeId from, const NodeHeartbeat& heartbeat, const Lookup& lookup,
                                               Host& host);
  void on_ack(sim::NodeId from, const NodeHeartbeatAck& ack, const Lookup& lookup, Host& host);
  // Groups that need a look because a peer went quiet for `silence`: followed ones (their
  // leader may be gone) and led ones (a member may be gone).
  void quiet_groups(sim::Time now, sim::Duration silence, std::vector<GroupId>& out) const;

  // ---- power ----
  // Everything volatile is lost; the grants this node gave stay (they are on disk). Freezes,
  // in every replica, the lease it had granted the leader it followed.
  void restart(std::uint32_t incarnation, const std::vector<Replica*>& replicas);

  std::size_t peer_count() const { return peers_.size(); }

 private:
  // A peer not heard from since this node started: whatever it sends first is its present.
  static constexpr std::uint32_t kUnknown = ~std::uint32_t{0};
  // An item owed to a peer until it answers the heartbeat that carried it.
  struct Owed {
    std::uint64_t sequence = 0;  // of the last heartbeat that carried it (0: none yet)
    bool resigned = false;       // the leadership ended: the item is sent as it was then
    HeartbeatItem item{};
  };
  struct Peer {
    // ---- this node follows the peer in some groups ----
    sim::Time contact;                         // its last heartbeat here
    sim::Time granted_until;                   // on disk: the latest lease granted it
    std::uint32_t leader_incarnation = kUnknown;  // of the peer, as last heard
    std::uint64_t version = 0;                 // of the follow changes towards it
    std::map<GroupId, FollowChange> changes;   // unconfirmed, the newest per group
    std::vector<GroupId> followed;             // sorted
    // ---- this node leads groups with the peer ----
    sim::Time granted_by;                      // the latest lease the peer granted this node
    sim::Time last_ack;
    std::uint32_t peer_incarnation = kUnknown;
    std::uint64_t applied_version = 0;         // of its follow changes
    std::uint64_t sequence = 0;                // of heartbeats to it
    std::vector<GroupId> led;                  // sorted
    std::map<GroupId, Owed> owed;              // items to send until answered
  };
  Peer& peer(sim::NodeId node) { return peers_[node]; }
  const Peer* find(sim::NodeId node) const;
  sim::Time time_of(sim::NodeId node, sim::Time Peer::*field) const;  // zero for a peer never met
  void follow_change(sim::NodeId leader, GroupId group, Ballot ballot);

  std::uint32_t incarnation_ = 0;
  std::map<sim::NodeId, Peer> peers_;  // ordered: heartbeats go out in node order
};

}  // namespace models::replication
