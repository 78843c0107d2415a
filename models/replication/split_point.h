// Where the leader of a partition would split it for heat: at the median of the keys it served
// lately, unless one key takes most of them (a single hot item stays hot wherever the split
// falls) or the keys only move forward (every new write lands at the end of the range). The
// splitter asks the leader (StorageNode::on_split_advice_request); the leader answers from
// its own ring of recently served keys.
#pragma once

#include "models/replication/types.h"

#include <cstdint>
#include <vector>

namespace models::replication {

struct SplitAdvice {
  enum class Verdict : std::uint8_t { split, single_item, sequential };
  GroupId group = 0;
  Verdict verdict = Verdict::split;
  std::uint64_t at = 0;  // split: the first hash of the upper part
};

// `ring`: hashes of recently served keys, oldest at `next` once it holds `capacity` of them.
SplitAdvice advise_split(GroupId group, const std::vector<std::uint64_t>& ring, std::uint32_t next,
                         std::size_t capacity, std::uint64_t low, std::uint64_t high);

}  // namespace models::replication
