// A token bucket in exact integer arithmetic: capacity units per second in, at most `capacity`
// kept, spent by admitted requests. Tokens are counted in millionths of a capacity unit so
// half-unit eventually consistent reads are exact, and refill carries its remainder so that
// no fraction of a token is ever lost or invented, whatever the call pattern.
#pragma once

#include "sim/assert.h"
#include "sim/time.h"
#include "sim/uint128.h"

#include <algorithm>
#include <cstdint>

namespace models::admission {

// Millionths of a capacity unit (RCU or WCU).
using MicroUnits = std::int64_t;
inline constexpr MicroUnits kMicro = 1'000'000;

class TokenBucket {
 public:
  TokenBucket() = default;
  // `rate_micro_per_s` tokens per second of virtual time (in micro-units), at most `capacity`
  // kept; starts holding `initial` (capped).
  TokenBucket(MicroUnits rate_micro_per_s, MicroUnits capacity, MicroUnits initial, sim::Time now)
      : rate_(rate_micro_per_s), capacity_(capacity), tokens_(std::min(initial, capacity)), last_(now) {
    SIM_ASSERT_OP(rate_micro_per_s, >=, 0);
    SIM_ASSERT_OP(capacity, >=, 0);
  }

  // Adds what accrued since the last refill. Time must not go backwards.
  void refill(sim::Time now) {
    SIM_ASSERT_OP(now.nanos(), >=, last_.nanos());
    const sim::uint128 accrued =
        static_cast<sim::uint128>(rate_) * static_cast<sim::uint128>((now - last_).nanos()) + remainder_;
    last_ = now;
    const sim::uint128 whole = accrued / 1'000'000'000u;
    remainder_ = static_cast<std::uint64_t>(accrued % 1'000'000'000u);
    if (tokens_ >= capacity_) {
      remainder_ = 0;  // a full bucket does not bank fractions either
      return;
    }
    const sim::uint128 room = static_cast<sim::uint128>(capacity_ - tokens_);
    if (whole >= room) {
      tokens_ = capacity_;
      remainder_ = 0;
    } else {
      tokens_ += static_cast<MicroUnits>(whole);
    }
  }

  // Spends `cost` if the bucket holds it (after refilling); otherwise spends nothing.
  bool try_consume(MicroUnits cost, sim::Time now) {
    refill(now);
    if (tokens_ < cost) return false;
    tokens_ -= cost;
    return true;
  }

  // Spends unconditionally, even into debt (a bucket that admitted on another bucket's say-so).
  void charge(MicroUnits cost, sim::Time now) {
    refill(now);
    tokens_ -= cost;
  }

  // Changes the rate from now on (what accrued so far at the old rate is kept).
  void set_rate(MicroUnits rate_micro_per_s, sim::Time now) {
    refill(now);
    rate_ = rate_micro_per_s;
  }
  void set_capacity(MicroUnits capacity, sim::Time now) {
    refill(now);
    capacity_ = capacity;
    tokens_ = std::min(tokens_, capacity_);
  }

  MicroUnits tokens(sim::Time now) {
    refill(now);
    return tokens_;
  }
  MicroUnits rate() const { return rate_; }
  MicroUnits capacity() const { return capacity_; }

 private:
  MicroUnits rate_ = 0;
  MicroUnits capacity_ = 0;
  MicroUnits tokens_ = 0;
  std::uint64_t remainder_ = 0;  // micro-unit nanoseconds not yet worth a micro-unit
  sim::Time last_;
};

}  // namespace models::admission
