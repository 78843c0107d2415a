// A customer-facing alarm as CloudWatch evaluates it (models/scenario.h, AlarmSpec): the
// operations that finish in each period make one datapoint; the alarm goes to ALARM when at least
// M of the last N datapoints breach its threshold, and back to OK when fewer do. A period without
// operations (or, for latency, without a success) is missing data: it never breaches.
#pragma once

#include "models/scenario.h"
#include "sim/histogram.h"
#include "sim/time.h"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

namespace models::ops {

struct Datapoint {
  sim::Time end;                 // the period [end - period, end)
  std::optional<double> value;   // availability (ratio) or latency (ns); none: missing data
  bool breaching = false;
};

struct Transition {
  sim::Time time;
  bool alarm = false;            // to ALARM; else back to OK
  std::optional<double> value;   // the datapoint that decided it
};

class AlarmTrack {
 public:
  explicit AlarmTrack(const AlarmSpec& spec) : spec_(&spec) {}
  const AlarmSpec& spec() const { return *spec_; }
  bool watches(bool canary, std::uint32_t endpoint, sim::AzId az, std::uint32_t table) const;
  // An operation finished at `now` (counted in the period holding `now`).
  void observe(sim::Time now, bool ok, sim::Duration latency);
  // The period ending at `end` is complete: its datapoint, and the state after it.
  void evaluate(sim::Time end);

  bool in_alarm() const { return in_alarm_; }
  const std::vector<Datapoint>& datapoints() const { return datapoints_; }
  const std::vector<Transition>& transitions() const { return transitions_; }

 private:
  struct Period {
    std::uint64_t requests = 0;
    std::uint64_t succeeded = 0;
    sim::LogLinearHistogram latency;  // of the successes
  };
  const AlarmSpec* spec_;
  std::map<std::int64_t, Period> open_;  // by period index: the current one, and one ahead at its boundary
  std::deque<bool> window_;              // the last N datapoints: breaching?
  bool in_alarm_ = false;
  std::vector<Datapoint> datapoints_;
  std::vector<Transition> transitions_;
};

}  // namespace models::ops
