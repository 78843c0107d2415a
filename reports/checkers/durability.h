// The durability checker: was every acknowledged put still on a write quorum of its group at
// the end? Reads only the client history and the final replica states (models/history.h).
#pragma once

#include "models/history.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace reports::checkers {

// Which replication group holds a key; the caller supplies it (the partition map) because the
// history records keys, not placements.
using GroupOf = std::function<std::uint32_t(std::uint32_t table, std::uint64_t key)>;

// A group left with fewer voting storage replicas than a write quorum: its writes cannot be
// judged, so they are counted here rather than as lost.
struct UnhealedGroup {
  std::uint32_t group = 0;
  std::size_t voting_storage_replicas = 0;
  std::uint64_t acknowledged_writes = 0;  // acknowledged puts to keys of this group, unjudged
};

struct DurabilityVerdict {
  std::uint64_t acknowledged_writes = 0;  // ok puts checked against a healed group
  std::uint64_t lost_writes = 0;          // of those, on fewer than write_quorum replicas
  std::vector<std::string> examples;      // at most kMaxExamples lost writes, in history order
  std::vector<UnhealedGroup> unhealed_groups;  // by group
  // No lost write and no unhealed group: a checker that could not look must not say yes.
  bool passed = false;

  static constexpr std::size_t kMaxExamples = 10;
};

// Every put with outcome ok, version v and write w must have (v, w) among the item's versions
// on at least state.write_quorum of the voting storage replicas of group_of(table, key): the
// storage members of the newest membership any replica of the group applied (what the replicas
// themselves say, not a directory). A log replica holds no items; a replica outside that
// membership was never part of the quorum that acknowledged the write; a member whose replica
// is gone or holds no items lacks it. Groups are those of the replicas and of the acknowledged
// puts.
DurabilityVerdict check_durability(const std::vector<models::HistoryEntry>& history,
                                   const models::FinalState& state, GroupOf group_of);

}  // namespace reports::checkers
