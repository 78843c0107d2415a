// How the checkers name keys, writes and instants in their examples, so every verdict reads
// the same. Private to reports/checkers: the checkers own it, nothing else includes it.
#pragma once

#include "sim/time.h"

#include <fmt/format.h>

#include <cstdint>
#include <string>

namespace reports::checkers::detail {

// "t0/k17": the table's index, not its name, since the history carries only the index.
inline std::string describe_key(std::uint32_t table, std::uint64_t key) {
  return fmt::format("t{}/k{}", table, key);
}

// Hex, because a write id is a client number in the high bits and a counter in the low bits.
inline std::string describe_write(std::uint64_t write) { return fmt::format("0x{:x}", write); }

// "12.345678s", in integers so an example never depends on how a double rounds.
inline std::string describe_time(sim::Time time) {
  const std::int64_t ns = time.nanos();
  const char* sign = ns < 0 ? "-" : "";
  const std::uint64_t magnitude = ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  return fmt::format("{}{}.{:06}s", sign, magnitude / 1'000'000'000, magnitude % 1'000'000'000 / 1'000);
}

}  // namespace reports::checkers::detail
