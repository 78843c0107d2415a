// Setup's placement: every partition becomes a group of three replicas on three storage nodes
// in three AZs, led by the member leading the fewest groups so far.
#include "models/simulation.h"

#include <algorithm>

namespace models {

void Simulation::place_groups() {
  // Every partition is a group of three replicas in three distinct AZs. AZs are chosen in
  // rotation and nodes round-robin within each AZ, so replicas spread evenly and a group never
  // has two replicas on one node (or one power supply).
  // Per AZ: its nodes, their replica counts, and the nodes at the least count (the only ones a
  // choice scans: a region of thousands of nodes places in time linear in its groups).
  struct AzNodes {
    std::vector<replication::StorageNode*> nodes;
    std::vector<sim::NodeId> ids;         // nodes[i]->id(), at hand for the tie-break's hashes
    std::vector<std::uint32_t> count;
    std::vector<std::uint32_t> least;     // indices into nodes with the least count
    std::vector<std::uint32_t> where;     // index -> position in least (or ~0)
    void refill() {
      const std::uint32_t lowest = *std::min_element(count.begin(), count.end());
      least.clear();
      where.assign(nodes.size(), ~std::uint32_t{0});
      for (std::uint32_t i = 0; i < nodes.size(); ++i)
        if (count[i] == lowest) {
          where[i] = static_cast<std::uint32_t>(least.size());
          least.push_back(i);
        }
    }
    void took(std::uint32_t i) {
      ++count[i];
      const std::uint32_t at = where[i];
      where[least.back()] = at;
      least[at] = least.back();
      least.pop_back();
      where[i] = ~std::uint32_t{0};
      if (least.empty()) refill();
    }
  };
  // With placement cells, each AZ's nodes are cut into `cells` equal runs and group g is placed
  // in run g % cells of every AZ: by_az[a * cells + c].
  std::vector<std::uint32_t> in_az(scenario_.azs.size(), 0);
  for (const auto& node : storage_) ++in_az[node->az()];
  std::uint32_t smallest = ~std::uint32_t{0};
  for (std::uint32_t n : in_az)
    if (n > 0) smallest = std::min(smallest, n);
  const std::uint32_t cells = scenario_.cell_nodes == 0 ? 1 : std::max<std::uint32_t>(1, smallest / scenario_.cell_nodes);
  std::vector<AzNodes> by_az(scenario_.azs.size() * cells);
  std::vector<std::uint32_t> seen(scenario_.azs.size(), 0);
  for (const auto& node : storage_) {
    const std::uint32_t cell = static_cast<std::uint32_t>(std::uint64_t{seen[node->az()]++} * cells / in_az[node->az()]);
    AzNodes& az = by_az[node->az() * cells + cell];
    az.nodes.push_back(node.get());
    az.ids.push_back(node->id());
    az.count.push_back(static_cast<std::uint32_t>(node->replica_count()));
  }
  std::vector<std::size_t> usable;  // AZs with storage
  for (std::size_t a = 0; a < scenario_.azs.size(); ++a)
    if (in_az[a] > 0) {
      usable.push_back(a);
      for (std::uint32_t c = 0; c < cells; ++c) by_az[a * cells + c].refill();
    }
  SIM_ASSERT_OP(usable.size(), >=, replication::Membership::kSize);  // the loader checks this
  std::vector<std::uint32_t> leading(network_.node_count(), 0);
  std::vector<std::uint32_t> hosted_by(network_.node_count(), 0);  // replicas placed on each node
  const sim::Time now = kernel_.now();
  for (replication::GroupId group = 0; group < partitions_.size(); ++group) {
    const std::uint32_t table = partitions_.partition(group).table;
    replication::Membership membership;
    for (std::size_t i = 0; i < replication::Membership::kSize; ++i) {
      AzNodes& az = by_az[usable[(group + i) % usable.size()] * cells + group % cells];
      // The least loaded node of the AZ; ties broken by a hash of (group, node), so that the
      // nodes a group shares with others vary and one failure does not doom a fixed set (and,
      // on equal hashes, the first in node order).
      std::uint32_t best = az.least.front();
      std::uint64_t best_tie = key_hash(group, az.ids[best]);
      for (std::size_t k = 1; k < az.least.size(); ++k) {
        const std::uint32_t candidate = az.least[k];
        const std::uint64_t tie = key_hash(group, az.ids[candidate]);
        if (tie < best_tie || (tie == best_tie && candidate < best)) {
          best = candidate;
          best_tie = tie;
        }
      }
      az.took(best);
      membership.nodes[i] = az.ids[best];
    }
    cluster_.shares.add_partition(group);
    cluster_.shares.set(group, cluster_.shares.base(table, scenario_.tables[table].partitions));
    if (scenario_.tables[table].metered()) cluster_.ledger.track(group, table, workload_end());
    membership.storage_mask = 0b111;
    membership.epoch = 1;
    // The member leading the fewest groups so far leads this one: leadership spreads evenly
    // over nodes (and so over AZs), as DynamoDB's autoadmin balances it.
    std::size_t leader = 0;
    for (std::size_t i = 1; i < replication::Membership::kSize; ++i)
      if (leading[membership.nodes[i]] < leading[membership.nodes[leader]]) leader = i;
    ++leading[membership.nodes[leader]];
    // In the directory first: replicas take their hash range from it.
    cluster_.directory.add_group(group, table, membership, membership.nodes[leader],
                                 partitions_.partition(group).hash_low, partitions_.partition(group).hash_high);
    for (sim::NodeId node : membership.nodes) ++hosted_by[node];
    cluster_.health.add_group(now, replication::Membership::kSize, true);
    monitor_->group_created(group, membership);
  }
  // Then the replicas, node by node, each node's groups in order: a node's structures stay in
  // cache while it takes its ~1,000 replicas (group by group, every replica met a cold node).
  // What each replica gets does not depend on the order: it reads only the directory and its
  // own node.
  std::vector<std::uint32_t> first(hosted_by.size() + 1, 0);  // node -> its run in `groups_of`
  for (std::size_t n = 0; n < hosted_by.size(); ++n) first[n + 1] = first[n] + hosted_by[n];
  std::vector<replication::GroupId> groups_of(first.back());
  std::vector<std::uint32_t> filled(first.begin(), first.end() - 1);
  for (replication::GroupId group = 0; group < partitions_.size(); ++group)
    for (sim::NodeId node : cluster_.directory.membership(group).nodes) groups_of[filled[node]++] = group;
  constexpr std::uint32_t kAhead = 8;  // groups prefetched ahead in the directory
  for (const auto& node : storage_)
    for (std::uint32_t i = first[node->id()]; i < first[node->id() + 1]; ++i) {
      if (i + kAhead < groups_of.size()) cluster_.directory.prefetch(groups_of[i + kAhead]);
      const replication::GroupId group = groups_of[i];
      replication::Replica& r =
          node->host(group, cluster_.directory.table_of(group), cluster_.directory.membership(group), true);
      node->begin_first_term(r, cluster_.directory.leader(group));
    }
  for (const AzNodes& az : by_az)
    for (std::size_t i = 0; i < az.nodes.size(); ++i) SIM_ASSERT_OP(az.count[i], ==, az.nodes[i]->replica_count());
}

}  // namespace models
