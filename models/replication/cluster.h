// What every storage node of one simulation shares: the scenario's replication settings, the
// event kinds, the directory of groups (the authoritative partition map that routers read)
// and the ground-truth health bookkeeping the reports use. Owned by the Simulation.
#pragma once

#include "models/partition_map.h"
#include "models/replication/group_health.h"
#include "models/replication/types.h"
#include "models/scenario.h"
#include "sim/kernel.h"

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

// The partition map as the storage side last committed it: routers read memberships here.
class GroupDirectory {
 public:
  void add_group(GroupId group, std::uint32_t table, const Membership& membership);
  const Membership& membership(GroupId group) const { return memberships_[group]; }
  std::uint32_t table_of(GroupId group) const { return tables_[group]; }
  std::size_t size() const { return memberships_.size(); }
  // Called when a leader applies a membership change; keeps the newest epoch.
  void update(GroupId group, const Membership& membership);
  std::uint64_t changes() const { return changes_; }

 private:
  std::vector<Membership> memberships_;
  std::vector<std::uint32_t> tables_;
  std::uint64_t changes_ = 0;
};

struct Cluster {
  Cluster(sim::Kernel& kernel, const Scenario& scenario_in, PlantedBug planted)
      : scenario(scenario_in), spec(scenario_in.replication), kinds(kernel), bug(planted) {}
  const Scenario& scenario;
  const ReplicationSpec& spec;
  ReplicationKinds kinds;
  PlantedBug bug;
  GroupDirectory directory;
  GroupHealth health;
  std::vector<StorageNode*> storage_by_node;  // by NodeId; null for other nodes
  StorageNode* node(sim::NodeId id) const { return id < storage_by_node.size() ? storage_by_node[id] : nullptr; }
};

}  // namespace models::replication
