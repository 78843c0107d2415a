// What archivers upload: a sealed run of a group's applied log, each entry with a content
// checksum (of the decision, not of the ballot that carried it, so every replica's copy of a
// slot checksums alike), and the whole segment's checksum over them in order.
#pragma once

#include "models/replication/types.h"

#include <cstdint>
#include <vector>

namespace models::archive {

using replication::GroupId;
using replication::Slot;

// The content checksum of the entry at `slot` (slot included: an entry moved is a different one).
std::uint64_t entry_checksum(Slot slot, const replication::LogEntry& entry);
// Bytes an entry takes in the log and the archive: its item and a fixed header.
inline constexpr std::uint64_t kEntryHeaderBytes = 64;
inline std::uint64_t entry_bytes(const replication::LogEntry& entry) { return kEntryHeaderBytes + entry.item_bytes; }

struct Segment {
  GroupId group = 0;
  Slot from = 0;                         // first slot; the last is from + checksums.size() - 1
  std::vector<std::uint64_t> checksums;  // one per slot
  std::vector<replication::LogEntry> entries;  // the slots' entries (a restore replays them)
  std::uint64_t bytes = 0;
  std::uint64_t checksum = 0;            // over the entries' checksums, in order
  Slot to() const { return from + checksums.size() - 1; }
};

// The checksum of a run of entry checksums (order matters).
std::uint64_t segment_checksum(const std::vector<std::uint64_t>& checksums);

}  // namespace models::archive
