// The simulation kernel: virtual time, the pending-event queue, event payloads in a slot pool,
// named RNG streams and the trace digest. One Kernel per simulation, used from one thread.
#pragma once

#include "sim/assert.h"
#include "sim/bucket_queue.h"
#include "sim/event_queue.h"
#include "sim/rng.h"
#include "sim/time.h"

#include <boost/asio/execution_context.hpp>

#include <atomic>
#include <functional>
#include <stdexcept>
#include <cstddef>
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sim {

class Kernel;

// Who an event belongs to and what it is, for the digest and the trace. Both are small ids
// registered with the kernel by name.
using ActorId = std::uint32_t;
using KindId = std::uint32_t;
struct Tag {
  ActorId actor = 0;
  KindId kind = 0;
};

// Names an event for cancellation. A stale id (event ran, or was cancelled) is harmless.
struct EventId {
  std::uint32_t slot = 0xffffffffu;
  std::uint32_t generation = 0;
  bool valid() const { return slot != 0xffffffffu; }
};

// Receives every dispatched event when tracing is on.
class Tracer {
 public:
  virtual ~Tracer() = default;
  // `detail` is empty unless the event's payload knows how to describe itself.
  virtual void on_event(Time time, std::uint64_t sequence, std::string_view actor,
                        std::string_view kind, std::string_view detail) = 0;
  // An event scheduled: its sequence and time, its actor, and the event being dispatched when it
  // was (none before the run: kNoCause) with that event's actor. A tracer sees every message as
  // a send and a receipt, and every event's cause.
  static constexpr std::uint64_t kNoCause = ~std::uint64_t{0};
  // The kernel it traces, when set_tracer attaches it (a tracer may read counts from it).
  virtual void on_attach(const class Kernel& /*kernel*/) {}
  virtual void on_schedule(Time /*due*/, std::uint64_t /*sequence*/, std::string_view /*actor*/, std::uint64_t /*cause*/,
                           std::string_view /*cause_actor*/) {}
  // Counters the host offers (queue depths, bytes): a tracer calls the source when it likes, and
  // the source calls `emit` once per counter. The source reads state and schedules nothing, so
  // tracing never changes a run.
  using CounterEmit = std::function<void(std::string_view actor, std::string_view name, double value)>;
  using CounterSource = std::function<void(const CounterEmit& emit)>;
  virtual void set_counter_source(CounterSource /*source*/) {}
};

// out_of_slots: more events were pending at once than the kernel can hold (kMostPendingEvents).
enum class RunStatus { drained, time_limit, stopped, interrupted, out_of_slots };

// Thrown out of the scheduling call that would need a pending event beyond the kernel's limit;
// the kernel is unchanged by it. A simulated service that piles up that much work has left what
// the simulator can hold: the run stops there with a partial report.
struct OutOfEventSlots : std::runtime_error {
  OutOfEventSlots() : std::runtime_error("more pending events than the kernel holds") {}
};

namespace detail {

struct EventVTable {
  void (*run_and_destroy)(void* payload);
  void (*destroy)(void* payload);
  void (*describe)(const void* payload, std::string& out);
};

template <class F>
concept Describable = requires(const F& f, std::string& out) { f.describe(out); };

constexpr std::size_t kInlinePayloadBytes = 104;

template <class F>
constexpr bool fits_inline = sizeof(F) <= kInlinePayloadBytes && alignof(F) <= 8 &&
                             std::is_nothrow_move_constructible_v<F>;

template <class F>
void describe_payload(const F& f, std::string& out) {
  if constexpr (Describable<F>) f.describe(out);
  else (void)f, (void)out;
}

// Payloads that fit live inside the slot; larger ones (rare: some Asio handlers) are boxed.
template <class F>
struct InlineOps {
  static void run_and_destroy(void* p) {
    F& f = *static_cast<F*>(p);
    struct Destroy {
      F& f;
      ~Destroy() { f.~F(); }
    } guard{f};
    f();
  }
  static void destroy(void* p) { static_cast<F*>(p)->~F(); }
  static void describe(const void* p, std::string& out) {
    describe_payload(*static_cast<const F*>(p), out);
  }
  static constexpr EventVTable table{&run_and_destroy, &destroy, &describe};
};

template <class F>
struct BoxedOps {
  static F* box(void* p) { return *static_cast<F**>(p); }
  static void run_and_destroy(void* p) {
    std::unique_ptr<F> owned(box(p));
    (*owned)();
  }
  static void destroy(void* p) { delete box(p); }
  static void describe(const void* p, std::string& out) {
    describe_payload(**static_cast<F* const*>(p), out);
  }
  static constexpr EventVTable table{&run_and_destroy, &destroy, &describe};
};

template <class F>
constexpr const EventVTable* vtable_for() {
  if constexpr (fits_inline<F>) return &InlineOps<F>::table;
  else return &BoxedOps<F>::table;
}

struct alignas(64) Slot {
  const EventVTable* vtable = nullptr;  // null: free, cancelled, or running
  std::uint32_t generation = 0;
  std::uint32_t next_free = 0;
  Tag tag;
  alignas(8) std::byte payload[kInlinePayloadBytes];
};
static_assert(sizeof(Slot) == 128);

}  // namespace detail

class Kernel : public boost::asio::execution_context {
 public:
  explicit Kernel(std::uint64_t seed);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  Time now() const { return now_; }
  std::uint64_t seed() const { return seed_; }

  // Schedules f() at time t (REQUIRES: t >= now()). Equal times run in scheduling order.
  template <class F>
  EventId at(Time t, Tag tag, F&& f) {
    SIM_ASSERT_OP(t.nanos(), >=, now_.nanos());
    const std::uint32_t index = store(tag, std::forward<F>(f));
    enqueue(t, index);
    return EventId{index, slot_at(index).generation};
  }

  template <class F>
  EventId after(Duration delay, Tag tag, F&& f) {
    SIM_ASSERT_OP(delay.nanos(), >=, 0);
    return at(now_ + delay, tag, std::forward<F>(f));
  }

  // As after(), for a timer that many others share the delay of (an RPC's timeout): it waits in
  // a FIFO lane of timers with that delay, not in the queue, since each new one is due no earlier
  // than the last. The order of events is the same (the kernel runs the earliest of the queue's,
  // the lanes' and the same-time queue's fronts); what changes is the cost: most timeouts are
  // cancelled, and a cancelled one leaves a lane in O(1) instead of waiting in the queue.
  template <class F>
  EventId after_timer(Duration delay, Tag tag, F&& f) {
    SIM_ASSERT_OP(delay.nanos(), >=, 0);
    const std::uint32_t index = store(tag, std::forward<F>(f));
    enqueue(now_ + delay, index, delay.nanos());
    return EventId{index, slot_at(index).generation};
  }

  template <class F>
  EventId post(Tag tag, F&& f) {
    return at(now_, tag, std::forward<F>(f));
  }

  // Drops a pending event without running it. False if it already ran, was cancelled, or is
  // the event running right now.
  bool cancel(EventId event);
  bool pending(EventId event) const;

  // The payload of a pending event, if it is still pending and holds exactly an F.
  template <class F>
  F* pending_payload(EventId event) {
    if (!event.valid() || event.slot >= slot_count_) return nullptr;
    detail::Slot& slot = slot_at(event.slot);
    if (slot.generation != event.generation || slot.vtable != detail::vtable_for<F>()) return nullptr;
    if constexpr (detail::fits_inline<F>) return std::launder(reinterpret_cast<F*>(slot.payload));
    else return *reinterpret_cast<F**>(slot.payload);
  }

  // Runs events with time <= limit. Handler exceptions propagate; the kernel stays usable.
  RunStatus run_until(Time limit);
  RunStatus run() { return run_until(Time::max()); }
  // Makes run_until return after the current event.
  void stop() { stop_requested_ = true; }
  // Polled every 64Ki events; a set flag ends run_until with RunStatus::interrupted.
  void set_interrupt_flag(const std::atomic<bool>* flag) { interrupt_ = flag; }
  // Called at the same poll with the time reached and the events dispatched, for a progress
  // line (it must not touch the simulation; it is the one place wall-clock code may hook in).
  // `every` events (a power of two; the interrupt flag is polled as often, and at least every
  // 65,536 events).
  void set_progress(std::function<void(Time, std::uint64_t)> progress, std::uint64_t every = 65'536) {
    SIM_ASSERT(every > 0 && (every & (every - 1)) == 0);
    progress_ = std::move(progress);
    poll_mask_ = std::min<std::uint64_t>(every, 65'536) - 1;
  }
  // At most this many events pending at once (rounded up to whole chunks of slots): the real
  // limit is 2^24; tests lower it to reach it quickly.
  void set_slot_limit(std::uint64_t slots) { slot_limit_ = std::min(slots, std::uint64_t{QueueKey::kSlotMask} + 1); }

  // The time of the next pending event, or Time::max() when none is pending.
  Time next_event_time();

  // Freezes an actor, as a long GC pause or a VM stall freezes a process: its events (timers,
  // deliveries) wait, in order, until it resumes, then run at the resume time. Pauses nest.
  // A parked event can still be cancelled.
  void pause_actor(ActorId actor);
  void resume_actor(ActorId actor);
  bool paused(ActorId actor) const { return actor < pauses_.size() && pauses_[actor] != 0; }
  // `t` moved later by the length of every pause of `actor` that began at or after `from` and
  // before `t` (as moved so far): the time work the actor started at `from`, due at `t`, is done
  // when a pause freezes it, workers and queue alike (models/work_queue.h, sim/network.h send_at).
  // Time::max() while such a pause lasts. REQUIRES: the actor was not paused at `from`.
  Time after_pauses(ActorId actor, Time from, Time t) const {
    if (pause_history_.empty()) [[likely]]
      return t;
    return after_pauses_in_history(actor, from, t);
  }
  std::size_t events_parked() const { return parked_count_; }

  std::uint64_t events_dispatched() const { return dispatched_; }
  std::size_t events_pending() const {
    std::size_t in_lanes = 0;
    for (std::size_t i = 0; i < lanes_used_; ++i) in_lanes += lanes_[i].keys.size();
    return queue_.size() + fifo_.size() + in_lanes + parked_count_;
  }
  std::uint64_t digest() const { return digest_; }
  // The tag of the event being dispatched (zero tag outside dispatch).
  Tag current_tag() const { return current_tag_; }

  ActorId register_actor(std::string_view name);
  KindId register_kind(std::string_view name);
  const std::string& actor_name(ActorId actor) const { return actor_names_.at(actor); }
  const std::string& kind_name(KindId kind) const { return kind_names_.at(kind); }
  static constexpr ActorId kKernelActor = 0;

  // A named random stream, derived only from the seed and the name, owned by the kernel so
  // the final draw can fold in every stream's state. References stay valid for the kernel's
  // lifetime. Asking twice for one name is a bug (two actors would share draws).
  Rng& stream(std::string_view name);
  // One draw from a stream seeded by the state of every stream, in creation order: equal
  // only if every actor drew the same numbers ("unseed", as FoundationDB prints).
  std::uint64_t final_draw() const;

  void set_tracer(Tracer* tracer) {
    tracer_ = tracer;
    if (tracer != nullptr) tracer->on_attach(*this);
  }

  class executor_type;
  executor_type get_executor() noexcept;

 private:
  detail::Slot& slot_at(std::uint32_t index) {
    return chunks_[index >> kChunkBits][index & (kChunkSize - 1)];
  }
  std::uint32_t allocate_slot() {
    if (free_head_ == kNoSlot) [[unlikely]]
      add_chunk();
    const std::uint32_t index = free_head_;
    free_head_ = slot_at(index).next_free;
    return index;
  }
  void release_slot(std::uint32_t index) {
    detail::Slot& slot = slot_at(index);
    slot.vtable = nullptr;
    ++slot.generation;
    slot.next_free = free_head_;
    free_head_ = index;
  }
  template <class F>
  std::uint32_t store(Tag tag, F&& f) {
    using Payload = std::decay_t<F>;
    const std::uint32_t index = allocate_slot();
    detail::Slot& slot = slot_at(index);
    if constexpr (detail::fits_inline<Payload>) {
      ::new (static_cast<void*>(slot.payload)) Payload(std::forward<F>(f));
    } else {
      *reinterpret_cast<Payload**>(slot.payload) = new Payload(std::forward<F>(f));
    }
    slot.vtable = detail::vtable_for<Payload>();
    slot.tag = tag;
    return index;
  }
  // `lane_delay` > 0: a timer of that delay (after_timer), kept in its lane when one is free.
  void enqueue(Time t, std::uint32_t index, std::int64_t lane_delay = 0) {
    SIM_ASSERT(next_sequence_ <= QueueKey::kSequenceMax);
    if (tracer_ != nullptr) [[unlikely]]
      tracer_->on_schedule(t, next_sequence_, actor_names_[slot_at(index).tag.actor], dispatching_sequence_,
                           dispatching_sequence_ == Tracer::kNoCause ? std::string_view() : std::string_view(actor_names_[current_tag_.actor]));
    const QueueKey key{static_cast<std::uint64_t>(t.nanos()),
                       (next_sequence_++ << QueueKey::kSlotBits) | index};
    if (t == now_) fifo_.push(key);
    else if (lane_delay <= 0 || !push_lane(key, lane_delay)) queue_.push(key);
  }
  // A lane holds timers of one delay, due in the order they were set: its keys never decrease.
  struct Lane {
    std::int64_t delay_ns = 0;
    FifoQueue keys;
  };
  static constexpr std::size_t kLanes = 4;
  bool push_lane(const QueueKey& key, std::int64_t delay_ns) {
    std::size_t i = 0;
    while (i < lanes_used_ && lanes_[i].delay_ns != delay_ns) ++i;
    if (i == lanes_used_) {
      if (lanes_used_ == kLanes) return false;  // every lane taken: the queue it is
      lanes_[lanes_used_++].delay_ns = delay_ns;
    }
    Lane& lane = lanes_[i];
    // Time never goes back, so a later timer of the same delay is never due earlier (the check
    // keeps the lane sorted whatever a caller does).
    if (!lane.keys.empty() && key < lane.keys.back()) return false;
    lane.keys.push(key);
    return true;
  }
  // Where the earliest pending key waits: the queue, the same-time queue or a lane.
  static constexpr int kFromQueue = -1;
  static constexpr int kFromFifo = -2;
  static constexpr int kFromNowhere = -3;
  int earliest(QueueKey& key) const {
    int from = kFromNowhere;
    if (!queue_.empty()) {
      key = queue_.top();
      from = kFromQueue;
    }
    if (!fifo_.empty() && (from == kFromNowhere || fifo_.front() < key)) {
      key = fifo_.front();
      from = kFromFifo;
    }
    for (std::size_t i = 0; i < lanes_used_; ++i) {
      const FifoQueue& lane = lanes_[i].keys;
      if (!lane.empty() && (from == kFromNowhere || lane.front() < key)) {
        key = lane.front();
        from = static_cast<int>(i);
      }
    }
    return from;
  }
  void pop_from(int from) {
    if (from == kFromQueue) queue_.pop();
    else if (from == kFromFifo) fifo_.pop();
    else lanes_[static_cast<std::size_t>(from)].keys.pop();
  }
  void add_chunk();
  void dispatch(const QueueKey& key);
  void drain_all();
  void destroy_slot(std::uint32_t index);

  static constexpr int kChunkBits = 12;
  static constexpr std::uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr std::uint32_t kNoSlot = 0xffffffffu;

  Time now_ = Time::zero();
  std::uint64_t seed_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t dispatching_sequence_ = Tracer::kNoCause;  // kept only while tracing
  std::uint64_t dispatched_ = 0;
  std::uint64_t digest_ = 0x6a09e667f3bcc908ull;
  BucketQueue queue_;  // events after the current instant (sim/bucket_queue.h)
  FifoQueue fifo_;
  std::array<Lane, kLanes> lanes_;
  std::size_t lanes_used_ = 0;
  std::vector<std::unique_ptr<detail::Slot[]>> chunks_;
  std::uint32_t slot_count_ = 0;
  std::uint32_t free_head_ = kNoSlot;
  Tag current_tag_{};
  // Paused actors: how many pauses hold each, and the slots of their waiting events, in order.
  std::vector<std::uint32_t> pauses_;
  std::map<ActorId, std::vector<std::uint32_t>> parked_;
  // Every pause of every actor ever paused, as [start, end) with end Time::max() while it lasts.
  // Pauses are rare (a fault): the list is kept whole.
  std::map<ActorId, std::vector<std::pair<Time, Time>>> pause_history_;
  Time after_pauses_in_history(ActorId actor, Time from, Time t) const;
  std::size_t paused_actors_ = 0;
  std::size_t parked_count_ = 0;
  bool stop_requested_ = false;
  bool shutting_down_ = false;
  const std::atomic<bool>* interrupt_ = nullptr;
  std::function<void(Time, std::uint64_t)> progress_;
  std::uint64_t poll_mask_ = 65'535;  // poll the interrupt flag and report progress when (dispatched & mask) == 0
  std::uint64_t slot_limit_ = std::uint64_t{QueueKey::kSlotMask} + 1;
  Tracer* tracer_ = nullptr;
  std::string trace_detail_;

  Rng root_;
  std::deque<Rng> streams_;
  std::map<std::string, std::size_t, std::less<>> stream_index_;
  std::vector<std::string> actor_names_;
  std::vector<std::string> kind_names_;
  std::map<std::string, ActorId, std::less<>> actor_ids_;
  std::map<std::string, KindId, std::less<>> kind_ids_;
};

}  // namespace sim
