// The linearizability checker for strongly consistent operations (get_strong and put), judged
// per key from the client history alone (models/history.h); get_eventual belongs to staleness.h.
#pragma once

#include "models/history.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace reports::checkers {

// The rules, lettered as in the design notes. The service numbers each key's versions in
// commit order, so the version order is taken as the order in which writes took effect; that
// turns the NP-hard general check into sorts and sweeps. "X before Y" means X completed
// strictly before Y was invoked; operations whose intervals touch or overlap are concurrent.
enum class ConsistencyRule : std::uint8_t {
  one_write_per_version,    // a: a version names one write, and a write has one version
  real_time_write_order,    // b: a write before another write has a lower version
  no_future_reads,          // c: a read returns a write invoked before the read completed
  no_stale_reads,           // d: a read returns at least the version of every acked put before it
  monotonic_reads,          // e: a read returns at least the version of every read before it
  reads_precede_writes,     // f: a read before a write returns a version lower than the write's
};
inline constexpr std::size_t kConsistencyRuleCount = 6;
// "a (one write per version)" and so on, as the examples name them.
const char* rule_name(ConsistencyRule rule);

struct ConsistencyVerdict {
  // Ok get_strong operations and every put (a failed put may still have taken effect).
  std::uint64_t operations = 0;
  std::uint64_t keys = 0;  // keys with at least one such operation
  std::uint64_t violations = 0;
  std::array<std::uint64_t, kConsistencyRuleCount> violations_by_rule{};  // by ConsistencyRule
  std::vector<std::string> examples;  // the first kMaxExamples found, key by key
  bool passed = false;

  std::uint64_t violations_of(ConsistencyRule rule) const {
    return violations_by_rule[static_cast<std::size_t>(rule)];
  }
  static constexpr std::size_t kMaxExamples = 10;
};

// Judges every key's strongly consistent operations. Only ok operations say what happened; a
// put that ended in timeout, unavailable or throttled is a "maybe" write, since an earlier
// attempt may have been applied, perhaps after the client gave up: a read may return it if it
// was invoked before the read completed, and once a read reveals its version it is ordered
// like any other write (rules b and f), though never as "before" anything, having no known end.
// Retries, as Knossos and Porcupine treat indeterminate operations: every attempt of a put
// carries the same write and may take effect once, whether or not the client learned of it, so
// a put of n attempts may be seen at up to n versions (rule a allows that many, no more). The
// version the client was told is ordered by the put's completion; every other version a read
// reveals, by its invocation only. Stale reads, lost writes and versions out of real-time
// order are still caught. O(n log n) in the number of operations.
// REQUIRES: every entry's invoked <= completed.
ConsistencyVerdict check_linearizable(const std::vector<models::HistoryEntry>& history);

}  // namespace reports::checkers
