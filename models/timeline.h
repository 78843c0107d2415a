// Per-minute counts of what every component did, so a cascade is visible over time: client
// outcomes (also per table) and the latency of successes by operation, router cache hits and misroutes, and the load, rejections and
// queue depth of the metadata table and MemDS. Models record; reports render.
//
// A minute's latencies are kept as histograms only while an operation begun in it may still
// finish; once the minute is over and none of its operations is open, each histogram is settled
// into what the reports read of it (count, p50, p99). A simulated day keeps 1,440 minutes of
// three figures per operation, not 1,440 minutes of histograms (about 8 KB each at 500
// requests/s), so memory stays flat over long runs.
#pragma once

#include "models/messages.h"
#include "sim/assert.h"
#include "sim/histogram.h"
#include "sim/time.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace models {

// The latency of one operation's successes begun in one minute, in nanoseconds.
class MinuteLatency {
 public:
  void record(std::uint64_t ns) {
    SIM_ASSERT(!settled_);  // an operation of a settled minute finished: its open count was wrong
    histogram_.record(ns);
  }
  std::uint64_t count() const { return settled_ ? count_ : histogram_.count(); }
  // REQUIRES: count() > 0.
  std::uint64_t p50() const { return settled_ ? p50_ : histogram_.percentile(kP50); }
  std::uint64_t p99() const { return settled_ ? p99_ : histogram_.percentile(kP99); }
  bool settled() const { return settled_; }
  // Keeps the figures and lets the histogram go. No record() after this.
  void settle() {
    SIM_ASSERT(!settled_);
    count_ = histogram_.count();
    if (count_ > 0) {
      p50_ = histogram_.percentile(kP50);
      p99_ = histogram_.percentile(kP99);
    }
    histogram_ = sim::SparseLogLinearHistogram{};
    settled_ = true;
  }

 private:
  static constexpr std::uint64_t kP50 = 500'000;  // per million
  static constexpr std::uint64_t kP99 = 990'000;
  sim::SparseLogLinearHistogram histogram_;
  std::uint64_t count_ = 0;
  std::uint64_t p50_ = 0;
  std::uint64_t p99_ = 0;
  bool settled_ = false;
};

struct MinuteCounts {
  std::uint64_t client_requests = 0;
  std::uint64_t client_succeeded = 0;
  std::uint64_t client_open = 0;  // operations begun in the minute, not finished or abandoned yet
  std::vector<std::uint64_t> table_requests;
  std::vector<std::uint64_t> table_succeeded;
  std::array<MinuteLatency, kOperationCount> latency;  // of successes begun in the minute
  std::uint64_t route_lookups = 0;
  std::uint64_t route_hits = 0;       // answered from the router's own cache at once
  std::uint64_t misroutes = 0;        // a replica said the route was stale ("moved")
  std::uint64_t metadata_requests = 0;
  std::uint64_t metadata_rejected = 0;
  std::uint64_t metadata_depth_max = 0;
  std::uint64_t memds_requests = 0;
  std::uint64_t memds_rejected = 0;
  std::uint64_t memds_depth_max = 0;
};

class Timeline {
 public:
  static constexpr sim::Duration kMinute = sim::minutes(1);

  explicit Timeline(std::size_t tables) : tables_(tables) {}

  MinuteCounts& at(sim::Time t) {
    const auto index = static_cast<std::size_t>((t - sim::Time::zero()) / kMinute);
    while (minutes_.size() <= index) {
      minutes_.emplace_back();
      minutes_.back().table_requests.assign(tables_, 0);
      minutes_.back().table_succeeded.assign(tables_, 0);
    }
    return minutes_[index];
  }
  // A client operation began at `now`. Each then ends in client_finished or client_abandoned, or
  // is still open when the run stops (its minute then keeps its histograms).
  void client_began(sim::Time now) {
    ++at(now).client_open;
    settle_before(now);
  }
  // One that began at `started` ended unobserved (its client lost power): counted nowhere.
  void client_abandoned(sim::Time started) {
    MinuteCounts& m = at(started);
    SIM_ASSERT_OP(m.client_open, >, 0u);
    --m.client_open;
  }
  void client_finished(sim::Time started, std::uint32_t table, Operation op, bool ok, sim::Duration latency) {
    MinuteCounts& m = at(started);
    SIM_ASSERT_OP(m.client_open, >, 0u);
    --m.client_open;
    ++m.client_requests;
    ++m.table_requests[table];
    if (ok) {
      ++m.client_succeeded;
      ++m.table_succeeded[table];
      m.latency[static_cast<std::size_t>(op)].record(static_cast<std::uint64_t>(latency.nanos()));
    }
    settle_before(started + latency);
  }
  void route_lookup(sim::Time now, bool hit) {
    MinuteCounts& m = at(now);
    ++m.route_lookups;
    if (hit) ++m.route_hits;
  }
  void misroute(sim::Time now) { ++at(now).misroutes; }
  void route_server_request(sim::Time now, bool metadata, bool rejected, std::size_t depth) {
    MinuteCounts& m = at(now);
    ++(metadata ? m.metadata_requests : m.memds_requests);
    if (rejected) ++(metadata ? m.metadata_rejected : m.memds_rejected);
    std::uint64_t& deepest = metadata ? m.metadata_depth_max : m.memds_depth_max;
    deepest = std::max<std::uint64_t>(deepest, depth);
  }

  const std::vector<MinuteCounts>& minutes() const { return minutes_; }
  std::size_t tables() const { return tables_; }
  // Minutes whose latencies are settled: all those before this index.
  std::size_t settled_minutes() const { return settled_; }

 private:
  // Settles, in order, the minutes that ended before `now`'s with no operation open.
  void settle_before(sim::Time now) {
    const auto current = static_cast<std::size_t>((now - sim::Time::zero()) / kMinute);
    while (settled_ < current && settled_ < minutes_.size() && minutes_[settled_].client_open == 0) {
      for (MinuteLatency& l : minutes_[settled_].latency) l.settle();
      ++settled_;
    }
  }
  std::size_t tables_;
  std::vector<MinuteCounts> minutes_;
  std::size_t settled_ = 0;
};

}  // namespace models
