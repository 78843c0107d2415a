// Building, placing, running and healing one simulation.
#include "models/simulation.h"

#include <algorithm>

namespace models {

Simulation::Simulation(const Scenario& scenario, std::uint64_t seed, TestHooks hooks)
    : scenario_(scenario),
      seed_(seed),
      kernel_(seed),
      network_(kernel_, scenario.network),
      kinds_(kernel_),
      metrics_(scenario.azs.size(), scenario.tables.size(), scenario.duration),
      faults_(kernel_, network_),
      cluster_(kernel_, scenario, hooks.planted_bug) {
  for (const AzSpec& az : scenario.azs) network_.add_az(az.name);
  for (std::size_t a = 0; a < scenario.azs.size(); ++a)
    for (std::uint32_t i = 0; i < scenario.azs[a].storage_nodes; ++i)
      storage_.push_back(std::make_unique<replication::StorageNode>(
          network_, node_name(scenario.azs[a].name, "storage", i), static_cast<sim::AzId>(a), cluster_, kinds_));
  for (std::size_t t = 0; t < scenario.tables.size(); ++t)
    partitions_.add_table(static_cast<std::uint32_t>(t), scenario.tables[t].partitions);

  for (std::size_t a = 0; a < scenario.azs.size(); ++a)
    for (std::uint32_t i = 0; i < scenario.azs[a].routers; ++i)
      routers_.push_back(std::make_unique<Router>(network_, node_name(scenario.azs[a].name, "router", i),
                                                  static_cast<sim::AzId>(a), scenario.router, kinds_, partitions_,
                                                  cluster_));
  for (const auto& router : routers_) router_list_.push_back(router.get());

  std::uint32_t client_total = 0;
  for (const AzSpec& az : scenario.azs) client_total += az.clients;
  std::vector<HistoryEntry>* history = scenario.replication.keep_item_history ? &history_ : nullptr;
  std::uint32_t client_number = 0;
  for (std::size_t a = 0; a < scenario.azs.size(); ++a)
    for (std::uint32_t i = 0; i < scenario.azs[a].clients; ++i)
      clients_.push_back(std::make_unique<Client>(network_, node_name(scenario.azs[a].name, "client", i),
                                                  static_cast<sim::AzId>(a), client_number++, scenario, kinds_,
                                                  router_list_, metrics_, history, 1.0 / client_total));

  cluster_.storage_by_node.assign(network_.node_count(), nullptr);
  for (const auto& node : storage_) cluster_.storage_by_node[node->id()] = node.get();
  place_groups();

  for (const auto& node : storage_) node->start();
  for (const auto& fault : scenario.faults) fault->schedule(faults_);
  for (const auto& client : clients_) client->start(workload_end());
}

Simulation::~Simulation() = default;

void Simulation::place_groups() {
  // Every partition is a group of three replicas in three distinct AZs. AZs are chosen in
  // rotation and nodes round-robin within each AZ, so replicas spread evenly and a group never
  // has two replicas on one node (or one power supply).
  std::vector<std::vector<replication::StorageNode*>> by_az(scenario_.azs.size());
  for (const auto& node : storage_) by_az[node->az()].push_back(node.get());
  std::vector<std::size_t> usable;
  for (std::size_t a = 0; a < by_az.size(); ++a)
    if (!by_az[a].empty()) usable.push_back(a);
  SIM_ASSERT_OP(usable.size(), >=, replication::Membership::kSize);  // the loader checks this
  std::vector<std::size_t> next_in_az(by_az.size(), 0);
  const sim::Time now = kernel_.now();
  for (replication::GroupId group = 0; group < partitions_.size(); ++group) {
    const std::uint32_t table = partitions_.partition(group).table;
    replication::Membership membership;
    for (std::size_t i = 0; i < replication::Membership::kSize; ++i) {
      const std::size_t az = usable[(group + i) % usable.size()];
      membership.nodes[i] = by_az[az][next_in_az[az]++ % by_az[az].size()]->id();
    }
    membership.storage_mask = 0b111;
    membership.epoch = 1;
    for (sim::NodeId node : membership.nodes) cluster_.node(node)->host(group, table, membership, true);
    // Leaders rotate over the member positions so each AZ leads a third of the groups.
    cluster_.node(membership.nodes[group % replication::Membership::kSize])->lead_initially(group);
    cluster_.directory.add_group(group, table, membership);
    cluster_.health.add_group(now, replication::Membership::kSize, true);
  }
}

RunOutcome Simulation::run() {
  // After the workload stops, operations still in flight get their full retry budget.
  const sim::Time drained = workload_end() + scenario_.client.operation_time_max() + sim::seconds(1);
  RunOutcome outcome{kernel_.run_until(drained)};
  if (!outcome.complete()) return outcome;
  // Then every fault ends and the groups get time to catch up and heal before the checkers
  // read the replicas.
  faults_.end_all();
  outcome.status = kernel_.run_until(drained + scenario_.replication.final_heal);
  cluster_.health.settle(kernel_.now());
  return outcome;
}

std::size_t Simulation::operations_in_flight() const {
  std::size_t total = 0;
  for (const auto& client : clients_) total += client->operations_in_flight();
  return total;
}

std::size_t Simulation::replica_count() const {
  std::size_t total = 0;
  for (const auto& node : storage_) total += node->replica_count();
  return total;
}

FinalState Simulation::final_state() const {
  FinalState state;
  state.write_quorum = replication::Membership::quorum();
  for (const auto& node : storage_)
    for (const replication::Replica* replica : node->replicas()) {
      FinalReplica out;
      out.group = replica->group;
      out.node = node->id();
      out.voting = cluster_.directory.membership(replica->group).contains(node->id());
      out.storage = replica->storage;
      for (const auto& [key, versions] : replica->items) out.items.emplace(std::pair{replica->table, key}, versions);
      state.replicas.push_back(std::move(out));
    }
  std::sort(state.replicas.begin(), state.replicas.end(),
            [](const FinalReplica& a, const FinalReplica& b) { return std::tie(a.group, a.node) < std::tie(b.group, b.node); });
  return state;
}

}  // namespace models
