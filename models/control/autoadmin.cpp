// Taking reports and sending placement lists.
#include "models/control/autoadmin.h"

#include "models/replication/storage_node.h"

namespace models::control {

Autoadmin::Autoadmin(sim::Network& network, std::string name, sim::AzId az, const Scenario& scenario,
                     replication::Cluster& cluster)
    : sim::Node(network, std::move(name), az, "autoadmin"),
      scenario_(scenario),
      cluster_(cluster),
      tick_kind_(network.kernel().register_kind("autoadmin.placement")) {}

void Autoadmin::start() {
  // It placed every replica itself: its view starts from that, as if each node had just reported.
  for (sim::NodeId n = 0; n < cluster_.storage_by_node.size(); ++n)
    if (const replication::StorageNode* node = cluster_.node(n))
      view_.add_node(n, node->az(), static_cast<std::uint32_t>(node->replica_count()), kernel().now());
  if (scenario_.partition_reports()) view_.add_groups(cluster_.directory.size());
  tick();
}

void Autoadmin::on_report(sim::NodeId from, const NodeReport& report) { view_.on_report(from, report, kernel().now()); }

void Autoadmin::tick() {
  const PlacementListPtr list = view_.placement(kernel().now(), scenario_.control.silence);
  for (sim::NodeId n = 0; n < cluster_.storage_by_node.size(); ++n) {
    replication::StorageNode* node = cluster_.node(n);
    if (node == nullptr) continue;
    ++lists_sent_;
    network().send(*this, n, cluster_.kinds.placement, [node, list] { node->on_placement(list); });
  }
  after(scenario_.control.report_interval, tick_kind_, [this] { tick(); });
}

}  // namespace models::control
