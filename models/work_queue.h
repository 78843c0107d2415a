// A node's finite service capacity: a fixed number of workers and a bounded FIFO queue in
// front of them. Overload is never scripted: it emerges when work arrives faster than the
// workers finish it. Used by storage nodes, the metadata table, MemDS nodes and S3.
//
// A job's service time is drawn when it arrives, so the queue is computed, not stepped: the job
// starts at the later of its arrival and the time the first worker frees up (FIFO, any free
// worker), and finishes its service time later. Two ways in:
//  - submit: the work runs when it finishes (one event then), for work whose effect must
//    happen at that time (a write proposed to its group once a worker has handled it);
//  - reserve: no event at all. The caller does the work on arrival and holds its answer back
//    until the finish time (sim::Reply::send_at), for work whose result the wait does not
//    change much (a read, a route lookup): one event fewer per request.
#pragma once

#include "sim/node.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace models {

struct WorkQueueStats {
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;  // the queue was full
  std::size_t depth_max = 0;
};

// `Work` is a callable run when a worker finishes it; it holds what the answer needs.
template <class Work>
class WorkQueue {
 public:
  WorkQueue(sim::Node& owner, sim::KindId done_kind, std::uint32_t workers, std::uint32_t queue_limit)
      : owner_(owner), done_kind_(done_kind), queue_limit_(queue_limit), free_at_(workers, sim::Time::zero()) {
    SIM_ASSERT(workers > 0);
  }

  // Takes a worker for `service_time` (on the owner's clock) in FIFO order: the true time from
  // now until the work is done, or nothing (and nothing kept) when the queue is full.
  std::optional<sim::Duration> reserve(sim::Duration service_time) {
    const sim::Time now = owner_.kernel().now();
    settle(now);
    while (!waiting_starts_.empty() && waiting_starts_.front() <= now) waiting_starts_.pop_front();
    // free_at_ is a min-heap: its front is the worker that frees up first.
    const sim::Time first_free = free_at_.front();
    if (first_free > now && waiting_starts_.size() >= queue_limit_) {
      ++stats_.rejected;
      return std::nullopt;
    }
    const sim::Time start = std::max(now, first_free);
    const sim::Time finish = start + owner_.clock().true_delay(service_time);
    std::pop_heap(free_at_.begin(), free_at_.end(), std::greater<>{});
    free_at_.back() = finish;
    std::push_heap(free_at_.begin(), free_at_.end(), std::greater<>{});
    if (start > now) {
      // Starts are FIFO and never decrease, so the waiting ones stay sorted.
      SIM_ASSERT(waiting_starts_.empty() || waiting_starts_.back() <= start);
      waiting_starts_.push_back(start);
      stats_.depth_max = std::max(stats_.depth_max, waiting_starts_.size());
    }
    ++stats_.accepted;
    return finish - now;
  }

  // Runs `work` once a worker has served it; false (and nothing kept) when the queue is full.
  bool submit(sim::Duration service_time, Work work) {
    const std::optional<sim::Duration> done_in = reserve(service_time);
    if (!done_in) return false;
    // The work waits in `pending_`; the finishing event carries only its index, so it stays
    // small enough to live inside the kernel's event slot.
    const sim::Time now = owner_.kernel().now();
    std::uint32_t index;
    if (free_pending_.empty()) {
      index = static_cast<std::uint32_t>(pending_.size());
      pending_.emplace_back(Pending{std::move(work), now, now + *done_in});
    } else {
      index = free_pending_.back();
      free_pending_.pop_back();
      pending_[index].emplace(Pending{std::move(work), now, now + *done_in});
    }
    owner_.after_true(*done_in, done_kind_, [this, index] { finish(index); });
    return true;
  }

  // Jobs waiting for a worker now.
  std::size_t depth() const {
    const sim::Time now = owner_.kernel().now();
    return static_cast<std::size_t>(waiting_starts_.end() -
                                    std::upper_bound(waiting_starts_.begin(), waiting_starts_.end(), now));
  }
  // Workers busy now.
  std::uint32_t busy() const {
    const sim::Time now = owner_.kernel().now();
    return static_cast<std::uint32_t>(std::count_if(free_at_.begin(), free_at_.end(), [now](sim::Time t) { return t > now; }));
  }
  const WorkQueueStats& stats() const { return stats_; }
  // Power loss: queued and running work is gone (the finishing events die with the node, and
  // answers held back for the finish time are lost with its incarnation).
  void clear() {
    settled_ = owner_.kernel().now();
    std::fill(free_at_.begin(), free_at_.end(), sim::Time::zero());
    waiting_starts_.clear();
    pending_.clear();
    free_pending_.clear();
  }

 private:
  // A pause of the owner since the last arrival froze its workers: every finish and start still
  // ahead of it moves later by its length (the same rule as a held answer's departure, so the two
  // agree). The shift is monotone, so the heap and the order of starts survive it.
  void settle(sim::Time now) {
    const sim::Kernel& kernel = owner_.kernel();
    const sim::ActorId actor = owner_.actor();
    if (kernel.after_pauses(actor, settled_, now) != now) {
      for (sim::Time& t : free_at_) t = kernel.after_pauses(actor, settled_, t);
      for (sim::Time& t : waiting_starts_) t = kernel.after_pauses(actor, settled_, t);
    }
    settled_ = now;
  }

  void finish(std::uint32_t index) {
    Pending& pending = *pending_[index];
    // A pause since it arrived delays it by its length (its event ran when the pause ended).
    const sim::Time due = owner_.kernel().after_pauses(owner_.actor(), pending.arrived, pending.due);
    if (due > owner_.kernel().now()) {
      owner_.after_true(due - owner_.kernel().now(), done_kind_, [this, index] { finish(index); });
      return;
    }
    Work work = std::move(pending.work);
    pending_[index].reset();
    free_pending_.push_back(index);
    work();
  }

  struct Pending {
    Work work;
    sim::Time arrived;
    sim::Time due;  // before any pause
  };

  sim::Node& owner_;
  sim::KindId done_kind_;
  std::uint32_t queue_limit_;
  std::vector<sim::Time> free_at_;          // by worker, as a min-heap
  std::deque<sim::Time> waiting_starts_;    // start times still ahead, in order
  sim::Time settled_;                       // pauses before this are in free_at_ and waiting_starts_
  std::vector<std::optional<Pending>> pending_;
  std::vector<std::uint32_t> free_pending_;
  WorkQueueStats stats_;
};

}  // namespace models
