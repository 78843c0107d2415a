// The operations of a history a checker looks at, grouped by item: the indices of the entries
// `wanted` accepts, ordered by (table, key, index). Sorted as packed (table, key, index) records,
// not as indices whose comparison reads the history (a cache miss per comparison in a long one).
#pragma once

#include "models/history.h"

#include <algorithm>
#include <cstdint>
#include <tuple>
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
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    return std::tie(a.table, a.key, a.index) < std::tie(b.table, b.key, b.index);
  });
  std::vector<std::size_t> indices(keyed.size());
  for (std::size_t i = 0; i < keyed.size(); ++i) indices[i] = keyed[i].index;
  return indices;
}

}  // namespace reports::checkers
