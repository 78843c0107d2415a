// Data integrity, judged from the client history alone (models/history.h): a read, strongly or
// eventually consistent, that returns a value no put of the whole run ever wrote returned
// corrupted data (bit rot served without a page checksum, a software bug that applied a wrong
// value). Such reads are counted here and left out of the linearizability check, which judges
// the order of values that exist; a read of another key's value stays a linearizability
// violation (rule c), since that is a routing or replication bug, not damaged data.
#pragma once

#include "models/history.h"
#include "sim/time.h"

#include <cstdint>
#include <string>
#include <vector>

namespace reports::checkers {

struct IntegrityVerdict {
  std::uint64_t reads = 0;            // ok reads that named a value
  std::uint64_t corrupted_reads = 0;  // of those, values no put wrote
  std::uint64_t keys = 0;             // distinct (table, key) they were of
  sim::Time first;                    // when the first and the last of them completed
  sim::Time last;
  std::vector<std::string> examples;
  bool passed = false;
  static constexpr std::size_t kMaxExamples = 10;
};

// The ids of every put in the history, sorted (what the checkers consider written).
std::vector<models::WriteId> written_values(const std::vector<models::HistoryEntry>& history);
// Whether an ok read's value is one no put wrote (REQUIRES: `written` from written_values).
bool corrupted_read(const models::HistoryEntry& entry, const std::vector<models::WriteId>& written);

IntegrityVerdict check_integrity(const std::vector<models::HistoryEntry>& history);

}  // namespace reports::checkers
