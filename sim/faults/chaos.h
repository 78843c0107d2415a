// One kind of random disturbance, as random_<kind> chaos entries and faults.swarm read it: its
// rate and intensity bounds, drawn once per seed, then episodes drawn as a Poisson process.
#pragma once

#include "sim/faults/common.h"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace sim::faults {

inline constexpr std::array<std::string_view, 6> kChaosKinds{"duplicate", "latency", "loss",
                                                            "partition", "pause", "power_off"};

struct ChaosSpec {
  std::string kind;  // one of kChaosKinds
  std::string stream_name;
  NumberRange per_hour;
  DurationRange duration;  // of each episode (power_off: "down"), uniform in the range
  Duration start;
  Duration end;
  std::uint32_t max_active = 1;
  std::string role = "storage";     // power_off, pause, partition: whose nodes are hit
  NumberRange intensity;            // loss, duplicate: the probability
  DurationRange extra;              // latency
  DurationRange jitter;             // latency
  std::vector<std::string> shapes;  // partition: drawn from these
  std::vector<std::string> tables;  // partition: for leader_from_followers

  // What a seed draws within the bounds.
  struct Drawn {
    double per_hour = 0;
    double intensity = 0;
    Duration extra;
    Duration jitter;
  };
  Drawn draw(Rng& rng) const;
  std::string describe(const Drawn& drawn) const;
  static std::string fmt_rate(double per_hour);
  nlohmann::json write() const;
  static ChaosSpec read(std::string kind, config::ObjectReader& entry, const FaultParseContext& context);
  // Starts the episodes (kept in the context); every later draw comes from `rng`.
  void run(FaultContext& context, Drawn drawn, Rng& rng) const;
};

// faults.swarm.
std::unique_ptr<Fault> parse_swarm(const config::Node& node, const FaultParseContext& context);

}  // namespace sim::faults
