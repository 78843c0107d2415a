// Quantities that scenario files write with units: durations ("250us", "5m") and sizes ("4KB").
// Owned by sim/config; pure functions with no state, used by the scenario reader and by reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/time.h"

namespace sim::config {

// Accepts <digits>[.<digits>]<unit> with unit one of ns, us, ms, s, m, h, and nothing else: no
// sign, no spaces, no exponent. The value is computed exactly in integers, so "0.1s" is exactly
// 100ms; a value finer than 1ns ("0.5ns") or beyond int64 nanoseconds is rejected, not rounded.
// On failure returns nullopt and, if `why` is not null, stores a short reason ("unknown unit
// \"sec\" (expected one of ns, us, ms, s, m, h)") meant to follow the offending text.
std::optional<sim::Duration> parse_duration(std::string_view text, std::string* why);

// The shortest exact form, using a unit no larger than the value so no "0." prefix appears
// ("250us", "1.5s", "90s", "0s"). For every d >= 0, parse_duration(format_duration(d)) == d.
// Negative durations are printed with a leading "-" for diagnostics; they do not parse back.
std::string format_duration(sim::Duration duration);

// Accepts <digits>[.<digits>]<unit> with unit one of B, KB, MB, GB, TB, PB. Multiples are binary
// (1KB = 1024 bytes), as DynamoDB counts capacity units. The result must be a whole number of
// bytes ("1.5B" and "0.001KB" are rejected) that fits in uint64.
std::optional<std::uint64_t> parse_size_bytes(std::string_view text, std::string* why);

// The shortest exact form ("512B", "1.5KB", "10GB", "0B"); parse_size_bytes inverts it exactly.
std::string format_size_bytes(std::uint64_t bytes);

}  // namespace sim::config
