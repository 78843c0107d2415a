// Each partition's allocated share of its table's provisioned rate: what its allocated bucket
// refills at on every replica. The control plane's record: set when partitions are created,
// boosted and cut back by the adaptive controller; storage nodes pick up a changed share at
// the partition's next request. Partitions never exceed DynamoDB's per-partition ceiling.
#pragma once

#include "models/admission/token_bucket.h"
#include "models/scenario.h"

#include <cstdint>
#include <vector>

namespace models::admission {

struct Share {
  MicroUnits read = 0;   // micro-units per second
  MicroUnits write = 0;
  friend bool operator==(const Share&, const Share&) = default;
};

class Shares {
 public:
  explicit Shares(const Scenario& scenario) : scenario_(scenario) {}

  // Makes room for a new partition's share (set it with set()).
  void add_partition(std::uint32_t group) {
    if (group >= shares_.size()) shares_.resize(group + 1);
  }
  // The even split over the table's `partitions` partitions (static, burst and adaptive), or
  // the partition ceiling when GAC meters the table as a whole; never above the ceiling.
  // On-demand tables get the ceiling too.
  Share base(std::uint32_t table, std::uint32_t partitions) const {
    const TableSpec& spec = scenario_.tables[table];
    const Share top = ceiling();
    if (scenario_.admission.mode == AdmissionSpec::Mode::gac || spec.capacity.mode == TableCapacity::Mode::on_demand)
      return top;
    return Share{std::min(top.read, static_cast<MicroUnits>(spec.capacity.rcu) * kMicro / partitions),
                 std::min(top.write, static_cast<MicroUnits>(spec.capacity.wcu) * kMicro / partitions)};
  }
  // A split child's share: half its parent's (what static allocation did, the cause of
  // throughput dilution), or the ceiling where that is what every partition gets.
  Share after_split(std::uint32_t table, const Share& parent) const {
    const TableSpec& spec = scenario_.tables[table];
    if (scenario_.admission.mode == AdmissionSpec::Mode::gac || spec.capacity.mode == TableCapacity::Mode::on_demand)
      return ceiling();
    return Share{parent.read / 2, parent.write / 2};
  }
  Share ceiling() const {
    return Share{static_cast<MicroUnits>(scenario_.admission.partition_rcu) * kMicro,
                 static_cast<MicroUnits>(scenario_.admission.partition_wcu) * kMicro};
  }
  void set(std::uint32_t group, Share share) { shares_[group] = share; }
  const Share& get(std::uint32_t group) const { return shares_[group]; }
  std::size_t size() const { return shares_.size(); }

 private:
  const Scenario& scenario_;
  std::vector<Share> shares_;  // by group
};

}  // namespace models::admission
