// Tests for sim/config/units.*: exact parsing of durations and sizes, and their round trip.
#include "sim/config/units.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace {

using sim::config::format_duration;
using sim::config::format_size_bytes;
using sim::config::parse_duration;
using sim::config::parse_size_bytes;

constexpr std::int64_t kNanosMax = std::numeric_limits<std::int64_t>::max();

std::int64_t nanos_of(const std::string& text) {
  std::string why;
  const std::optional<sim::Duration> duration = parse_duration(text, &why);
  INFO(text << ": " << why);
  REQUIRE(duration.has_value());
  return duration->nanos();
}

std::string duration_error(const std::string& text) {
  std::string why;
  const std::optional<sim::Duration> duration = parse_duration(text, &why);
  INFO(text);
  REQUIRE_FALSE(duration.has_value());
  return why;
}

std::uint64_t bytes_of(const std::string& text) {
  std::string why;
  const std::optional<std::uint64_t> bytes = parse_size_bytes(text, &why);
  INFO(text << ": " << why);
  REQUIRE(bytes.has_value());
  return *bytes;
}

std::string size_error(const std::string& text) {
  std::string why;
  const std::optional<std::uint64_t> bytes = parse_size_bytes(text, &why);
  INFO(text);
  REQUIRE_FALSE(bytes.has_value());
  return why;
}

// A fixed generator keeps the round-trip sample identical on every run and platform.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

TEST_CASE("parse_duration: every unit scales to nanoseconds", "[config]") {
  CHECK(nanos_of("100ns") == 100);
  CHECK(nanos_of("250us") == 250'000);
  CHECK(nanos_of("10ms") == 10'000'000);
  CHECK(nanos_of("1s") == 1'000'000'000);
  CHECK(nanos_of("5m") == 300'000'000'000);
  CHECK(nanos_of("2h") == 7'200'000'000'000);
  CHECK(nanos_of("0s") == 0);
  CHECK(nanos_of("0ns") == 0);
  CHECK(nanos_of("007s") == 7'000'000'000);
}

TEST_CASE("parse_duration: fractions are exact, with no floating point", "[config]") {
  CHECK(nanos_of("1.5s") == 1'500'000'000);
  CHECK(nanos_of("0.25s") == 250'000'000);
  // 0.1 has no exact double; an integer parser still gets exactly 100ms.
  CHECK(nanos_of("0.1s") == 100'000'000);
  CHECK(nanos_of("0.3s") == 300'000'000);
  CHECK(nanos_of("1.000000001s") == 1'000'000'001);
  CHECK(nanos_of("0.5us") == 500);
  CHECK(nanos_of("0.001ms") == 1'000);
  CHECK(nanos_of("1.5m") == 90'000'000'000);
  CHECK(nanos_of("0.25h") == 900'000'000'000);
  CHECK(nanos_of("0.0000000001h") == 360);
  CHECK(nanos_of("2.500000000000000000000000000000s") == 2'500'000'000);
  CHECK(nanos_of("1.0ns") == 1);
}

TEST_CASE("parse_duration: a fraction finer than one nanosecond is rejected", "[config]") {
  CHECK(duration_error("0.5ns") == "finer than 1ns");
  CHECK(duration_error("1.1ns") == "finer than 1ns");
  CHECK(duration_error("0.0005us") == "finer than 1ns");
  CHECK(duration_error("1.0000000001s") == "finer than 1ns");
  // One nanosecond is 1/60e9 of a minute: not every short decimal of a minute is whole.
  CHECK(duration_error("0.00000000001m") == "finer than 1ns");
  CHECK(duration_error("0.00000000000000000000000000001s") == "finer than 1ns");
}

TEST_CASE("parse_duration: the int64 nanosecond edge is accepted and one past it is not",
          "[config]") {
  const std::string too_large = "too large: durations are at most 9223372036.854775807s";
  CHECK(nanos_of("9223372036854775807ns") == kNanosMax);
  CHECK(duration_error("9223372036854775808ns") == too_large);
  CHECK(nanos_of("9223372036.854775807s") == kNanosMax);
  CHECK(duration_error("9223372036.854775808s") == too_large);
  CHECK(nanos_of("9223372036854775.807us") == kNanosMax);
  CHECK(duration_error("9223372036854775.808us") == too_large);
  CHECK(nanos_of("2562047h") == 2'562'047LL * 3'600'000'000'000LL);
  CHECK(duration_error("2562048h") == too_large);
  CHECK(nanos_of("153722867m") == 153'722'867LL * 60'000'000'000LL);
  CHECK(duration_error("153722868m") == too_large);
  CHECK(duration_error("99999999999999999999999999s") == too_large);
  CHECK(duration_error("18446744073709551617ns") == too_large);
}

TEST_CASE("parse_duration: every malformed text is rejected with a reason", "[config]") {
  const std::string units = "(expected one of ns, us, ms, s, m, h)";
  CHECK(duration_error("") == "empty");
  CHECK(duration_error("-5s") == "a sign is not allowed");
  CHECK(duration_error("+5s") == "a sign is not allowed");
  CHECK(duration_error("5 s") == "spaces are not allowed");
  CHECK(duration_error(" 5s") == "spaces are not allowed");
  CHECK(duration_error("5s ") == "spaces are not allowed");
  CHECK(duration_error("5s\n") == "spaces are not allowed");
  CHECK(duration_error("5") == "missing unit " + units);
  CHECK(duration_error("1.5") == "missing unit " + units);
  CHECK(duration_error("s") == "missing number before the unit");
  CHECK(duration_error("ms") == "missing number before the unit");
  CHECK(duration_error(".5s") == "missing digits before the decimal point");
  CHECK(duration_error("5.s") == "missing digits after the decimal point");
  CHECK(duration_error("5sec") == "unknown unit \"sec\" " + units);
  CHECK(duration_error("5S") == "unknown unit \"S\" " + units);
  CHECK(duration_error("5MS") == "unknown unit \"MS\" " + units);
  CHECK(duration_error("5d") == "unknown unit \"d\" " + units);
  CHECK(duration_error("1e3s") == "unknown unit \"e3s\" " + units);
  CHECK(duration_error("1.5.5s") == "unknown unit \".5s\" " + units);
  CHECK(duration_error("5ms5") == "unknown unit \"ms5\" " + units);
  CHECK(duration_error("1,5s") == "unknown unit \",5s\" " + units);
  CHECK(duration_error("5\xC2\xB5s") == "unknown unit \"\xC2\xB5s\" " + units);
}

TEST_CASE("parse_duration: the reason is optional", "[config]") {
  CHECK_FALSE(parse_duration("5parsecs", nullptr).has_value());
  CHECK(parse_duration("5s", nullptr) == sim::seconds(5));
}

TEST_CASE("format_duration: picks the shortest exact form without a leading 0.", "[config]") {
  CHECK(format_duration(sim::Duration::zero()) == "0s");
  CHECK(format_duration(sim::nanos(1)) == "1ns");
  CHECK(format_duration(sim::nanos(100)) == "100ns");
  CHECK(format_duration(sim::nanos(1'500)) == "1.5us");
  CHECK(format_duration(sim::micros(250)) == "250us");
  CHECK(format_duration(sim::millis(10)) == "10ms");
  CHECK(format_duration(sim::millis(100)) == "100ms");
  CHECK(format_duration(sim::millis(1'500)) == "1.5s");
  CHECK(format_duration(sim::micros(1'500)) == "1.5ms");
  CHECK(format_duration(sim::seconds(1)) == "1s");
  CHECK(format_duration(sim::seconds(90)) == "90s");
  CHECK(format_duration(sim::seconds(60)) == "1m");
  CHECK(format_duration(sim::minutes(5)) == "5m");
  CHECK(format_duration(sim::minutes(90)) == "90m");
  CHECK(format_duration(sim::hours(2)) == "2h");
  CHECK(format_duration(sim::hours(36)) == "36h");
  CHECK(format_duration(sim::minutes(150)) == "2.5h");
  CHECK(format_duration(sim::nanos(1'000'000'001)) == "1.000000001s");
  CHECK(format_duration(sim::Duration::max()) == "9223372036.854775807s");
}

TEST_CASE("format_duration: negative spans print with a sign for diagnostics", "[config]") {
  CHECK(format_duration(sim::seconds(-5)) == "-5s");
  CHECK(format_duration(sim::Duration::from_nanos(std::numeric_limits<std::int64_t>::min())) ==
        "-9223372036.854775808s");
}

TEST_CASE("format_duration: parse_duration reads back every formatted duration exactly",
          "[config]") {
  const std::int64_t scales[] = {1, 1'000, 1'000'000, 1'000'000'000, 60'000'000'000,
                                 3'600'000'000'000};
  std::int64_t checked = 0;
  for (std::int64_t scale : scales) {
    for (std::int64_t multiple = 0; multiple <= 2'000; ++multiple) {
      for (std::int64_t offset : {0, 1, 7, 500}) {
        const std::int64_t nanos = multiple * scale + offset;
        const std::string text = format_duration(sim::nanos(nanos));
        INFO(nanos << " -> " << text);
        REQUIRE(nanos_of(text) == nanos);
        ++checked;
      }
    }
  }
  std::uint64_t state = 42;
  for (int i = 0; i < 20'000; ++i) {
    // Varying the width samples short and long durations alike.
    const int bits = 1 + i % 63;
    const std::uint64_t mask = bits == 63 ? static_cast<std::uint64_t>(kNanosMax)
                                          : (std::uint64_t{1} << bits) - 1;
    const auto nanos = static_cast<std::int64_t>(splitmix64(state) & mask);
    const std::string text = format_duration(sim::nanos(nanos));
    INFO(nanos << " -> " << text);
    REQUIRE(nanos_of(text) == nanos);
    ++checked;
  }
  for (std::int64_t nanos : {kNanosMax, kNanosMax - 1, kNanosMax / 2, std::int64_t{1}}) {
    REQUIRE(nanos_of(format_duration(sim::nanos(nanos))) == nanos);
  }
  CHECK(checked > 40'000);
}

TEST_CASE("parse_size_bytes: units are binary multiples of a byte", "[config]") {
  CHECK(bytes_of("0B") == 0);
  CHECK(bytes_of("512B") == 512);
  CHECK(bytes_of("1KB") == 1'024);
  CHECK(bytes_of("4KB") == 4'096);
  CHECK(bytes_of("1MB") == 1'048'576);
  CHECK(bytes_of("1.5MB") == 1'572'864);
  CHECK(bytes_of("10GB") == 10'737'418'240ULL);
  CHECK(bytes_of("1TB") == 1ULL << 40);
  CHECK(bytes_of("1PB") == 1ULL << 50);
  CHECK(bytes_of("0.5KB") == 512);
  CHECK(bytes_of("0.0009765625KB") == 1);
  CHECK(bytes_of("400.000KB") == 409'600);
}

TEST_CASE("parse_size_bytes: a size that is not a whole number of bytes is rejected",
          "[config]") {
  CHECK(size_error("1.5B") == "not a whole number of bytes");
  CHECK(size_error("0.001KB") == "not a whole number of bytes");
  CHECK(size_error("0.3KB") == "not a whole number of bytes");
  CHECK(size_error("0.00000000000000000000000000000000000000000000000001PB") ==
        "not a whole number of bytes");
}

TEST_CASE("parse_size_bytes: the uint64 edge is accepted and one past it is not", "[config]") {
  const std::string too_large = "too large: sizes are at most 18446744073709551615B";
  constexpr std::uint64_t kBytesMax = std::numeric_limits<std::uint64_t>::max();
  CHECK(bytes_of("18446744073709551615B") == kBytesMax);
  CHECK(size_error("18446744073709551616B") == too_large);
  CHECK(bytes_of("16777215TB") == 16'777'215ULL << 40);
  CHECK(size_error("16777216TB") == too_large);
  CHECK(bytes_of("16383PB") == 16'383ULL << 50);
  CHECK(size_error("16384PB") == too_large);
  CHECK(bytes_of("15.9990234375PB") == (15ULL << 50) + (1'023ULL << 40));
  CHECK(size_error("99999999999999999999999B") == too_large);
}

TEST_CASE("parse_size_bytes: every malformed text is rejected with a reason", "[config]") {
  const std::string units = "(expected one of B, KB, MB, GB, TB, PB)";
  CHECK(size_error("") == "empty");
  CHECK(size_error("-1KB") == "a sign is not allowed");
  CHECK(size_error("1 KB") == "spaces are not allowed");
  CHECK(size_error("1024") == "missing unit " + units);
  CHECK(size_error("KB") == "missing number before the unit");
  CHECK(size_error(".5KB") == "missing digits before the decimal point");
  CHECK(size_error("1.KB") == "missing digits after the decimal point");
  CHECK(size_error("1kb") == "unknown unit \"kb\" " + units);
  CHECK(size_error("1KiB") == "unknown unit \"KiB\" " + units);
  CHECK(size_error("1K") == "unknown unit \"K\" " + units);
  CHECK(size_error("1EB") == "unknown unit \"EB\" " + units);
}

TEST_CASE("format_size_bytes: picks the shortest exact form without a leading 0.", "[config]") {
  CHECK(format_size_bytes(0) == "0B");
  CHECK(format_size_bytes(1) == "1B");
  CHECK(format_size_bytes(512) == "512B");
  CHECK(format_size_bytes(1'023) == "1023B");
  CHECK(format_size_bytes(1'024) == "1KB");
  CHECK(format_size_bytes(1'536) == "1.5KB");
  CHECK(format_size_bytes(4'096) == "4KB");
  CHECK(format_size_bytes(1'572'864) == "1.5MB");
  CHECK(format_size_bytes(10ULL << 30) == "10GB");
  CHECK(format_size_bytes(1ULL << 50) == "1PB");
  CHECK(format_size_bytes(1'025) == "1025B");
}

TEST_CASE("format_size_bytes: parse_size_bytes reads back every formatted size exactly",
          "[config]") {
  for (int shift : {0, 10, 20, 30, 40, 50}) {
    for (std::uint64_t multiple = 0; multiple <= 3'000; ++multiple) {
      for (std::uint64_t offset : {0, 1, 3, 512}) {
        const std::uint64_t bytes = (multiple << shift) + offset;
        const std::string text = format_size_bytes(bytes);
        INFO(bytes << " -> " << text);
        REQUIRE(bytes_of(text) == bytes);
      }
    }
  }
  std::uint64_t state = 7;
  for (int i = 0; i < 20'000; ++i) {
    const int bits = 1 + i % 64;
    const std::uint64_t mask =
        bits == 64 ? std::numeric_limits<std::uint64_t>::max() : (std::uint64_t{1} << bits) - 1;
    const std::uint64_t bytes = splitmix64(state) & mask;
    const std::string text = format_size_bytes(bytes);
    INFO(bytes << " -> " << text);
    REQUIRE(bytes_of(text) == bytes);
  }
  const std::uint64_t bytes_max = std::numeric_limits<std::uint64_t>::max();
  CHECK(bytes_of(format_size_bytes(bytes_max)) == bytes_max);
}
