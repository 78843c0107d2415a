// Tests of sim/bucket_queue.h: whatever the times, keys come out in exactly the order a plain
// priority queue gives, through rungs laid, poured and spent.
#include "sim/bucket_queue.h"
#include "sim/rng.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <algorithm>
#include <functional>
#include <queue>
#include <vector>

using namespace sim;

namespace {

struct Later {
  bool operator()(const QueueKey& a, const QueueKey& b) const { return b < a; }
};

// Drives a BucketQueue and a std::priority_queue with the same operations and checks every
// top against the reference. `next_time(now)` draws the time of a new key given the last
// popped time; `pops_per_push` < 1 grows the queue, > 1 drains it.
class Twin {
 public:
  void push(std::uint64_t time) {
    const QueueKey key{time, (sequence_ << QueueKey::kSlotBits) | (sequence_ & QueueKey::kSlotMask)};
    ++sequence_;
    queue_.push(key);
    reference_.push(key);
    check_top();
  }
  QueueKey pop() {
    REQUIRE(!queue_.empty());
    const QueueKey key = queue_.top();
    queue_.pop();
    reference_.pop();
    check_top();
    return key;
  }
  bool empty() const { return queue_.empty(); }
  std::size_t size() const { return queue_.size(); }
  std::size_t near_size() const { return queue_.near_size(); }

 private:
  void check_top() {
    REQUIRE(queue_.size() == reference_.size());
    if (reference_.empty()) return;
    REQUIRE(queue_.top().time_ns == reference_.top().time_ns);
    REQUIRE(queue_.top().sequence_and_slot == reference_.top().sequence_and_slot);
  }
  BucketQueue queue_;
  std::priority_queue<QueueKey, std::vector<QueueKey>, Later> reference_;
  std::uint64_t sequence_ = 0;
};

// The hold model: every pop pushes one key at now + draw, after an initial population.
void hold(std::size_t population, std::size_t steps, const std::function<std::uint64_t(std::uint64_t)>& next_time) {
  Twin twin;
  for (std::size_t i = 0; i < population; ++i) twin.push(next_time(0));
  for (std::size_t i = 0; i < steps; ++i) twin.push(next_time(twin.pop().time_ns));
  while (!twin.empty()) twin.pop();
}

}  // namespace

TEST_CASE("BucketQueue: the hold model with exponential delays pops in key order", "[kernel]") {
  Rng rng(3);
  for (std::size_t population : {1, 10, 64, 65, 1000, 20000}) {
    CAPTURE(population);
    hold(population, 60'000, [&](std::uint64_t now) {
      return now + 100'000 + static_cast<std::uint64_t>(rng.exponential(1e6));
    });
  }
}

TEST_CASE("BucketQueue: many keys at one time keep their sequence order", "[kernel]") {
  Rng rng(5);
  hold(5000, 30'000, [&](std::uint64_t now) { return now + 1000 * rng.below(3); });
}

TEST_CASE("BucketQueue: times spread over the whole range, with far outliers", "[kernel]") {
  Rng rng(7);
  constexpr std::uint64_t kLatest = (std::uint64_t{1} << 63) - 1;
  hold(3000, 30'000, [&](std::uint64_t now) {
    // Times stay below 2^63, as the kernel's (Time is signed).
    const std::uint64_t room = kLatest - now;
    switch (rng.below(4)) {
      case 0: return now;                                                 // at the current time
      case 1: return now + std::min<std::uint64_t>(room, rng.below(1000));  // just after
      case 2: return kLatest - std::min<std::uint64_t>(room, rng.below(1000));  // near the end of time
      default: return now + std::min(room, rng.next_u64() >> (1 + rng.below(63)));  // any scale
    }
  });
}

TEST_CASE("BucketQueue: keys earlier than those popped, bursts and droughts", "[kernel]") {
  // The kernel never schedules in the past, but the queue does not rely on it.
  Rng rng(9);
  Twin twin;
  for (int round = 0; round < 40; ++round) {
    const std::size_t burst = rng.below(4000);
    for (std::size_t i = 0; i < burst; ++i) twin.push(rng.below(1'000'000'000));
    const std::size_t drain = rng.below(twin.size() + 1);
    for (std::size_t i = 0; i < drain; ++i) twin.pop();
  }
  while (!twin.empty()) twin.pop();
}

TEST_CASE("BucketQueue: ties on bucket edges keep their sequence order", "[kernel]") {
  // Times on a power-of-two grid land exactly on the rung's bucket edges, where a key pushed
  // after a bucket was poured must still come out after the bucket's keys of the same time.
  Rng rng(13);
  for (std::uint64_t grid : {1, 64, 1024, 65536}) {
    CAPTURE(grid);
    hold(2000, 30'000, [&](std::uint64_t now) { return now + grid * rng.below(8); });
  }
}

TEST_CASE("BucketQueue: thousands of keys at one time, pushed below the heap's bound, keep their order", "[kernel]") {
  // The heap's bound is 10,001 after the first lay, so 20,000 keys at 5,000 all go to the heap,
  // behind nothing and ahead of the key at 10,000: order must hold throughout.
  Twin twin;
  twin.push(10'000);
  for (int i = 0; i < 20'000; ++i) twin.push(5'000);
  CHECK(twin.near_size() >= 20'000);
  while (!twin.empty()) twin.pop();
}
