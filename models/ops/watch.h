// What the operators watch: every finished customer and canary operation is told here (by the
// client hosts), which keeps the canaries' per-minute series by endpoint and AZ (and, for deployments, the
// customers' per-second counts) and feeds every alarm. Alarms
// are evaluated on the kernel at the end of each of their periods, outside any node (CloudWatch
// is not what the faults break). The report reads the series and the alarms' histories.
#pragma once

#include "models/ops/alarms.h"
#include "models/scenario.h"
#include "sim/kernel.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace models::ops {

// The customers' operations that finished in one second of the run.
struct CustomerSecond {
  std::uint64_t requests = 0;
  std::uint64_t failed = 0;
};

struct CanaryMinute {
  std::uint64_t requests = 0;
  std::uint64_t succeeded = 0;
  std::vector<std::uint32_t> latency_us;  // of the successes, in finishing order
};

class Watch {
 public:
  // Schedules every alarm's evaluations up to the end of the run.
  Watch(sim::Kernel& kernel, const Scenario& scenario);
  void finished(bool canary, std::uint32_t endpoint, sim::AzId az, std::uint32_t table, bool ok, sim::Duration latency);

  // The canary of one endpoint and AZ, by minute of finishing (empty for a scenario without
  // canaries, or for a canary that never finished an operation).
  const std::vector<CanaryMinute>& canary_minutes(std::uint32_t endpoint, sim::AzId az) const {
    return canaries_[endpoint * azs_ + az];
  }
  const std::vector<AlarmTrack>& alarms() const { return alarms_; }
  // By second of finishing (kept only for a scenario with deployments).
  const std::vector<CustomerSecond>& customer_seconds() const { return customers_; }
  // Error-minutes of the customers' operations that finished in [from, to): every second adds
  // its share of failed operations, so a minute of total outage is 1 and a tenth failing for ten
  // minutes is 1 too. Seconds without operations add nothing.
  double error_minutes(sim::Time from, sim::Time to) const;
  // The customers' operations that finished in [from, to), and how many of them failed.
  CustomerSecond customers_between(sim::Time from, sim::Time to) const;
  // Called with the alarm's index whenever an alarm goes to ALARM.
  void on_alarm(std::function<void(std::size_t alarm)> listener) { listeners_.push_back(std::move(listener)); }

 private:
  void schedule(std::size_t alarm, sim::Time end);

  sim::Kernel& kernel_;
  sim::Time horizon_;
  std::size_t azs_;
  std::vector<std::vector<CanaryMinute>> canaries_;  // by endpoint, then AZ
  std::vector<AlarmTrack> alarms_;
  bool keep_customers_ = false;
  std::vector<CustomerSecond> customers_;
  std::vector<std::function<void(std::size_t)>> listeners_;
  sim::ActorId actor_{};
  sim::KindId evaluate_{};
};

}  // namespace models::ops
