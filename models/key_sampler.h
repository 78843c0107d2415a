// Draws the keys of one workload entry (models::KeyDistribution). Built once per entry by the
// simulation and shared by every client, since it is immutable after construction: keys
// restricted to a slice of the hash space are found once by scanning the table's key ids.
#pragma once

#include "models/scenario.h"
#include "sim/rng.h"

#include <cstdint>
#include <vector>

namespace models {

class KeySampler {
 public:
  KeySampler(const KeyDistribution& keys, std::uint32_t table, std::uint64_t items);

  // `progress`: how far through its run the workload entry is, in [0, 1] (sequential keys).
  std::uint64_t sample(sim::Rng& rng, double progress = 0.0) const;
  // How many keys the entry can touch (all of the table's, or those in its slice).
  std::uint64_t key_count() const { return candidates_.empty() ? items_ : candidates_.size(); }
  std::uint64_t hot_count() const { return hot_count_; }

 private:
  std::uint64_t key_at(std::uint64_t index) const { return candidates_.empty() ? index : candidates_[index]; }

  KeyDistribution keys_;
  std::uint64_t items_;
  std::vector<std::uint64_t> candidates_;  // key ids in the slice (by id, or by hash for
                                           // sequential keys); empty: every key
  sim::Zipf zipf_;                         // over the candidates (uniform and zipf shapes)
  std::uint64_t hot_count_ = 0;            // hot_set: the first this-many candidates
};

}  // namespace models
