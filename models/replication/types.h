// The vocabulary of a replication group: ballots, memberships and write-ahead log entries.
// Plain values shared by the replicas, the consensus rules and the messages between nodes.
#pragma once

#include "models/history.h"
#include "sim/node.h"
#include "sim/time.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <compare>
#include <cstdint>

namespace models::replication {

using GroupId = std::uint32_t;  // one group per partition: the partition's id
using Slot = std::uint64_t;     // a position in a group's log, from 1
inline constexpr sim::NodeId kNoNode = 0xffffffffu;
inline constexpr GroupId kNoGroup = 0xffffffffu;

// A Paxos ballot: (round, node) packed so that integer order is ballot order and two nodes
// never pick the same ballot. Zero means "none".
class Ballot {
 public:
  constexpr Ballot() = default;
  static constexpr Ballot make(std::uint64_t round, sim::NodeId node) {
    return Ballot((round << kNodeBits) | (node & kNodeMask));
  }
  constexpr std::uint64_t round() const { return value_ >> kNodeBits; }
  constexpr sim::NodeId node() const { return static_cast<sim::NodeId>(value_ & kNodeMask); }
  constexpr std::uint64_t raw() const { return value_; }
  constexpr bool none() const { return value_ == 0; }
  // The smallest ballot of `node` above this one.
  constexpr Ballot next_for(sim::NodeId node) const { return make(round() + 1, node); }
  constexpr auto operator<=>(const Ballot&) const = default;

 private:
  static constexpr int kNodeBits = 24;
  static constexpr std::uint64_t kNodeMask = (std::uint64_t{1} << kNodeBits) - 1;
  constexpr explicit Ballot(std::uint64_t value) : value_(value) {}
  std::uint64_t value_ = 0;
};

// The voting members of a group: three replicas in three AZs. A member is a storage replica
// (write-ahead log and B-tree) or a log replica (log only: votes, never leads, serves nothing).
// Members are named by node id everywhere; the seat index only keeps the layout stable.
struct Membership {
  static constexpr std::size_t kSize = 3;
  std::array<sim::NodeId, kSize> nodes{kNoNode, kNoNode, kNoNode};
  std::uint8_t storage_mask = 0;  // bit i: nodes[i] is a storage replica
  std::uint32_t epoch = 0;        // grows with every change

  bool contains(sim::NodeId node) const { return node != kNoNode && index_of(node) < kSize; }
  std::size_t index_of(sim::NodeId node) const {
    for (std::size_t i = 0; i < kSize; ++i)
      if (nodes[i] == node) return i;
    return kSize;
  }
  bool is_storage(std::size_t i) const { return ((storage_mask >> i) & 1u) != 0; }
  bool is_storage_node(sim::NodeId node) const {
    const std::size_t i = index_of(node);
    return i < kSize && is_storage(i);
  }
  static constexpr std::size_t quorum() { return kSize / 2 + 1; }
  bool operator==(const Membership&) const = default;
};

// A few node ids kept inline (no allocation): a group's replication targets are its members,
// the members of a membership in its log and a node joining, so never more than kMax.
class NodeList {
 public:
  static constexpr std::size_t kMax = 8;
  void add(sim::NodeId node) {
    if (node == kNoNode || contains(node)) return;
    if (size_ >= kMax) [[unlikely]] std::abort();  // more targets than any group can have: a bug
    nodes_[size_++] = node;
  }
  bool contains(sim::NodeId node) const {
    for (std::size_t i = 0; i < size_; ++i)
      if (nodes_[i] == node) return true;
    return false;
  }
  const sim::NodeId* begin() const { return nodes_.data(); }
  const sim::NodeId* end() const { return nodes_.data() + size_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool operator==(const NodeList& other) const {
    return std::equal(begin(), end(), other.begin(), other.end());
  }

 private:
  std::array<sim::NodeId, kMax> nodes_{};
  std::uint8_t size_ = 0;
};

// split: the group gives the part of its hash range from `key` up to a new group (`write`
// holds its id), created on the same nodes when the entry applies.
// scrub: a marker (continuous verification): every storage replica that applies it checksums its
// items there and sends the digest to the scrub verifier, so all compare the same state.
enum class EntryKind : std::uint8_t { write, noop, config, split, scrub };

// Values no put wrote, as a node may hold them: bit rot changed an item's bytes (its page
// checksum no longer matches), or a buggy build stored a wrong value (its checksum, computed over
// the wrong value, matches). The low bits tell the damaged values apart.
inline constexpr WriteId kRottenValue = WriteId{1} << 63;
inline constexpr WriteId kBuggyValue = WriteId{1} << 62;
inline bool rotten(WriteId value) { return (value & kRottenValue) != 0; }

// One write-ahead log entry. A config entry carries its new membership packed into the item
// fields, so every entry has one size. Every config entry is a joint change: it commits only
// once a quorum of the membership before it and a quorum of the one it installs persisted it.
// It also carries the membership it was derived from (its base: one seat differs), and takes
// effect only where that base is the membership in force before its slot: recovery adopts each
// slot's highest-ballot value, so a deposed leader's change can land after another change made
// from the same base; it is then a no-op (rules::takes_effect).
struct LogEntry {
  Ballot ballot;
  WriteId write = 0;          // write: the value's identity
  std::uint64_t key = 0;      // write: the item
  std::uint64_t version = 0;  // write: the version this entry creates for the item
  std::uint32_t item_bytes = 0;
  EntryKind kind = EntryKind::noop;
  // Bit rot changed the entry's bytes where it rests (a replica's log, an archived segment): its
  // checksum no longer matches, which every read of it checks (Host::entries_intact, the scrub's
  // reference replay, a restore). Never set on an entry in flight.
  bool rotten = false;
  // The log format the leader's build wrote it in (models/ops/build.h); a build reads those up to
  // its own reads_format.
  std::uint8_t format = 1;

  static LogEntry noop(Ballot ballot);
  // REQUIRES: next differs from base in one seat at most, and next.epoch == base.epoch + 1.
  static LogEntry config(Ballot ballot, const Membership& base, const Membership& next);
  static LogEntry split(Ballot ballot, std::uint64_t at_hash, GroupId child);
  static LogEntry scrub(Ballot ballot);
  Membership membership() const;  // REQUIRES: kind == config
  Membership base() const;        // REQUIRES: kind == config
  // The same decision, whatever ballot carried it (a new leader re-proposes recovered values).
  bool same_value(const LogEntry& other) const {
    return kind == other.kind && write == other.write && key == other.key && version == other.version;
  }
};

}  // namespace models::replication
