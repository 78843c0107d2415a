// What every storage node of one simulation shares: the scenario's replication settings, the
// event kinds, the directory of groups (the authoritative partition map that routers read), the
// ground-truth health bookkeeping the reports use and the safety monitors' ear. Owned by the
// Simulation.
#pragma once

#include "models/admission/ledger.h"
#include "models/admission/shares.h"
#include "models/partition_map.h"
#include "models/replication/directory.h"
#include "models/replication/group_health.h"
#include "models/replication/host.h"
#include "models/replication/split_point.h"
#include "models/replication/types.h"
#include "models/scenario.h"
#include "models/verification/stats.h"
#include "sim/kernel.h"

#include <array>
#include <functional>
#include <vector>

namespace models::control {
class Autoadmin;
}
namespace models::archive {
struct ArchiveService;
}
namespace models::verification {
class ScrubVerifier;
}

namespace models::replication {

class StorageNode;

struct ReplicationKinds {
  explicit ReplicationKinds(sim::Kernel& kernel);
  // messages
  sim::KindId accept, accepted, prepare, promise, heartbeat, heartbeat_ack, leader_check, leader_check_reply,
      catch_up_request, catch_up, build_replica, replica_ready, snapshot_installed, transfer, split_ready, abandon_replica;
  // the control plane's requests, and what nodes and the control plane tell each other
  sim::KindId split_request, move_request, split_advice, node_report, placement;
  // a node's own events
  sim::KindId tick, disk, build_done, split_child, snapshot_copied, drop, report;
  std::array<sim::KindId, 6> timers{};  // by TimerKind
};

// How far a move got: the old leader applied its own replacement, stepped down and handed
// leadership over (`handed_off`), or the new replica started serving as leader (`serving`).
enum class MoveStep : std::uint8_t { handed_off, serving };
using MoveHook = std::function<void(GroupId group, sim::NodeId from, sim::NodeId to, MoveStep step)>;

// A split applied on some node: the control plane's side (the partition map, the directory,
// health, shares, routes). Called by the first node that creates the child replica; later
// calls for the same child do nothing.
using SplitHook = std::function<void(const sim::Node& from, GroupId parent, GroupId child, std::uint64_t low,
                                     std::uint64_t high)>;

struct Cluster {
  Cluster(sim::Kernel& kernel, const Scenario& scenario_in, PlantedBug planted)
      : scenario(scenario_in), spec(scenario_in.replication), kinds(kernel), bug(planted), shares(scenario_in) {}
  const Scenario& scenario;
  const ReplicationSpec& spec;
  ReplicationKinds kinds;
  PlantedBug bug;
  GroupDirectory directory;
  GroupHealth health;
  admission::Shares shares;   // each partition's allocated share (the control plane's record)
  admission::Ledger ledger;   // what admission control did, per partition
  std::vector<StorageNode*> storage_by_node;  // by NodeId; null for other nodes
  // The safety monitors, told of every change of replica state they check (null: none).
  Observer* observer = nullptr;
  // The partition publisher: called by the storage node that changed a group's route (a leader
  // applying a membership change, or starting to serve) to push the route out.
  std::function<void(const sim::Node& from, GroupId group)> publish;
  SplitHook on_split;  // set when partitions may split
  MoveHook on_move;    // set when the control plane moves partitions
  control::Autoadmin* autoadmin = nullptr;  // where storage nodes send their reports
  archive::ArchiveService* archive = nullptr;  // set when the scenario archives the WAL to S3
  verification::ScrubVerifier* verifier = nullptr;  // set when the scenario scrubs
  verification::Stats integrity;  // corruption injected and found, scrubs, repairs
  // Some deployment ships a log format other than the fleet's (receivers then check formats).
  bool log_formats_vary = false;
  std::uint64_t parse_errors = 0;  // messages dropped because the receiver's build could not read an entry
  // The splitter's ear for a leader's split advice (delivered by the network; set with splits).
  std::function<void(const SplitAdvice&)> on_split_advice;
  StorageNode* node(sim::NodeId id) const { return id < storage_by_node.size() ? storage_by_node[id] : nullptr; }
};

}  // namespace models::replication
