// What the operators watch: every finished customer and canary operation is told here (by the
// client hosts), which keeps the canaries' per-minute series by AZ and feeds every alarm. Alarms
// are evaluated on the kernel at the end of each of their periods, outside any node (CloudWatch
// is not what the faults break). The report reads the series and the alarms' histories.
#pragma once

#include "models/ops/alarms.h"
#include "models/scenario.h"
#include "sim/kernel.h"

#include <cstdint>
#include <vector>

namespace models::ops {

struct CanaryMinute {
  std::uint64_t requests = 0;
  std::uint64_t succeeded = 0;
  std::vector<std::uint32_t> latency_us;  // of the successes, in finishing order
};

class Watch {
 public:
  // Schedules every alarm's evaluations up to the end of the run.
  Watch(sim::Kernel& kernel, const Scenario& scenario);
  void finished(bool canary, sim::AzId az, std::uint32_t table, bool ok, sim::Duration latency);

  // By AZ, then by minute of finishing (empty for a scenario without canaries).
  const std::vector<std::vector<CanaryMinute>>& canary_minutes() const { return canaries_; }
  const std::vector<AlarmTrack>& alarms() const { return alarms_; }

 private:
  void schedule(std::size_t alarm, sim::Time end);

  sim::Kernel& kernel_;
  sim::Time horizon_;
  std::vector<std::vector<CanaryMinute>> canaries_;
  std::vector<AlarmTrack> alarms_;
  sim::ActorId actor_{};
  sim::KindId evaluate_{};
};

}  // namespace models::ops
