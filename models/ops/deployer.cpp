// The deployment pipeline: waves, bakes, drains, restarts, crashes of a bad build, rollbacks.
#include "models/ops/deployer.h"

#include "sim/assert.h"
#include "sim/distribution.h"

#include <algorithm>
#include <cmath>

namespace models::ops {

namespace {

// A draining storage node is checked this often for groups it still leads.
constexpr sim::Duration kDrainPoll = sim::millis(50);
constexpr const char* kScheduled = "scheduled";  // a rollback's reason at rollback.at

}  // namespace

Deployer::Deployer(sim::Kernel& kernel, sim::FaultContext& faults, const Scenario& scenario,
                   std::vector<std::vector<Deployable>> fleets, Watch& watch)
    : kernel_(kernel), faults_(faults), scenario_(scenario) {
  for (auto& role : fleets) {
    fleets_.emplace_back();
    for (Deployable& d : role) fleets_.back().emplace_back(std::move(d));
  }
  actor_ = kernel.register_actor("deployments");
  step_ = kernel.register_kind("deploy.step");
  rng_ = &kernel.stream("deployments");
  runs_.resize(scenario.deployments.size());
  records_.resize(scenario.deployments.size());
  for (std::size_t d = 0; d < scenario.deployments.size(); ++d) {
    const DeploymentSpec& spec = scenario.deployments[d];
    records_[d].spec = &spec;
    kernel.at(sim::Time::zero() + spec.at, sim::Tag{actor_, step_}, [this, d] { start(d); });
    if (spec.rollback_at)
      kernel.at(sim::Time::zero() + *spec.rollback_at, sim::Tag{actor_, step_}, [this, d] { rollback(d, kScheduled); });
  }
  watch.on_alarm([this](std::size_t alarm) {
    for (std::size_t d = 0; d < runs_.size(); ++d) {
      const auto& alarms = scenario_.deployments[d].rollback_alarms;
      if (std::find(alarms.begin(), alarms.end(), alarm) != alarms.end())
        rollback(d, scenario_.alarms[alarm].name);
    }
  });
}

void Deployer::start(std::size_t d) {
  if (stopped()) return;
  const DeploymentSpec& spec = scenario_.deployments[d];
  Run& run = runs_[d];
  run.started = true;
  std::vector<Member>& members = fleet(d);
  records_[d].fleet = static_cast<std::uint32_t>(members.size());
  run.order.resize(members.size());
  for (std::size_t i = 0; i < members.size(); ++i) run.order[i] = i;
  if (spec.by_az()) {
    std::stable_sort(run.order.begin(), run.order.end(),
                     [&members](std::size_t a, std::size_t b) { return members[a].d.node->az() < members[b].d.node->az(); });
  } else {
    for (std::size_t i = run.order.size(); i > 1; --i) std::swap(run.order[i - 1], run.order[rng_->below(i)]);
  }
  start_wave(d);
}

void Deployer::start_wave(std::size_t d) {
  const DeploymentSpec& spec = scenario_.deployments[d];
  Run& run = runs_[d];
  if (stopped() || run.rolling_back || run.done) return;
  std::vector<Member>& members = fleet(d);
  // The fleet as it was when the deployment started: nodes that joined since are not its to ship.
  const std::size_t n = run.order.size();
  std::size_t until = n;
  WaveRecord wave;
  wave.start = kernel_.now();
  if (spec.by_az()) {
    const sim::AzId az = members[run.order[run.next]].d.node->az();
    while (until > 0 && members[run.order[until - 1]].d.node->az() != az) --until;
    wave.az = scenario_.azs[az].name;
    wave.share = static_cast<double>(until) / static_cast<double>(n);
  } else {
    const double share = spec.waves[run.wave];
    // At least one node more than the wave before; the share rounded up.
    until = std::min(n, std::max(run.next + 1, static_cast<std::size_t>(std::ceil(share * static_cast<double>(n) - 1e-9))));
    wave.share = share;
  }
  for (std::size_t i = run.next; i < until; ++i) wave.nodes.push_back(members[run.order[i]].d.node->id());
  records_[d].waves.push_back(std::move(wave));
  next_batch(d);
}

void Deployer::next_batch(std::size_t d) {
  const DeploymentSpec& spec = scenario_.deployments[d];
  Run& run = runs_[d];
  if (stopped() || run.rolling_back || run.halted) return;
  // The wave's nodes are order[wave_end - its size, wave_end); run.next is the first not started.
  std::size_t end = 0;
  for (const WaveRecord& w : records_[d].waves) end += w.nodes.size();
  if (run.next >= end) return wave_done(d);
  std::size_t started = 0;
  while (run.next < end && started < spec.at_once) {
    const std::size_t m = run.order[run.next++];
    ++started;
    ++run.in_flight;
    restart(d, m, [this, d] {
      Run& r = runs_[d];
      --r.in_flight;
      if (r.rolling_back) {
        if (r.in_flight == 0) next_rollback_batch(d);
        return;
      }
      if (r.in_flight == 0) next_batch(d);
    });
  }
}

void Deployer::wave_done(std::size_t d) {
  const DeploymentSpec& spec = scenario_.deployments[d];
  Run& run = runs_[d];
  records_[d].waves.back().end = kernel_.now();
  ++run.wave;
  const bool last = run.next >= run.order.size();
  kernel_.after(spec.bake, sim::Tag{actor_, step_}, [this, d, last] {
    Run& r = runs_[d];
    if (stopped() || r.rolling_back) return;
    if (last) {
      r.done = true;
      records_[d].completed = kernel_.now();
      return;
    }
    start_wave(d);
  });
}

void Deployer::rollback(std::size_t d, std::string reason) {
  Run& run = runs_[d];
  // Alarms roll back only while the deployment runs or bakes; a scheduled rollback also undoes a
  // deployment that completed (as an upgrade/downgrade test does).
  const bool scheduled = reason == kScheduled;
  if (stopped() || !run.started || run.rolling_back || run.halted || (run.done && !scheduled)) return;
  run.rolling_back = true;
  DeploymentRecord& record = records_[d];
  record.rollback_start = kernel_.now();
  record.rollback_reason = std::move(reason);
  // Nodes mid-restart come back on the previous build; the rest on the new one restart again.
  std::vector<Member>& members = fleet(d);
  const BuildSpec* build = &scenario_.deployments[d].build;
  for (std::size_t i = 0; i < run.next; ++i) {
    const std::size_t m = run.order[i];
    if (!members[m].restarting && members[m].d.build->spec() == build) run.rollback_queue.push_back(m);
  }
  std::reverse(run.rollback_queue.begin(), run.rollback_queue.end());  // popped from the back: deployment order
  if (run.in_flight == 0) next_rollback_batch(d);
}

void Deployer::next_rollback_batch(std::size_t d) {
  Run& run = runs_[d];
  if (stopped() || run.halted) return;
  if (run.rollback_queue.empty()) {
    if (run.in_flight == 0 && run.crashed == 0 && !records_[d].rollback_end) {
      records_[d].rollback_end = kernel_.now();
      run.done = true;
    }
    return;
  }
  std::uint32_t started = 0;
  while (!run.rollback_queue.empty() && started < scenario_.deployments[d].rollback_at_once) {
    const std::size_t m = run.rollback_queue.back();
    run.rollback_queue.pop_back();
    ++started;
    ++run.in_flight;
    restart(d, m, [this, d] {
      Run& r = runs_[d];
      if (--r.in_flight == 0) next_rollback_batch(d);
    });
  }
}

void Deployer::restart(std::size_t d, std::size_t m, std::function<void()> done) {
  const DeploymentSpec& spec = scenario_.deployments[d];
  Member& member = fleet(d)[m];
  if (member.restarting) {
    // Another deployment (or a crash) restarts it now: this restart follows that one.
    member.queued.push_back([this, d, m, done = std::move(done)]() mutable { restart(d, m, std::move(done)); });
    return;
  }
  member.restarting = true;
  ++records_[d].restarts;
  if (!spec.drain || !member.d.drain || !member.d.node->powered()) return power_cycle(d, m, std::move(done));
  member.d.drain();
  // A storage node waits for its handoffs (a leader with a change in flight retries each tick),
  // an election timeout at most; a router waits out a client's attempt.
  const sim::Time deadline = kernel_.now() + (member.d.drained ? scenario_.replication.election_timeout()
                                                               : scenario_.client.attempt_timeout);
  struct Poll {
    Deployer* self;
    std::size_t d, m;
    sim::Time deadline;
    std::function<void()> done;
    void operator()() {
      if (self->stopped()) return;
      Member& mem = self->fleet(d)[m];
      const bool drained = !mem.d.node->powered() || (mem.d.drained && mem.d.drained());
      const sim::Time now = self->kernel_.now();
      if (!drained && now < deadline) {
        self->kernel_.after(mem.d.drained ? std::min(kDrainPoll, deadline - now) : deadline - now,
                            sim::Tag{self->actor_, self->step_}, std::move(*this));
        return;
      }
      if (!drained && mem.d.drained) ++self->records_[d].drains_timed_out;
      self->power_cycle(d, m, std::move(done));
    }
  };
  Poll{this, d, m, deadline, std::move(done)}();
}

void Deployer::power_cycle(std::size_t d, std::size_t m, std::function<void()> done) {
  Member& member = fleet(d)[m];
  if (!member.held) faults_.hold_down(*member.d.node);  // a node that failed to start is held already
  member.held = true;
  kernel_.after(scenario_.deployments[d].restart_time, sim::Tag{actor_, step_}, [this, d, m, done = std::move(done)] {
    if (stopped()) return;
    power_cycle_done(d, m);
    done();
    // A restart asked for meanwhile runs now.
    Member& after = fleet(d)[m];
    if (!after.queued.empty() && !after.restarting) {
      std::function<void()> next = std::move(after.queued.front());
      after.queued.pop_front();
      next();
    }
  });
}

void Deployer::power_cycle_done(std::size_t d, std::size_t m) {
  Member& mem = fleet(d)[m];
  Run& run = runs_[d];
  if (run.previous.size() < fleet(d).size()) run.previous.resize(fleet(d).size(), nullptr);
  const BuildSpec* build = &scenario_.deployments[d].build;
  if (mem.d.build->spec() != build) run.previous[m] = mem.d.build->spec();
  // Rolling back, a node gets the build it ran before this deployment.
  const BuildSpec* target = run.rolling_back ? run.previous[m] : build;
  const BuildSpec* prior = mem.d.build->spec();
  mem.d.build->install(target);
  ++mem.epoch;
  mem.restarting = false;
  if (mem.d.can_start && !mem.d.can_start(target)) {
    // It cannot read its own log: it stays down until a build that can is installed (the
    // report counts it; the run's final heal powers it on regardless).
    if (!mem.failed) {
      ++records_[d].failed_starts;
      mem.last_good = prior;  // it read its log on this one
    }
    mem.failed = true;
    // The pipeline halts at a node that fails its start: no more batches, forward or back.
    if (!run.halted) {
      run.halted = true;
      records_[d].halted = kernel_.now();
    }
    return;
  }
  mem.failed = false;
  mem.held = false;
  faults_.release(*mem.d.node);
  if (mem.d.rejoin) mem.d.rejoin();
  if (target == build && !records_[d].first_on_build) records_[d].first_on_build = kernel_.now();
  if (target == build) schedule_crash(d, m);
}

void Deployer::schedule_crash(std::size_t d, std::size_t m) {
  const BuildSpec& build = scenario_.deployments[d].build;
  if (build.crashes_per_hour <= 0.0) return;
  const auto mean = sim::Duration::from_nanos(static_cast<std::int64_t>(3600e9 / build.crashes_per_hour));
  const sim::Duration wait = sim::DurationDistribution::exponential(sim::Duration::zero(), mean).sample(*rng_);
  const std::uint64_t epoch = fleet(d)[m].epoch;
  kernel_.after(wait, sim::Tag{actor_, step_}, [this, d, m, epoch] {
    Member& mem = fleet(d)[m];
    // A node the rollback will restart anyway does not crash meanwhile.
    if (stopped() || mem.epoch != epoch || mem.restarting || mem.failed || runs_[d].rolling_back) return;
    // The build crashes the node: down for a restart, back on the same build, unless a rollback
    // started meanwhile (the restart then installs the previous build).
    ++records_[d].crashes;
    mem.restarting = true;
    ++runs_[d].crashed;
    power_cycle(d, m, [this, d] {
      Run& r = runs_[d];
      if (--r.crashed == 0 && r.rolling_back && r.in_flight == 0) next_rollback_batch(d);
    });
  });
}

std::uint64_t Deployer::build_errors(DeploymentSpec::Role role) const {
  std::uint64_t n = 0;
  for (const Member& m : fleets_[static_cast<std::size_t>(role)]) n += m.d.build->errors();
  return n;
}

void Deployer::finish() {
  // Operators put a node that could not start back on the build it last ran, so the final heal
  // brings back a node that reads its own log (and the counts below say what runs through it); a
  // drain the end cut short is called off.
  for (auto& role : fleets_)
    for (Member& m : role) {
      if (m.failed) m.d.build->install(m.last_good);
      if (m.restarting && m.d.rejoin) m.d.rejoin();
    }
  for (std::size_t d = 0; d < records_.size(); ++d) {
    const BuildSpec* build = &scenario_.deployments[d].build;
    std::uint32_t on = 0;
    for (const Member& m : fleet(d)) on += m.d.build->spec() == build ? 1 : 0;
    records_[d].on_build_at_end = on;
  }
}

}  // namespace models::ops
