// Virtual time for the simulation: integer nanoseconds, never a double.
// Time is an instant since the start of a run; Duration is a signed span.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace sim {

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration from_nanos(std::int64_t ns) { return Duration(ns); }
  constexpr std::int64_t nanos() const { return ns_; }
  constexpr double seconds_double() const { return static_cast<double>(ns_) / 1e9; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const { return Duration(ns_ - o.ns_); }
  constexpr Duration operator*(std::int64_t k) const { return Duration(ns_ * k); }
  constexpr Duration operator/(std::int64_t k) const { return Duration(ns_ / k); }
  constexpr std::int64_t operator/(Duration o) const { return ns_ / o.ns_; }
  constexpr Duration operator%(Duration o) const { return Duration(ns_ % o.ns_); }
  constexpr Duration& operator+=(Duration o) { ns_ += o.ns_; return *this; }
  constexpr Duration& operator-=(Duration o) { ns_ -= o.ns_; return *this; }

  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration max() { return Duration(std::numeric_limits<std::int64_t>::max()); }

 private:
  constexpr explicit Duration(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

constexpr Duration nanos(std::int64_t n) { return Duration::from_nanos(n); }
constexpr Duration micros(std::int64_t n) { return Duration::from_nanos(n * 1'000); }
constexpr Duration millis(std::int64_t n) { return Duration::from_nanos(n * 1'000'000); }
constexpr Duration seconds(std::int64_t n) { return Duration::from_nanos(n * 1'000'000'000); }
constexpr Duration minutes(std::int64_t n) { return seconds(n * 60); }
constexpr Duration hours(std::int64_t n) { return seconds(n * 3600); }

class Time {
 public:
  constexpr Time() = default;
  static constexpr Time from_nanos(std::int64_t ns) { return Time(ns); }
  static constexpr Time zero() { return Time(0); }
  static constexpr Time max() { return Time(std::numeric_limits<std::int64_t>::max()); }
  constexpr std::int64_t nanos() const { return ns_; }
  constexpr double seconds_double() const { return static_cast<double>(ns_) / 1e9; }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Duration d) const { return Time(ns_ + d.nanos()); }
  constexpr Time operator-(Duration d) const { return Time(ns_ - d.nanos()); }
  constexpr Duration operator-(Time o) const { return Duration::from_nanos(ns_ - o.ns_); }
  constexpr Time& operator+=(Duration d) { ns_ += d.nanos(); return *this; }

 private:
  constexpr explicit Time(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

}  // namespace sim
