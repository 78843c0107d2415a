// A node's clock: what the node reads when the true (simulated) time is t. It may start ahead
// by a skew and run fast or slow by a rate in parts per million; a drift fault changes the rate
// from a given instant on, and the reading never jumps. The node's timers run on it (Node::after
// takes a local duration). Only differences of one clock's readings mean anything: a protocol
// that compares a reading of one node's clock with another's is wrong under skew.
#pragma once

#include "sim/assert.h"
#include "sim/time.h"
#include "sim/uint128.h"

#include <cstdint>

namespace sim {

class Clock {
 public:
  static constexpr std::int64_t kPpm = 1'000'000;
  static constexpr std::int64_t kRateMaxPpm = 500'000;  // a clock runs at least half, at most 1.5 times true speed

  Time read(Time now) const { return local_anchor_ + scaled(now - true_anchor_); }
  // The true time until this clock has advanced by `local` at its present rate (rounded up, so a
  // timer never fires before its local deadline).
  Duration true_delay(Duration local) const {
    if (ppm_ == 0) return local;
    const int128 numerator = static_cast<int128>(local.nanos()) * kPpm;
    const int128 denominator = kPpm + ppm_;
    return Duration::from_nanos(static_cast<std::int64_t>((numerator + denominator - 1) / denominator));
  }
  // The true time at which this clock will read `local`, its present rate persisting.
  Time true_time_of(Time local, Time now) const {
    const Time reading = read(now);
    return local <= reading ? now : now + true_delay(local - reading);
  }
  std::int64_t rate_ppm() const { return ppm_; }
  Duration skew() const { return local_anchor_ - Time::zero() - scaled(Time::zero() - true_anchor_); }

  // Before the run: the clock reads `skew` at true time zero.
  void start(Duration skew, std::int64_t ppm) {
    SIM_ASSERT_OP(skew.nanos(), >=, 0);  // readings stay positive: Time() means "never" to models
    set_rate(Time::zero(), ppm);
    local_anchor_ = Time::zero() + skew;
  }
  // From `now` on, the clock runs at 1 + ppm / 1e6 of true speed.
  void set_rate(Time now, std::int64_t ppm) {
    SIM_ASSERT_OP(ppm, >=, -kRateMaxPpm);
    SIM_ASSERT_OP(ppm, <=, kRateMaxPpm);
    local_anchor_ = read(now);
    true_anchor_ = now;
    ppm_ = ppm;
  }

 private:
  Duration scaled(Duration true_elapsed) const {
    if (ppm_ == 0) return true_elapsed;
    return true_elapsed + Duration::from_nanos(static_cast<std::int64_t>(
                              static_cast<int128>(true_elapsed.nanos()) * ppm_ / kPpm));
  }

  Time true_anchor_ = Time::zero();
  Time local_anchor_ = Time::zero();
  std::int64_t ppm_ = 0;
};

}  // namespace sim
