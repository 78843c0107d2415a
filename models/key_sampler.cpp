// Key sampling: uniform, Zipf, hot sets, and slices of the hash space.
#include "models/key_sampler.h"

#include "models/partition_map.h"
#include "sim/assert.h"

#include <algorithm>
#include <cmath>

namespace models {

namespace {
// The fraction f of the 64-bit hash space, as a hash value (1.0 is one past the end).
std::uint64_t hash_at(double f) {
  if (f <= 0.0) return 0;
  return static_cast<std::uint64_t>(std::ldexp(f, 64) >= 18446744073709551615.0 ? 18446744073709551615.0
                                                                                : std::ldexp(f, 64));
}

std::vector<std::uint64_t> slice(const KeyDistribution& keys, std::uint32_t table, std::uint64_t items) {
  std::vector<std::uint64_t> out;
  const bool sequential = keys.shape == KeyDistribution::Shape::sequential;
  if (!keys.restricted() && !sequential) return out;
  const std::uint64_t low = hash_at(keys.within_from);
  const std::uint64_t high = hash_at(keys.within_to);
  const bool to_end = keys.within_to >= 1.0;
  for (std::uint64_t key = 0; key < items; ++key) {
    const std::uint64_t h = key_hash(table, key);
    if (h >= low && (to_end || h < high)) out.push_back(key);
  }
  if (sequential)
    std::sort(out.begin(), out.end(), [table](std::uint64_t a, std::uint64_t b) { return key_hash(table, a) < key_hash(table, b); });
  return out;
}

std::uint64_t count_of(const std::vector<std::uint64_t>& candidates, std::uint64_t items) {
  return candidates.empty() ? items : candidates.size();
}
}  // namespace

KeySampler::KeySampler(const KeyDistribution& keys, std::uint32_t table, std::uint64_t items)
    : keys_(keys),
      items_(items),
      candidates_(slice(keys, table, items)),
      zipf_(std::max<std::uint64_t>(count_of(candidates_, items), 1),
            keys.shape == KeyDistribution::Shape::zipf ? keys.zipf_exponent : 0.0) {
  // A slice holding no key at all is a scenario error the loader reports; here it is a bug.
  SIM_ASSERT((!keys.restricted() && keys.shape != KeyDistribution::Shape::sequential) || !candidates_.empty());
  if (keys.shape == KeyDistribution::Shape::hot_set)
    hot_count_ = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(keys.hot_fraction * static_cast<double>(key_count()))));
}

std::uint64_t KeySampler::sample(sim::Rng& rng, double progress) const {
  if (keys_.shape == KeyDistribution::Shape::sequential) {
    // The next key in hash order: the position moves through the slice as the run goes on.
    const auto count = static_cast<double>(candidates_.size());
    const auto index = static_cast<std::uint64_t>(std::clamp(progress, 0.0, 1.0) * (count - 1.0));
    return candidates_[index];
  }
  if (keys_.shape != KeyDistribution::Shape::hot_set) return key_at(zipf_.sample(rng));
  const std::uint64_t count = key_count();
  // Hot keys are the first ids (spread over the hash space by the key hash); the cold rest
  // shares the remaining traffic uniformly.
  if (hot_count_ >= count || rng.bernoulli(keys_.hot_share)) return key_at(rng.below(hot_count_));
  return key_at(hot_count_ + rng.below(count - hot_count_));
}

}  // namespace models
