// The split point a leader advises from the keys it served.
#include "models/replication/split_point.h"

#include <algorithm>

namespace models::replication {

SplitAdvice advise_split(GroupId group, const std::vector<std::uint64_t>& ring, std::uint32_t next,
                         std::size_t capacity, std::uint64_t low, std::uint64_t high) {
  SplitAdvice advice{group, SplitAdvice::Verdict::split, low + (high - low) / 2 + 1};
  std::vector<std::uint64_t> keys;
  // In arrival order: the ring's oldest entry sits at `next` once it has wrapped.
  const std::size_t start = ring.size() < capacity ? 0 : next % ring.size();
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const std::uint64_t h = ring[(start + i) % ring.size()];
    if (h >= low && h <= high) keys.push_back(h);
  }
  if (keys.size() < 16) return advice;  // too little seen: the middle
  // Keys that only move forward (timestamps as sort keys): splitting gains nothing. Retries and
  // interleaving blur the order, so compare halves: nearly all newer keys lie above the older
  // half's median.
  {
    const std::size_t half = keys.size() / 2;
    std::vector<std::uint64_t> older(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(half));
    std::nth_element(older.begin(), older.begin() + static_cast<std::ptrdiff_t>(half / 2), older.end());
    const std::uint64_t median = older[half / 2];
    std::size_t above = 0;
    for (std::size_t i = half; i < keys.size(); ++i) above += keys[i] > median ? 1 : 0;
    if (above * 10 > (keys.size() - half) * 9) return SplitAdvice{group, SplitAdvice::Verdict::sequential, 0};
  }
  std::sort(keys.begin(), keys.end());
  // One key taking most of the traffic stays hot wherever the split falls.
  std::size_t run = 1, longest = 1;
  for (std::size_t i = 1; i < keys.size(); ++i) {
    run = keys[i] == keys[i - 1] ? run + 1 : 1;
    longest = std::max(longest, run);
  }
  if (longest * 2 > keys.size()) return SplitAdvice{group, SplitAdvice::Verdict::single_item, 0};
  // The median: half the observed load on each side.
  advice.at = std::max(keys[keys.size() / 2], low + 1);
  return advice;
}

}  // namespace models::replication
