// Autoadmin, the control plane's fleet manager: it keeps the fleet view from the storage nodes'
// reports and, every report interval, sends each storage node its placement list (reports.h).
// It owns no replica and looks into no node: what it knows, it was told.
#pragma once

#include "models/control/fleet_view.h"
#include "models/replication/cluster.h"
#include "models/scenario.h"
#include "sim/network.h"

namespace models::control {

class Autoadmin final : public sim::Node {
 public:
  Autoadmin(sim::Network& network, std::string name, sim::AzId az, const Scenario& scenario,
            replication::Cluster& cluster);

  // After setup: every storage node is known with the replicas placed on it.
  void start();
  void on_report(sim::NodeId from, const NodeReport& report);
  const FleetView& view() const { return view_; }
  // A node counts as up if heard from within control.silence.
  bool alive(sim::NodeId node) const { return view_.alive(node, kernel().now(), scenario_.control.silence); }
  std::uint64_t lists_sent() const { return lists_sent_; }

 protected:
  // Its view is kept in the control plane's database: a restart loses no report already taken.
  void on_power_on() override { tick(); }

 private:
  void tick();

  const Scenario& scenario_;
  replication::Cluster& cluster_;
  FleetView view_;
  sim::KindId tick_kind_;
  std::uint64_t lists_sent_ = 0;
};

}  // namespace models::control
