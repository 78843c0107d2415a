#include "sim/config/units.h"

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/assert.h"

namespace sim::config {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t scale;
};

// Ordered from the smallest scale up: formatting relies on that order to break ties.
constexpr Unit kDurationUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60 * 1'000'000'000ULL},
    {"h", 3600 * 1'000'000'000ULL},
};

constexpr Unit kSizeUnits[] = {
    {"B", 1},
    {"KB", 1ULL << 10},
    {"MB", 1ULL << 20},
    {"GB", 1ULL << 30},
    {"TB", 1ULL << 40},
    {"PB", 1ULL << 50},
};

struct Quantity {
  std::span<const Unit> units;
  std::string_view unit_list;  // for messages, in the order a reader expects
  std::uint64_t value_max;
  std::string_view too_large;
  std::string_view inexact;
};

constexpr Quantity kDuration{kDurationUnits, "ns, us, ms, s, m, h",
                             static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()),
                             "too large: durations are at most 9223372036.854775807s",
                             "finer than 1ns"};

constexpr Quantity kSize{kSizeUnits, "B, KB, MB, GB, TB, PB",
                         std::numeric_limits<std::uint64_t>::max(),
                         "too large: sizes are at most 18446744073709551615B",
                         "not a whole number of bytes"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::nullopt_t reject(std::string* why, std::string reason) {
  if (why != nullptr) *why = std::move(reason);
  return std::nullopt;
}

std::optional<std::uint64_t> parse_quantity(std::string_view text, const Quantity& quantity,
                                            std::string* why) {
  if (text.empty()) return reject(why, "empty");
  if (text.front() == '-' || text.front() == '+') return reject(why, "a sign is not allowed");
  for (char c : text) {
    if (is_space(c)) return reject(why, "spaces are not allowed");
  }

  std::size_t at = 0;
  while (at < text.size() && is_digit(text[at])) ++at;
  const std::string_view integer_digits = text.substr(0, at);
  if (integer_digits.empty()) {
    if (text.front() == '.') return reject(why, "missing digits before the decimal point");
    return reject(why, "missing number before the unit");
  }

  std::string_view fraction_digits;
  if (at < text.size() && text[at] == '.') {
    const std::size_t fraction_begin = at + 1;
    at = fraction_begin;
    while (at < text.size() && is_digit(text[at])) ++at;
    fraction_digits = text.substr(fraction_begin, at - fraction_begin);
    if (fraction_digits.empty()) return reject(why, "missing digits after the decimal point");
  }

  const std::string_view suffix = text.substr(at);
  if (suffix.empty()) {
    return reject(why, "missing unit (expected one of " + std::string(quantity.unit_list) + ")");
  }
  const Unit* unit = nullptr;
  for (const Unit& candidate : quantity.units) {
    if (candidate.suffix == suffix) unit = &candidate;
  }
  if (unit == nullptr) {
    return reject(why, "unknown unit \"" + std::string(suffix) + "\" (expected one of " +
                           std::string(quantity.unit_list) + ")");
  }
  const std::uint64_t scale = unit->scale;

  std::uint64_t integer = 0;
  for (char c : integer_digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (integer > (quantity.value_max - digit) / 10) return reject(why, std::string(quantity.too_large));
    integer = integer * 10 + digit;
  }
  if (integer > quantity.value_max / scale) return reject(why, std::string(quantity.too_large));
  const std::uint64_t whole_part = integer * scale;

  // The fraction is exact when fraction * scale is a multiple of 10^k (k fraction digits).
  // Multiplying the digit string by the scale in decimal needs no big integers, allows any
  // number of digits, and leaves the quotient as the digits above the lowest k.
  while (!fraction_digits.empty() && fraction_digits.back() == '0') fraction_digits.remove_suffix(1);
  std::uint64_t fraction_part = 0;
  if (!fraction_digits.empty()) {
    std::vector<std::uint8_t> product_digits;  // least significant first
    product_digits.reserve(fraction_digits.size() + 20);
    std::uint64_t carry = 0;
    for (auto it = fraction_digits.rbegin(); it != fraction_digits.rend(); ++it) {
      // carry < scale <= 2^50, so this stays far below 2^64.
      const std::uint64_t sum = static_cast<std::uint64_t>(*it - '0') * scale + carry;
      product_digits.push_back(static_cast<std::uint8_t>(sum % 10));
      carry = sum / 10;
    }
    while (carry != 0) {
      product_digits.push_back(static_cast<std::uint8_t>(carry % 10));
      carry /= 10;
    }
    const std::size_t fraction_length = fraction_digits.size();
    for (std::size_t i = 0; i < fraction_length; ++i) {
      if (product_digits[i] != 0) return reject(why, std::string(quantity.inexact));
    }
    for (std::size_t i = product_digits.size(); i > fraction_length; --i) {
      fraction_part = fraction_part * 10 + product_digits[i - 1];
    }
    // fraction < 10^k, so the quotient is below one unit.
    SIM_ASSERT_OP(fraction_part, <, scale);
  }

  if (fraction_part > quantity.value_max - whole_part) {
    return reject(why, std::string(quantity.too_large));
  }
  return whole_part + fraction_part;
}

// Writes value / scale in decimal if that terminates; the expansion of a fraction over 2^a 3^b 5^c
// terminates within max(a, c) digits or never (when the 3 does not cancel), and a <= 50 here.
std::optional<std::string> format_in_unit(std::uint64_t value, const Unit& unit) {
  constexpr int kFractionDigitsMax = 64;
  std::string text = std::to_string(value / unit.scale);
  std::uint64_t remainder = value % unit.scale;
  if (remainder != 0) {
    text += '.';
    int digits = 0;
    while (remainder != 0) {
      if (digits == kFractionDigitsMax) return std::nullopt;
      remainder *= 10;  // remainder < scale <= 2^50
      text += static_cast<char>('0' + remainder / unit.scale);
      remainder %= unit.scale;
      ++digits;
    }
  }
  text += unit.suffix;
  return text;
}

std::string format_quantity(std::uint64_t value, const Quantity& quantity, std::string_view zero) {
  if (value == 0) return std::string(zero);
  std::string best;
  for (const Unit& unit : quantity.units) {
    // A unit larger than the value would need "0.", which nobody writes.
    if (value < unit.scale) break;
    std::optional<std::string> candidate = format_in_unit(value, unit);
    if (candidate && (best.empty() || candidate->size() <= best.size())) best = std::move(*candidate);
  }
  SIM_ASSERT(!best.empty());
  return best;
}

}  // namespace

std::optional<sim::Duration> parse_duration(std::string_view text, std::string* why) {
  std::optional<std::uint64_t> nanos = parse_quantity(text, kDuration, why);
  if (!nanos) return std::nullopt;
  return sim::Duration::from_nanos(static_cast<std::int64_t>(*nanos));
}

std::string format_duration(sim::Duration duration) {
  const std::int64_t nanos = duration.nanos();
  if (nanos < 0) {
    // Negating INT64_MIN overflows; step through -(n + 1) instead.
    const auto magnitude = static_cast<std::uint64_t>(-(nanos + 1)) + 1;
    std::string text(1, '-');  // not "-" + ..., which trips GCC 12's false -Wrestrict alarm
    text += format_quantity(magnitude, kDuration, "0s");
    return text;
  }
  return format_quantity(static_cast<std::uint64_t>(nanos), kDuration, "0s");
}

std::optional<std::uint64_t> parse_size_bytes(std::string_view text, std::string* why) {
  return parse_quantity(text, kSize, why);
}

std::string format_size_bytes(std::uint64_t bytes) { return format_quantity(bytes, kSize, "0B"); }

}  // namespace sim::config
