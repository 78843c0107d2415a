// Alarm datapoints and states.
#include "models/ops/alarms.h"

#include "sim/assert.h"

#include <algorithm>

namespace models::ops {

bool AlarmTrack::watches(bool canary, std::uint32_t endpoint, sim::AzId az, std::uint32_t table) const {
  if (canary != (spec_->source == AlarmSpec::Source::canaries)) return false;
  if (spec_->az && *spec_->az != az) return false;
  if (spec_->endpoint && *spec_->endpoint != endpoint) return false;
  return !spec_->table || *spec_->table == table;
}

void AlarmTrack::observe(sim::Time now, bool ok, sim::Duration latency) {
  Period& p = open_[(now - sim::Time::zero()) / spec_->period];
  ++p.requests;
  if (!ok) return;
  ++p.succeeded;
  p.latency.record(static_cast<std::uint64_t>(latency.nanos()));
}

void AlarmTrack::evaluate(sim::Time end) {
  const std::int64_t index = (end - sim::Time::zero()) / spec_->period - 1;
  SIM_ASSERT(open_.empty() || open_.begin()->first >= index);  // periods are evaluated in order
  Datapoint d;
  d.end = end;
  if (auto it = open_.find(index); it != open_.end()) {
    const Period& p = it->second;
    switch (spec_->statistic) {
      case AlarmSpec::Statistic::availability:
        d.value = static_cast<double>(p.succeeded) / static_cast<double>(p.requests);
        break;
      case AlarmSpec::Statistic::latency_p50:
        if (p.succeeded > 0) d.value = static_cast<double>(p.latency.percentile(500'000));
        break;
      case AlarmSpec::Statistic::latency_p99:
        if (p.succeeded > 0) d.value = static_cast<double>(p.latency.percentile(990'000));
        break;
    }
    open_.erase(it);
  }
  if (d.value) d.breaching = spec_->latency() ? *d.value > spec_->threshold : *d.value < spec_->threshold;
  datapoints_.push_back(d);
  window_.push_back(d.breaching);
  if (window_.size() > spec_->evaluation_periods) window_.pop_front();
  const auto breaching = static_cast<std::uint32_t>(std::count(window_.begin(), window_.end(), true));
  const bool alarm = breaching >= spec_->datapoints;
  if (alarm != in_alarm_) {
    in_alarm_ = alarm;
    transitions_.push_back(Transition{end, alarm, d.value});
  }
}

}  // namespace models::ops
