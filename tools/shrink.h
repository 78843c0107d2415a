// `ddbsim shrink`: a failing seed turned into a minimal scenario that fails the same way. The
// signature is what failed (the ids of the invariant checks and monitors, the names of the
// expectations; tools/sweep_records.h), never a time or a key. Candidates are scenario files
// the loader accepts: the expectations and variants dropped where they do not take part, the
// random faults (chaos entries, random_power_off, the swarm) replaced by the episodes they drew
// on the seed as timeline entries (when that still fails the same way), the fault entries
// delta-debugged (ddmin), what remains weakened (shorter faults, smaller probabilities and
// latencies), the optional sections (non-default settings) dropped, then the duration, each
// workload entry's rate and each AZ's node counts cut (never below three AZs with storage: the
// loader refuses that) while the signature holds. Each round's candidates run in parallel and
// the first in a fixed order wins, so the result does not depend on --jobs. The result is
// replayed twice and its digests compared.
#pragma once

#include "models/simulation.h"
#include "reports/report.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tools {

struct ShrinkOptions {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  unsigned jobs = 1;
  double budget_s = 600;  // wall seconds; then it stops where it is
  std::string out_dir;    // empty: out/<scenario>/shrink-seed-<seed>
};

struct ShrinkResult {
  reports::Json scenario;              // the minimal scenario document
  std::vector<std::string> signature;  // what it fails with (the original's)
  std::uint64_t runs = 0;              // candidates run
  bool budget_reached = false;
  bool replayed = false;               // two replays gave the same digest and signature
  std::size_t faults_before = 0, faults_after = 0;
  std::size_t drawn_made_explicit = 0;  // random faults' episodes turned into timeline entries
};

// Shrinks `document` (a scenario file's JSON) failing on `seed`; none if it does not fail.
// `hooks` plant a bug (tests only). Throws sim::config::InputError if the document is invalid.
std::optional<ShrinkResult> shrink(const reports::Json& document, const std::string& label, std::uint64_t seed,
                                   unsigned jobs, double budget_s, models::TestHooks hooks = {});

int shrink_command(const ShrinkOptions& options);

}  // namespace tools
