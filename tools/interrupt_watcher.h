// Turns Ctrl-C (SIGINT) and SIGTERM into a flag that running simulations poll, so a run or a
// sweep stops cleanly with a partial report. Process level only: never inside a simulation.
#pragma once

#include <atomic>
#include <memory>

namespace tools {

class InterruptWatcher {
 public:
  InterruptWatcher();
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  const std::atomic<bool>& flag() const { return interrupted_; }
  bool interrupted() const { return interrupted_.load(); }

 private:
  struct Impl;
  std::atomic<bool> interrupted_{false};
  std::unique_ptr<Impl> impl_;
};

}  // namespace tools
