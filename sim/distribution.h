// A distribution of durations (link latency, service time, outage length), drawn from an
// Rng stream in integer nanoseconds. Scenario files describe them; sim only samples them.
#pragma once

#include "sim/rng.h"
#include "sim/time.h"

#include <cstdint>

namespace sim {

struct DurationDistribution {
  enum class Shape { constant, uniform, exponential, lognormal };

  Shape shape = Shape::constant;
  Duration value;             // constant: the value; uniform: the low end; lognormal: the median
  Duration high;              // uniform: the high end (inclusive)
  Duration mean;              // exponential: the mean of the exponential part, added to `value`
  double sigma = 0.0;         // lognormal: standard deviation of the underlying normal
  Duration floor;             // every draw is at least this
  Duration ceiling = Duration::max();  // and at most this

  static DurationDistribution constant(Duration d) {
    DurationDistribution dist;
    dist.value = d;
    return dist;
  }
  static DurationDistribution uniform(Duration low, Duration high_inclusive) {
    DurationDistribution dist;
    dist.shape = Shape::uniform;
    dist.value = low;
    dist.high = high_inclusive;
    return dist;
  }
  static DurationDistribution exponential(Duration offset, Duration exponential_mean) {
    DurationDistribution dist;
    dist.shape = Shape::exponential;
    dist.value = offset;
    dist.mean = exponential_mean;
    return dist;
  }
  static DurationDistribution lognormal(Duration median, double log_sigma) {
    DurationDistribution dist;
    dist.shape = Shape::lognormal;
    dist.value = median;
    dist.sigma = log_sigma;
    return dist;
  }

  Duration sample(Rng& rng) const {
    std::int64_t ns = 0;
    switch (shape) {
      case Shape::constant:
        ns = value.nanos();
        break;
      case Shape::uniform:
        ns = rng.uniform_int(value.nanos(), high.nanos());
        break;
      case Shape::exponential:
        ns = value.nanos() + saturate(rng.exponential(static_cast<double>(mean.nanos())));
        break;
      case Shape::lognormal:
        ns = saturate(rng.lognormal(static_cast<double>(value.nanos()), sigma));
        break;
    }
    if (ns < floor.nanos()) ns = floor.nanos();
    if (ns > ceiling.nanos()) ns = ceiling.nanos();
    return Duration::from_nanos(ns);
  }

 private:
  // Far tails of a draw must not overflow the integer conversion (which would be undefined).
  static std::int64_t saturate(double ns) {
    constexpr double kLimit = 4.0e18;
    if (!(ns > 0.0)) return 0;
    if (ns > kLimit) return static_cast<std::int64_t>(kLimit);
    return static_cast<std::int64_t>(ns);
  }
};

}  // namespace sim
