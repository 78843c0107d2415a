// One simulated run of a scenario with one seed: builds the kernel, network, storage nodes
// holding replication groups, routers and clients, schedules the faults, runs the workload,
// heals, and keeps what the reports and checkers need.
#pragma once

#include "models/admission/adaptive_controller.h"
#include "models/control/autoadmin.h"
#include "models/admission/gac.h"
#include "models/archive/s3.h"
#include "models/client.h"
#include "models/partitioning/balancer.h"
#include "models/partitioning/split_controller.h"
#include "models/history.h"
#include "models/key_sampler.h"
#include "models/metrics.h"
#include "models/monitors/safety_monitor.h"
#include "models/ops/deployer.h"
#include "models/ops/watch.h"
#include "models/partition_map.h"
#include "models/replication/cluster.h"
#include "models/replication/storage_node.h"
#include "models/router.h"
#include "models/routing/fleet.h"
#include "models/routing/route_servers.h"
#include "models/timeline.h"
#include "models/verification/scrub.h"
#include "models/scenario.h"
#include "sim/faults.h"
#include "sim/kernel.h"
#include "sim/network.h"

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace models {

struct RunOutcome {
  sim::RunStatus status = sim::RunStatus::drained;
  bool safety_violation = false;  // a monitor stopped the run (status stopped)
  bool complete() const {
    return status == sim::RunStatus::drained || status == sim::RunStatus::time_limit;
  }
};

// Switches for tests and benchmarks only; no scenario file reaches them.
struct TestHooks {
  PlantedBug planted_bug = PlantedBug::none;
  // The monitors record violations without stopping the run, so a test can show that the
  // checkers catch a planted bug too.
  bool monitors_record_only = false;
  // Fewer pending events than the kernel's 2^24 (0: the real limit), to reach the limit quickly.
  std::uint64_t event_slot_limit = 0;
  // false: the clients record no history, so the checkers have nothing to judge (`bench region
  // --without-history`, which judges nothing, measures the simulator's own memory this way).
  bool record_history = true;
};

class Simulation {
 public:
  // REQUIRES: `scenario` outlives the simulation.
  Simulation(const Scenario& scenario, std::uint64_t seed, TestHooks hooks = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Also offers the tracer the counters of sample_counters.
  void set_tracer(sim::Tracer* tracer);
  void set_interrupt_flag(const std::atomic<bool>* flag) { kernel_.set_interrupt_flag(flag); }

  // Runs the workload for the scenario's duration, lets operations in flight finish, then
  // ends every fault and lets the groups heal for `replication.final_heal`.
  RunOutcome run();
  sim::Time workload_end() const { return sim::Time::zero() + scenario_.duration; }

  const Scenario& scenario() const { return scenario_; }
  std::uint64_t seed() const { return seed_; }
  const sim::Kernel& kernel() const { return kernel_; }
  sim::Kernel& kernel() { return kernel_; }
  const sim::Network& network() const { return network_; }
  const ClientMetrics& metrics() const { return metrics_; }
  const sim::FaultContext& faults() const { return faults_; }
  const replication::Cluster& cluster() const { return cluster_; }
  const PartitionMap& partitions() const { return partitions_; }
  const std::vector<std::unique_ptr<replication::StorageNode>>& storage_nodes() const { return storage_; }
  const std::vector<std::unique_ptr<Router>>& routers() const { return routers_; }
  const std::vector<std::unique_ptr<routing::MetadataNode>>& metadata_nodes() const { return metadata_; }
  const std::vector<std::unique_ptr<routing::MemdsNode>>& memds_nodes() const { return memds_; }
  // The WAL archive and its S3 fleet (null unless the scenario archives).
  const archive::ArchiveService* archive() const { return archive_.get(); }
  const verification::Stats& integrity() const { return cluster_.integrity; }
  bool scrubs() const { return verifier_ != nullptr; }
  const Timeline& timeline() const { return timeline_; }
  // Customers' client hosts, then the canaries (role "canary").
  const std::vector<std::unique_ptr<Client>>& clients() const { return clients_; }
  // The canaries' own outcome counts (null without canaries), and what operators watch (null
  // without canaries or alarms).
  const ClientMetrics* canary_metrics() const { return canary_metrics_ ? &*canary_metrics_ : nullptr; }
  const ops::Watch* watch() const { return watch_.get(); }
  // The deployment pipeline (null without deployments).
  const ops::Deployer* deployer() const { return deployer_.get(); }
  // The membership service (null without a membership section).
  const control::MembershipService* membership() const { return membership_.get(); }
  const std::vector<std::unique_ptr<admission::GacServer>>& gac_servers() const { return gac_servers_; }
  const admission::AdaptiveController* adaptive_controller() const { return adaptive_.get(); }
  const partitioning::SplitController* splitter() const { return splitter_.get(); }
  const partitioning::Balancer* balancer() const { return balancer_.get(); }
  const control::Autoadmin& autoadmin() const { return *autoadmin_; }
  std::size_t operations_in_flight() const;
  // Every node's counters as they stand: storage and route servers' queue depths, and (archiving
  // on) each storage node's unarchived log bytes. Reads only.
  void sample_counters(const sim::Tracer::CounterEmit& emit) const;
  std::size_t replica_count() const;

  // What the checkers read: every client operation, and every replica as it ends.
  const std::vector<HistoryEntry>& history() const { return history_; }
  FinalState final_state() const;
  const monitors::SafetyMonitor& monitor() const { return *monitor_; }

 private:
  void place_groups();
  monitors::World monitor_world();
  void build_routing();
  // The S3 fleet and the archive service (an archive section); the lag sampler.
  void build_archive();
  void build_scrub();
  void sample_archive();
  // GAC servers (mode gac) or the adaptive controller (mode adaptive), if a table is provisioned.
  void build_admission();
  // The splitter and the control plane's side of a split (partitioning enabled).
  void build_partitioning();
  // The balancer and the storage side's moves (balancing enabled).
  void build_balancing();
  // Adds routers with cold caches, spread over the AZs that have routers (a fault's scale-out).
  void add_routers(std::uint32_t count);
  // One canary per AZ and endpoint with routers there, and the watch the clients report to (canaries or alarms).
  void build_ops(std::uint32_t first_client_number);
  void build_deployer();
  static ops::Deployable deployable(Router& router);
  // The metadata cells and every storage node's membership agent (a membership section).
  void build_membership();
  // Resolves fault targets such as "the leader of the group that owns orders/42".
  std::vector<sim::Node*> placement(std::string_view role, std::string_view table, std::uint64_t key) const;

  const Scenario& scenario_;
  std::uint64_t seed_;
  sim::Kernel kernel_;  // first: destroyed last, after every actor that holds events in it
  sim::Network network_;
  RequestPathKinds kinds_;
  ClientMetrics metrics_;
  PartitionMap partitions_;
  sim::FaultContext faults_;
  replication::Cluster cluster_;
  std::unique_ptr<monitors::SafetyMonitor> monitor_;
  routing::RoutingKinds routing_kinds_;
  Timeline timeline_;
  routing::RoutingFleet fleet_;
  std::vector<HistoryEntry> history_;
  bool record_history_ = true;  // TestHooks::record_history
  std::vector<std::unique_ptr<routing::MetadataNode>> metadata_;
  std::vector<std::unique_ptr<routing::MemdsNode>> memds_;
  std::unique_ptr<archive::ArchiveService> archive_;
  std::vector<std::unique_ptr<archive::S3Node>> s3_;
  sim::ActorId archive_actor_ = 0;
  std::unique_ptr<verification::ScrubVerifier> verifier_;
  std::vector<std::unique_ptr<replication::StorageNode>> storage_;
  std::vector<std::unique_ptr<Router>> routers_;
  std::vector<Router*> router_list_;
  std::vector<KeySampler> samplers_;  // by workload entry
  std::optional<admission::GacKinds> gac_kinds_;  // registered only when GAC runs
  admission::GacRing gac_ring_;
  std::vector<std::unique_ptr<admission::GacServer>> gac_servers_;
  std::unique_ptr<control::Autoadmin> autoadmin_;
  std::unique_ptr<admission::AdaptiveController> adaptive_;
  std::unique_ptr<partitioning::SplitController> splitter_;
  std::unique_ptr<partitioning::Balancer> balancer_;
  std::vector<std::unique_ptr<Client>> clients_;
  // By endpoint, one entry each: the canaries' mix and rate through that endpoint.
  std::vector<std::vector<WorkloadSpec>> canary_workloads_;
  std::vector<KeySampler> canary_samplers_;
  std::optional<ClientMetrics> canary_metrics_;
  std::optional<Timeline> canary_timeline_;
  std::unique_ptr<ops::Watch> watch_;
  std::unique_ptr<ops::Deployer> deployer_;
  std::unique_ptr<control::MembershipService> membership_;
};

}  // namespace models
