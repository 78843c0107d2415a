// Tests of sim/clock.h: readings, timers on a drifting clock, rate changes without jumps.
#include "sim/clock.h"

#include <catch2/catch.hpp>

using namespace sim;

TEST_CASE("Clock: a true clock reads true time and its timers take their own length", "[clock]") {
  Clock clock;
  CHECK(clock.read(Time::zero() + seconds(7)) == Time::zero() + seconds(7));
  CHECK(clock.true_delay(seconds(3)) == seconds(3));
}

TEST_CASE("Clock: skew shifts readings, drift scales them and the timers", "[clock]") {
  Clock clock;
  clock.start(seconds(2), 100'000);  // 2 s ahead, 10% fast
  CHECK(clock.read(Time::zero()) == Time::zero() + seconds(2));
  CHECK(clock.read(Time::zero() + seconds(10)) == Time::zero() + seconds(13));
  CHECK(clock.true_delay(millis(1100)) == seconds(1));
  CHECK(clock.true_delay(nanos(1)) == nanos(1));  // rounded up: never early
  CHECK(clock.true_time_of(Time::zero() + seconds(13), Time::zero()) == Time::zero() + seconds(10));
  CHECK(clock.skew() == seconds(2));
}

TEST_CASE("Clock: a rate change keeps the reading continuous", "[clock]") {
  Clock clock;
  clock.start(Duration::zero(), -500'000);  // half speed
  const Time t = Time::zero() + seconds(10);
  CHECK(clock.read(t) == Time::zero() + seconds(5));
  clock.set_rate(t, 0);
  CHECK(clock.read(t) == Time::zero() + seconds(5));
  CHECK(clock.read(t + seconds(1)) == Time::zero() + seconds(6));
  CHECK(clock.true_delay(seconds(1)) == seconds(1));
}
