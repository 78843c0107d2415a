// PHOLD on sim::Kernel. One global stream is consumed in event order, exactly as the peer does
// (draw order per event: remote?, destination if remote, delay), so equal checksums mean the
// same global event order.
#include "tools/phold_bench.h"

#include "sim/detmath.h"
#include "sim/kernel.h"
#include "sim/rng.h"
#include "sim/uint128.h"

#include <chrono>
#include <cmath>
#include <vector>

namespace tools {

namespace {

constexpr std::uint64_t kLookaheadNs = 100'000;

struct Phold {
  sim::Kernel& kernel;
  sim::Rng rng;
  std::vector<std::uint64_t> counts;
  std::uint64_t processed = 0;
  std::uint64_t target = 0;
  std::uint32_t lps = 0;
  double remote = 0.0;
  double mean_ns = 0.0;
  sim::Tag tag;

  double uniform() { return static_cast<double>(rng.next_u64() >> 11) * 0x1.0p-53; }
  // The peer's multiply-shift draw (slightly biased, but identical on both sides).
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>((static_cast<sim::uint128>(rng.next_u64()) * n) >> 64);
  }
  std::uint64_t delay_ns() {
    return kLookaheadNs + static_cast<std::uint64_t>(-mean_ns * sim::detmath::log(1.0 - uniform()));
  }
  std::uint32_t destination(std::uint32_t self) {
    const double u = uniform();
    if (lps > 1 && u < remote) {
      const std::uint32_t d = below(lps - 1);
      return d >= self ? d + 1 : d;
    }
    return self;
  }
};

struct PholdEvent {
  Phold* phold;
  std::uint32_t lp;
  void operator()() const {
    Phold& p = *phold;
    ++p.counts[lp];
    if (++p.processed >= p.target) p.kernel.stop();
    const std::uint32_t next = p.destination(lp);
    const std::uint64_t delay = p.delay_ns();
    p.kernel.after(sim::Duration::from_nanos(static_cast<std::int64_t>(delay)), p.tag, PholdEvent{phold, next});
  }
};

std::uint64_t fnv1a(const std::vector<std::uint64_t>& counts) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::uint64_t c : counts)
    for (int b = 0; b < 8; ++b) {
      h ^= (c >> (8 * b)) & 0xff;
      h *= 0x100000001b3ull;
    }
  return h;
}

}  // namespace

PholdResult run_phold(const PholdParams& params) {
  sim::Kernel kernel(params.seed);
  Phold phold{kernel, sim::Rng(params.seed), std::vector<std::uint64_t>(params.lps, 0), 0, params.events,
              params.lps, params.remote, params.mean_us * 1000.0,
              sim::Tag{kernel.register_actor("phold"), kernel.register_kind("phold.event")}};
  const auto started = std::chrono::steady_clock::now();
  for (std::uint32_t lp = 0; lp < params.lps; ++lp)
    for (std::uint32_t k = 0; k < params.population; ++k)
      kernel.at(sim::Time::from_nanos(static_cast<std::int64_t>(phold.delay_ns())), phold.tag, PholdEvent{&phold, lp});
  kernel.run();
  const auto finished = std::chrono::steady_clock::now();
  PholdResult result;
  result.events = phold.processed;
  result.wall_s = std::chrono::duration<double>(finished - started).count();
  result.events_per_s = static_cast<double>(result.events) / result.wall_s;
  result.checksum = fnv1a(phold.counts);
  result.final_time_ns = static_cast<std::uint64_t>(kernel.now().nanos());
  result.trace_digest = kernel.digest();
  return result;
}

}  // namespace tools
