// One table's partitions by the low end of their hash range: which group holds a hash (the floor
// lookup MemDS does). A sorted vector, not a tree: ranges are added in order when a map loads
// and rarely after (a split adds one), so lookups are a binary search over 12 bytes a range and
// a region's million groups fit in 12 MB per copy of the map.
#pragma once

#include "models/routing/route.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace models::routing {

class RangeIndex {
 public:
  // A range's low end and its group in 12 bytes: the low end as two 32-bit halves, so that a
  // million-group map copied into every router and route server carries no padding.
  struct Range {
    std::uint32_t low_high_bits = 0;
    std::uint32_t low_low_bits = 0;
    GroupId group = 0;
    Range() = default;
    Range(std::uint64_t low, GroupId owner)
        : low_high_bits(static_cast<std::uint32_t>(low >> 32)), low_low_bits(static_cast<std::uint32_t>(low)), group(owner) {}
    std::uint64_t low() const { return (std::uint64_t{low_high_bits} << 32) | low_low_bits; }
  };
  static_assert(sizeof(Range) == 12);

  // The range starting at `low` belongs to `group` (added, or its owner replaced).
  void set(std::uint64_t low, GroupId group) {
    if (ranges_.empty() || low > ranges_.back().low()) {
      ranges_.emplace_back(low, group);
      return;
    }
    auto it = std::lower_bound(ranges_.begin(), ranges_.end(), low, [](const Range& r, std::uint64_t v) { return r.low() < v; });
    if (it != ranges_.end() && it->low() == low) it->group = group;
    else ranges_.insert(it, Range{low, group});
  }
  // The group of the range starting at or below `hash`; `none` if every range starts above it.
  GroupId floor(std::uint64_t hash, GroupId none) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), hash, [](std::uint64_t v, const Range& r) { return v < r.low(); });
    return it == ranges_.begin() ? none : std::prev(it)->group;
  }
  std::size_t size() const { return ranges_.size(); }
  void reserve(std::size_t ranges) { ranges_.reserve(ranges); }
  void clear() { ranges_.clear(); }
  // In ascending order of low end.
  const std::vector<Range>& ranges() const { return ranges_; }

 private:
  std::vector<Range> ranges_;
};

}  // namespace models::routing
