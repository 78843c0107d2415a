// The kernel's out-of-line parts: the dispatch loop, slot pool growth, names, streams.
#include "sim/kernel.h"

#include "sim/executor.h"

#include <algorithm>
#include <iterator>

namespace sim {

namespace {
constexpr std::uint64_t kDigestMultiplier1 = 0x9e3779b97f4a7c15ull;
constexpr std::uint64_t kDigestMultiplier2 = 0xc2b2ae3d27d4eb4full;
}  // namespace

Kernel::Kernel(std::uint64_t seed) : seed_(seed), root_(seed) {
  register_actor("kernel");
  register_kind("event");
  register_kind("asio");
  register_kind("rpc.timeout");
}

Kernel::~Kernel() {
  // Destroying a payload may schedule more work (a dying coroutine's handler posts the
  // destruction of its frame), so drain until nothing is left before Asio's own shutdown.
  drain_all();
  shutdown();
  drain_all();
  destroy();
}

void Kernel::drain_all() {
  shutting_down_ = true;
  for (;;) {
    QueueKey key;
    const int from = earliest(key);
    if (from == kFromNowhere) break;
    pop_from(from);
    destroy_slot(key.slot());
  }
  for (auto& [actor, slots] : parked_)
    for (std::uint32_t index : slots) destroy_slot(index);
  parked_.clear();
  parked_count_ = 0;
}

void Kernel::destroy_slot(std::uint32_t index) {
  detail::Slot& slot = slot_at(index);
  const detail::EventVTable* vtable = slot.vtable;
  slot.vtable = nullptr;
  if (vtable != nullptr) vtable->destroy(slot.payload);
  release_slot(index);
}

void Kernel::pause_actor(ActorId actor) {
  SIM_ASSERT_OP(actor, <, actor_names_.size());
  if (pauses_.size() <= actor) pauses_.resize(actor + 1, 0);
  if (pauses_[actor]++ == 0) {
    ++paused_actors_;
    pause_history_[actor].emplace_back(now_, Time::max());
  }
}

Time Kernel::after_pauses_in_history(ActorId actor, Time from, Time t) const {
  const auto it = pause_history_.find(actor);
  if (it == pause_history_.end()) return t;
  const auto& pauses = it->second;
  // The pauses are disjoint and in order: from the first one starting at or after `from`.
  auto pause = std::lower_bound(pauses.begin(), pauses.end(), from,
                                [](const std::pair<Time, Time>& p, Time time) { return p.first < time; });
  for (; pause != pauses.end() && pause->first < t; ++pause) {
    if (pause->second == Time::max()) return Time::max();
    t = t + (pause->second - pause->first);
  }
  return t;
}

void Kernel::resume_actor(ActorId actor) {
  SIM_ASSERT(paused(actor));
  if (--pauses_[actor] != 0) return;
  --paused_actors_;
  pause_history_[actor].back().second = now_;
  auto it = parked_.find(actor);
  if (it == parked_.end()) return;
  // The waiting events run now, in the order they were due (cancelled ones are released).
  for (std::uint32_t index : it->second) enqueue(now_, index);
  parked_count_ -= it->second.size();
  parked_.erase(it);
}

void Kernel::add_chunk() {
  if (std::uint64_t{slot_count_} + kChunkSize > slot_limit_) throw OutOfEventSlots();
  chunks_.push_back(std::make_unique<detail::Slot[]>(kChunkSize));
  const std::uint32_t first = slot_count_;
  slot_count_ += kChunkSize;
  // Thread the new slots so the lowest index is handed out first.
  for (std::uint32_t i = kChunkSize; i-- > 0;) {
    detail::Slot& slot = slot_at(first + i);
    slot.next_free = free_head_;
    free_head_ = first + i;
  }
}

bool Kernel::cancel(EventId event) {
  if (!pending(event)) return false;
  detail::Slot& slot = slot_at(event.slot);
  const detail::EventVTable* vtable = slot.vtable;
  // The queue still holds the key; the slot is released when that key comes up.
  slot.vtable = nullptr;
  ++slot.generation;
  vtable->destroy(slot.payload);
  return true;
}

bool Kernel::pending(EventId event) const {
  if (!event.valid() || event.slot >= slot_count_) return false;
  const detail::Slot& slot = chunks_[event.slot >> kChunkBits][event.slot & (kChunkSize - 1)];
  return slot.generation == event.generation && slot.vtable != nullptr;
}

Time Kernel::next_event_time() {
  // Cancelled entries are skipped lazily; clear them off the front so the answer is exact.
  for (;;) {
    QueueKey key;
    const int from = earliest(key);
    if (from == kFromNowhere) return Time::max();
    if (slot_at(key.slot()).vtable != nullptr) return Time::from_nanos(static_cast<std::int64_t>(key.time_ns));
    pop_from(from);
    release_slot(key.slot());
  }
}

RunStatus Kernel::run_until(Time limit) {
  stop_requested_ = false;
  const auto limit_ns = static_cast<std::uint64_t>(limit.nanos());
  for (;;) {
    QueueKey key;
    const int from = earliest(key);
    if (from == kFromNowhere) return RunStatus::drained;
    if (key.time_ns > limit_ns) {
      now_ = limit;
      return RunStatus::time_limit;
    }
    pop_from(from);
    // The next event's slot was written long ago and is likely out of cache: start loading it
    // now so the load overlaps with this event's handler.
    if (!queue_.empty()) __builtin_prefetch(&slot_at(queue_.top().slot()));
    dispatch(key);
    if (stop_requested_) [[unlikely]] {
      stop_requested_ = false;
      return RunStatus::stopped;
    }
    if ((dispatched_ & poll_mask_) == 0) [[unlikely]] {
      if (interrupt_ != nullptr && interrupt_->load(std::memory_order_relaxed)) return RunStatus::interrupted;
      if (progress_) progress_(now_, dispatched_);
    }
  }
}

void Kernel::dispatch(const QueueKey& key) {
  const std::uint32_t index = key.slot();
  detail::Slot& slot = slot_at(index);
  const detail::EventVTable* vtable = slot.vtable;
  if (vtable == nullptr) {  // cancelled while pending
    release_slot(index);
    return;
  }
  const auto time_ns = static_cast<std::int64_t>(key.time_ns);
  SIM_ASSERT_OP(time_ns, >=, now_.nanos());
  if (paused_actors_ != 0 && paused(slot.tag.actor)) [[unlikely]] {
    parked_[slot.tag.actor].push_back(index);
    ++parked_count_;
    return;
  }
  now_ = Time::from_nanos(time_ns);
  ++dispatched_;
  current_tag_ = slot.tag;
  const std::uint64_t tag_bits = (std::uint64_t{slot.tag.actor} << 32) | slot.tag.kind;
  digest_ = (digest_ ^ key.time_ns) * kDigestMultiplier1;
  digest_ = (digest_ ^ tag_bits) * kDigestMultiplier2;
  digest_ ^= digest_ >> 29;
  if (tracer_ != nullptr) [[unlikely]] {
    dispatching_sequence_ = key.sequence();
    trace_detail_.clear();
    vtable->describe(slot.payload, trace_detail_);
    tracer_->on_event(now_, key.sequence(), actor_names_[slot.tag.actor],
                      kind_names_[slot.tag.kind], trace_detail_);
  }
  // While the payload runs the slot counts as taken but no longer pending, so cancelling the
  // running event is a no-op and its id is already stale.
  slot.vtable = nullptr;
  ++slot.generation;
  struct Release {
    Kernel& kernel;
    std::uint32_t index;
    ~Release() {
      detail::Slot& s = kernel.slot_at(index);
      s.next_free = kernel.free_head_;
      kernel.free_head_ = index;
      kernel.current_tag_ = Tag{};
      kernel.dispatching_sequence_ = Tracer::kNoCause;
    }
  } release{*this, index};
  vtable->run_and_destroy(slot.payload);
}

namespace {
// One id per distinct name, handed out in order of first registration.
std::uint32_t intern(std::string_view name, std::vector<std::string>& names,
                     std::map<std::string, std::uint32_t, std::less<>>& ids) {
  if (auto it = ids.find(name); it != ids.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(names.size());
  names.emplace_back(name);
  ids.emplace(std::string(name), id);
  return id;
}
}  // namespace

ActorId Kernel::register_actor(std::string_view name) { return intern(name, actor_names_, actor_ids_); }

KindId Kernel::register_kind(std::string_view name) { return intern(name, kind_names_, kind_ids_); }

Rng& Kernel::stream(std::string_view name) {
  SIM_ASSERT(stream_index_.find(name) == stream_index_.end());
  stream_index_.emplace(std::string(name), streams_.size());
  return streams_.emplace_back(root_.fork(name));
}

std::uint64_t Kernel::final_draw() const {
  std::uint64_t mix = seed_;
  for (const Rng& stream : streams_) {
    Rng copy = stream;
    mix = (mix ^ copy.next_u64()) * kDigestMultiplier1;
    mix ^= mix >> 31;
  }
  Rng last(mix);
  return last.next_u64();
}

}  // namespace sim
