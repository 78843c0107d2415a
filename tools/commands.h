// The `ddbsim` subcommands. Each returns the process exit code: 0 every check held, 1 a check
// failed, 2 bad input or usage, 130 interrupted by Ctrl-C.
#pragma once

#include "tools/phold_bench.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tools {

inline constexpr int kExitPassed = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadInput = 2;
// A sweep of more seeds is a typo (a missing "..", a digit too many), not a plan.
inline constexpr std::uint64_t kMostSeedsPerSweep = 1'000'000'000;
inline constexpr int kExitInterrupted = 130;

struct RunOptions {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  std::string out_dir;     // empty: out/<scenario name>/seed-<seed>
  std::string trace_file;  // empty: no trace
  std::string trace_format = "jsonl";  // or "perfetto"
  std::string trace_window;            // "A..B" (durations): only that stretch (perfetto); empty: all
  std::string format = "text";
};
int run_command(const RunOptions& options);

int validate_command(const std::vector<std::string>& scenarios);

struct SweepOptions {
  std::string scenario;
  std::uint64_t first_seed = 1;
  std::uint64_t last_seed = 1;
  unsigned jobs = 1;
  std::string out_dir;  // empty: write no per-seed reports
};
int sweep_command(const SweepOptions& options);

int bench_phold_command(const PholdParams& params);

// "A..B" (inclusive) or a single seed "A". Empty on a malformed range.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_seed_range(const std::string& text);

}  // namespace tools
