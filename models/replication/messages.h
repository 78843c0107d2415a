// Messages between the storage nodes of replication groups. Per-group Paxos messages name
// their group; heartbeats carry every group a leader shares with one peer node (coalesced per
// node pair, so a region of many groups stays cheap to simulate).
#pragma once

#include "models/replication/types.h"

#include <vector>

namespace models::replication {

// Phase 2: the leader asks members to accept `entry` at `slot`; `commit` tells them how far
// the log is known committed.
struct AcceptMessage {
  GroupId group;
  Ballot ballot;
  Slot slot;
  Slot commit;
  LogEntry entry;
};

// A member persisted every slot up to `persisted` under `ballot` (ok), or refuses because it
// promised `promised` (not ok), or lacks slots before the accepted one (gap: wants catch-up).
struct AcceptedMessage {
  GroupId group;
  Ballot ballot;
  Ballot promised;
  Slot persisted;
  bool ok;
  bool gap;
};

// Phase 1: a candidate asks for promises; `applied` is how far its own state goes, so
// acceptors send only the entries after it.
struct PrepareMessage {
  GroupId group;
  Ballot ballot;
  Slot applied;
  std::uint32_t epoch;  // the candidate's membership epoch
};

enum class PromiseRefusal : std::uint8_t { none, ballot, behind, removed };

struct PromiseMessage {
  GroupId group;
  Ballot ballot;               // the ballot asked for
  Ballot promised;             // the acceptor's promise after handling it
  PromiseRefusal refusal;
  sim::Time granted_lease_end; // the latest lease this acceptor granted another leader
  Slot from;                   // entries start at this slot
  std::vector<LogEntry> entries;
  sim::NodeId lease_holder = kNoNode;  // split children: whom that lease went to (kNoNode: not known)
  sim::NodeId granted_to = kNoNode;    // the leader the acceptor granted that lease to, by heartbeat
};

// One group in a heartbeat: the sender leads `group` under `ballot`, committed up to `commit`.
struct HeartbeatItem {
  GroupId group;
  Ballot ballot;
  Slot commit;
  // Where each side keeps the group's replica, so neither has to search for it (a region has
  // thousands of replicas per node). A hint: checked against the group, looked up if stale.
  std::uint32_t sender_local;
  std::uint32_t receiver_local;
};

struct HeartbeatMessage {
  sim::Time sent;
  std::vector<HeartbeatItem> items;
};

struct HeartbeatAnswer {
  GroupId group;
  bool ok;          // still follows this ballot: the lease is extended
  Slot persisted;   // how far its log goes, so the leader can spot a lagging member
  std::uint32_t leader_local;    // echoed from the heartbeat
  std::uint32_t follower_local;  // for the leader's next heartbeat
};

struct HeartbeatAckMessage {
  sim::Time sent;   // the heartbeat's send time: leases count from it
  std::vector<HeartbeatAnswer> answers;
};

// The gray-failure rule: before electing, a follower asks its peers whether they still hear
// the leader node.
struct LeaderCheckMessage {
  GroupId group;
  sim::NodeId leader;
};
struct LeaderCheckReply {
  GroupId group;
  bool leader_healthy;
};

// A member that fell behind asks the leader for the log from `from`.
struct CatchUpRequest {
  GroupId group;
  Slot from;
};

// The leader's answer: log entries from `from`, or (when those were trimmed) a snapshot of
// its items as of `snapshot_applied`, followed by its log tail.
struct CatchUpMessage {
  GroupId group;
  Ballot ballot;
  Slot commit;
  Slot from;
  std::vector<LogEntry> entries;
  bool snapshot = false;
  bool make_storage = false;  // healing: the receiver becomes a storage replica with these items
  Slot snapshot_applied = 0;
  std::map<std::uint64_t, ItemVersions> items;
  Membership membership;
  // snapshots: the sender's range and the splits behind it, as of snapshot_applied
  std::uint64_t hash_low = 0;
  std::uint64_t hash_high = 0;
  std::vector<std::pair<std::uint64_t, GroupId>> children;
};

// Healing: the leader asks a node to become a new replica of the group. A log replica copies
// the unarchived log tail (seconds); a storage replica also copies the B-tree (minutes).
struct BuildReplicaMessage {
  GroupId group;
  std::uint32_t table;
  Ballot ballot;
  bool storage;
  std::uint32_t attempt;  // echoed back so a stale answer is recognised
};

// The new replica is ready; the leader then commits the membership change.
// A leader that stepped down after a move hands its leadership to the node it moved to, with
// the commit point it reached under `ballot` (the joint config that removed it included).
struct LeadershipTransferMessage {
  GroupId group;
  Ballot ballot;
  Slot commit;
};

struct ReplicaReadyMessage {
  GroupId group;
  bool storage;
  std::uint32_t attempt;
};

}  // namespace models::replication
