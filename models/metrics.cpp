// Client-side metric aggregation.
#include "models/metrics.h"

#include "sim/assert.h"

namespace models {

ClientMetrics::ClientMetrics(std::size_t az_count, std::size_t table_count, sim::Duration duration)
    : az_count_(az_count),
      table_count_(table_count),
      window_count_(static_cast<std::size_t>((duration + kWindow - sim::nanos(1)) / kWindow)),
      cells_(window_count_ * az_count * table_count * 2),
      by_operation_(window_count_ * kOperationCount) {}

void ClientMetrics::record(sim::Time started, sim::AzId client_az, std::uint32_t table,
                           Operation op, Outcome outcome, sim::Duration latency,
                           std::uint32_t attempts) {
  const auto window = static_cast<std::size_t>((started - sim::Time::zero()) / kWindow);
  SIM_ASSERT_OP(window, <, window_count_);
  SIM_ASSERT_OP(client_az, <, az_count_);
  SIM_ASSERT_OP(table, <, table_count_);
  OutcomeCounts& counts = cells_[index(window, client_az, table, is_write(op))];
  ++counts.requests;
  ++counts.by_outcome[static_cast<std::size_t>(outcome)];
  OutcomeCounts& per_op = by_operation_[window * kOperationCount + static_cast<std::size_t>(op)];
  ++per_op.requests;
  ++per_op.by_outcome[static_cast<std::size_t>(outcome)];
  if (outcome == Outcome::ok) latency_[static_cast<std::size_t>(op)].record(static_cast<std::uint64_t>(latency.nanos()));
  ++operations_;
  attempts_ += attempts;
}

}  // namespace models
