// Hand-built history entries for the checkers' tests: times in milliseconds, outcomes named.
// Shared by tests/reports/checkers/*_test.cpp only.
#pragma once

#include "models/history.h"

#include <cstdint>
#include <map>

namespace checkers_test {

inline sim::Time at_ms(std::int64_t ms) { return sim::Time::zero() + sim::millis(ms); }

inline models::HistoryEntry put(std::uint64_t key, models::WriteId write, std::uint64_t version,
                                std::int64_t invoked_ms, std::int64_t completed_ms,
                                models::Outcome outcome = models::Outcome::ok) {
  models::HistoryEntry entry;
  entry.id = write;
  entry.key = key;
  entry.op = models::Operation::put;
  entry.outcome = outcome;
  entry.invoked = at_ms(invoked_ms);
  entry.completed = at_ms(completed_ms);
  entry.version = outcome == models::Outcome::ok ? version : 0;
  return entry;
}

// A put that failed as the client saw it (version unknown): it may or may not have taken effect.
inline models::HistoryEntry maybe_put(std::uint64_t key, models::WriteId write, std::int64_t invoked_ms,
                                      std::int64_t completed_ms,
                                      models::Outcome outcome = models::Outcome::timeout) {
  return put(key, write, 0, invoked_ms, completed_ms, outcome);
}

// The same put, sent `attempts` times (each may have taken effect once).
inline models::HistoryEntry retried(models::HistoryEntry put, std::uint32_t attempts) {
  put.attempts = attempts;
  return put;
}

inline models::HistoryEntry get(std::uint64_t key, std::uint64_t version, models::WriteId value,
                                std::int64_t invoked_ms, std::int64_t completed_ms,
                                models::Operation op = models::Operation::get_strong,
                                models::Outcome outcome = models::Outcome::ok) {
  models::HistoryEntry entry;
  entry.key = key;
  entry.op = op;
  entry.outcome = outcome;
  entry.invoked = at_ms(invoked_ms);
  entry.completed = at_ms(completed_ms);
  entry.version = version;
  entry.value = value;
  return entry;
}

inline models::HistoryEntry eventual_get(std::uint64_t key, std::uint64_t version, models::WriteId value,
                                         std::int64_t invoked_ms, std::int64_t completed_ms) {
  return get(key, version, value, invoked_ms, completed_ms, models::Operation::get_eventual);
}

// A final replica's items as a map, and back: tests change items in any order.
using ItemsByKey = std::map<std::pair<std::uint32_t, std::uint64_t>, models::ItemVersions>;
inline ItemsByKey items_of(const models::FinalReplica& replica) {
  ItemsByKey out;
  for (const models::FinalItem& item : replica.items) {
    const auto versions = replica.versions_of(item);
    out[{item.table, item.key}].assign(versions.begin(), versions.end());
  }
  return out;
}
inline void set_items(models::FinalReplica& replica, const ItemsByKey& items) {
  replica.items.clear();
  replica.versions.clear();
  for (const auto& [table_key, versions] : items) replica.append(table_key.first, table_key.second, versions);
}

}  // namespace checkers_test
