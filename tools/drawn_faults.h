// A scenario's random faults (random_* entries in either list, and the swarm) made explicit: the
// episodes one seed drew, as timeline entries (sim::FaultContext::drawn), in place of the entries
// that drew them. Shrink and blame then handle each episode as a fault of its own.
#pragma once

#include "reports/report.h"

#include <string>
#include <vector>

namespace tools {

// One fault entry of a scenario document: the list it sits in ("timeline", "chaos") and the
// entry; or the swarm.
struct FaultUnit {
  std::string list;  // "timeline", "chaos" or "swarm"
  reports::Json entry;
};

std::vector<FaultUnit> fault_units(const reports::Json& document);
// `document` with exactly `units` as its faults (none: no "faults" section).
reports::Json with_faults(reports::Json document, const std::vector<FaultUnit>& units);
bool is_random(const FaultUnit& unit);
bool has_random_faults(const reports::Json& document);
// The document with its random faults replaced by `drawn` (SeedRun::drawn_faults of a run of it).
reports::Json with_drawn_faults(const reports::Json& document, const std::vector<reports::Json>& drawn);

}  // namespace tools
