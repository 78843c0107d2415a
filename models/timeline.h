// Per-minute counts of what every component did, so a cascade is visible over time: client
// outcomes (also per table) and the latency of successes by operation, router cache hits and misroutes, and the load, rejections and
// queue depth of the metadata table and MemDS. Models record; reports render.
#pragma once

#include "models/messages.h"
#include "sim/histogram.h"
#include "sim/time.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace models {

struct MinuteCounts {
  std::uint64_t client_requests = 0;
  std::uint64_t client_succeeded = 0;
  std::vector<std::uint64_t> table_requests;
  std::vector<std::uint64_t> table_succeeded;
  std::array<sim::SparseLogLinearHistogram, kOperationCount> latency;  // of successes begun in the minute, ns
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
  void client_finished(sim::Time started, std::uint32_t table, Operation op, bool ok, sim::Duration latency) {
    MinuteCounts& m = at(started);
    ++m.client_requests;
    ++m.table_requests[table];
    if (ok) {
      ++m.client_succeeded;
      ++m.table_succeeded[table];
      m.latency[static_cast<std::size_t>(op)].record(static_cast<std::uint64_t>(latency.nanos()));
    }
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

 private:
  std::size_t tables_;
  std::vector<MinuteCounts> minutes_;
};

}  // namespace models
