// Tests for reports/checkers/by_key.h: the radix sort groups a history exactly as a comparison
// sort by (table, key, index) does.
#include "reports/checkers/by_key.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

namespace {

std::vector<std::size_t> by_comparison(const std::vector<models::HistoryEntry>& history, bool (*wanted)(const models::HistoryEntry&)) {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < history.size(); ++i)
    if (wanted(history[i])) indices.push_back(i);
  std::sort(indices.begin(), indices.end(), [&history](std::size_t a, std::size_t b) {
    return std::tie(history[a].table, history[a].key, a) < std::tie(history[b].table, history[b].key, b);
  });
  return indices;
}

}  // namespace

TEST_CASE("indices_by_key: the same order as a comparison sort by (table, key, index)", "[checkers]") {
  std::uint64_t state = 12345;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 11;
  };
  const auto puts_only = [](const models::HistoryEntry& e) { return e.op == models::Operation::put; };
  const auto every = [](const models::HistoryEntry&) { return true; };
  // Small key ids (most bytes shared), full 64-bit keys, many tables, and an empty history.
  for (const std::uint64_t key_mask : {std::uint64_t{0xff}, std::uint64_t{0xfffff}, ~std::uint64_t{0}}) {
    for (const std::uint32_t tables : {1u, 3u, 70000u}) {
      std::vector<models::HistoryEntry> history(20000);
      for (models::HistoryEntry& e : history) {
        e.key = next() & key_mask;
        e.table = static_cast<std::uint32_t>(next() % tables);
        e.op = next() % 3 == 0 ? models::Operation::put : models::Operation::get_strong;
      }
      INFO("key mask " << key_mask << ", tables " << tables);
      CHECK(reports::checkers::indices_by_key(history, puts_only) == by_comparison(history, puts_only));
      CHECK(reports::checkers::indices_by_key(history, every) == by_comparison(history, every));
    }
  }
  CHECK(reports::checkers::indices_by_key(std::vector<models::HistoryEntry>{}, every).empty());
}
