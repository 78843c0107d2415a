// `ddbsim bench phold`.
#include "tools/commands.h"

#include <fmt/format.h>

namespace tools {

int bench_phold_command(const PholdParams& params) {
  const PholdResult result = run_phold(params);
  fmt::print("phold impl=ddbsim events={} wall_s={:.4f} events_per_s={:.0f} checksum={:016x}\n", result.events,
             result.wall_s, result.events_per_s, result.checksum);
  fmt::print(stderr, "# lps={} pop={} remote={} mean_us={} lookahead_us=100 seed={} final_vt_ns={} digest={:016x}\n",
             params.lps, params.population, params.remote, params.mean_us, params.seed, result.final_time_ns,
             result.trace_digest);
  fmt::print("events_per_s={:.0f}\n", result.events_per_s);
  return kExitPassed;
}

}  // namespace tools
