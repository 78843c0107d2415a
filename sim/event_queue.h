// The pending-event keys of the kernel, {time, sequence}, and two of the structures that order
// them: a 4-ary heap (the near tier of sim/bucket_queue.h) and a FIFO ring (events scheduled for
// the current instant, and the kernel's timer lanes).
#pragma once

#include "sim/assert.h"
#include "sim/uint128.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

namespace sim {

// 16 bytes: the event's time in nanoseconds and (sequence << kSlotBits | slot). Sequence
// numbers are unique and increase with every scheduling, so comparing the whole key as one
// 128-bit number orders events by time and then by scheduling order (FIFO for equal times);
// the slot bits never decide anything.
struct QueueKey {
  std::uint64_t time_ns;
  std::uint64_t sequence_and_slot;

  static constexpr int kSlotBits = 24;
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kSequenceMax = (std::uint64_t{1} << (64 - kSlotBits)) - 1;

  std::uint32_t slot() const { return static_cast<std::uint32_t>(sequence_and_slot & kSlotMask); }
  std::uint64_t sequence() const { return sequence_and_slot >> kSlotBits; }
  uint128 order() const {
    return (static_cast<uint128>(time_ns) << 64) | sequence_and_slot;
  }
};
static_assert(sizeof(QueueKey) == 16);

inline bool operator<(const QueueKey& a, const QueueKey& b) { return a.order() < b.order(); }

// The same comparison as a 0/1 value computed without branches.
inline std::size_t less(const QueueKey& a, const QueueKey& b) {
  return static_cast<std::size_t>(a.order() < b.order());  // cmp, sbb, setb
}

// An implicit 4-ary min-heap with bottom-up delete-min. Storage is offset by three entries so
// that each group of four siblings fills exactly one 64-byte cache line.
class QuaternaryHeap {
 public:
  QuaternaryHeap() { grow(1024); }
  QuaternaryHeap(const QuaternaryHeap&) = delete;
  QuaternaryHeap& operator=(const QuaternaryHeap&) = delete;

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  const QueueKey& top() const { return at(0); }

  void push(QueueKey key) {
    if (size_ == capacity_) [[unlikely]]
      grow(capacity_ * 2);
    sift_up(size_++, key);
  }

  // REQUIRES: !empty().
  void pop() {
    SIM_ASSERT(size_ > 0);
    const std::size_t n = --size_;
    if (n == 0) {
      at(0) = kSentinel;
      return;
    }
    const QueueKey last = at(n);
    at(n) = kSentinel;  // entries past the end are sentinels, so every node has four children
    std::size_t hole = 0;
    // Walk the hole down to a leaf along the smaller children without comparing against
    // `last`: in hold-like workloads `last` belongs near the bottom, so this saves compares.
    for (;;) {
      const std::size_t first = 4 * hole + 1;
      if (first >= n) break;
      const QueueKey* c = &at(first);
      // The four children's own sibling groups are four consecutive cache lines; ask for
      // them now so the next level's loads overlap with this level's compares.
      const char* grandchildren = reinterpret_cast<const char*>(&at(4 * first + 1));
      for (int line = 0; line < 4; ++line) __builtin_prefetch(grandchildren + 64 * line);
      // Branch-free: which child is smallest is a coin flip the predictor cannot learn.
      const std::size_t a = less(c[1], c[0]);
      const std::size_t b = 2 + less(c[3], c[2]);
      const std::size_t m = a ^ ((a ^ b) & (std::size_t{0} - less(c[b], c[a])));
      at(hole) = c[m];
      hole = first + m;
    }
    sift_up(hole, last);
  }

 private:
  // Moves `key` up from `hole` past every parent that orders after it, then stores it.
  void sift_up(std::size_t hole, const QueueKey& key) {
    const auto order = key.order();
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / 4;
      if (at(parent).order() <= order) break;
      at(hole) = at(parent);
      hole = parent;
    }
    at(hole) = key;
  }

  static constexpr QueueKey kSentinel{~std::uint64_t{0}, ~std::uint64_t{0}};
  struct FreeAligned {
    void operator()(QueueKey* p) const { std::free(p); }
  };
  QueueKey& at(std::size_t i) { return base_[i + 3]; }
  const QueueKey& at(std::size_t i) const { return base_[i + 3]; }

  void grow(std::size_t capacity) {
    // Three entries of offset, the heap, then sentinels: at least three past the last node so
    // its children read as sentinels. The grandchild prefetch may point further out; prefetches
    // never fault, so that is harmless.
    const std::size_t entries = capacity + 3 + 4;
    auto* fresh = static_cast<QueueKey*>(std::aligned_alloc(64, (entries * sizeof(QueueKey) + 63) / 64 * 64));
    if (fresh == nullptr) throw std::bad_alloc();
    for (std::size_t i = 0; i < entries; ++i) fresh[i] = kSentinel;
    if (base_) std::memcpy(fresh + 3, base_.get() + 3, size_ * sizeof(QueueKey));
    base_.reset(fresh);
    capacity_ = capacity;
  }

  std::unique_ptr<QueueKey[], FreeAligned> base_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// Events scheduled for the current instant go here instead of the heap: they are already in
// (time, sequence) order, and a key at `now` would otherwise sift all the way to the root.
class FifoQueue {
 public:
  FifoQueue() : ring_(256) {}
  bool empty() const { return head_ == tail_; }
  std::size_t size() const { return tail_ - head_; }
  const QueueKey& front() const { return ring_[head_ & (ring_.size() - 1)]; }
  const QueueKey& back() const { return ring_[(tail_ - 1) & (ring_.size() - 1)]; }
  void push(QueueKey key) {
    if (size() == ring_.size()) [[unlikely]]
      grow();
    ring_[tail_++ & (ring_.size() - 1)] = key;
  }
  void pop() { ++head_; }

 private:
  void grow() {
    std::vector<QueueKey> bigger(ring_.size() * 2);
    for (std::size_t i = 0; i < size(); ++i) bigger[i] = ring_[(head_ + i) & (ring_.size() - 1)];
    tail_ = size();
    head_ = 0;
    ring_.swap(bigger);
  }
  std::vector<QueueKey> ring_;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

}  // namespace sim
