// What every storage node of one simulation shares: the scenario's replication settings, the
// event kinds, the directory of groups (the authoritative partition map that routers read)
// and the ground-truth health bookkeeping the reports use. Owned by the Simulation.
#pragma once

#include "models/admission/ledger.h"
#include "models/admission/shares.h"
#include "models/partition_map.h"
#include "models/replication/group_health.h"
#include "models/replication/types.h"
#include "models/scenario.h"
#include "sim/kernel.h"

#include <functional>
#include <optional>
#include <vector>

namespace models::replication {

class StorageNode;

// Bugs a test can plant to prove the checkers catch them. Never reachable from a scenario file
// or the command line.
enum class PlantedBug : std::uint8_t {
  none,
  ack_before_quorum,  // the leader acknowledges a write once it alone persisted it
  skip_lease_wait,    // a new leader serves at once instead of waiting out the old lease
};

struct ReplicationKinds {
  explicit ReplicationKinds(sim::Kernel& kernel);
  sim::KindId accept, accepted, prepare, promise, heartbeat, heartbeat_ack, leader_check,
      leader_check_reply, catch_up_request, catch_up, build_replica, replica_ready;
  sim::KindId tick, disk, election_step, serve_check, build_done, healing_timeout, catch_up_send;
};

// The partition map as the storage side last committed it: every group's membership and the
// leader that last started serving, with a version that grows on every change. It is the truth
// the storage side publishes to the metadata table and MemDS; routers only see it through them.
class GroupDirectory {
 public:
  void add_group(GroupId group, std::uint32_t table, const Membership& membership, sim::NodeId leader,
                 std::uint64_t hash_low, std::uint64_t hash_high);
  const Membership& membership(GroupId group) const { return memberships_[group]; }
  sim::NodeId leader(GroupId group) const { return leaders_[group]; }
  std::uint32_t version(GroupId group) const { return versions_[group]; }
  std::uint32_t table_of(GroupId group) const { return tables_[group]; }
  // The slice of the table's hash space the group holds, [low, high] (narrowed by splits).
  std::uint64_t hash_low(GroupId group) const { return ranges_[group].first; }
  std::uint64_t hash_high(GroupId group) const { return ranges_[group].second; }
  // A split gave the upper part of the group's range away: [low, high] now. True (a change).
  bool narrow(GroupId group, std::uint64_t high);
  std::size_t size() const { return memberships_.size(); }
  // A leader applied a membership change; keeps the newest epoch. True if it changed.
  bool update(GroupId group, const Membership& membership);
  bool exists(GroupId group) const { return group < versions_.size() && versions_[group] > 0; }
  // A leader started serving. True if it changed.
  bool set_leader(GroupId group, sim::NodeId leader);
  std::uint64_t changes() const { return changes_; }

 private:
  std::vector<Membership> memberships_;
  std::vector<sim::NodeId> leaders_;
  std::vector<std::uint32_t> versions_;
  std::vector<std::uint32_t> tables_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_;
  std::uint64_t changes_ = 0;
};

// Event kinds of splits, registered only by simulations that split partitions.
struct SplitKinds {
  explicit SplitKinds(sim::Kernel& kernel);
  sim::KindId request, ready, create, elect;
};

// Event kinds of moves, registered only by simulations that balance nodes.
struct MoveKinds {
  explicit MoveKinds(sim::Kernel& kernel);
  sim::KindId request, transfer, drop, handoff_deadline;
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
  // The partition publisher: called by the storage node that changed a group's route (a leader
  // applying a membership change, or starting to serve) to push the route out.
  std::function<void(const sim::Node& from, GroupId group)> publish;
  std::optional<SplitKinds> split_kinds;  // set when partitions may split
  SplitHook on_split;
  std::optional<MoveKinds> move_kinds;  // set when the control plane moves partitions
  MoveHook on_move;
  StorageNode* node(sim::NodeId id) const { return id < storage_by_node.size() ? storage_by_node[id] : nullptr; }
};

}  // namespace models::replication
