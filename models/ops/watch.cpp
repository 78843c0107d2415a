// Canary series and alarm evaluation.
#include "models/ops/watch.h"

#include <algorithm>

namespace models::ops {

Watch::Watch(sim::Kernel& kernel, const Scenario& scenario)
    : kernel_(kernel), horizon_(sim::Time::zero() + scenario.duration), azs_(scenario.azs.size()) {
  canaries_.resize(scenario.endpoints.size() * azs_);
  keep_customers_ = !scenario.deployments.empty();
  for (const AlarmSpec& spec : scenario.alarms) alarms_.emplace_back(spec);
  if (alarms_.empty()) return;
  actor_ = kernel.register_actor("alarms");
  evaluate_ = kernel.register_kind("alarm.evaluate");
  for (std::size_t i = 0; i < alarms_.size(); ++i) schedule(i, sim::Time::zero() + alarms_[i].spec().period);
}

void Watch::schedule(std::size_t alarm, sim::Time end) {
  if (end > horizon_) return;
  kernel_.at(end, sim::Tag{actor_, evaluate_}, [this, alarm, end] {
    const bool was = alarms_[alarm].in_alarm();
    alarms_[alarm].evaluate(end);
    if (!was && alarms_[alarm].in_alarm())
      for (const auto& listener : listeners_) listener(alarm);
    schedule(alarm, end + alarms_[alarm].spec().period);
  });
}

void Watch::finished(bool canary, std::uint32_t endpoint, sim::AzId az, std::uint32_t table, bool ok, sim::Duration latency) {
  const sim::Time now = kernel_.now();
  if (canary) {
    std::vector<CanaryMinute>& series = canaries_[endpoint * azs_ + az];
    const auto minute = static_cast<std::size_t>((now - sim::Time::zero()) / sim::minutes(1));
    if (series.size() <= minute) series.resize(minute + 1);
    CanaryMinute& m = series[minute];
    ++m.requests;
    if (ok) {
      ++m.succeeded;
      m.latency_us.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(latency.nanos() / 1000, 0xffffffff)));
    }
  }
  if (!canary && keep_customers_) {
    const auto second = static_cast<std::size_t>((now - sim::Time::zero()) / sim::seconds(1));
    if (customers_.size() <= second) customers_.resize(second + 1);
    ++customers_[second].requests;
    customers_[second].failed += ok ? 0 : 1;
  }
  for (AlarmTrack& alarm : alarms_)
    if (alarm.watches(canary, endpoint, az, table)) alarm.observe(now, ok, latency);
}

namespace {

std::pair<std::size_t, std::size_t> seconds_between(sim::Time from, sim::Time to, std::size_t size) {
  // Whole seconds that start in [from, to).
  const auto first = static_cast<std::size_t>(((from - sim::Time::zero()) + sim::seconds(1) - sim::Duration::from_nanos(1)) / sim::seconds(1));
  const auto last = static_cast<std::size_t>(((to - sim::Time::zero()) + sim::seconds(1) - sim::Duration::from_nanos(1)) / sim::seconds(1));
  return {std::min(first, size), std::min(last, size)};
}

}  // namespace

double Watch::error_minutes(sim::Time from, sim::Time to) const {
  const auto [first, last] = seconds_between(from, to, customers_.size());
  double sum = 0.0;
  for (std::size_t s = first; s < last; ++s)
    if (customers_[s].requests > 0) sum += static_cast<double>(customers_[s].failed) / static_cast<double>(customers_[s].requests);
  return sum / 60.0;
}

CustomerSecond Watch::customers_between(sim::Time from, sim::Time to) const {
  const auto [first, last] = seconds_between(from, to, customers_.size());
  CustomerSecond sum;
  for (std::size_t s = first; s < last; ++s) {
    sum.requests += customers_[s].requests;
    sum.failed += customers_[s].failed;
  }
  return sum;
}

}  // namespace models::ops
