// Building and running one simulation.
#include "models/simulation.h"

#include <algorithm>

namespace models {

Simulation::Simulation(const Scenario& scenario, std::uint64_t seed)
    : scenario_(scenario),
      seed_(seed),
      kernel_(seed),
      network_(kernel_, scenario.network),
      kinds_(kernel_),
      metrics_(scenario.azs.size(), scenario.tables.size(), scenario.duration),
      faults_(kernel_, network_) {
  for (const AzSpec& az : scenario.azs) network_.add_az(az.name);

  // Storage nodes first, AZ by AZ, so node ids (and so placement) follow the file's order.
  for (std::size_t a = 0; a < scenario.azs.size(); ++a)
    for (std::uint32_t i = 0; i < scenario.azs[a].storage_nodes; ++i)
      storage_.push_back(std::make_unique<StorageNode>(
          network_, node_name(scenario.azs[a].name, "storage", i), static_cast<sim::AzId>(a),
          scenario.storage, kinds_));

  // Single-owner placement: partitions dealt round-robin over nodes interleaved by AZ, so
  // consecutive partitions of a table land in different AZs.
  std::vector<StorageNode*> interleaved;
  std::vector<std::size_t> az_first(scenario.azs.size(), 0);
  std::uint32_t most_per_az = 0;
  for (std::size_t a = 1; a < scenario.azs.size(); ++a)
    az_first[a] = az_first[a - 1] + scenario.azs[a - 1].storage_nodes;
  for (const AzSpec& az : scenario.azs) most_per_az = std::max(most_per_az, az.storage_nodes);
  for (std::uint32_t i = 0; i < most_per_az; ++i)
    for (std::size_t a = 0; a < scenario.azs.size(); ++a)
      if (i < scenario.azs[a].storage_nodes) interleaved.push_back(storage_[az_first[a] + i].get());
  std::size_t next_owner = 0;
  for (std::size_t t = 0; t < scenario.tables.size(); ++t) {
    const PartitionId first = partitions_.add_table(static_cast<std::uint32_t>(t), scenario.tables[t].partitions);
    for (std::uint32_t p = 0; p < scenario.tables[t].partitions; ++p)
      partitions_.set_owner(first + p, interleaved[next_owner++ % interleaved.size()]->id());
  }

  for (std::size_t a = 0; a < scenario.azs.size(); ++a)
    for (std::uint32_t i = 0; i < scenario.azs[a].routers; ++i)
      routers_.push_back(std::make_unique<Router>(network_, node_name(scenario.azs[a].name, "router", i),
                                                  static_cast<sim::AzId>(a), scenario.router, kinds_,
                                                  partitions_, storage_by_node_id_));
  for (const auto& router : routers_) router_list_.push_back(router.get());

  std::uint32_t client_total = 0;
  for (const AzSpec& az : scenario.azs) client_total += az.clients;
  for (std::size_t a = 0; a < scenario.azs.size(); ++a)
    for (std::uint32_t i = 0; i < scenario.azs[a].clients; ++i)
      clients_.push_back(std::make_unique<Client>(
          network_, node_name(scenario.azs[a].name, "client", i), static_cast<sim::AzId>(a), scenario,
          kinds_, router_list_, metrics_, 1.0 / client_total));

  storage_by_node_id_.assign(network_.node_count(), nullptr);
  for (const auto& node : storage_) storage_by_node_id_[node->id()] = node.get();

  for (const auto& fault : scenario.faults) fault->schedule(faults_);
  const sim::Time stop = sim::Time::zero() + scenario.duration;
  for (const auto& client : clients_) client->start(stop);
}

Simulation::~Simulation() = default;

RunOutcome Simulation::run() {
  // After the workload stops, operations still in flight get their full retry budget.
  const sim::Time end =
      sim::Time::zero() + scenario_.duration + scenario_.client.operation_time_max() + sim::seconds(1);
  return RunOutcome{kernel_.run_until(end)};
}

std::size_t Simulation::operations_in_flight() const {
  std::size_t total = 0;
  for (const auto& client : clients_) total += client->operations_in_flight();
  return total;
}

}  // namespace models
