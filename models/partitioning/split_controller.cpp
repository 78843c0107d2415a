// Deciding and driving splits.
#include "models/partitioning/split_controller.h"

#include "models/replication/storage_node.h"

#include <algorithm>

namespace models::partitioning {

SplitController::SplitController(sim::Network& network, std::string name, sim::AzId az, const Scenario& scenario,
                                 replication::Cluster& cluster, const control::FleetView& view)
    : sim::Node(network, std::move(name), az, "splitter"),
      scenario_(scenario),
      cluster_(cluster),
      view_(view),
      tick_kind_(network.kernel().register_kind("splitter.check")) {
  const auto& directory = cluster_.directory;
  next_group_ = static_cast<GroupId>(directory.size());
  base_bytes_.resize(directory.size());
  born_.assign(directory.size(), sim::Time::zero());
  for (GroupId g = 0; g < directory.size(); ++g) base_bytes_[g] = scenario_.tables[directory.table_of(g)].partition_bytes();
}

void SplitController::start() {
  cluster_.on_split_advice = [this](const replication::SplitAdvice& advice) { on_advice(advice); };
  seen_.assign(view_.group_slots(), admission::AdmissionTotals{});
  for (GroupId g = 0; g < view_.group_slots(); ++g) seen_[g] = view_.totals(g);
  after(scenario_.partitioning.check_interval, tick_kind_, [this] { tick(); });
}

std::uint64_t SplitController::bytes_of(GroupId group) const {
  return base_bytes(group) + view_.items(group) * scenario_.tables[cluster_.directory.table_of(group)].item_bytes;
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
  // A leader that did not answer within an interval is asked again when the partition is next found hot.
  std::erase_if(advising_, [&](const auto& entry) { return now - entry.second >= interval; });
  const std::size_t groups = cluster_.directory.size();
  for (GroupId g = 0; g < groups; ++g)
    if (cluster_.directory.exists(g) && pending_.count(g) == 0 && advising_.count(g) == 0) consider(g, interval);
  if (seen_.size() < view_.group_slots()) seen_.resize(view_.group_slots());
  for (GroupId g = 0; g < view_.group_slots(); ++g) seen_[g] = view_.totals(g);
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
    // (Whether the table is metered is the control plane's own record, kept in the ledger.)
    const auto& total = view_.totals(group);
    const auto& before = seen_[group];
    const double seconds = static_cast<double>(interval.nanos()) / 1e9;
    const double read = static_cast<double>(total.read - before.read) / admission::kMicro / seconds;
    const double write = static_cast<double>(total.write - before.write) / admission::kMicro / seconds;
    const double load = read / static_cast<double>(scenario_.admission.partition_rcu) +
                        write / static_cast<double>(scenario_.admission.partition_wcu);
    if (load <= spec.heat_threshold) return;
    if (spec.split_point == PartitioningSpec::SplitPoint::observed) {
      // Only the leader saw which keys it served: ask it where to split.
      const sim::NodeId leader = cluster_.directory.leader(group);
      if (leader == replication::kNoNode) return;
      advising_[group] = now;
      network().send(*this, leader, cluster_.kinds.split_advice,
                     [node = cluster_.node(leader), group, me = id()] { node->on_split_advice_request(group, me); });
      return;
    }
    at = low + (high - low) / 2 + 1;
    heat = true;
  }
  if (at != 0) decide(group, at, heat);
}

void SplitController::on_advice(const replication::SplitAdvice& advice) {
  const GroupId group = advice.group;
  if (advising_.erase(group) == 0 || pending_.count(group) != 0 || !cluster_.directory.exists(group)) return;
  switch (advice.verdict) {
    case replication::SplitAdvice::Verdict::single_item: ++stats_.skipped_single_item; return;
    case replication::SplitAdvice::Verdict::sequential: ++stats_.skipped_sequential; return;
    case replication::SplitAdvice::Verdict::split: break;
  }
  // The leader advised from the range it held; the split must still fall inside the partition's.
  if (advice.at <= cluster_.directory.hash_low(group) || advice.at > cluster_.directory.hash_high(group)) return;
  decide(group, advice.at, true);
}

void SplitController::decide(GroupId group, std::uint64_t at, bool heat) {
  const PartitioningSpec& spec = scenario_.partitioning;
  const sim::Time now = kernel().now();
  const GroupId child = next_group_++;
  records_.push_back(SplitRecord{now, sim::Time::zero(), group, child, heat, false});
  ++(heat ? stats_.for_heat : stats_.for_size);
  // Preparing the child: setting it up and copying its half of the data.
  const std::uint64_t copy_bytes = bytes_of(group) / 2;
  const auto copy = sim::Duration::from_nanos(static_cast<std::int64_t>(
      static_cast<double>(copy_bytes) / static_cast<double>(scenario_.replication.copy_bytes_per_s) * 1e9));
  pending_[group] = Pending{child, at, now + spec.split_duration + copy, records_.size() - 1};
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
