// What the clients observed, aggregated as it happens: outcome counts by 5-minute window,
// client AZ, table and read/write, and latency histograms by operation. The reports read this.
#pragma once

#include "models/messages.h"
#include "sim/histogram.h"
#include "sim/time.h"

#include <array>
#include <cstdint>
#include <vector>

namespace models {

struct OutcomeCounts {
  std::uint64_t requests = 0;
  std::array<std::uint64_t, kOutcomeCount> by_outcome{};
  std::uint64_t succeeded() const { return by_outcome[static_cast<std::size_t>(Outcome::ok)]; }
  void add(const OutcomeCounts& other) {
    requests += other.requests;
    for (std::size_t i = 0; i < kOutcomeCount; ++i) by_outcome[i] += other.by_outcome[i];
  }
};

class ClientMetrics {
 public:
  static constexpr sim::Duration kWindow = sim::minutes(5);  // as DynamoDB measures availability

  ClientMetrics(std::size_t az_count, std::size_t table_count, sim::Duration duration);

  // One finished client operation (after all its retries), counted in the window it began.
  void record(sim::Time started, sim::AzId client_az, std::uint32_t table, Operation op,
              Outcome outcome, sim::Duration latency, std::uint32_t attempts);

  std::size_t window_count() const { return window_count_; }
  std::size_t az_count() const { return az_count_; }
  std::size_t table_count() const { return table_count_; }
  const OutcomeCounts& cell(std::size_t window, std::size_t az, std::size_t table, bool write) const {
    return cells_[index(window, az, table, write)];
  }
  // Outcomes by operation (get_strong, get_eventual, put) in one window, all AZs and tables.
  const OutcomeCounts& by_operation(std::size_t window, Operation op) const {
    return by_operation_[window * kOperationCount + static_cast<std::size_t>(op)];
  }
  // Latency of successful operations, in nanoseconds.
  const sim::LogLinearHistogram& latency(Operation op) const {
    return latency_[static_cast<std::size_t>(op)];
  }
  std::uint64_t operations() const { return operations_; }
  std::uint64_t attempts() const { return attempts_; }

 private:
  std::size_t index(std::size_t window, std::size_t az, std::size_t table, bool write) const {
    return ((window * az_count_ + az) * table_count_ + table) * 2 + (write ? 1 : 0);
  }
  std::size_t az_count_;
  std::size_t table_count_;
  std::size_t window_count_;
  std::vector<OutcomeCounts> cells_;
  std::vector<OutcomeCounts> by_operation_;
  std::array<sim::LogLinearHistogram, kOperationCount> latency_;
  std::uint64_t operations_ = 0;
  std::uint64_t attempts_ = 0;
};

}  // namespace models
