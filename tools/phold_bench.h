// `ddbsim bench phold`: PHOLD (Fujimoto 1990) on the real kernel, with the parameters of the
// ns-3 peer in shared/peers/phold-ns3, so the two event rates can be compared on one machine.
#pragma once

#include <cstdint>
#include <string>

namespace tools {

struct PholdParams {
  std::uint32_t lps = 1024;
  std::uint32_t population = 16;    // pending events per LP
  double remote = 0.9;              // probability of sending to another LP
  double mean_us = 1000.0;          // mean of the exponential part of the delay
  std::uint64_t events = 10'000'000;
  std::uint64_t seed = 1;
};

struct PholdResult {
  std::uint64_t events = 0;
  double wall_s = 0.0;
  double events_per_s = 0.0;
  std::uint64_t checksum = 0;       // FNV-1a of per-LP counts, comparable with the peer's
  std::uint64_t final_time_ns = 0;
  std::uint64_t trace_digest = 0;
};

PholdResult run_phold(const PholdParams& params);

}  // namespace tools
