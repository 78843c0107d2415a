// Deployments (models/scenario.h, DeploymentSpec): rolls builds onto a role's fleet in waves with
// bake times, restarting each node (a storage node hands off the groups it leads first, unless the
// deployment says not to), and rolls a build back when one of its alarms fires or at a set time.
// The deployer is the operators' pipeline: it runs on the kernel outside any node, powers nodes
// off and on through the fault context (so a deployment's restart and a fault's power-off
// compose), and records what it did for the report's deployments section.
#pragma once

#include "models/ops/build.h"
#include "models/ops/watch.h"
#include "models/scenario.h"
#include "sim/faults.h"
#include "sim/kernel.h"
#include "sim/node.h"

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace models::ops {

// A node a deployment may restart onto another build, and how it is drained first: a storage node
// hands off the groups it leads (drained once it leads none, or after an election timeout); a
// router leaves its load balancer (drained after a client's attempt timeout, its requests in
// flight done) and rejoins it once back up.
struct Deployable {
  sim::Node* node = nullptr;
  RunningBuild* build = nullptr;
  std::function<void()> drain;
  std::function<bool()> drained;  // none: wait the whole drain time
  std::function<void()> rejoin;   // undoes the drain (back up, or the run ends before the restart)
  // Whether the node can start on a build (a storage node: it reads every entry in its logs);
  // none: always.
  std::function<bool(const BuildSpec*)> can_start;
};

struct WaveRecord {
  double share = 0.0;            // of the fleet on the build once the wave is done (by AZ: after this AZ)
  std::string az;                // by AZ: the AZ
  sim::Time start;
  std::optional<sim::Time> end;  // the wave's last node back up (none: cut short by a rollback)
  std::vector<sim::NodeId> nodes;
};

struct DeploymentRecord {
  const DeploymentSpec* spec = nullptr;
  std::uint32_t fleet = 0;                   // the role's nodes when it started
  std::vector<WaveRecord> waves;
  std::optional<sim::Time> first_on_build;   // the first node up on the build
  std::optional<sim::Time> completed;        // the last wave baked without a rollback
  std::optional<sim::Time> rollback_start;
  std::optional<sim::Time> rollback_end;     // every node back on the previous build
  std::string rollback_reason;               // an alarm's name, or "scheduled"
  std::uint32_t restarts = 0;                // by the deployment and its rollback
  std::uint32_t crashes = 0;                 // of nodes on the build
  std::uint32_t on_build_at_end = 0;
  std::uint64_t drains_timed_out = 0;        // storage drains that ran out of time with groups still led
  std::uint32_t failed_starts = 0;           // nodes that could not start on the build they got (they stay down)
  std::optional<sim::Time> halted;           // the pipeline stopped at a failed start
};

class Deployer {
 public:
  // `fleets`: by DeploymentSpec::Role. REQUIRES: every argument outlives the deployer.
  Deployer(sim::Kernel& kernel, sim::FaultContext& faults, const Scenario& scenario,
           std::vector<std::vector<Deployable>> fleets, Watch& watch);
  // A node that joined the role's fleet (a scale-out): deployments that start later ship to it.
  void add(DeploymentSpec::Role role, Deployable node) { fleets_[static_cast<std::size_t>(role)].emplace_back(std::move(node)); }
  // Fills in what is still running the builds (call when the workload ends, before the final
  // heal), and puts every node that could not start back on the build it last ran.
  void finish();
  const std::vector<DeploymentRecord>& records() const { return records_; }
  // Requests the builds of a role's fleet failed, over the run.
  std::uint64_t build_errors(DeploymentSpec::Role role) const;

 private:
  struct Member {
    explicit Member(Deployable deployable) : d(std::move(deployable)) {}
    Deployable d;
    bool restarting = false;
    bool held = false;        // the deployer holds it down (restarting, or failed to start)
    bool failed = false;      // could not start on its build: held down until a build that can comes
    // Restarts asked for while one runs (overlapping deployments of one role): run in turn.
    std::deque<std::function<void()>> queued;
    const BuildSpec* last_good = nullptr;  // failed: the build it ran before
    std::uint64_t epoch = 0;  // bumped at every install: stale crash events see it changed
  };
  struct Run {
    std::vector<std::size_t> order;   // fleet indexes in deployment order
    std::size_t next = 0;             // into order: the next node to deploy
    std::size_t wave = 0;
    std::size_t in_flight = 0;        // restarts under way (deploying, or rolling back)
    std::size_t crashed = 0;          // nodes down after a crash of the build
    bool started = false, rolling_back = false, done = false, halted = false;
    std::vector<std::size_t> rollback_queue;
    std::vector<const BuildSpec*> previous;  // by fleet member: what it ran before this deployment
  };

  void start(std::size_t d);
  void start_wave(std::size_t d);
  void next_batch(std::size_t d);
  void wave_done(std::size_t d);
  void rollback(std::size_t d, std::string reason);
  void next_rollback_batch(std::size_t d);
  // Restarts fleet member `m` of deployment `d`'s role; it comes back on the deployment's build,
  // or on the previous one if the deployment is rolling back by then; then calls `done`.
  void restart(std::size_t d, std::size_t m, std::function<void()> done);
  void power_cycle(std::size_t d, std::size_t m, std::function<void()> done);
  // Its restart time is over: installs the build and powers it on, or keeps it down if it
  // cannot read its log on that build.
  void power_cycle_done(std::size_t d, std::size_t m);
  void schedule_crash(std::size_t d, std::size_t m);
  std::vector<Member>& fleet(std::size_t d) { return fleets_[static_cast<std::size_t>(scenario_.deployments[d].role)]; }
  bool stopped() const { return faults_.ended(); }

  sim::Kernel& kernel_;
  sim::FaultContext& faults_;
  const Scenario& scenario_;
  std::vector<std::vector<Member>> fleets_;
  std::vector<Run> runs_;
  std::vector<DeploymentRecord> records_;
  sim::ActorId actor_{};
  sim::KindId step_{};
  sim::Rng* rng_ = nullptr;
};

}  // namespace models::ops
