// Deciding and driving splits.
#include "models/partitioning/split_controller.h"

#include "models/replication/storage_node.h"

#include <algorithm>

namespace models::partitioning {

SplitController::SplitController(sim::Network& network, std::string name, sim::AzId az, const Scenario& scenario,
                                 replication::Cluster& cluster)
    : sim::Node(network, std::move(name), az, "splitter"),
      scenario_(scenario),
      cluster_(cluster),
      tick_kind_(network.kernel().register_kind("splitter.check")) {
  const auto& directory = cluster_.directory;
  next_group_ = static_cast<GroupId>(directory.size());
  base_bytes_.resize(directory.size());
  born_.assign(directory.size(), sim::Time::zero());
  for (GroupId g = 0; g < directory.size(); ++g) base_bytes_[g] = scenario_.tables[directory.table_of(g)].partition_bytes();
}

void SplitController::start() {
  seen_.assign(cluster_.ledger.size(), admission::AdmissionTotals{});
  for (GroupId g = 0; g < cluster_.ledger.size(); ++g)
    if (cluster_.ledger.tracked(g)) seen_[g] = cluster_.ledger.totals(g);
  after(scenario_.partitioning.check_interval, tick_kind_, [this] { tick(); });
}

std::uint64_t SplitController::bytes_of(GroupId group) const {
  const sim::NodeId leader = cluster_.directory.leader(group);
  const replication::StorageNode* node = cluster_.node(leader);
  const replication::Replica* replica = node == nullptr ? nullptr : node->find(group);
  const std::uint64_t written = replica == nullptr ? 0 : replica->d.items.size();
  return base_bytes(group) + written * scenario_.tables[cluster_.directory.table_of(group)].item_bytes;
}

void SplitController::tick() {
  const sim::Time now = kernel().now();
  const sim::Duration interval = scenario_.partitioning.check_interval;
  // Splits whose preparation is over go to the leader; those done are forgotten.
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (cluster_.directory.exists(it->second.child)) {
      it = pending_.erase(it);
      continue;
    }
    if (now >= it->second.request_at) {
      request(it->first, it->second);
      it->second.request_at = now + interval;  // asked again next time if it has not happened
    }
    ++it;
  }
  const std::size_t groups = cluster_.directory.size();
  for (GroupId g = 0; g < groups; ++g)
    if (cluster_.directory.exists(g) && pending_.count(g) == 0) consider(g, interval);
  if (seen_.size() < cluster_.ledger.size()) seen_.resize(cluster_.ledger.size());
  for (GroupId g = 0; g < cluster_.ledger.size(); ++g)
    if (cluster_.ledger.tracked(g)) seen_[g] = cluster_.ledger.totals(g);
  after(interval, tick_kind_, [this] { tick(); });
}

void SplitController::consider(GroupId group, sim::Duration interval) {
  const PartitioningSpec& spec = scenario_.partitioning;
  const sim::Time now = kernel().now();
  const std::uint64_t low = cluster_.directory.hash_low(group);
  const std::uint64_t high = cluster_.directory.hash_high(group);
  if (high - low < 2) return;
  std::uint64_t at = 0;
  bool heat = false;
  if (bytes_of(group) > spec.size_limit) {
    at = low + (high - low) / 2 + 1;
  } else if (spec.split_for_heat && cluster_.ledger.tracked(group) && group < seen_.size() &&
             group < born_.size() && now - born_[group] >= interval) {
    // Consumption over the interval as a fraction of the ceiling (reads and writes mix linearly).
    const auto& total = cluster_.ledger.totals(group);
    const auto& before = seen_[group];
    const double seconds = static_cast<double>(interval.nanos()) / 1e9;
    const double read = static_cast<double>(total.read - before.read) / admission::kMicro / seconds;
    const double write = static_cast<double>(total.write - before.write) / admission::kMicro / seconds;
    const double load = read / static_cast<double>(scenario_.admission.partition_rcu) +
                        write / static_cast<double>(scenario_.admission.partition_wcu);
    if (load <= spec.heat_threshold) return;
    at = spec.split_point == PartitioningSpec::SplitPoint::midpoint ? low + (high - low) / 2 + 1
                                                                     : observed_point(group, low, high);
    heat = true;
  }
  if (at == 0) return;
  const GroupId child = next_group_++;
  records_.push_back(SplitRecord{now, sim::Time::zero(), group, child, heat, false});
  ++(heat ? stats_.for_heat : stats_.for_size);
  // Preparing the child: setting it up and copying its half of the data.
  const std::uint64_t copy_bytes = bytes_of(group) / 2;
  const auto copy = sim::Duration::from_nanos(static_cast<std::int64_t>(
      static_cast<double>(copy_bytes) / static_cast<double>(scenario_.replication.copy_bytes_per_s) * 1e9));
  pending_[group] = Pending{child, at, now + spec.split_duration + copy, records_.size() - 1};
}

std::uint64_t SplitController::observed_point(GroupId group, std::uint64_t low, std::uint64_t high) {
  const sim::NodeId leader = cluster_.directory.leader(group);
  const replication::StorageNode* node = cluster_.node(leader);
  const replication::Replica* replica = node == nullptr ? nullptr : node->find(group);
  std::vector<std::uint64_t> keys;
  if (replica != nullptr) {
    // In arrival order: the ring's oldest entry sits at recent_next once it has wrapped.
    const auto& ring = replica->service.recent_keys;
    const std::size_t start = ring.size() < 256 ? 0 : replica->service.recent_next % ring.size();
    for (std::size_t i = 0; i < ring.size(); ++i) {
      const std::uint64_t h = ring[(start + i) % ring.size()];
      if (h >= low && h <= high) keys.push_back(h);
    }
  }
  if (keys.size() < 16) return low + (high - low) / 2 + 1;  // too little seen: the middle
  // Keys that only move forward (timestamps as sort keys): every new write lands at the end of
  // the range whatever the split, so splitting gains nothing. Retries and interleaving blur
  // the order, so compare halves: nearly all newer keys lie above the older half's median.
  {
    const std::size_t half = keys.size() / 2;
    std::vector<std::uint64_t> older(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(half));
    std::nth_element(older.begin(), older.begin() + static_cast<std::ptrdiff_t>(half / 2), older.end());
    const std::uint64_t median = older[half / 2];
    std::size_t above = 0;
    for (std::size_t i = half; i < keys.size(); ++i) above += keys[i] > median ? 1 : 0;
    if (above * 10 > (keys.size() - half) * 9) {
      ++stats_.skipped_sequential;
      return 0;
    }
  }
  std::sort(keys.begin(), keys.end());
  // One key taking most of the traffic stays hot wherever the split falls.
  std::size_t run = 1, longest = 1;
  for (std::size_t i = 1; i < keys.size(); ++i) {
    run = keys[i] == keys[i - 1] ? run + 1 : 1;
    longest = std::max(longest, run);
  }
  if (longest * 2 > keys.size()) {
    ++stats_.skipped_single_item;
    return 0;
  }
  // The median: half the observed load on each side.
  std::uint64_t at = keys[keys.size() / 2];
  if (at <= low) at = low + 1;
  return at;
}

void SplitController::request(GroupId parent, const Pending& pending) {
  const sim::NodeId leader = cluster_.directory.leader(parent);
  replication::StorageNode* node = cluster_.node(leader);
  if (node == nullptr) return;
  ++stats_.requests;
  const GroupId child = pending.child;
  const std::uint64_t at = pending.at;
  network().send(*this, leader, cluster_.kinds.split_request,
                 [node, parent, at, child] { node->on_split_request(parent, at, child); });
}

void SplitController::completed(GroupId parent, GroupId child, std::uint64_t low, std::uint64_t high) {
  // The child takes the share of the parent's bytes its range had.
  const std::uint64_t parent_low = cluster_.directory.hash_low(parent);
  const double fraction = (static_cast<double>(high - low) + 1.0) / (static_cast<double>(high - parent_low) + 1.0);
  if (child >= base_bytes_.size()) {
    base_bytes_.resize(child + 1, 0);
    born_.resize(child + 1, sim::Time::zero());
  }
  const auto moved = static_cast<std::uint64_t>(static_cast<double>(base_bytes_[parent]) * fraction);
  base_bytes_[child] = moved;
  base_bytes_[parent] -= moved;
  born_[child] = born_[parent] = kernel().now();
  ++stats_.completed;
  for (SplitRecord& r : records_)
    if (r.child == child && !r.done) {
      r.done = true;
      r.completed = kernel().now();
    }
}

}  // namespace models::partitioning
