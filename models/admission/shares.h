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

// DynamoDB's per-partition ceiling, in units per second (shared/DYNAMODB_MODEL 1.1).
inline constexpr std::uint64_t kPartitionRcu = 3000;
inline constexpr std::uint64_t kPartitionWcu = 1000;

struct Share {
  MicroUnits read = 0;   // micro-units per second
  MicroUnits write = 0;
  friend bool operator==(const Share&, const Share&) = default;
};

class Shares {
 public:
  explicit Shares(const Scenario& scenario) : scenario_(scenario) {}

  // A new partition of `table`; `partitions` is how many the table has now.
  void add_partition(std::uint32_t group, std::uint32_t table) {
    if (group >= shares_.size()) {
      shares_.resize(group + 1);
      tables_.resize(group + 1, 0);
    }
    tables_[group] = table;
  }
  // The even split over the table's `partitions` partitions (static, burst and adaptive), or
  // the partition ceiling when GAC meters the table as a whole; never above the ceiling.
  Share base(std::uint32_t table, std::uint32_t partitions) const {
    const TableSpec& spec = scenario_.tables[table];
    const Share ceiling{static_cast<MicroUnits>(kPartitionRcu) * kMicro, static_cast<MicroUnits>(kPartitionWcu) * kMicro};
    if (scenario_.admission.mode == AdmissionSpec::Mode::gac) return ceiling;
    return Share{std::min(ceiling.read, static_cast<MicroUnits>(spec.capacity.rcu) * kMicro / partitions),
                 std::min(ceiling.write, static_cast<MicroUnits>(spec.capacity.wcu) * kMicro / partitions)};
  }
  static Share ceiling() {
    return Share{static_cast<MicroUnits>(kPartitionRcu) * kMicro, static_cast<MicroUnits>(kPartitionWcu) * kMicro};
  }
  void set(std::uint32_t group, Share share) { shares_[group] = share; }
  const Share& get(std::uint32_t group) const { return shares_[group]; }
  std::uint32_t table_of(std::uint32_t group) const { return tables_[group]; }
  std::size_t size() const { return shares_.size(); }

 private:
  const Scenario& scenario_;
  std::vector<Share> shares_;         // by group
  std::vector<std::uint32_t> tables_; // by group
};

}  // namespace models::admission
