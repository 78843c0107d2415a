// `ddbsim blame`: which fault cost what. The seed runs with every fault, with none, and once
// without each fault in turn; the clients draw their arrivals, operations and keys from streams
// of their own, so every run offers the same traffic and the differences are the faults' doing.
// A fault's share is the availability lost with it and regained without it, over what all the
// faults together lost; what the shares do not add up to is their interaction (faults that hurt
// only together, or cover for each other).
#pragma once

#include "reports/report.h"

#include <optional>
#include <string>
#include <vector>

namespace tools {

// The figures blame compares, read from a run's report: failed / finished customer requests
// (throttles left out, as availability leaves them out), and p99 latency per operation (ms).
struct RunCost {
  double unavailability = 0.0;
  std::uint64_t requests = 0;
  std::uint64_t failed = 0;
  reports::Json p99_ms;  // by operation; null where no operation succeeded
};
RunCost run_cost(const reports::Json& report);

// `faults[i]` is fault i's resolved entry and `without[i]` the cost of the run without it.
reports::Json blame_table(const RunCost& all, const RunCost& none, const std::vector<reports::Json>& faults,
                          const std::vector<RunCost>& without);
std::string blame_text(const reports::Json& table);

struct BlameOptions {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  unsigned jobs = 1;
  std::string out_dir;  // empty: out/<scenario>/seed-<seed>
  std::string format = "text";
};
int blame_command(const BlameOptions& options);

}  // namespace tools
