// Folding reports into the control plane's view.
#include "models/control/fleet_view.h"

#include "sim/assert.h"

namespace models::control {

void FleetView::add_node(sim::NodeId node, sim::AzId az, std::uint32_t replicas, sim::Time now) {
  if (node >= nodes_.size()) nodes_.resize(node + 1);
  NodeState& n = nodes_[node];
  n.known = true;
  n.az = az;
  n.replicas = replicas;
  n.last_sent = now;
}

void FleetView::on_report(sim::NodeId from, const NodeReport& report, sim::Time now) {
  SIM_ASSERT(known(from));  // only storage nodes report, and autoadmin knows them all
  SIM_ASSERT(report.sent <= now);
  ++reports_;
  NodeState& n = nodes_[from];
  // Deltas add up in any order; absolute figures are taken only from a newer report than the
  // one they came from (reports overtake one another on the network).
  n.consumed_read += report.consumed_read;
  n.consumed_write += report.consumed_write;
  const bool newest = report.sent >= n.last_sent;
  if (newest) {
    n.last_sent = report.sent;
    n.replicas = report.replicas;
  }
  for (const auto& [g, delta] : report.groups) {
    GroupState& state = group(g);
    state.totals.add(delta);
    if (report.sent >= state.charged_at) {
      state.charged_at = report.sent;
      state.charged_by = from;
    }
  }
  for (const auto& [g, items] : report.sizes) {
    GroupState& state = group(g);
    if (report.sent < state.sized_at) continue;
    state.sized_at = report.sent;
    state.items = items;
  }
}

bool FleetView::alive(sim::NodeId node, sim::Time now, sim::Duration silence) const {
  return known(node) && now - nodes_[node].last_sent <= silence;
}

PlacementListPtr FleetView::placement(sim::Time now, sim::Duration silence) const {
  auto list = std::make_shared<PlacementList>();
  list->made = now;
  for (sim::NodeId id = 0; id < nodes_.size(); ++id)
    if (alive(id, now, silence)) list->nodes.push_back(PlacementEntry{id, nodes_[id].az, nodes_[id].replicas});
  return list;
}

}  // namespace models::control
