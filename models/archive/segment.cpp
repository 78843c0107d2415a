// Entry and segment checksums.
#include "models/archive/segment.h"

#include "sim/rng.h"

namespace models::archive {

namespace {

constexpr std::uint64_t mix(std::uint64_t x) { return sim::mix64(x); }

}  // namespace

std::uint64_t entry_checksum(Slot slot, const replication::LogEntry& e) {
  std::uint64_t h = mix(slot ^ 0x5eed);
  h = mix(h ^ static_cast<std::uint64_t>(e.kind));
  h = mix(h ^ e.write);
  h = mix(h ^ e.key);
  h = mix(h ^ e.version);
  return e.rotten ? mix(h ^ 0xb17) : h;  // rotten bytes checksum differently
}

std::uint64_t segment_checksum(const std::vector<std::uint64_t>& checksums) {
  std::uint64_t h = 0x243f6a8885a308d3ull;
  for (std::uint64_t c : checksums) h = mix(h ^ c) + 0x9e3779b97f4a7c15ull;
  return h;
}

}  // namespace models::archive
