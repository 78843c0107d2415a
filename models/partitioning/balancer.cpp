// Deciding moves off hot nodes and following them to the end.
#include "models/partitioning/balancer.h"

#include "models/replication/storage_node.h"

#include <algorithm>

namespace models::partitioning {

Balancer::Balancer(sim::Network& network, std::string name, sim::AzId az, const Scenario& scenario,
                   replication::Cluster& cluster, const control::Autoadmin& autoadmin)
    : sim::Node(network, std::move(name), az, "balancer"),
      scenario_(scenario),
      cluster_(cluster),
      autoadmin_(autoadmin),
      tick_kind_(network.kernel().register_kind("balancer.check")) {}

void Balancer::start() {
  const control::FleetView& view = autoadmin_.view();
  node_seen_.assign(cluster_.storage_by_node.size(), {0, 0});
  loads_.resize(cluster_.storage_by_node.size());
  for (sim::NodeId n = 0; n < cluster_.storage_by_node.size(); ++n)
    if (view.known(n)) node_seen_[n] = view.consumed(n);
  group_seen_.assign(view.group_slots(), admission::AdmissionTotals{});
  for (GroupId g = 0; g < view.group_slots(); ++g) group_seen_[g] = view.totals(g);
  after(scenario_.balancing.interval, tick_kind_, [this] { tick(); });
}

std::uint32_t Balancer::per_mille(admission::MicroUnits read, admission::MicroUnits write) const {
  // Integer arithmetic: units over the interval against what a node serves in it.
  const auto seconds_ns = static_cast<sim::uint128>(scenario_.balancing.interval.nanos());
  auto part = [&](admission::MicroUnits used, std::uint64_t per_second) -> sim::uint128 {
    if (used <= 0 || per_second == 0) return 0;
    return static_cast<sim::uint128>(used) * 1'000'000'000u * 1000u /
           (static_cast<sim::uint128>(per_second) * admission::kMicro * seconds_ns);
  };
  const sim::uint128 total = part(read, scenario_.admission.node_rcu) + part(write, scenario_.admission.node_wcu);
  return static_cast<std::uint32_t>(std::min<sim::uint128>(total, 1'000'000u));
}

void Balancer::measure(std::vector<std::uint32_t>& node_load, std::vector<std::uint32_t>& group_load) {
  const control::FleetView& view = autoadmin_.view();
  node_load.assign(cluster_.storage_by_node.size(), 0);
  for (sim::NodeId n = 0; n < cluster_.storage_by_node.size(); ++n) {
    if (!view.known(n)) continue;
    // What the node reported over the interval: nothing, if it was down or its reports lost.
    const auto [read, write] = view.consumed(n);
    const auto& [read_before, write_before] = node_seen_[n];
    node_load[n] = per_mille(read - read_before, write - write_before);
    node_seen_[n] = {read, write};
    loads_[n].push_back(node_load[n]);
  }
  if (group_seen_.size() < view.group_slots()) group_seen_.resize(view.group_slots());
  group_load.assign(view.group_slots(), 0);
  for (GroupId g = 0; g < view.group_slots(); ++g) {
    const auto& total = view.totals(g);
    group_load[g] = per_mille(total.read - group_seen_[g].read, total.write - group_seen_[g].write);
    group_seen_[g] = total;
  }
}

void Balancer::expire_moves() {
  // A move that is not serving after twice its copy time (and some elections) is given up.
  const sim::Time now = kernel().now();
  for (MoveRecord& r : records_) {
    if (r.serving || r.abandoned) continue;
    const TableSpec& table = scenario_.tables[cluster_.directory.table_of(r.group)];
    const std::uint64_t bytes = scenario_.replication.wal_tail_bytes + table.partition_bytes();
    if (now - r.decided > scenario_.replication.build_deadline(bytes) + scenario_.balancing.interval) {
      r.abandoned = true;
      ++stats_.abandoned;
    }
  }
}

void Balancer::tick() {
  std::vector<std::uint32_t> node_load, group_load;
  measure(node_load, group_load);
  expire_moves();
  // Nodes taking part in an unfinished move are left alone until it ends.
  std::vector<bool> busy(node_load.size(), false);
  for (const MoveRecord& r : records_)
    if (!r.serving && !r.abandoned) busy[r.from] = busy[r.to] = true;
  // The hottest nodes first; one move off each per check.
  std::vector<sim::NodeId> hot;
  const auto threshold = static_cast<std::uint32_t>(scenario_.balancing.threshold * 1000.0 + 0.5);
  for (sim::NodeId n = 0; n < node_load.size(); ++n) {
    if (node_load[n] <= threshold) continue;
    last_hot_ = kernel().now();
    if (!busy[n]) hot.push_back(n);
  }
  std::stable_sort(hot.begin(), hot.end(), [&](sim::NodeId a, sim::NodeId b) { return node_load[a] > node_load[b]; });
  std::vector<std::uint32_t> projected = node_load;
  for (sim::NodeId n : hot) relieve(n, projected, group_load, busy);
  after(scenario_.balancing.interval, tick_kind_, [this] { tick(); });
}

void Balancer::relieve(sim::NodeId node, std::vector<std::uint32_t>& projected, const std::vector<std::uint32_t>& group_load,
                       std::vector<bool>& busy) {
  const sim::Time now = kernel().now();
  const auto threshold = static_cast<std::uint32_t>(scenario_.balancing.threshold * 1000.0 + 0.5);
  if (moved_at_.size() < cluster_.directory.size()) moved_at_.resize(cluster_.directory.size());
  // The partitions it leads (its reports charged them last), hottest first (ties: lower group).
  const control::FleetView& view = autoadmin_.view();
  std::vector<GroupId> candidates;
  for (GroupId g = 0; g < cluster_.directory.size() && g < group_load.size(); ++g) {
    if (!cluster_.directory.exists(g) || view.charged_by(g) != node || group_load[g] == 0) continue;
    if (moved_at_[g] && now - *moved_at_[g] < scenario_.balancing.cooldown) continue;
    candidates.push_back(g);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](GroupId a, GroupId b) { return group_load[a] > group_load[b]; });
  const sim::AzId az = network().node(node).az();
  for (GroupId g : candidates) {
    // The partition map is the control plane's own record.
    const replication::Membership& members = cluster_.directory.membership(g);
    sim::NodeId to = replication::kNoNode;
    for (sim::NodeId t = 0; t < view.node_slots(); ++t) {
      if (!view.known(t) || view.az(t) != az || !autoadmin_.alive(t) || busy[t] || members.contains(t)) continue;
      if (projected[t] + group_load[g] > threshold) continue;
      if (to == replication::kNoNode || projected[t] < projected[to]) to = t;
    }
    if (to == replication::kNoNode) continue;
    records_.push_back(
        MoveRecord{g, node, to, now, std::nullopt, std::nullopt, false, projected[node], projected[to], group_load[g]});
    ++stats_.decided;
    projected[node] -= std::min(projected[node], group_load[g]);
    projected[to] += group_load[g];
    busy[node] = busy[to] = true;
    replication::StorageNode* leader = cluster_.node(node);
    network().send(*this, node, cluster_.kinds.move_request, [leader, g, to] { leader->on_move_request(g, to); });
    return;
  }
  ++stats_.no_room;
}

void Balancer::moved(GroupId group, sim::NodeId from, sim::NodeId to, replication::MoveStep step) {
  const sim::Time now = kernel().now();
  for (auto r = records_.rbegin(); r != records_.rend(); ++r) {
    if (r->group != group || r->from != from || r->to != to || r->serving) continue;
    if (step == replication::MoveStep::handed_off) {
      if (r->handed_off) return;
      r->handed_off = now;
      ++stats_.handed_off;
    } else {
      r->serving = now;
      ++stats_.completed;
      if (r->abandoned) {  // it finished after all, late
        r->abandoned = false;
        --stats_.abandoned;
      }
      if (moved_at_.size() <= group) moved_at_.resize(group + 1);
      moved_at_[group] = now;
    }
    return;
  }
}

}  // namespace models::partitioning
