// Allocated shares, burst buckets and the node bucket.
#include "models/admission/node_admission.h"

namespace models::admission {

namespace {
MicroUnits per_second(std::uint64_t units) { return static_cast<MicroUnits>(units) * kMicro; }
MicroUnits worth(MicroUnits rate, sim::Duration window) {
  return static_cast<MicroUnits>(static_cast<sim::uint128>(rate) * static_cast<sim::uint128>(window.nanos()) / 1'000'000'000u);
}
}  // namespace

NodeAdmission::NodeAdmission(const Scenario& scenario, sim::Time now)
    : scenario_(scenario),
      node_read_(per_second(scenario.admission.node_rcu), per_second(scenario.admission.node_rcu),
                 per_second(scenario.admission.node_rcu), now),
      node_write_(per_second(scenario.admission.node_wcu), per_second(scenario.admission.node_wcu),
                  per_second(scenario.admission.node_wcu), now) {}

std::unique_ptr<PartitionBuckets> NodeAdmission::make_buckets(std::uint32_t table, sim::Time now) const {
  const TableSpec& spec = scenario_.tables[table];
  if (spec.capacity.mode == TableCapacity::Mode::unlimited) return nullptr;
  // The table's rate split evenly over its partitions; the allocated bucket holds a second of
  // it, the burst bucket up to burst_window of unused share.
  const MicroUnits read = per_second(spec.capacity.rcu) / spec.partitions;
  const MicroUnits write = per_second(spec.capacity.wcu) / spec.partitions;
  const sim::Duration window = scenario_.admission.burst_window;
  return std::make_unique<PartitionBuckets>(PartitionBuckets{
      TokenBucket(read, read, read, now), TokenBucket(write, write, write, now),
      TokenBucket(read, worth(read, window), 0, now), TokenBucket(write, worth(write, window), 0, now)});
}

bool NodeAdmission::admit(std::unique_ptr<PartitionBuckets>& buckets, std::uint32_t table, Operation op,
                          std::uint64_t item_bytes, sim::Time now) {
  if (scenario_.tables[table].capacity.mode == TableCapacity::Mode::unlimited) return true;
  if (!buckets) buckets = make_buckets(table, now);
  PartitionBuckets& b = *buckets;
  const MicroUnits cost = capacity_units(op, item_bytes);
  const bool write = is_write(op);
  TokenBucket& allocated = write ? b.write : b.read;
  TokenBucket& burst = write ? b.burst_write : b.burst_read;
  TokenBucket& node = write ? node_write_ : node_read_;
  if (allocated.try_consume(cost, now)) {
    node.charge(cost, now);
    // The burst bucket saves only what goes unused: what the allocated share spends, it loses.
    burst.charge(cost, now);
    ++stats_.admitted;
    return true;
  }
  if (scenario_.admission.mode == AdmissionSpec::Mode::burst && burst.tokens(now) >= cost && node.tokens(now) >= cost) {
    burst.charge(cost, now);
    node.charge(cost, now);
    ++stats_.admitted;
    ++stats_.admitted_from_burst;
    return true;
  }
  ++stats_.throttled;
  return false;
}

}  // namespace models::admission
