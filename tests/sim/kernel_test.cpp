// Tests of sim/kernel.h and sim/event_queue.h: ordering, cancellation, time, digest, streams.
#include "sim/kernel.h"

#include <catch2/catch.hpp>

#include <array>
#include <functional>
#include <utility>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sim;

TEST_CASE("EventLoop: events run in time order and equal times run in FIFO order", "[kernel]") {
  Kernel kernel(1);
  std::vector<int> order;
  kernel.at(Time::from_nanos(20), {}, [&] { order.push_back(3); });
  for (int i = 0; i < 100; ++i) kernel.at(Time::from_nanos(10), {}, [&, i] { order.push_back(100 + i); });
  kernel.at(Time::from_nanos(5), {}, [&] { order.push_back(1); });
  REQUIRE(kernel.run() == RunStatus::drained);
  REQUIRE(order.size() == 102);
  CHECK(order.front() == 1);
  for (int i = 0; i < 100; ++i) CHECK(order[1 + i] == 100 + i);
  CHECK(order.back() == 3);
  CHECK(kernel.now() == Time::from_nanos(20));
}

TEST_CASE("EventLoop: events posted at the current instant run after those already due then", "[kernel]") {
  Kernel kernel(1);
  std::vector<std::string> order;
  kernel.at(Time::from_nanos(10), {}, [&] {
    order.push_back("a");
    kernel.post({}, [&] { order.push_back("a-posted"); });
  });
  kernel.at(Time::from_nanos(10), {}, [&] { order.push_back("b"); });
  kernel.run();
  CHECK(order == std::vector<std::string>{"a", "b", "a-posted"});
}

TEST_CASE("EventLoop: a random mix of times is dispatched sorted by (time, sequence)", "[kernel]") {
  Kernel kernel(7);
  Rng rng(99);
  struct Seen {
    std::int64_t time;
    int sequence;
  };
  std::vector<Seen> seen;
  int sequence = 0;
  // Nested scheduling keeps the heap busy with pushes and pops interleaved.
  std::function<void()> spawn = [&] {
    seen.push_back({kernel.now().nanos(), 0});
    if (seen.size() < 20000)
      for (int k = 0; k < 2; ++k) kernel.after(Duration::from_nanos(rng.uniform_int(0, 50)), {}, spawn);
  };
  for (int i = 0; i < 64; ++i) kernel.at(Time::from_nanos(rng.uniform_int(0, 100)), {}, [&, i] {
    (void)i;
    ++sequence;
    spawn();
  });
  kernel.run();
  REQUIRE(seen.size() >= 20000);
  for (std::size_t i = 1; i < seen.size(); ++i) REQUIRE(seen[i - 1].time <= seen[i].time);
}

namespace {
// One run of a random workload: events schedule more events at random delays and timers at
// one of seven fixed delays (0: the same-time queue; more delays than the kernel has lanes, so
// some timers go to the heap), and cancel a random pending timer now and then. `lanes` sets the
// timers with after_timer, otherwise with after. Returns the labels in dispatch order.
std::vector<int> timer_workload(bool lanes, std::size_t* pending_midway) {
  Kernel kernel(3);
  Rng rng(41);
  std::vector<int> order;
  std::vector<EventId> timers;
  int next_label = 0;
  std::function<void(int)> event = [&](int label) {
    order.push_back(label);
    if (order.size() == 5000) *pending_midway = kernel.events_pending();
    if (order.size() >= 20000) return;
    const int a = next_label++;
    kernel.after(Duration::from_nanos(rng.uniform_int(0, 70)), {}, [&event, a] { event(a); });
    const int b = next_label++;
    const Duration delay = Duration::from_nanos(10 * rng.uniform_int(0, 6));
    const auto timer = [&event, b] { event(b); };
    timers.push_back(lanes ? kernel.after_timer(delay, {}, timer) : kernel.after(delay, {}, timer));
    if (rng.below(3) == 0) kernel.cancel(timers[rng.below(timers.size())]);
  };
  for (int i = 0; i < 16; ++i) {
    const int label = next_label++;
    kernel.at(Time::from_nanos(rng.uniform_int(0, 30)), {}, [&event, label] { event(label); });
  }
  kernel.run();
  REQUIRE(kernel.next_event_time() == Time::max());
  return order;
}
}  // namespace

TEST_CASE("Kernel: timers in lanes run in exactly the order they would from the heap", "[kernel]") {
  std::size_t pending_heap = 0, pending_lanes = 0;
  const std::vector<int> from_heap = timer_workload(false, &pending_heap);
  const std::vector<int> from_lanes = timer_workload(true, &pending_lanes);
  REQUIRE(from_heap.size() >= 20000);
  CHECK(from_lanes == from_heap);
  CHECK(pending_lanes == pending_heap);  // cancelled timers count until they come up, as in the heap
}

TEST_CASE("EventLoop: a cancelled event never runs and its id goes stale", "[kernel]") {
  Kernel kernel(1);
  int ran = 0;
  const EventId keep = kernel.at(Time::from_nanos(5), {}, [&] { ran += 1; });
  const EventId drop = kernel.at(Time::from_nanos(5), {}, [&] { ran += 10; });
  CHECK(kernel.pending(drop));
  CHECK(kernel.cancel(drop));
  CHECK_FALSE(kernel.pending(drop));
  CHECK_FALSE(kernel.cancel(drop));
  kernel.run();
  CHECK(ran == 1);
  CHECK_FALSE(kernel.pending(keep));
  CHECK_FALSE(kernel.cancel(keep));  // already ran
  CHECK(kernel.events_dispatched() == 1);
}

TEST_CASE("EventLoop: a reused slot does not honour an old id", "[kernel]") {
  Kernel kernel(1);
  int ran = 0;
  const EventId first = kernel.at(Time::from_nanos(1), {}, [&] { ++ran; });
  kernel.run();
  const EventId second = kernel.at(Time::from_nanos(2), {}, [&] { ran += 10; });
  CHECK(first.slot == second.slot);  // the free list hands the slot out again
  CHECK_FALSE(kernel.cancel(first));
  kernel.run();
  CHECK(ran == 11);
}

TEST_CASE("EventLoop: cancelling the running event is a no-op", "[kernel]") {
  Kernel kernel(1);
  EventId self;
  bool cancelled = true;
  self = kernel.at(Time::from_nanos(1), {}, [&] { cancelled = kernel.cancel(self); });
  kernel.run();
  CHECK_FALSE(cancelled);
}

TEST_CASE("EventLoop: payloads are destroyed exactly once whether run, cancelled or left pending", "[kernel]") {
  auto counter = std::make_shared<int>(0);
  {
    Kernel kernel(1);
    kernel.at(Time::from_nanos(1), {}, [c = counter] {});
    const EventId id = kernel.at(Time::from_nanos(2), {}, [c = counter] {});
    kernel.at(Time::from_nanos(3), {}, [c = counter] {});
    CHECK(counter.use_count() == 4);
    kernel.cancel(id);
    CHECK(counter.use_count() == 3);
    kernel.run_until(Time::from_nanos(1));
    CHECK(counter.use_count() == 2);
  }
  CHECK(counter.use_count() == 1);  // the kernel's destructor released the pending one
}

TEST_CASE("EventLoop: large payloads are boxed and still run", "[kernel]") {
  Kernel kernel(1);
  std::array<std::uint64_t, 64> big{};
  big[63] = 42;
  std::uint64_t seen = 0;
  kernel.at(Time::from_nanos(1), {}, [big, &seen] { seen = big[63]; });
  kernel.run();
  CHECK(seen == 42);
}

TEST_CASE("EventLoop: run_until stops at the limit and resumes later", "[kernel]") {
  Kernel kernel(1);
  std::vector<int> order;
  kernel.at(Time::from_nanos(10), {}, [&] { order.push_back(10); });
  kernel.at(Time::from_nanos(30), {}, [&] { order.push_back(30); });
  CHECK(kernel.run_until(Time::from_nanos(20)) == RunStatus::time_limit);
  CHECK(kernel.now() == Time::from_nanos(20));
  CHECK(order == std::vector<int>{10});
  CHECK(kernel.next_event_time() == Time::from_nanos(30));
  CHECK(kernel.run() == RunStatus::drained);
  CHECK(order == std::vector<int>{10, 30});
}

TEST_CASE("EventLoop: stop() returns after the current event", "[kernel]") {
  Kernel kernel(1);
  int ran = 0;
  kernel.at(Time::from_nanos(1), {}, [&] { ++ran, kernel.stop(); });
  kernel.at(Time::from_nanos(2), {}, [&] { ++ran; });
  CHECK(kernel.run() == RunStatus::stopped);
  CHECK(ran == 1);
  CHECK(kernel.run() == RunStatus::drained);
  CHECK(ran == 2);
}

TEST_CASE("EventLoop: an interrupt flag ends the run", "[kernel]") {
  Kernel kernel(1);
  std::atomic<bool> flag{true};
  kernel.set_interrupt_flag(&flag);
  std::function<void()> forever = [&] { kernel.after(nanos(1), {}, forever); };
  kernel.post({}, forever);
  CHECK(kernel.run() == RunStatus::interrupted);
  CHECK(kernel.events_dispatched() == 65536);
}

TEST_CASE("EventLoop: an exception from a handler propagates and the loop stays usable", "[kernel]") {
  Kernel kernel(1);
  int ran = 0;
  kernel.at(Time::from_nanos(1), {}, [] { throw std::runtime_error("boom"); });
  kernel.at(Time::from_nanos(2), {}, [&] { ++ran; });
  CHECK_THROWS_WITH(kernel.run(), "boom");
  CHECK(kernel.run() == RunStatus::drained);
  CHECK(ran == 1);
}

TEST_CASE("EventLoop: the digest depends on times and tags of dispatched events", "[kernel]") {
  auto digest_of = [](std::int64_t second_time, ActorId actor) {
    Kernel kernel(1);
    kernel.at(Time::from_nanos(1), Tag{0, 0}, [] {});
    kernel.at(Time::from_nanos(second_time), Tag{actor, 0}, [] {});
    kernel.run();
    return kernel.digest();
  };
  CHECK(digest_of(5, 0) == digest_of(5, 0));
  CHECK(digest_of(5, 0) != digest_of(6, 0));
  CHECK(digest_of(5, 0) != digest_of(5, 1));
}

TEST_CASE("EventLoop: named streams are independent of creation order", "[kernel]") {
  Kernel a(5), b(5);
  Rng& a_first = a.stream("alpha");
  a.stream("beta");
  b.stream("beta");
  b.stream("gamma");
  Rng& b_alpha = b.stream("alpha");
  CHECK(a_first.next_u64() == b_alpha.next_u64());
}

TEST_CASE("EventLoop: the final draw reflects every stream's draws", "[kernel]") {
  auto final_after = [](int draws) {
    Kernel kernel(3);
    Rng& stream = kernel.stream("x");
    for (int i = 0; i < draws; ++i) stream.next_u64();
    return kernel.final_draw();
  };
  CHECK(final_after(2) == final_after(2));
  CHECK(final_after(2) != final_after(3));
}

TEST_CASE("EventLoop: actor and kind names are registered once", "[kernel]") {
  Kernel kernel(1);
  const ActorId a = kernel.register_actor("node/a");
  CHECK(kernel.register_actor("node/a") == a);
  CHECK(kernel.actor_name(a) == "node/a");
  const KindId k = kernel.register_kind("msg.x");
  CHECK(kernel.register_kind("msg.x") == k);
  CHECK(kernel.kind_name(k) == "msg.x");
}

TEST_CASE("EventLoop: the tracer sees every dispatched event with its names", "[kernel]") {
  struct Recorder : Tracer {
    std::vector<std::string> lines;
    void on_event(Time t, std::uint64_t, std::string_view actor, std::string_view kind,
                  std::string_view detail) override {
      lines.push_back(std::to_string(t.nanos()) + " " + std::string(actor) + " " + std::string(kind) + " " +
                      std::string(detail));
    }
  } recorder;
  struct Described {
    void operator()() const {}
    void describe(std::string& out) const { out += "hello"; }
  };
  Kernel kernel(1);
  kernel.set_tracer(&recorder);
  const Tag tag{kernel.register_actor("n1"), kernel.register_kind("k1")};
  kernel.at(Time::from_nanos(4), tag, Described{});
  kernel.at(Time::from_nanos(5), tag, [] {});
  kernel.run();
  CHECK(recorder.lines == std::vector<std::string>{"4 n1 k1 hello", "5 n1 k1 "});
}

TEST_CASE("QuaternaryHeap: pops keys in order across growth", "[kernel]") {
  QuaternaryHeap heap;
  Rng rng(11);
  std::vector<std::uint64_t> times;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    const std::uint64_t t = rng.below(1000);
    times.push_back(t);
    heap.push(QueueKey{t, i << QueueKey::kSlotBits});
  }
  std::uint64_t last_time = 0, last_sequence = 0;
  std::size_t popped = 0;
  while (!heap.empty()) {
    const QueueKey key = heap.top();
    heap.pop();
    if (popped > 0) {
      REQUIRE(key.time_ns >= last_time);
      if (key.time_ns == last_time) REQUIRE(key.sequence() > last_sequence);
    }
    last_time = key.time_ns;
    last_sequence = key.sequence();
    ++popped;
  }
  CHECK(popped == times.size());
}

TEST_CASE("Kernel: a paused actor's events wait, in order, and run when it resumes", "[kernel]") {
  Kernel kernel{1};
  const ActorId frozen = kernel.register_actor("frozen");
  const ActorId other = kernel.register_actor("other");
  std::vector<std::pair<std::string, std::int64_t>> ran;
  const auto log = [&](std::string what) { return [&ran, &kernel, what] { ran.emplace_back(what, kernel.now().nanos()); }; };
  kernel.at(Time::zero() + seconds(1), Tag{frozen, 0}, log("f1"));
  kernel.at(Time::zero() + seconds(2), Tag{other, 0}, log("o2"));
  const EventId cancelled = kernel.at(Time::zero() + seconds(3), Tag{frozen, 0}, log("f3"));
  kernel.at(Time::zero() + seconds(4), Tag{frozen, 0}, log("f4"));
  kernel.pause_actor(frozen);
  kernel.pause_actor(frozen);  // pauses nest
  kernel.run_until(Time::zero() + seconds(4) + millis(1));
  CHECK(ran == std::vector<std::pair<std::string, std::int64_t>>{{"o2", 2'000'000'000}});
  CHECK(kernel.events_parked() == 3);
  CHECK(kernel.cancel(cancelled));
  kernel.at(Time::zero() + seconds(5), Tag{other, 0}, [&] { kernel.resume_actor(frozen); });
  kernel.run_until(Time::zero() + seconds(6));
  CHECK(ran.size() == 1);  // still held by the first pause
  kernel.at(Time::zero() + seconds(6), Tag{other, 0}, [&] { kernel.resume_actor(frozen); });
  kernel.run();
  CHECK(ran == std::vector<std::pair<std::string, std::int64_t>>{
                   {"o2", 2'000'000'000}, {"f1", 6'000'000'000}, {"f4", 6'000'000'000}});
  CHECK(kernel.events_parked() == 0);
}
