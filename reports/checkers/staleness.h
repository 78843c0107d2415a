// How far behind eventually consistent reads (get_eventual) were, measured from the client
// history alone (models/history.h). A measurement, not a verdict: stale reads are allowed.
#pragma once

#include "models/history.h"
#include "sim/histogram.h"

#include <cstdint>
#include <vector>

namespace reports::checkers {

struct StalenessReport {
  std::uint64_t reads = 0;        // ok get_eventual operations
  std::uint64_t stale_reads = 0;  // of those, at least one version behind
  // Over stale reads only: how long before the read was invoked the first newer acked put of
  // the key had completed, in nanoseconds.
  sim::LogLinearHistogram time_behind_ns;
  std::uint64_t versions_behind_max = 0;
};

// For each ok get_eventual of version r: versions behind = the highest version among acked
// puts of its key that completed before the read was invoked, minus r, floored at 0; time
// behind = the read's invocation minus the completion of the earliest-completing such put
// with a version above r. Only acked puts count: a maybe write is not owed to any reader.
// O(n log n) in the number of operations.
StalenessReport measure_staleness(const std::vector<models::HistoryEntry>& history);

}  // namespace reports::checkers
