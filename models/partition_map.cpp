// Partition lookup by hash range.
#include "models/partition_map.h"

#include "sim/assert.h"
#include "sim/uint128.h"

#include <algorithm>

namespace models {

PartitionId PartitionMap::add_table(std::uint32_t table, std::uint32_t count) {
  SIM_ASSERT_OP(table, ==, tables_.size());
  SIM_ASSERT_OP(count, >, 0u);
  TableRanges ranges;
  const auto first = static_cast<PartitionId>(partitions_.size());
  const sim::uint128 space = static_cast<sim::uint128>(1) << 64;
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto low = static_cast<std::uint64_t>(space * i / count);
    const auto high = static_cast<std::uint64_t>(space * (i + 1) / count - 1);
    ranges.starts.push_back(low);
    ranges.ids.push_back(static_cast<PartitionId>(partitions_.size()));
    partitions_.push_back(Partition{table, low, high, 0});
  }
  tables_.push_back(std::move(ranges));
  return first;
}

void PartitionMap::split(PartitionId parent, PartitionId child, std::uint64_t at) {
  if (child >= partitions_.size()) partitions_.resize(child + 1);
  Partition& p = partitions_[parent];
  SIM_ASSERT(at > p.hash_low && at <= p.hash_high);
  partitions_[child] = Partition{p.table, at, p.hash_high, p.owner};
  p.hash_high = at - 1;
  TableRanges& ranges = tables_[p.table];
  const auto it = std::upper_bound(ranges.starts.begin(), ranges.starts.end(), at);
  const auto offset = it - ranges.starts.begin();
  ranges.starts.insert(it, at);
  ranges.ids.insert(ranges.ids.begin() + offset, child);
}

PartitionId PartitionMap::partition_of(std::uint32_t table, std::uint64_t key) const {
  const TableRanges& ranges = tables_.at(table);
  const std::uint64_t hash = key_hash(table, key);
  auto it = std::upper_bound(ranges.starts.begin(), ranges.starts.end(), hash);
  SIM_ASSERT(it != ranges.starts.begin());
  const PartitionId id = ranges.ids[static_cast<std::size_t>(it - ranges.starts.begin()) - 1];
  SIM_ASSERT(partitions_[id].hash_low <= hash && hash <= partitions_[id].hash_high);
  return id;
}

}  // namespace models
