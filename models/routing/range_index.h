// One table's partitions by the low end of their hash range: which group holds a hash (the floor
// lookup MemDS does). A sorted vector, not a tree: ranges are added in order when a map loads
// and rarely after (a split adds one), so lookups are a binary search over 16 bytes a range and
// a region's million groups fit in 16 MB per copy of the map.
#pragma once

#include "models/routing/route.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace models::routing {

class RangeIndex {
 public:
  // The range starting at `low` belongs to `group` (added, or its owner replaced).
  void set(std::uint64_t low, GroupId group) {
    if (ranges_.empty() || low > ranges_.back().first) {
      ranges_.emplace_back(low, group);
      return;
    }
    auto it = std::lower_bound(ranges_.begin(), ranges_.end(), low, [](const Range& r, std::uint64_t v) { return r.first < v; });
    if (it != ranges_.end() && it->first == low) it->second = group;
    else ranges_.insert(it, Range{low, group});
  }
  // The group of the range starting at or below `hash`; `none` if every range starts above it.
  GroupId floor(std::uint64_t hash, GroupId none) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), hash, [](std::uint64_t v, const Range& r) { return v < r.first; });
    return it == ranges_.begin() ? none : std::prev(it)->second;
  }
  std::size_t size() const { return ranges_.size(); }
  void reserve(std::size_t ranges) { ranges_.reserve(ranges); }
  void clear() { ranges_.clear(); }
  // (low, group) in ascending order of low.
  const std::vector<std::pair<std::uint64_t, GroupId>>& ranges() const { return ranges_; }

 private:
  using Range = std::pair<std::uint64_t, GroupId>;
  std::vector<Range> ranges_;
};

}  // namespace models::routing
