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

// The ids of every put in the history (what the checkers consider written), for lookups: a
// bitmap per client over its operation counter, since a client numbers its writes densely
// (models/history.h, make_write_id). One memory access per lookup.
class WrittenValues {
 public:
  explicit WrittenValues(const std::vector<models::HistoryEntry>& history);
  bool contains(models::WriteId id) const {
    const std::uint64_t client = id >> 40;
    const std::uint64_t operation = id & ((std::uint64_t{1} << 40) - 1);
    if (client >= bits_.size() || operation / 64 >= bits_[client].size()) return false;
    return ((bits_[client][operation / 64] >> (operation % 64)) & 1) != 0;
  }

 private:
  std::vector<std::vector<std::uint64_t>> bits_;  // by the id's client part
};
// Whether an ok read's value is one no put wrote.
bool corrupted_read(const models::HistoryEntry& entry, const WrittenValues& written);

IntegrityVerdict check_integrity(const std::vector<models::HistoryEntry>& history);

}  // namespace reports::checkers
