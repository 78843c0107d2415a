// What storage nodes and the control plane tell each other, over the simulated network, so
// that the control plane's decisions rest on what it was told (late, or never, when a message
// is lost or a node is down) rather than on a look into the nodes' memory.
//  - Every `control.report_interval` a powered storage node reports to autoadmin: how many
//    replicas it holds, the units it admitted since its last report, per partition what
//    admission did there since then, and the size of each partition it leads whose size
//    changed. Deltas: a lost report loses its interval's figures, as a lost metric would.
//  - Every interval autoadmin sends every storage node its placement list: the storage nodes it
//    heard from lately, with their replica counts. A leader picks a replacement from it.
#pragma once

#include "models/admission/ledger.h"
#include "sim/node.h"
#include "sim/time.h"

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace models::control {

struct NodeReport {
  sim::Time sent;
  std::uint32_t replicas = 0;
  admission::MicroUnits consumed_read = 0;   // admitted on the node since its last report
  admission::MicroUnits consumed_write = 0;
  // Per partition (sorted by group): what admission did on this node since the last report.
  std::vector<std::pair<std::uint32_t, admission::AdmissionTotals>> groups;
  // Per partition it leads whose size changed since its last report (sorted): items written.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> sizes;
};

struct PlacementEntry {
  sim::NodeId node = 0;
  sim::AzId az = 0;
  std::uint32_t replicas = 0;
};

// Sent to every storage node: one list shared by every copy of the message (it is immutable).
struct PlacementList {
  sim::Time made;
  std::vector<PlacementEntry> nodes;  // by node id
};
using PlacementListPtr = std::shared_ptr<const PlacementList>;

}  // namespace models::control
