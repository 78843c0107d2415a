// One replica of one replication group on one storage node, as three parts: what it keeps on
// disk (DurableState: promise, log, items, membership, granted lease), what the consensus rules
// keep in memory (VolatileState: role, commit point, lease, peers' progress, election, changes in
// flight) and what the node's request service keeps in memory (ServiceState). A power-off is
// `restart()`: the log falls back to its disk image and both memory parts start over.
#pragma once

#include "models/admission/node_admission.h"
#include "models/history.h"
#include "models/replication/compact_vector.h"
#include "models/replication/flat_map.h"
#include "models/replication/quorum.h"
#include "models/replication/types.h"
#include "models/replication/wal.h"
#include "sim/assert.h"
#include "sim/time.h"

#include <absl/container/btree_map.h>

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace models::replication {

enum class Role : std::uint8_t { follower, candidate, leader };

// A split applied to a replica: the child's range and the items that moved to it, kept until
// the node creates the child replica.
struct StagedSplit {
  GroupId child = kNoGroup;
  std::uint64_t low = 0;
  std::uint64_t high = 0;
  Membership membership;  // the parent's as the split applied: the child starts with it
  std::map<std::uint64_t, ItemVersions> items;
};

// A storage replica's items, key -> versions (oldest first), in key order. A B-tree
// (absl::btree_map): a lookup touches a handful of 256-byte nodes instead of one cache line per
// level of a red-black tree (item lookups were 15% of quickstart's time), and an item costs about
// 40 bytes instead of 80. It exists only once the replica holds an item: log replicas and replicas
// of groups nobody wrote carry 8 bytes. Iterators and references to items do not survive an
// insert or erase (as in any B-tree): take them after the last change.
class ItemMap {
 public:
  using Map = absl::btree_map<std::uint64_t, ItemVersions>;
  using Ordered = std::map<std::uint64_t, ItemVersions>;  // as snapshots and splits carry items
  ItemMap() = default;
  ItemMap(const ItemMap& other) { *this = other; }
  ItemMap(ItemMap&&) noexcept = default;
  ItemMap& operator=(const ItemMap& other) {
    if (this != &other) map_ = other.empty() ? nullptr : std::make_unique<Map>(*other.map_);
    return *this;
  }
  ItemMap& operator=(ItemMap&&) noexcept = default;
  ItemMap& operator=(Ordered&& items) {
    if (items.empty()) {
      map_.reset();
      return *this;
    }
    if (map_) map_->clear();
    else map_ = std::make_unique<Map>();
    for (auto& [key, versions] : items) map_->emplace_hint(map_->end(), key, std::move(versions));
    return *this;
  }
  Ordered to_ordered() const { return Ordered(begin(), end()); }

  const Map& get() const { return map_ ? *map_ : none(); }
  bool empty() const { return !map_ || map_->empty(); }
  std::size_t size() const { return map_ ? map_->size() : 0; }
  Map::const_iterator begin() const { return get().begin(); }
  Map::const_iterator end() const { return get().end(); }
  Map::iterator begin() { return map_ ? map_->begin() : none().begin(); }
  Map::iterator end() { return map_ ? map_->end() : none().end(); }
  Map::const_iterator find(std::uint64_t key) const { return get().find(key); }
  const ItemVersions& at(std::uint64_t key) const { return get().at(key); }
  ItemVersions& operator[](std::uint64_t key) {
    if (!map_) map_ = std::make_unique<Map>();
    return (*map_)[key];
  }
  // REQUIRES: `it` is an element's (so the map exists).
  Map::iterator erase(Map::iterator it) {
    SIM_ASSERT(map_ != nullptr);
    return map_->erase(it);
  }
  void clear() { map_.reset(); }

 private:
  // The empty map every replica without items reads and iterates (non-const begin() == end()
  // there, so no caller can reach an element of it); nothing ever inserts into it.
  static Map& none() {
    static Map empty;
    return empty;
  }
  std::unique_ptr<Map> map_;
};

// Splits this replica applied (rare: allocated by the first one).
struct SplitState {
  std::vector<std::pair<std::uint64_t, GroupId>> children;  // splits applied: (split hash, child)
  std::vector<StagedSplit> staged;  // applied splits whose child replica is not made yet
};

// Fields are ordered by size so a million groups' replicas waste no padding.
struct DurableState {
  bool storage = true;        // false: a log replica (no items)
  bool joined = false;        // it applied a membership naming its node: it was a member once
  // Its items were found corrupted (a page checksum, or the scrub): it asks its leader to replace
  // it through healing, never copies its items to another replica, and leads only as a last
  // resort (VolatileState::last_resort). A snapshot's items replace the damaged ones.
  bool damaged = false;
  // A replica of this group on this node was dropped when it knew memberships up to this epoch
  // (0: never). This one forgot what that one accepted, so those memberships give it no vote.
  std::uint32_t forgotten_epoch = 0;
  Ballot promised;            // no ballot below this is accepted any more
  Wal log;
  Slot applied = 0;           // items reflect every slot up to here
  Membership membership;      // as of the last applied config entry
  // Acceptor: the latest lease it granted any leader, and to whom. On disk: a replica that forgot
  // it after a reboot could let a new leader serve while the old lease still runs.
  sim::NodeId lease_granted_to = kNoNode;
  sim::Time granted_lease_end;
  // A split child's replica inherits the parent's lease; this is the node it was granted to (the
  // parent's leader), or kNoNode once the child's own leaders have sent heartbeats. That node
  // need not wait out a lease it held itself when it elects.
  sim::NodeId split_lease_holder = kNoNode;
  // Archiving on: the slots up to here are in S3, as its archiver uploaded or compared them. The
  // log keeps every entry after it (a WAL is not trimmed before it is archived).
  Slot archived = 0;
  ItemMap items;  // storage replicas: key -> versions, oldest first
  std::uint64_t hash_low = 0;                   // the slice of the table's hash space it holds
  std::uint64_t hash_high = ~std::uint64_t{0};
  std::unique_ptr<SplitState> splits;           // none until a split applies

  SplitState& split_state() {
    if (!splits) splits = std::make_unique<SplitState>();
    return *splits;
  }
  bool has_staged_splits() const { return splits && !splits->staged.empty(); }
};

// A candidate's progress through phase 1 (allocated only while an election runs).
struct Election {
  std::uint64_t serial = 0;           // tells a stale timer from this election's
  Ballot ballot;                      // none until prepares went out
  sim::NodeId candidate = kNoNode;
  // A leader that handed its leadership to the candidate and stopped serving before it said so:
  // leases granted to it need no waiting out (kNoNode: an ordinary election, every lease counts).
  sim::NodeId released = kNoNode;
  std::vector<sim::NodeId> asked;     // nodes a prepare went to
  std::vector<sim::NodeId> promised;  // nodes that promised (the candidate included)
  sim::Time old_lease_end;            // the latest lease any promiser granted someone else
  std::vector<LogEntry> recovered;    // per slot from `recovered_from`, the highest-ballot entry
  Slot recovered_from = 0;
  std::uint8_t leader_check_replies = 0;  // the gray-failure rule: peers that do not hear the leader
};

// A replacement the leader drives: healing a member, turning a log replica into a storage
// replica, or moving the leader's own replica. The target copies the data (copy time), says it
// is ready, installs the leader's snapshot and says so; only then does the leader propose the
// membership change, which commits on quorums of the old and of the new membership.
struct Change {
  enum class Kind : std::uint8_t { heal, make_storage, move };
  enum class Step : std::uint8_t { copying, installing, installed, proposed };
  Kind kind = Kind::heal;
  Step step = Step::copying;
  sim::NodeId replaced = kNoNode;  // the member whose seat changes (make_storage: the target itself)
  sim::NodeId target = kNoNode;
  bool storage = true;             // the target ends as a storage replica (else a log replica)
  std::uint32_t attempt = 0;       // echoed by the target: a stale answer is recognised
  sim::Time detected;              // when the leader decided (healing times are measured from it)
  sim::Time deadline;              // given up after this unless proposed
  Slot config_slot = 0;            // proposed: where the config entry is
};

// Fields are ordered by size so a million groups' replicas waste no padding.
struct VolatileState {
  Role role = Role::follower;
  bool handoff_armed = false;      // leader: a move's handoff waits for the new replica to catch up
  bool archiving = false;          // an upload of its next segment is in flight
  // Damaged, and no leader heard for several election timeouts (every storage member may be
  // damaged): it may lead after all, serving what its pages still check out.
  bool last_resort = false;
  sim::NodeId leader_node = kNoNode;
  Ballot leader_ballot;            // the ballot we follow (ours, when leader)
  Slot commit = 0;                 // highest slot known committed
  // Highest slot known to match the current leader's log: commits apply only up to here, so a
  // stale entry from a deposed leader is never applied (it is overwritten first).
  Slot matched = 0;
  sim::Time leader_contact;        // follower: last time the leader of leader_ballot reached it
  sim::Time catch_up_asked;        // follower: when it last asked the leader to catch it up
  Slot matched_at_heartbeat = 0;   // follower: `matched` at the last heartbeat (no progress since: ask)
  // leader only
  sim::Time lease_end;             // a quorum granted its lease until here
  sim::Time serve_after;           // and it serves nothing before here: the old lease is over
  sim::Time leader_since;
  Slot first_own_slot = 0;         // the no-op that opened this leadership; serving starts once it applied
  Progress progress;               // peers, by node id
  FlatMap<std::uint64_t, std::uint64_t> pending_versions;  // key -> version of its newest unapplied write
  std::unique_ptr<Election> election;
  std::uint64_t splitting_at = 0;  // a split at this hash is proposed (0: none)
  CompactVector<Change> changes;     // at most one per seat, and at most one proposed
  sim::NodeId moving_to = kNoNode; // moving its own replica there; handed over once it applied
  sim::NodeId transferred_from = kNoNode;  // won leadership from this node by a handoff
  // The last nodes that refused to build a replica of this group (they hold one of a newer
  // membership) or never finished one by its deadline: no replacement target again while this
  // leadership lasts. Bounded: older ones roll off.
  std::array<sim::NodeId, 2> avoid{kNoNode, kNoNode};
  // Log entries that failed their checksum, each asked of the peers since `since` (again every
  // election timeout); no intact copy by a deadline (10 minutes), and the replica is damaged
  // (replaced). Empty but under bit rot.
  struct EntryRepair {
    Slot slot;
    sim::Time since;
    sim::Time asked;
  };
  CompactVector<EntryRepair> repairs;
};

// What the node's links (links.h) hold this replica as: the leader it follows, under which
// ballot, and the peers it leads with. Kept so a change of role is told to the links exactly once.
struct LinkState {
  Ballot ballot;
  sim::NodeId leader = kNoNode;
  NodeList targets;
};

// Per replica, the node's request service: admission buckets and the keys it served lately.
struct ServiceState {
  static constexpr std::size_t kRecentKeys = 256;
  // Leader: hashes of recently served keys (split advice), a ring of kRecentKeys.
  struct RecentKeys {
    std::vector<std::uint64_t> keys;
    std::uint32_t next = 0;
  };
  std::unique_ptr<admission::PartitionBuckets> buckets;  // made on first use
  std::unique_ptr<RecentKeys> recent;                    // made on first use
  bool counted_serving = false;            // counted as a serving leader in the group health
};

struct Replica {
  GroupId group = 0;
  std::uint32_t table = 0;
  std::uint32_t local = 0;   // its index on its node
  std::uint64_t serial = 0;  // set by its node: its timers and disk writes are told from a later replica's
  DurableState d;
  VolatileState v;
  ServiceState service;
  LinkState links;

  // Power-off at `now`: only the disk survives.
  void restart(sim::Time now) {
    d.log.lose_unwritten(now);
    v = VolatileState{};
    v.commit = d.applied;
    v.matched = d.applied;
    service = ServiceState{};
    links = LinkState{};
  }

  bool holds(std::uint64_t hash) const { return d.hash_low <= hash && hash <= d.hash_high; }
  // The child a split gave `hash` to (the last split at or below it), or kNoGroup.
  GroupId child_for(std::uint64_t hash) const {
    GroupId found = kNoGroup;
    std::uint64_t best = 0;
    if (!d.splits) return kNoGroup;
    for (const auto& [at, child] : d.splits->children)
      if (at <= hash && (found == kNoGroup || at > best)) {
        found = child;
        best = at;
      }
    return found;
  }
  bool is_member(sim::NodeId node) const { return d.membership.contains(node); }
  // May lead: a storage replica that its membership names as one (a log replica never leads,
  // even one that got the items of a rebuild whose config entry has not applied yet).
  bool may_lead(sim::NodeId node) const {
    return d.storage && (!d.damaged || v.last_resort) && d.membership.is_storage_node(node);
  }
  // The newest version of an item this replica applied, and whose write it is ((0, 0): never written).
  std::pair<std::uint64_t, WriteId> applied_value(std::uint64_t key) const {
    auto it = d.items.find(key);
    if (it == d.items.end() || it->second.empty()) return {0, 0};
    return it->second.back();
  }
};

}  // namespace models::replication
