// Which partition holds a key and which storage node serves that partition. Partitions are
// contiguous ranges of a 64-bit hash of (table, key), as DynamoDB cuts tables.
#pragma once

#include "sim/node.h"

#include <cstdint>
#include <vector>

namespace models {

// Inline: every request hashes its key, and placement hashes (group, node) for each candidate.
inline std::uint64_t key_hash(std::uint32_t table, std::uint64_t key) {
  // splitmix64's finaliser over (table, key): spreads sequential keys over the whole range.
  std::uint64_t z = key + 0x9e3779b97f4a7c15ull * (std::uint64_t{table} + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

struct Partition {
  std::uint32_t table = 0;
  std::uint64_t hash_low = 0;   // inclusive
  std::uint64_t hash_high = 0;  // inclusive
  sim::NodeId owner = 0;
};
using PartitionId = std::uint32_t;

class PartitionMap {
 public:
  // Cuts the table's hash space into `count` equal ranges; returns the first partition's id.
  PartitionId add_table(std::uint32_t table, std::uint32_t count);
  void set_owner(PartitionId id, sim::NodeId owner) { partitions_.at(id).owner = owner; }

  // `parent` gives [at, its high end] to the new partition `child` (ids may leave gaps).
  void split(PartitionId parent, PartitionId child, std::uint64_t at);

  PartitionId partition_of(std::uint32_t table, std::uint64_t key) const;
  const Partition& partition(PartitionId id) const { return partitions_[id]; }
  std::size_t size() const { return partitions_.size(); }

 private:
  struct TableRanges {
    std::vector<std::uint64_t> starts;  // sorted hash_low of each partition
    std::vector<PartitionId> ids;
  };
  std::vector<Partition> partitions_;
  std::vector<TableRanges> tables_;
};

}  // namespace models
