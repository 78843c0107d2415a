// The kernel's pending-event order for events after the current instant: a small heap of the
// nearest events in front of one rung of time buckets and an unsorted far list. Owned by
// Kernel (sim/kernel.h); exact: keys come out in QueueKey order whatever their times.
#pragma once

#include "sim/assert.h"
#include "sim/event_queue.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sim {

// A two-tier queue in the family of the calendar queue (Brown 1988) and the ladder queue
// (Tang, Goh and Thng 2005). Every key with time < near_end_ is in `near_`, a 4-ary heap,
// whose top is therefore the minimum. Later keys wait, unsorted, in one of the rung's buckets
// (equal widths of 2^shift_ ns from ring_start_ up to ring_end_) or, beyond the rung, in
// `far_`. When `near_` empties, the next non-empty bucket is poured into it; when the rung is
// spent, a new rung is laid over the earliest 7/8 of `far_`.
//
// Why: a hold-model workload (every event schedules one later event) costs a 16,000-key heap
// seven cache-line levels per pop; here most keys are appended to a bucket once, poured into a
// heap of a few dozen and popped from it (bench phold: 1.38x the rate with one heap, 0.97x the
// hand-tuned plain heap's). Keys are unique, so the order is exactly the heap's: golden digests
// do not move. When `far_` holds few keys they all go to the heap, the latest one's time its
// bound: one far key set while the queue held little (a fault due in five minutes, set at
// start-up) then makes the queue one heap until that time. Spreading such a heap over a rung
// once it grew past 1,024 keys was tried: `bench region` at 1M groups ran 4-7.5% slower (its
// timers and messages gain nothing from the rung), so it stays a heap, as before this queue.
class BucketQueue {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  // REQUIRES: !empty().
  const QueueKey& top() const { return near_.top(); }
  // Keys in the heap tier (tests and diagnostics).
  std::size_t near_size() const { return near_.size(); }

  void push(const QueueKey& key) {
    ++size_;
    const std::uint64_t t = key.time_ns;
    if (t < near_end_) {
      near_.push(key);
      return;
    }
    if (t < ring_end_) {
      buckets_[(t - ring_start_) >> shift_].push_back(key);
      ++in_ring_;
    } else {
      far_min_ = far_.empty() ? t : std::min(far_min_, t);
      far_.push_back(key);
    }
    if (near_.empty()) refill();
  }

  // REQUIRES: !empty().
  void pop() {
    SIM_ASSERT(size_ > 0);
    near_.pop();
    if (--size_ != 0 && near_.empty()) refill();
  }

 private:
  // A rung for fewer keys than this is not worth laying: they all go to the heap.
  static constexpr std::size_t kFewKeys = 64;
  // About this many keys per bucket, and at most this many buckets.
  static constexpr std::size_t kKeysPerBucket = 8;
  static constexpr std::size_t kMostBuckets = std::size_t{1} << 16;
  // A bucket holding more than this releases its memory when poured.
  static constexpr std::size_t kKeptBucketCapacity = 64;

  // Pours buckets, laying new rungs as needed, until the heap holds the minimum.
  void refill() {
    SIM_ASSERT(near_.empty() && size_ > 0);
    while (near_.empty()) {
      if (in_ring_ == 0) {
        lay_rung();
        continue;
      }
      SIM_ASSERT(next_bucket_ < bucket_count_);
      std::vector<QueueKey>& bucket = buckets_[next_bucket_++];
      near_end_ = ring_start_ + (std::uint64_t{next_bucket_} << shift_);
      for (const QueueKey& key : bucket) near_.push(key);
      in_ring_ -= bucket.size();
      if (bucket.capacity() > kKeptBucketCapacity) std::vector<QueueKey>().swap(bucket);
      else bucket.clear();
    }
  }

  // Moves `far_`'s earliest keys into a fresh rung (or, when few, straight into the heap).
  void lay_rung() {
    const std::size_t n = far_.size();
    SIM_ASSERT(n > 0 && in_ring_ == 0);
    if (n <= kFewKeys) {
      std::uint64_t latest = 0;
      for (const QueueKey& key : far_) {
        near_.push(key);
        latest = std::max(latest, key.time_ns);
      }
      far_.clear();
      // Times are below 2^63 (Time is signed), so latest + 1 cannot wrap.
      near_end_ = ring_start_ = ring_end_ = latest + 1;
      bucket_count_ = next_bucket_ = 0;
      return;
    }
    // The rung's span: from the earliest time to about the 7/8 quantile, estimated from a
    // strided sample of 64 keys (the far list's order is deterministic, so is the sample).
    constexpr std::size_t kSample = 64;
    std::uint64_t sample[kSample];
    for (std::size_t i = 0; i < kSample; ++i) sample[i] = far_[i * n / kSample].time_ns;
    std::sort(sample, sample + kSample);
    const std::uint64_t span = sample[kSample * 7 / 8] - far_min_ + 1;
    SIM_ASSERT_OP(span, <=, std::uint64_t{1} << 63);  // times are below 2^63, so the shifts below stay below 64
    std::size_t count = 1;
    while (count < kMostBuckets && count * kKeysPerBucket < n) count *= 2;
    int shift = 0;
    // count << shift is the smallest such power of two >= span, so below 2^64 (span <= 2^63).
    while ((std::uint64_t{count} << shift) < span) ++shift;
    if (buckets_.size() < count) buckets_.resize(count);
    bucket_count_ = count;
    next_bucket_ = 0;
    shift_ = shift;
    ring_start_ = near_end_ = far_min_;
    const std::uint64_t width = std::uint64_t{count} << shift;
    ring_end_ = ring_start_ + width < ring_start_ ? ~std::uint64_t{0} : ring_start_ + width;
    std::size_t kept = 0;
    std::uint64_t kept_min = ~std::uint64_t{0};
    for (std::size_t i = 0; i < n; ++i) {
      const QueueKey key = far_[i];
      if (key.time_ns < ring_end_) {
        buckets_[(key.time_ns - ring_start_) >> shift_].push_back(key);
        ++in_ring_;
      } else {
        far_[kept++] = key;
        kept_min = std::min(kept_min, key.time_ns);
      }
    }
    SIM_ASSERT(in_ring_ > 0);
    far_.resize(kept);
    far_min_ = kept_min;
  }

  QuaternaryHeap near_;
  std::vector<std::vector<QueueKey>> buckets_;
  std::vector<QueueKey> far_;
  std::size_t size_ = 0;
  std::size_t in_ring_ = 0;       // keys in the rung's buckets
  std::size_t bucket_count_ = 0;  // buckets in the rung
  std::size_t next_bucket_ = 0;   // the first bucket not yet poured
  std::uint64_t near_end_ = 0;    // every key with an earlier time is in near_
  std::uint64_t ring_start_ = 0;
  std::uint64_t ring_end_ = 0;    // keys from here on wait in far_
  std::uint64_t far_min_ = 0;     // the earliest time in far_ (when it is not empty)
  int shift_ = 0;
};

}  // namespace sim
