// Admission control on one storage node: the partition buckets of the replicas it hosts and
// the node's own bucket (shared/DYNAMODB_MODEL 1.5 a and b). A request its buckets cannot pay
// for is throttled, which is an answer of its own, never counted as unavailability.
#pragma once

#include "models/admission/capacity.h"
#include "models/admission/ledger.h"
#include "models/admission/shares.h"
#include "models/admission/token_bucket.h"
#include "models/planted_bug.h"
#include "models/scenario.h"

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace models::admission {

// One partition's buckets on one replica. Reads are charged on the replica that serves them
// (so eventually consistent reads, spread over three replicas, can go beyond the partition's
// share, as DynamoDB's do); writes on the leader.
struct PartitionBuckets {
  Share share;              // what the buckets were last sized for
  TokenBucket read;         // the allocated share
  TokenBucket write;
  TokenBucket burst_read;   // unused share saved for later (burst mode)
  TokenBucket burst_write;
};

struct AdmissionStats {
  std::uint64_t admitted = 0;
  std::uint64_t admitted_from_burst = 0;
  std::uint64_t throttled = 0;
  MicroUnits consumed_read = 0;   // units admitted on this node (what it reports as its load)
  MicroUnits consumed_write = 0;
};

class NodeAdmission {
 public:
  NodeAdmission(const Scenario& scenario, const Shares& shares, Ledger& ledger, sim::Time now,
                PlantedBug bug = PlantedBug::none);

  // Pays for `op` on partition `group` of `table` from `buckets` (created on first use) and
  // the node's bucket; false when it cannot be paid: the request is throttled.
  bool admit(std::unique_ptr<PartitionBuckets>& buckets, std::uint32_t group, std::uint32_t table, Operation op,
             std::uint64_t item_bytes, sim::Time now);

  // Buckets for a replica that starts serving now (at creation, or at power-on): a full
  // allocated bucket, an empty burst bucket. Nothing for a table without admission control.
  std::unique_ptr<PartitionBuckets> make_buckets(std::uint32_t group, std::uint32_t table, sim::Time now) const;

  const AdmissionStats& stats() const { return stats_; }

  // What admission did per partition since the last call (for the node's report to the control
  // plane; gathered only when a controller reads reports). Sorted by group.
  std::vector<std::pair<std::uint32_t, AdmissionTotals>> take_unreported();
  // A node that loses power loses what it had not reported.
  void forget_unreported() { unreported_.clear(); }

 private:
  // Follows a share the control plane changed: new rates, capacities sized to the share.
  void resize(PartitionBuckets& b, const Share& share, sim::Time now) const;

  const Scenario& scenario_;
  const PlantedBug bug_;
  const Shares& shares_;
  Ledger& ledger_;
  TokenBucket node_read_;
  TokenBucket node_write_;
  AdmissionStats stats_;
  bool gather_ = false;
  // Bounded by the partitions the node admitted for within one report interval.
  std::map<std::uint32_t, AdmissionTotals> unreported_;
};

}  // namespace models::admission
