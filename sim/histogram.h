// A log-linear histogram of non-negative integers (durations in nanoseconds): exact below
// 2^kSubBits, then 2^kSubBits buckets per power of two (under 1% relative error). Models record
// into it; reports read percentiles from it. Integer arithmetic only, so results are exact.
#pragma once

#include "sim/assert.h"
#include "sim/uint128.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

namespace sim {

class LogLinearHistogram {
 public:
  static constexpr int kSubBits = 7;  // 128 linear buckets per octave: at most 1/128 error

  void record(std::uint64_t value) {
    const std::size_t index = bucket_of(value);
    if (index >= counts_.size()) counts_.resize(index + 1, 0);
    ++counts_[index];
    ++count_;
    max_ = std::max(max_, value);
    min_ = count_ == 1 ? value : std::min(min_, value);
    sum_ += value;
  }

  void merge(const LogLinearHistogram& other) {
    if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size(), 0);
    for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
    if (other.count_ > 0) {
      min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
      max_ = std::max(max_, other.max_);
    }
    count_ += other.count_;
    sum_ += other.sum_;
  }

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  std::uint64_t min() const { return min_; }
  std::uint64_t sum() const { return sum_; }

  // The smallest recorded value v such that at least `per_million` / 1e6 of all values are
  // <= v, reported as the highest value of v's bucket (never above the true maximum).
  // REQUIRES: count() > 0 and per_million <= 1'000'000.
  std::uint64_t percentile(std::uint64_t per_million) const {
    const std::uint64_t rank = rank_of(count_, per_million);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(bucket_high(i), max_);
    }
    return max_;
  }

  // The rank of the `per_million` quantile among `count` values: ceil(count * q), at least 1.
  // REQUIRES: count > 0 and per_million <= 1'000'000.
  static std::uint64_t rank_of(std::uint64_t count, std::uint64_t per_million) {
    SIM_ASSERT(count > 0);
    SIM_ASSERT_OP(per_million, <=, 1'000'000u);
    const uint128 product = static_cast<uint128>(count) * per_million;
    const auto rank = static_cast<std::uint64_t>((product + 999'999) / 1'000'000);
    return rank == 0 ? 1 : rank;
  }

  static std::size_t bucket_of(std::uint64_t value) {
    constexpr std::uint64_t kLinear = std::uint64_t{1} << kSubBits;
    if (value < kLinear) return static_cast<std::size_t>(value);
    const int octave = std::bit_width(value) - 1 - kSubBits;  // >= 0
    const std::uint64_t mantissa = (value >> octave) - kLinear;  // [0, kLinear)
    return static_cast<std::size_t>(kLinear + static_cast<std::uint64_t>(octave) * kLinear + mantissa);
  }
  static std::uint64_t bucket_low(std::size_t index) {
    constexpr std::uint64_t kLinear = std::uint64_t{1} << kSubBits;
    if (index < kLinear) return index;
    const std::uint64_t octave = (index - kLinear) / kLinear;
    const std::uint64_t mantissa = (index - kLinear) % kLinear;
    return (kLinear + mantissa) << octave;
  }
  static std::uint64_t bucket_high(std::size_t index) {
    constexpr std::uint64_t kLinear = std::uint64_t{1} << kSubBits;
    if (index < kLinear) return index;
    const std::uint64_t octave = (index - kLinear) / kLinear;
    return bucket_low(index) + (std::uint64_t{1} << octave) - 1;
  }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t sum_ = 0;
};

// The same buckets and percentiles, holding only the buckets that were hit: for the many small
// histograms of a long run (one per operation per minute), where a dense one would cost its
// whole range (about 17 KB for latencies of milliseconds) each.
class SparseLogLinearHistogram {
 public:
  void record(std::uint64_t value) {
    const auto index = static_cast<std::uint32_t>(LogLinearHistogram::bucket_of(value));
    auto it = std::lower_bound(buckets_.begin(), buckets_.end(), index,
                               [](const Bucket& b, std::uint32_t i) { return b.index < i; });
    if (it != buckets_.end() && it->index == index) ++it->count;
    else buckets_.insert(it, Bucket{index, 1});
    ++count_;
    max_ = std::max(max_, value);
  }
  std::uint64_t count() const { return count_; }
  // As LogLinearHistogram::percentile. REQUIRES: count() > 0 and per_million <= 1'000'000.
  std::uint64_t percentile(std::uint64_t per_million) const {
    const std::uint64_t rank = LogLinearHistogram::rank_of(count_, per_million);
    std::uint64_t seen = 0;
    for (const Bucket& b : buckets_) {
      seen += b.count;
      if (seen >= rank) return std::min(LogLinearHistogram::bucket_high(b.index), max_);
    }
    return max_;
  }

 private:
  struct Bucket {
    std::uint32_t index;
    std::uint32_t count;
  };
  std::vector<Bucket> buckets_;  // by index
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace sim
