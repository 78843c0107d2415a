// What the checkers may read: the history every client recorded (operation, start, end, what
// it saw) and the state of every replica at the end of a run. Plain data: the models write it,
// reports/checkers reads it, and neither reaches into the other.
#pragma once

#include "models/messages.h"
#include "models/scenario.h"
#include "sim/node.h"
#include "sim/assert.h"
#include "sim/time.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <span>
#include <utility>
#include <vector>

namespace models {

// A write's identity, unique across the whole run: the client's number and its own counter.
using WriteId = std::uint64_t;
inline WriteId make_write_id(std::uint32_t client, std::uint64_t operation) {
  return (std::uint64_t{client} + 1) << 40 | (operation & ((std::uint64_t{1} << 40) - 1));
}

// One client operation as the client saw it, after all its retries. Fields are ordered by size
// so an entry takes 64 bytes, not 72: a run keeps one per operation until the checkers read them.
struct HistoryEntry {
  WriteId id = 0;  // for a put, the identity of the value it writes
  std::uint64_t key = 0;
  sim::Time invoked;
  sim::Time completed;
  // ok put: the version the service says it wrote. ok get: the version read (0: never written)
  // and the write whose value it holds (0: none).
  std::uint64_t version = 0;
  WriteId value = 0;
  std::uint32_t table = 0;
  // put: the attempts the client sent. Each reuses the write's identity and may take effect
  // once, whatever the client learned of it: a retried put may be applied at several versions.
  std::uint32_t attempts = 1;
  Operation op = Operation::get_strong;
  Outcome outcome = Outcome::unavailable;
};
static_assert(sizeof(HistoryEntry) == 64);

// The versions of one item a replica holds, oldest first: (version, write).
using ItemVersions = std::vector<std::pair<std::uint64_t, WriteId>>;

// One replica as it stands at the end: where it is, the membership it applied last (as it knows
// it), and every version of every item it applied (its B-tree with history, as point-in-time
// recovery keeps). Who votes is read from these memberships, never from a model's bookkeeping.
// The storage members a membership names: at most three, held inline (a region's final state
// has three million replicas; a std::vector each cost 56 bytes and an allocation).
class StorageMembers {
 public:
  static constexpr std::size_t kMax = 3;
  StorageMembers() = default;
  StorageMembers(std::initializer_list<sim::NodeId> nodes) {
    for (const sim::NodeId node : nodes) push_back(node);
  }
  StorageMembers(const std::vector<sim::NodeId>& nodes) {  // NOLINT: a list of nodes is one
    for (const sim::NodeId node : nodes) push_back(node);
  }
  void push_back(sim::NodeId node) {
    SIM_ASSERT_OP(static_cast<std::size_t>(count_), <, kMax);
    nodes_[count_++] = node;
  }
  const sim::NodeId* begin() const { return nodes_.data(); }
  const sim::NodeId* end() const { return nodes_.data() + count_; }
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }

 private:
  std::array<sim::NodeId, kMax> nodes_{};
  std::uint8_t count_ = 0;
};

// One item of a FinalReplica: its versions are the replica's versions[first, first + count).
struct FinalItem {
  std::uint64_t key = 0;
  std::uint32_t table = 0;
  std::uint32_t count = 0;
  std::size_t first = 0;
};

struct FinalReplica {
  std::uint32_t group = 0;
  sim::NodeId node = 0;
  bool storage = false;  // it holds items (a log replica holds none)
  std::uint32_t membership_epoch = 0;         // of the membership it applied last
  StorageMembers storage_members;             // the nodes that membership names as storage replicas
  // Its items by (table, key), and their versions, oldest first, item after item in one array:
  // a copy of a replica's items is two arrays, not a map node and a vector per item.
  std::vector<FinalItem> items;
  ItemVersions versions;

  std::span<const std::pair<std::uint64_t, WriteId>> versions_of(const FinalItem& item) const {
    return {versions.data() + item.first, item.count};
  }
  // The item (table, key), or null.
  const FinalItem* find(std::uint32_t table, std::uint64_t key) const {
    const auto it = std::lower_bound(items.begin(), items.end(), std::pair{table, key},
                                     [](const FinalItem& i, const auto& k) { return std::pair{i.table, i.key} < k; });
    return it != items.end() && it->table == table && it->key == key ? &*it : nullptr;
  }
  // Adds an item after every item it holds. REQUIRES: (table, key) orders after the last one's.
  void append(std::uint32_t table, std::uint64_t key, std::span<const std::pair<std::uint64_t, WriteId>> item_versions) {
    SIM_ASSERT(items.empty() || (std::pair{items.back().table, items.back().key} < std::pair{table, key}));
    SIM_ASSERT_OP(item_versions.size(), <=, std::size_t{UINT32_MAX});
    items.push_back(FinalItem{key, table, static_cast<std::uint32_t>(item_versions.size()), versions.size()});
    versions.insert(versions.end(), item_versions.begin(), item_versions.end());
  }
};

struct FinalState {
  std::vector<FinalReplica> replicas;  // ordered by (group, node)
  std::size_t write_quorum = 2;
  // Replicas kept only each item's newest version (replication.keep_item_history false, which
  // bounds memory): an acknowledged write then counts as kept where a newer version is.
  bool newest_only = false;
};

}  // namespace models
