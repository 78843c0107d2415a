// A node's finite service capacity: a fixed number of workers and a bounded FIFO queue in
// front of them. Overload is never scripted: it emerges when work arrives faster than the
// workers finish it. Used by storage nodes, the metadata table and MemDS nodes.
#pragma once

#include "sim/node.h"

#include <cstdint>
#include <deque>
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
      : owner_(owner), done_kind_(done_kind), workers_(workers), queue_limit_(queue_limit) {}

  // Starts `work` now if a worker is free, queues it otherwise; false (and nothing kept) when
  // the queue is full.
  bool submit(sim::Duration service_time, Work work) {
    if (busy_ < workers_) {
      start(service_time, std::move(work));
    } else if (queue_.size() >= queue_limit_) {
      ++stats_.rejected;
      return false;
    } else {
      queue_.emplace_back(service_time, std::move(work));
      if (queue_.size() > stats_.depth_max) stats_.depth_max = queue_.size();
    }
    ++stats_.accepted;
    return true;
  }

  std::size_t depth() const { return queue_.size(); }
  std::uint32_t busy() const { return busy_; }
  const WorkQueueStats& stats() const { return stats_; }
  // Power loss: queued and running work is gone (running work's timers die with the node).
  void clear() {
    queue_.clear();
    running_.clear();
    free_running_.clear();
    busy_ = 0;
  }

 private:
  // Running work waits in `running_`; the finishing event carries only its index, so it stays
  // small enough to live inside the kernel's event slot.
  void start(sim::Duration service_time, Work work) {
    ++busy_;
    std::uint32_t index;
    if (free_running_.empty()) {
      index = static_cast<std::uint32_t>(running_.size());
      running_.emplace_back(std::move(work));
    } else {
      index = free_running_.back();
      free_running_.pop_back();
      running_[index].emplace(std::move(work));
    }
    owner_.after(service_time, done_kind_, [this, index] { finish(index); });
  }

  void finish(std::uint32_t index) {
    Work work = std::move(*running_[index]);
    running_[index].reset();
    free_running_.push_back(index);
    --busy_;
    work();
    if (!queue_.empty() && busy_ < workers_) {
      auto next = std::move(queue_.front());
      queue_.pop_front();
      start(next.first, std::move(next.second));
    }
  }

  sim::Node& owner_;
  sim::KindId done_kind_;
  std::uint32_t workers_;
  std::uint32_t queue_limit_;
  std::uint32_t busy_ = 0;
  std::deque<std::pair<sim::Duration, Work>> queue_;
  std::vector<std::optional<Work>> running_;
  std::vector<std::uint32_t> free_running_;
  WorkQueueStats stats_;
};

}  // namespace models
