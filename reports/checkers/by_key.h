// The operations of a history a checker looks at, grouped by item: the indices of the entries
// `wanted` accepts, ordered by (table, key, index). Sorted as packed (table, key, index) records,
// not as indices whose comparison reads the history (a cache miss per comparison in a long one),
// and by radix, not by comparison.
#pragma once

#include "models/history.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace reports::checkers {

template <class Wanted>
std::vector<std::size_t> indices_by_key(const std::vector<models::HistoryEntry>& history, Wanted wanted) {
  struct Keyed {
    std::uint64_t key;
    std::uint64_t index;
    std::uint32_t table;
  };
  std::vector<Keyed> keyed;
  for (std::size_t i = 0; i < history.size(); ++i)
    if (wanted(history[i])) keyed.push_back(Keyed{history[i].key, i, history[i].table});
  // A stable LSD radix sort by (table, key), a byte at a time: the key's 8 bytes, then the
  // table's 4. The records went in by index, so stability keeps (table, key, index) order. A
  // byte all records share is skipped (one counting pass finds them), so a history whose keys
  // are small ids costs a few passes, not twelve.
  constexpr int kDigits = 12;
  const auto digit = [](const Keyed& k, int d) -> std::size_t {
    return d < 8 ? (k.key >> (8 * d)) & 0xff : (k.table >> (8 * (d - 8))) & 0xff;
  };
  std::vector<std::array<std::size_t, 256>> counts(kDigits, std::array<std::size_t, 256>{});
  for (const Keyed& k : keyed)
    for (int d = 0; d < kDigits; ++d) ++counts[d][digit(k, d)];
  std::vector<Keyed> sorted(keyed.size());
  for (int d = 0; d < kDigits; ++d) {
    std::array<std::size_t, 256>& next = counts[d];
    if (std::find(next.begin(), next.end(), keyed.size()) != next.end()) continue;  // one value: no move
    std::size_t offset = 0;
    for (std::size_t& n : next) offset += std::exchange(n, offset);
    for (const Keyed& k : keyed) sorted[next[digit(k, d)]++] = k;
    keyed.swap(sorted);
  }
  std::vector<std::size_t> indices(keyed.size());
  for (std::size_t i = 0; i < keyed.size(); ++i) indices[i] = keyed[i].index;
  return indices;
}

// Starts loading the entry a few places further along `indices` than `i`. One key's entries are
// scattered over the history, so a walk in key order would otherwise miss the cache on nearly
// every entry (the checkers' walks were mostly such misses).
inline void prefetch_ahead(const std::vector<models::HistoryEntry>& history, const std::vector<std::size_t>& indices,
                           std::size_t i) {
  constexpr std::size_t kAhead = 16;
  if (i + kAhead < indices.size()) __builtin_prefetch(&history[indices[i + kAhead]]);
}

}  // namespace reports::checkers
