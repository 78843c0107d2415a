// Canary series and alarm evaluation.
#include "models/ops/watch.h"

#include <algorithm>

namespace models::ops {

Watch::Watch(sim::Kernel& kernel, const Scenario& scenario)
    : kernel_(kernel), horizon_(sim::Time::zero() + scenario.duration) {
  if (scenario.canaries.enabled) canaries_.resize(scenario.azs.size());
  for (const AlarmSpec& spec : scenario.alarms) alarms_.emplace_back(spec);
  if (alarms_.empty()) return;
  actor_ = kernel.register_actor("alarms");
  evaluate_ = kernel.register_kind("alarm.evaluate");
  for (std::size_t i = 0; i < alarms_.size(); ++i) schedule(i, sim::Time::zero() + alarms_[i].spec().period);
}

void Watch::schedule(std::size_t alarm, sim::Time end) {
  if (end > horizon_) return;
  kernel_.at(end, sim::Tag{actor_, evaluate_}, [this, alarm, end] {
    alarms_[alarm].evaluate(end);
    schedule(alarm, end + alarms_[alarm].spec().period);
  });
}

void Watch::finished(bool canary, sim::AzId az, std::uint32_t table, bool ok, sim::Duration latency) {
  const sim::Time now = kernel_.now();
  if (canary) {
    std::vector<CanaryMinute>& series = canaries_[az];
    const auto minute = static_cast<std::size_t>((now - sim::Time::zero()) / sim::minutes(1));
    if (series.size() <= minute) series.resize(minute + 1);
    CanaryMinute& m = series[minute];
    ++m.requests;
    if (ok) {
      ++m.succeeded;
      m.latency_us.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(latency.nanos() / 1000, 0xffffffff)));
    }
  }
  for (AlarmTrack& alarm : alarms_)
    if (alarm.watches(canary, az, table)) alarm.observe(now, ok, latency);
}

}  // namespace models::ops
