// One replica of one replication group on one storage node: its durable part (promised
// ballot, write-ahead log tail, applied items, membership) and its volatile part (role,
// lease, commit point). The node owns its replicas; paxos.h holds the rules that change them.
#pragma once

#include "models/admission/node_admission.h"
#include "models/history.h"
#include "models/replication/types.h"
#include "sim/time.h"

#include <map>
#include <memory>
#include <vector>

namespace models::replication {

enum class Role : std::uint8_t { follower, candidate, leader };

inline constexpr GroupId kNoGroup = 0xffffffffu;

// A split applied to a replica: the child's range and the items that moved to it, kept until
// the node creates the child replica.
struct StagedSplit {
  GroupId child = kNoGroup;
  std::uint64_t low = 0;
  std::uint64_t high = 0;
  Membership membership;  // the parent's as the split applied: the child starts with it
  std::map<std::uint64_t, ItemVersions> items;
};

// A candidate's progress through phase 1 (allocated only while an election runs).
struct Election {
  std::uint64_t serial = 0;           // tells a stale timer from this election's
  sim::Time started;
  Ballot ballot;
  std::uint8_t promises_mask = 0;     // which member indexes promised
  sim::Time old_lease_end;            // the latest lease any promiser granted someone else
  sim::NodeId candidate = kNoNode;    // the node running this election
  // A leader that handed its leadership to the candidate and stopped serving before it said so:
  // leases granted to it need no waiting out (kNoNode: an ordinary election, every lease counts).
  sim::NodeId released = kNoNode;
  std::vector<LogEntry> recovered;    // per slot after `recovered_from`, the highest-ballot entry
  Slot recovered_from = 0;            // entries start at this slot
  bool peers_checked = false;         // the gray-failure rule asked and nobody hears the leader
  std::uint8_t leader_check_replies = 0;
};

struct Replica {
  GroupId group = 0;
  std::uint32_t local = 0;  // its index on its node
  std::uint32_t table = 0;
  bool storage = true;  // false: a log replica

  // ---- durable: kept across power-off ----
  Ballot promised;                 // no ballot below this is accepted any more
  Slot log_start = 1;              // slot of log.front()
  std::vector<LogEntry> log;       // accepted entries, slots [log_start, log_start + size)
  Slot persisted = 0;              // every slot <= this is on disk
  Slot applied = 0;                // items reflect every slot <= this
  Membership membership;           // as of the last applied config entry
  // Acceptor: the latest lease it granted any leader. Kept on disk: a replica that forgot it
  // after a reboot could let a new leader serve while the old lease still runs.
  sim::Time granted_lease_end;
  sim::NodeId lease_granted_to = kNoNode;  // the leader whose heartbeat granted that lease
  // A split child's replica inherits the parent's lease; this is the node it was granted to (the
  // parent's leader), or kNoNode once the child's own leaders have sent heartbeats. The holder
  // itself need not wait out a lease it held when it elects (it serves nothing under it now).
  sim::NodeId split_lease_holder = kNoNode;
  std::map<std::uint64_t, ItemVersions> items;  // storage replicas: key -> versions, oldest first
  std::uint64_t hash_low = 0;            // the slice of the table's hash space it holds
  std::uint64_t hash_high = ~std::uint64_t{0};
  std::vector<std::pair<std::uint64_t, GroupId>> children;  // splits applied: (split hash, child)
  std::vector<StagedSplit> staged_splits;  // applied splits whose child replica is not made yet

  // ---- volatile: lost at power-off ----
  Role role = Role::follower;
  Ballot leader_ballot;            // the ballot we follow (ours, when leader)
  sim::NodeId leader_node = kNoNode;
  Slot commit = 0;                 // highest slot known committed
  // Highest slot known to match the current leader's log: commits apply only up to here, so a
  // stale entry from a deposed leader is never applied (it is overwritten first).
  Slot matched = 0;
  // leader only
  sim::Time lease_end;             // may serve strongly consistent requests until here
  sim::Time serve_after;           // and not before here: the previous leader's lease is over
  sim::Time leader_since;          // leader: when it won; follower: unused
  sim::Time leader_contact;        // follower: last time the leader of leader_ballot reached it
  bool counted_serving = false;    // counted as a serving leader in the group health
  Slot first_own_slot = 0;         // the no-op that opened this leadership; serving starts once committed
  std::array<Slot, Membership::kSize> match{};  // per member: highest slot it persisted
  std::array<sim::Time, Membership::kSize> last_ack{};  // per member: last heartbeat answer
  std::array<std::uint32_t, Membership::kSize> member_local{};  // per member: where it keeps its replica (a hint)
  std::map<std::uint64_t, std::uint64_t> pending_versions;  // key -> version of its newest unapplied write
  std::unique_ptr<admission::PartitionBuckets> buckets;  // admission control, made on first use
  std::unique_ptr<Election> election;
  std::uint64_t splitting_at = 0;  // leader: a split at this hash is proposed (0: none)
  // Leader: moving its own replica to this node (kNoNode: not moving). Once the membership
  // change that replaces it applies and the node has every entry, it steps down and hands
  // leadership to that node.
  sim::NodeId moving_to = kNoNode;
  Slot move_config_slot = 0;       // leader: the joint config of its move (0: not proposed yet)
  bool handoff_armed = false;      // leader: a deadline for the handoff is set
  // Leader: the node a pending joint config adds (it gets accepts before it is a member) and
  // the highest slot it persisted.
  sim::NodeId joining = kNoNode;
  Slot joining_match = 0;
  // Won (or is winning) leadership from this node by a handoff; reported once it serves.
  sim::NodeId transferred_from = kNoNode;
  std::vector<std::uint64_t> recent_keys;  // leader: hashes of recently served keys (split points)
  std::uint32_t recent_next = 0;

  bool holds(std::uint64_t hash) const { return hash_low <= hash && hash <= hash_high; }
  // A leader's move and joining node are leader state: gone when it steps down or loses power.
  void forget_move() {
    moving_to = kNoNode;
    move_config_slot = 0;
    handoff_armed = false;
    joining = kNoNode;
    joining_match = 0;
  }
  // The child a split gave `hash` to (the last split at or below it), or kNoGroup.
  GroupId child_for(std::uint64_t hash) const {
    GroupId found = kNoGroup;
    std::uint64_t best = 0;
    for (const auto& [at, child] : children)
      if (at <= hash && (found == kNoGroup || at > best)) {
        found = child;
        best = at;
      }
    return found;
  }

  Slot last_slot() const { return log_start + log.size() - 1; }
  bool has_slot(Slot slot) const { return slot >= log_start && slot <= last_slot() && !log.empty(); }
  const LogEntry& entry(Slot slot) const { return log[slot - log_start]; }
  LogEntry& entry(Slot slot) { return log[slot - log_start]; }
  std::size_t member_index(sim::NodeId node) const { return membership.index_of(node); }

  // The newest version of an item this replica applied (0: never written).
  std::uint64_t applied_version(std::uint64_t key) const {
    auto it = items.find(key);
    return it == items.end() || it->second.empty() ? 0 : it->second.back().first;
  }
  std::pair<std::uint64_t, WriteId> applied_value(std::uint64_t key) const {
    auto it = items.find(key);
    if (it == items.end() || it->second.empty()) return {0, 0};
    return it->second.back();
  }
  // Eventually consistent reads: any storage member that follows a live leader and has applied
  // what it knows is committed (a replica just back from power-off first catches up).
  bool serves_eventual(sim::Time now, sim::Duration leader_silence_max) const {
    if (!storage) return false;
    if (role == Role::leader) return true;
    return leader_node != kNoNode && now - leader_contact <= leader_silence_max && applied >= commit;
  }
  bool serving(sim::Time now) const {
    return role == Role::leader && now < lease_end && now >= serve_after && commit >= first_own_slot;
  }
};

}  // namespace models::replication
