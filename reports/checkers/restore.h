// The restore checker: point-in-time recovery as an end-to-end test of the archive. At the end of
// a run every partition is rebuilt from its archived log alone (S3's copy, not a replica's) and
// judged against the client history and the final replica states:
// - every acknowledged put is in the archive (its write, for its key, in a group of its table);
// - the newest write of every key, replayed in slot order, is the one the group's voting storage
//   replicas hold (the storage members of the newest membership any replica applied); not
//   compared for a run that archived a split (the child's archive starts after it, so its keys'
//   history spans two archives: still to do), which the verdict says.
// An archived entry that fails its checksum ends its group's replay (nothing after it can be
// trusted to follow it), and the restore fails.
// Judged only when every group's archive reached what its replicas applied: an archive still
// behind at the end cannot hold the newest writes, and saying "restored" then would be a lie.
#pragma once

#include "models/history.h"
#include "models/replication/types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace reports::checkers {

struct ArchivedGroup {
  std::uint32_t group = 0;
  std::uint32_t table = 0;
  std::uint64_t applied = 0;  // the most any replica of the group applied
  const std::vector<models::replication::LogEntry>* entries = nullptr;  // slot 1 first
};

struct RestoreVerdict {
  bool judged = false;
  std::uint64_t groups_behind = 0;      // archive short of what the replicas applied
  std::uint64_t entries_replayed = 0;
  std::uint64_t corrupt_entries = 0;    // archived entries failing their checksum (bit rot): each ends its group's replay
  std::uint64_t acknowledged_writes = 0;
  std::uint64_t missing_writes = 0;     // acknowledged, not in the archive
  bool state_compared = false;          // false when a split was archived
  std::uint64_t keys_compared = 0;
  std::uint64_t state_mismatches = 0;   // restored newest write differs from the replicas'
  std::vector<std::string> examples;    // at most kMaxExamples
  bool passed = false;                  // judged, nothing corrupt or missing, no mismatch

  static constexpr std::size_t kMaxExamples = 10;
};

RestoreVerdict check_restore(const std::vector<ArchivedGroup>& archive, const std::vector<models::HistoryEntry>& history,
                             const models::FinalState& state);

}  // namespace reports::checkers
