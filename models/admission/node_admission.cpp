// Allocated shares, burst buckets and the node bucket.
#include "models/admission/node_admission.h"

namespace models::admission {

namespace {
MicroUnits per_second(std::uint64_t units) { return static_cast<MicroUnits>(units) * kMicro; }
MicroUnits worth(MicroUnits rate, sim::Duration window) {
  return static_cast<MicroUnits>(static_cast<sim::uint128>(rate) * static_cast<sim::uint128>(window.nanos()) / 1'000'000'000u);
}
}  // namespace

NodeAdmission::NodeAdmission(const Scenario& scenario, const Shares& shares, Ledger& ledger, sim::Time now,
                             PlantedBug bug)
    : scenario_(scenario),
      bug_(bug),
      shares_(shares),
      ledger_(ledger),
      node_read_(per_second(scenario.admission.node_rcu), per_second(scenario.admission.node_rcu),
                 per_second(scenario.admission.node_rcu), now),
      node_write_(per_second(scenario.admission.node_wcu), per_second(scenario.admission.node_wcu),
                  per_second(scenario.admission.node_wcu), now),
      // Reports per partition are for the controllers that read them.
      gather_(scenario.partition_reports()) {}

std::unique_ptr<PartitionBuckets> NodeAdmission::make_buckets(std::uint32_t group, std::uint32_t table,
                                                               sim::Time now) const {
  if (scenario_.tables[table].capacity.mode == TableCapacity::Mode::unlimited) return nullptr;
  // The allocated bucket holds a second of the share, the burst bucket up to burst_window of
  // unused share.
  const Share& share = shares_.get(group);
  const sim::Duration window = scenario_.admission.burst_window;
  return std::make_unique<PartitionBuckets>(PartitionBuckets{
      share, TokenBucket(share.read, share.read, share.read, now), TokenBucket(share.write, share.write, share.write, now),
      TokenBucket(share.read, worth(share.read, window), 0, now), TokenBucket(share.write, worth(share.write, window), 0, now)});
}

void NodeAdmission::resize(PartitionBuckets& b, const Share& share, sim::Time now) const {
  const sim::Duration window = scenario_.admission.burst_window;
  b.read.set_rate(share.read, now);
  b.read.set_capacity(share.read, now);
  b.write.set_rate(share.write, now);
  b.write.set_capacity(share.write, now);
  b.burst_read.set_rate(share.read, now);
  b.burst_read.set_capacity(worth(share.read, window), now);
  b.burst_write.set_rate(share.write, now);
  b.burst_write.set_capacity(worth(share.write, window), now);
  b.share = share;
}

bool NodeAdmission::admit(std::unique_ptr<PartitionBuckets>& buckets, std::uint32_t group, std::uint32_t table,
                          Operation op, std::uint64_t item_bytes, sim::Time now) {
  if (scenario_.tables[table].capacity.mode == TableCapacity::Mode::unlimited) return true;
  if (!buckets) buckets = make_buckets(group, table, now);
  PartitionBuckets& b = *buckets;
  if (!(b.share == shares_.get(group))) resize(b, shares_.get(group), now);
  const MicroUnits cost = capacity_units(op, item_bytes);
  const bool write = is_write(op);
  TokenBucket& allocated = write ? b.write : b.read;
  TokenBucket& burst = write ? b.burst_write : b.burst_read;
  TokenBucket& node = write ? node_write_ : node_read_;
  const bool bursting = scenario_.admission.mode != AdmissionSpec::Mode::static_shares;
  bool from_burst = false;
  bool ok = allocated.try_consume(cost, now);
  if (ok) {
    node.charge(cost, now);
    // The burst bucket saves only what goes unused: what the allocated share spends, it loses.
    burst.charge(cost, now);
  } else if (bursting && burst.tokens(now) >= cost &&
             (node.tokens(now) >= cost || bug_ == PlantedBug::burst_ignores_node_bucket)) {
    burst.charge(cost, now);
    node.charge(cost, now);
    ok = from_burst = true;
  }
  if (ok) {
    ++stats_.admitted;
    (write ? stats_.consumed_write : stats_.consumed_read) += cost;
    if (from_burst) ++stats_.admitted_from_burst;
    ledger_.admitted(group, now, write, cost, from_burst);
    if (gather_) {
      AdmissionTotals& t = unreported_[group];
      (write ? t.write : t.read) += cost;
      ++t.admitted;
      if (from_burst) ++t.from_burst;
    }
  } else {
    ++stats_.throttled;
    ledger_.throttled(group, now, write, cost);
    if (gather_) {
      AdmissionTotals& t = unreported_[group];
      (write ? t.throttled_write : t.throttled_read) += cost;
      ++t.throttled;
    }
  }
  ledger_.levels(group, now, write, std::max<MicroUnits>(burst.tokens(now), 0), allocated.rate());
  return ok;
}

std::vector<std::pair<std::uint32_t, AdmissionTotals>> NodeAdmission::take_unreported() {
  std::vector<std::pair<std::uint32_t, AdmissionTotals>> out(unreported_.begin(), unreported_.end());
  unreported_.clear();
  return out;
}

}  // namespace models::admission
