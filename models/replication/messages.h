// Messages between the storage nodes of replication groups. Per-group Paxos messages name
// their group; heartbeats go per pair of nodes and carry only groups that changed (links.h).
#pragma once

#include "models/replication/types.h"

#include <map>
#include <variant>
#include <optional>
#include <vector>

namespace models::replication {

// Phase 2: the leader asks a member (or a node joining) to accept `entry` at `slot`; `commit`
// tells how far the log is known committed.
struct AcceptMessage {
  GroupId group;
  Ballot ballot;
  Slot slot;
  Slot commit;
  LogEntry entry;
};

// A member persisted every slot up to `persisted` under `ballot` (ok), or refuses because it
// promised `promised` (not ok).
// (Ordered by size: a follower's answer rides held back in one event slot, StorageNode::persist.)
struct AcceptedMessage {
  Ballot ballot;
  Ballot promised;
  Slot persisted;
  GroupId group;
  bool ok;
};

// Phase 1: a candidate asks for promises; `applied` is how far its own state goes, so
// acceptors send only the entries after it.
struct PrepareMessage {
  GroupId group;
  Ballot ballot;
  Slot applied;
  std::uint32_t epoch;  // the candidate's membership epoch
  // The candidate's applied membership: applied, so committed. A member of it whose own log does
  // not show it a member yet (it lags behind the change that added it) votes in it.
  Membership membership;
};

// ballot: a higher one was promised; behind: the candidate lacks trimmed entries; removed: the
// candidate is no member any more; not_voter: this replica is in no configuration it knows of.
enum class PromiseRefusal : std::uint8_t { none, ballot, behind, removed, not_voter, damaged };

struct PromiseMessage {
  GroupId group;
  Ballot ballot;               // the ballot asked for
  Ballot promised;             // the acceptor's promise after handling it
  PromiseRefusal refusal;
  // How long the latest lease this acceptor granted a leader still runs, on the acceptor's
  // clock when it answered: a duration, since clocks of different nodes cannot be compared.
  sim::Duration lease_remaining;
  Slot from;                   // entries start at this slot
  std::vector<LogEntry> entries;
  sim::NodeId lease_holder = kNoNode;  // split children: whom that lease went to (kNoNode: not known)
  sim::NodeId granted_to = kNoNode;    // the leader the acceptor granted that lease to, by heartbeat
};

// One group in a heartbeat, sent only when something moved: the sender leads `group` under
// `ballot`, committed up to `commit`, and its log goes to `last` (a member short of it lost
// accepts and asks to catch up); or (resigned) it led the group under `ballot` and stopped.
struct HeartbeatItem {
  GroupId group;
  Ballot ballot;
  Slot commit;
  Slot last;
  // Where each side keeps the group's replica, so neither has to search for it (a region has
  // thousands of replicas per node). A hint: checked against the group, looked up if stale.
  std::uint32_t sender_local;
  std::uint32_t receiver_local;
  bool resigned = false;
};

struct HeartbeatAnswer {
  GroupId group;
  Ballot ballot;    // echoed from the item
  bool ok;          // it follows this ballot
  Slot persisted;   // how far its log is on disk and matches
  std::uint32_t leader_local;    // echoed from the item
  std::uint32_t follower_local;  // for the leader's next item
};

// A replica of `group` on the answering node started following the leader node under `ballot`,
// or (none) stopped following it. Versioned per pair of nodes.
struct FollowChange {
  std::uint64_t version;
  GroupId group;
  Ballot ballot;
};

// Once per interval from a node to each peer it leads groups with (links.h).
struct NodeHeartbeat {
  sim::Time sent;                      // the lease it asks for runs from here
  std::uint64_t sequence;              // per pair of nodes
  std::uint32_t incarnation;           // the sender's: a new one means it forgot its leaderships
  std::uint32_t follower_incarnation;  // the receiver's, as the sender last heard
  std::uint64_t changes_seen;          // the receiver's follow changes it applied, up to this version
  std::vector<HeartbeatItem> items;
};

// The answer: a lease until `sent` plus the lease, for every group in which the answering node
// follows the sender; the follow changes the sender has not confirmed; the items' answers.
struct NodeHeartbeatAck {
  sim::Time sent;
  std::uint64_t sequence;
  std::uint32_t incarnation;   // the answering node's
  std::uint64_t version;       // of its follow changes towards the sender
  std::vector<FollowChange> changes;
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

// The leader's answer: log entries from `from`, or (when those were trimmed, or to build a new
// replica) a snapshot of its state as of `snapshot_applied`, followed by its log tail.
struct CatchUpMessage {
  GroupId group;
  Ballot ballot;
  Slot commit;
  Slot from;
  std::vector<LogEntry> entries;
  bool snapshot = false;
  bool make_storage = false;  // the receiver becomes a storage replica with these items
  std::uint32_t attempt = 0;  // a replacement's snapshot: acknowledged with this attempt (0: catch-up)
  Slot snapshot_applied = 0;
  std::map<std::uint64_t, ItemVersions> items;
  Membership membership;      // as of snapshot_applied (never a change still in flight)
  // snapshots: the sender's range and the splits behind it, as of snapshot_applied
  std::uint64_t hash_low = 0;
  std::uint64_t hash_high = 0;
  std::vector<std::pair<std::uint64_t, GroupId>> children;
  // Archiving on: the sender's applied entries S3 does not have yet (the slots just before
  // snapshot_applied + 1), and its archived point, so the receiver holds the unarchived tail too.
  std::vector<LogEntry> unarchived;
  Slot archived = 0;
};

// A replacement: the leader asks a node to prepare a replica of the group. A log replica copies
// the unarchived log tail (seconds); a storage replica also copies the B-tree (minutes).
struct BuildReplicaMessage {
  GroupId group;
  std::uint32_t table;
  Ballot ballot;
  bool storage;
  std::uint32_t attempt;  // echoed back so a stale answer is recognised
  std::uint32_t epoch;    // the leader's membership epoch: an older replica there is a leftover
  bool member = false;    // the node is a member already (a log replica rebuilt as storage)
  // How long the copy takes: the leader's unarchived log tail (and the partition, for a storage
  // replica) at the copy rate, as the leader measured it.
  sim::Duration copy;
};

// The copy is done: the leader sends its snapshot. Or (refused) the node holds a replica of the
// group that a membership newer than the leader's counts as a voter: it builds nothing over it.
struct ReplicaReadyMessage {
  GroupId group;
  bool storage;
  std::uint32_t attempt;
  bool refused = false;
};

// The snapshot is installed and on disk: the leader may propose the membership change.
struct SnapshotInstalledMessage {
  GroupId group;
  std::uint32_t attempt;
  Slot applied;
};

// A leader that stepped down after a move hands its leadership to the node it moved to, with
// the commit point it reached under `ballot` (the config that removed it included).
struct LeadershipTransferMessage {
  GroupId group;
  Ballot ballot;
  Slot commit;
};

// A replacement was given up before its config entry was proposed: the target drops the replica
// it built, unless some membership it knows names it.
struct AbandonReplicaMessage {
  GroupId group;
};

// A member found its replica damaged (corrupted items): its leader replaces it through healing.
struct ReplicaDamagedMessage {
  GroupId group;
};

// Entry repair (host to host, not consensus): a replica whose log entry at `slot` failed its
// checksum asks its peers for their copy of that applied slot; a peer that applied the slot and
// holds it intact answers with it, and one that trimmed it (S3 holds it) says how far S3 holds its
// log: the slot need not be uploaded again, nor kept.
struct EntryRepairRequest {
  GroupId group;
  Slot slot;
};
struct EntryRepairReply {
  GroupId group;
  Slot slot;
  std::optional<LogEntry> entry;
  Slot archived = 0;  // the peer's archived point
};

// A member made a split child's replica: the parent's leader may open the child's leadership.
struct SplitReadyMessage {
  GroupId child;
};

// Everything the consensus rules send to one other node.
using Message = std::variant<AcceptMessage, AcceptedMessage, PrepareMessage, PromiseMessage, LeaderCheckMessage,
                             LeaderCheckReply, CatchUpRequest, CatchUpMessage, BuildReplicaMessage,
                             ReplicaReadyMessage, SnapshotInstalledMessage, LeadershipTransferMessage,
                             SplitReadyMessage, AbandonReplicaMessage, ReplicaDamagedMessage>;

}  // namespace models::replication
