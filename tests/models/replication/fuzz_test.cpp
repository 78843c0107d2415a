// The consensus rules alone under hostile schedules, without the kernel: 3 to 5 nodes hosting one
// group, a seeded schedule that delivers messages in any order, drops and duplicates them,
// completes disk writes, fires timers, ticks nodes, crashes nodes (losing what was not on disk)
// and brings them back, proposes writes and moves the leader's replica (healing replaces crashed
// members by itself). The safety monitors watch every step; after each step a whole-cluster
// oracle checks the replicas' own invariants; at the end every node comes back, the schedule
// turns friendly, and the group must converge. A failing schedule prints its seed and its last
// actions; DDBSIM_FUZZ_SEED=<seed> replays that one schedule with every action printed.
#include "models/monitors/safety_monitor.h"
#include "models/replication/links.h"
#include "models/replication/rules.h"
#include "sim/rng.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace models::replication;
using models::monitors::SafetyMonitor;

namespace {

constexpr GroupId kGroup = 0;

struct Envelope {
  sim::NodeId from;
  sim::NodeId to;
  std::optional<Message> message;
  std::optional<NodeHeartbeat> heartbeat;
  std::optional<NodeHeartbeatAck> ack;
};

template <class M>
const char* message_name() {
  if constexpr (std::is_same_v<M, AcceptMessage>) return "accept";
  else if constexpr (std::is_same_v<M, AcceptedMessage>) return "accepted";
  else if constexpr (std::is_same_v<M, PrepareMessage>) return "prepare";
  else if constexpr (std::is_same_v<M, PromiseMessage>) return "promise";
  else if constexpr (std::is_same_v<M, LeaderCheckMessage>) return "leader check";
  else if constexpr (std::is_same_v<M, LeaderCheckReply>) return "leader check reply";
  else if constexpr (std::is_same_v<M, CatchUpRequest>) return "catch-up request";
  else if constexpr (std::is_same_v<M, CatchUpMessage>) return "catch-up";
  else if constexpr (std::is_same_v<M, ReplicaReadyMessage>) return "replica ready";
  else if constexpr (std::is_same_v<M, SnapshotInstalledMessage>) return "snapshot installed";
  else if constexpr (std::is_same_v<M, LeadershipTransferMessage>) return "leadership transfer";
  else return "other";
}

struct PendingTimer {
  sim::NodeId node;
  std::uint64_t replica_serial;
  TimerKind kind;
  std::uint64_t token;
  sim::Time due;
};

class Harness;

class NodeHost final : public Host {
 public:
  NodeHost(Harness& harness, sim::NodeId id) : harness_(harness), id_(id) {}
  sim::NodeId self() const override { return id_; }
  sim::Time now() const override;
  const models::ReplicationSpec& spec() const override;
  Observer* observer() override;
  std::uint64_t random_below(std::uint64_t n) override;
  std::uint64_t next_serial() override;
  void send(sim::NodeId to, Message message) override;
  void send_after(sim::Duration, sim::NodeId to, Message message) override { send(to, std::move(message)); }
  void persist(Replica& r) override;
  void apply_when_landed(const Replica&) override {}  // every landing here runs on_written
  void start_timer(const Replica& r, TimerKind kind, sim::Duration delay, std::uint64_t token) override;
  void splits_staged(Replica&) override {}
  void drop_soon(const Replica& r) override;
  void drop_removed(const Replica& r) override;
  void applied(Replica& r, Slot from, Slot to) override;
  void serving_changed(Replica&, bool) override {}
  void leadership_ended(Replica& r) override;
  void election_started(const Replica&) override {}
  void election_won(const Replica&) override {}
  void replacement_done(const Replica&, const Change&) override {}
  void handed_off(const Replica&, sim::NodeId) override {}
  sim::NodeId replacement_for(const Replica& r, sim::NodeId member) override;
  sim::Duration copy_time(const Replica&, bool) const override { return sim::millis(50); }
  sim::Duration replay_time(const Replica&, Slot) const override { return sim::Duration::zero(); }
  sim::Time granted_to(sim::NodeId leader) const override;
  sim::Time granted_by(sim::NodeId peer) const override;
  sim::Time heard_from(sim::NodeId leader) const override;
  sim::Time acked_by(sim::NodeId peer) const override;
  void roles_changed(Replica& r) override;
  void owe_items(const Replica& r, const NodeList& peers, bool soon) override;

 private:
  Harness& harness_;
  sim::NodeId id_;
};

struct FuzzNode {
  bool up = true;
  Links links;
  std::uint32_t incarnation = 0;
  std::unique_ptr<Replica> replica;
  std::deque<std::uint64_t> disk;  // writes handed to the disk, completed in order
  std::map<Slot, bool> proposed;   // writes this node proposed as leader, by slot, awaiting apply
  bool drop_pending = false;
  bool drop_whatever = false;
};

class Harness {
 public:
  Harness(std::uint64_t seed, std::size_t node_count, bool verbose)
      : rng_(seed), verbose_(verbose), monitor_([this] { return clock_; }, world(), false) {
    spec_.heartbeat_interval = sim::millis(100);
    spec_.missed_heartbeats = 3;
    spec_.lease = sim::millis(250);
    spec_.log_entries_kept = 6;  // small: trims, and so snapshots, happen
    spec_.log_replicas = rng_.below(2) == 0;
    spec_.confirm_with_peers = rng_.below(2) == 0;
    for (std::size_t i = 0; i < node_count; ++i) {
      nodes_.emplace_back();
      hosts_.push_back(std::make_unique<NodeHost>(*this, static_cast<sim::NodeId>(i)));
    }
    Membership m;
    m.nodes = {0, 1, 2};
    m.storage_mask = 0b111;
    m.epoch = 1;
    for (sim::NodeId n = 0; n < 3; ++n) create_replica(n, m, true);
    monitor_.group_created(kGroup, m);
  }

  void run(std::size_t steps);
  void heal_and_check();
  const std::vector<std::string>& actions() const { return actions_; }

  // ---- what NodeHost forwards ----
  sim::Time clock_ = sim::Time::zero() + sim::seconds(1);
  models::ReplicationSpec spec_;
  SafetyMonitor& monitor() { return monitor_; }
  std::string describe() const;
  std::uint64_t below(std::uint64_t n) { return rng_.below(n); }
  std::uint64_t serial() { return ++serial_; }
  void post(sim::NodeId from, sim::NodeId to, Message message) { bag_.push_back({from, to, std::move(message), {}, {}}); }
  Links& links(sim::NodeId node) { return nodes_[node].links; }
  const Links& links(sim::NodeId node) const { return nodes_[node].links; }
  Links::Lookup lookup(sim::NodeId node) {
    return [this, node](GroupId, std::uint32_t) { return nodes_[node].replica.get(); };
  }
  void heartbeat(sim::NodeId from, sim::NodeId to) {
    bag_.push_back({from, to, {}, links(from).heartbeat_for(to, clock_, lookup(from)), {}});
  }
  void disk_write(sim::NodeId node, std::uint64_t write) { nodes_[node].disk.push_back(write); }
  void timer(sim::NodeId node, const Replica& r, TimerKind kind, sim::Duration delay, std::uint64_t token) {
    timers_.push_back({node, r.serial, kind, token, clock_ + delay});
  }
  // As a storage node does: by an event of its own, and only a replica that no configuration it
  // knows names (unless a newer member said it was removed).
  void drop(sim::NodeId node, bool whatever_it_believes) {
    nodes_[node].drop_pending = true;
    nodes_[node].drop_whatever = nodes_[node].drop_whatever || whatever_it_believes;
  }
  void writes_applied(sim::NodeId node, Replica& r, Slot from, Slot to) {
    auto& proposed = nodes_[node].proposed;
    for (auto it = proposed.lower_bound(from); it != proposed.end() && it->first <= to; it = proposed.erase(it))
      if (r.v.role == Role::leader) monitor_.acknowledged(node, r, it->first);
  }
  void writes_failed(sim::NodeId node) { nodes_[node].proposed.clear(); }
  sim::NodeId spare_for(const Replica& r) {
    std::vector<sim::NodeId> spares;
    for (sim::NodeId n = 0; n < nodes_.size(); ++n)
      if (nodes_[n].up && !r.d.membership.contains(n) &&
          (!nodes_[n].replica || rules::replaceable(*nodes_[n].replica, n, r.d.membership.epoch)) &&
          std::none_of(r.v.changes.begin(), r.v.changes.end(), [n](const Change& c) { return c.target == n; }))
        spares.push_back(n);
    return spares.empty() ? kNoNode : spares[rng_.below(spares.size())];
  }

 private:
  models::monitors::World world() {
    models::monitors::World w;
    w.replica = [this](sim::NodeId node, GroupId) -> const Replica* {
      return node < nodes_.size() ? nodes_[node].replica.get() : nullptr;
    };
    w.nodes.name = [](sim::NodeId node) { return fmt::format("n{}", node); };
    w.nodes.az = [](sim::NodeId node) { return static_cast<sim::AzId>(node); };
    w.nodes.powered = [this](sim::NodeId node) { return nodes_[node].up; };
    w.all_replicas = [this] {
      std::vector<models::monitors::PlacedReplica> all;
      for (sim::NodeId n = 0; n < nodes_.size(); ++n)
        if (nodes_[n].replica) all.push_back({n, nodes_[n].replica.get()});
      return all;
    };
    return w;
  }
  void create_replica(sim::NodeId n, const Membership& m, bool storage) {
    auto r = std::make_unique<Replica>();
    r->group = kGroup;
    r->serial = serial();
    r->d.membership = m;
    r->d.joined = m.contains(n);
    r->d.storage = storage;
    r->v.leader_contact = clock_;
    nodes_[n].replica = std::move(r);
  }

 public:
  void say(std::string line) {
    if (verbose_) fmt::print("{:>10.6f}  {}\n", clock_.seconds_double(), line);
    actions_.push_back(fmt::format("{:.6f} {}", clock_.seconds_double(), std::move(line)));
    if (actions_.size() > 60) actions_.erase(actions_.begin());
  }

 private:
  void deliver(Envelope e);
  void tick(sim::NodeId n);
  void crash(sim::NodeId n);
  void restart(sim::NodeId n);
  void propose(sim::NodeId n);
  void finish_disk(sim::NodeId n);
  bool fire_timer(bool due_only);
  void finish_drops();
  void oracle();

  sim::Rng rng_;
  bool verbose_;
  std::uint64_t serial_ = 0;
  std::uint64_t next_write_ = 1;
  std::vector<FuzzNode> nodes_;
  std::vector<std::unique_ptr<NodeHost>> hosts_;
  std::vector<Envelope> bag_;
  std::vector<PendingTimer> timers_;
  std::vector<std::string> actions_;
  SafetyMonitor monitor_;
};

sim::Time NodeHost::now() const { return harness_.clock_; }
const models::ReplicationSpec& NodeHost::spec() const { return harness_.spec_; }
Observer* NodeHost::observer() { return &harness_.monitor(); }
std::uint64_t NodeHost::random_below(std::uint64_t n) { return harness_.below(n); }
std::uint64_t NodeHost::next_serial() { return harness_.serial(); }
void NodeHost::send(sim::NodeId to, Message message) { harness_.post(id_, to, std::move(message)); }
void NodeHost::persist(Replica& r) { harness_.disk_write(id_, r.d.log.newest_write()); }
void NodeHost::start_timer(const Replica& r, TimerKind kind, sim::Duration delay, std::uint64_t token) {
  harness_.timer(id_, r, kind, delay, token);
}
void NodeHost::drop_soon(const Replica&) { harness_.drop(id_, false); }
void NodeHost::drop_removed(const Replica&) { harness_.drop(id_, true); }
void NodeHost::applied(Replica& r, Slot from, Slot to) { harness_.writes_applied(id_, r, from, to); }
sim::Time NodeHost::granted_to(sim::NodeId leader) const { return harness_.links(id_).granted_to(leader); }
sim::Time NodeHost::granted_by(sim::NodeId peer) const { return harness_.links(id_).granted_by(peer); }
sim::Time NodeHost::heard_from(sim::NodeId leader) const { return harness_.links(id_).heard_from(leader); }
sim::Time NodeHost::acked_by(sim::NodeId peer) const { return harness_.links(id_).acked_by(peer); }
void NodeHost::roles_changed(Replica& r) {
  if (r.links.leader != r.v.leader_node || r.links.ballot != r.v.leader_ballot)
    harness_.say(fmt::format("n{} now {} ballot {}.{} of n{}", id_, r.v.role == Role::leader ? "leads" : r.v.role == Role::candidate ? "runs with" : "follows", r.v.leader_ballot.round(), r.v.leader_ballot.node(), static_cast<std::int64_t>(r.v.leader_node == kNoNode ? -1 : r.v.leader_node)));
  harness_.links(id_).relink(r, id_, rules::replication_targets(r, id_));
}
void NodeHost::owe_items(const Replica& r, const NodeList& peers, bool soon) {
  harness_.links(id_).owe_items(r, peers);
  if (soon)
    for (sim::NodeId peer : peers) harness_.heartbeat(id_, peer);
}
void NodeHost::leadership_ended(Replica&) { harness_.writes_failed(id_); }
sim::NodeId NodeHost::replacement_for(const Replica& r, sim::NodeId) { return harness_.spare_for(r); }

void Harness::deliver(Envelope e) {
  FuzzNode& node = nodes_[e.to];
  if (!node.up) return;
  NodeHost& host = *hosts_[e.to];
  if (e.heartbeat) {
    say(fmt::format("n{} <- n{} heartbeat ({} items)", e.to, e.from, e.heartbeat->items.size()));
    if (std::optional<NodeHeartbeatAck> ack = node.links.on_heartbeat(e.from, *e.heartbeat, lookup(e.to), host))
      bag_.push_back({e.to, e.from, {}, {}, std::move(*ack)});
    return;
  }
  if (e.ack) {
    say(fmt::format("n{} <- n{} heartbeat ack ({} changes)", e.to, e.from, e.ack->changes.size()));
    node.links.on_ack(e.from, *e.ack, lookup(e.to), host);
    return;
  }
  Message& m = *e.message;
  if (auto* build = std::get_if<BuildReplicaMessage>(&m)) {
    say(fmt::format("n{} <- n{} build replica (storage {})", e.to, e.from, build->storage));
    if (!node.replica) create_replica(e.to, Membership{}, false);
    post(e.to, e.from, ReplicaReadyMessage{kGroup, build->storage, build->attempt});
    return;
  }
  if (std::holds_alternative<AbandonReplicaMessage>(m)) {
    if (node.replica && node.replica->v.role != Role::leader && !rules::is_voter(*node.replica, e.to)) {
      say(fmt::format("n{} drops the replica of an abandoned replacement", e.to));
      monitor_.replica_dropped(kGroup, e.to);
      node.links.forget(*node.replica);
      node.replica.reset();
      node.disk.clear();
    }
    return;
  }
  if (!node.replica) return;
  Replica& r = *node.replica;
  std::visit(
      [&](auto& msg) {
        using M = std::decay_t<decltype(msg)>;
        std::string what = message_name<M>();
        if constexpr (requires { msg.slot; }) what += fmt::format(" slot {}", msg.slot);
        if constexpr (requires { msg.ballot; }) what += fmt::format(" ballot {}.{}", msg.ballot.round(), msg.ballot.node());
        if constexpr (requires { msg.persisted; }) what += fmt::format(" persisted {}", msg.persisted);
        if constexpr (requires { msg.refusal; }) what += fmt::format(" refusal {} ({} entries from {})", static_cast<int>(msg.refusal), msg.entries.size(), msg.from);
        if constexpr (requires { msg.applied; msg.epoch; }) what += fmt::format(" applied {}", msg.applied);
        if constexpr (requires { msg.snapshot; }) what += fmt::format(" from {} ({} entries{})", msg.from, msg.entries.size(), msg.snapshot ? ", snapshot" : "");
        say(fmt::format("n{} <- n{} {}", e.to, e.from, what));
        if constexpr (std::is_same_v<M, AcceptMessage>) rules::on_accept(r, host, msg, e.from);
        else if constexpr (std::is_same_v<M, AcceptedMessage>) rules::on_accepted(r, host, msg, e.from);
        else if constexpr (std::is_same_v<M, PrepareMessage>) post(e.to, e.from, rules::on_prepare(r, host, msg, e.from));
        else if constexpr (std::is_same_v<M, PromiseMessage>) rules::on_promise(r, host, msg, e.from);
        else if constexpr (std::is_same_v<M, LeaderCheckMessage>) post(e.to, e.from, rules::on_leader_check(r, host, msg));
        else if constexpr (std::is_same_v<M, LeaderCheckReply>) rules::on_leader_check_reply(r, host, msg);
        else if constexpr (std::is_same_v<M, CatchUpRequest>) rules::on_catch_up_request(r, host, msg, e.from);
        else if constexpr (std::is_same_v<M, CatchUpMessage>) rules::on_catch_up(r, host, msg, e.from);
        else if constexpr (std::is_same_v<M, ReplicaReadyMessage>) rules::on_replica_ready(r, host, msg, e.from);
        else if constexpr (std::is_same_v<M, SnapshotInstalledMessage>) rules::on_snapshot_installed(r, host, msg, e.from);
        else if constexpr (std::is_same_v<M, LeadershipTransferMessage>) rules::on_leadership_transfer(r, host, msg, e.from);
        else if constexpr (std::is_same_v<M, ReplicaDamagedMessage>) rules::on_replica_damaged(r, host, e.from);
        else if constexpr (std::is_same_v<M, BuildReplicaMessage> || std::is_same_v<M, SplitReadyMessage> ||
                             std::is_same_v<M, AbandonReplicaMessage>) {
        } else static_assert(sizeof(M) == 0);
      },
      m);
}

void Harness::tick(sim::NodeId n) {
  FuzzNode& node = nodes_[n];
  if (!node.up || !node.replica) return;
  say(fmt::format("n{} tick", n));
  for (sim::NodeId peer : node.links.heartbeat_peers()) heartbeat(n, peer);
  rules::on_tick(*node.replica, *hosts_[n]);
}

void Harness::crash(sim::NodeId n) {
  FuzzNode& node = nodes_[n];
  say(fmt::format("n{} crashes", n));
  node.up = false;
  node.disk.clear();
  node.proposed.clear();
  std::erase_if(timers_, [n](const PendingTimer& t) { return t.node == n; });
  std::vector<Replica*> all;
  if (node.replica) all.push_back(node.replica.get());
  node.links.restart(++node.incarnation, all);
  if (node.replica) node.replica->restart(clock_);
}

void Harness::restart(sim::NodeId n) {
  FuzzNode& node = nodes_[n];
  say(fmt::format("n{} restarts", n));
  node.up = true;
  if (!node.replica) return;
  node.replica->v.leader_contact = clock_;
  drop(n, false);
}

void Harness::propose(sim::NodeId n) {
  FuzzNode& node = nodes_[n];
  if (!node.up || !node.replica || !rules::serving(*node.replica, *hosts_[n], clock_)) return;
  Replica& r = *node.replica;
  monitor_.served(n, r);
  if (rng_.below(3) == 0 || rules::moving_out(r)) return;  // a strongly consistent read
  LogEntry e;
  e.kind = EntryKind::write;
  e.key = rng_.below(4);
  e.write = next_write_++;
  e.version = rules::next_version(r, e.key);
  r.v.pending_versions[e.key] = e.version;
  const Slot slot = rules::propose(r, *hosts_[n], e);
  node.proposed[slot] = true;
  say(fmt::format("n{} proposes write {} of key {} v{} at slot {}", n, e.write, e.key, e.version, slot));
}

void Harness::finish_disk(sim::NodeId n) {
  FuzzNode& node = nodes_[n];
  if (!node.up || node.disk.empty() || !node.replica) return;
  const std::uint64_t write = node.disk.front();
  node.disk.pop_front();
  say(fmt::format("n{} disk write {} done", n, write));
  rules::on_written(*node.replica, *hosts_[n], write);
}

bool Harness::fire_timer(bool due_only) {
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < timers_.size(); ++i)
    if (!due_only || timers_[i].due <= clock_) ready.push_back(i);
  if (ready.empty()) return false;
  const PendingTimer t = timers_[ready[rng_.below(ready.size())]];
  std::erase_if(timers_, [&](const PendingTimer& x) { return x.node == t.node && x.token == t.token && x.kind == t.kind && x.due == t.due; });
  if (t.due > clock_) clock_ = t.due;
  FuzzNode& node = nodes_[t.node];
  if (!node.up || !node.replica || node.replica->serial != t.replica_serial) return true;
  say(fmt::format("n{} timer {} ({})", t.node, static_cast<int>(t.kind), t.token));
  rules::on_timer(*node.replica, *hosts_[t.node], t.kind, t.token);
  return true;
}

void Harness::finish_drops() {
  for (sim::NodeId n = 0; n < nodes_.size(); ++n) {
    FuzzNode& node = nodes_[n];
    if (!node.drop_pending) continue;
    const bool whatever = node.drop_whatever;
    node.drop_pending = node.drop_whatever = false;
    if (!node.up || !node.replica || node.replica->v.role == Role::leader) continue;
    if (!whatever && (!node.replica->d.joined || rules::is_voter(*node.replica, n))) continue;
    say(fmt::format("n{} drops its replica", n));
    monitor_.replica_dropped(kGroup, n);
    node.links.forget(*node.replica);
    node.replica.reset();
    node.disk.clear();
  }
}

// The replicas' own invariants, over the whole cluster, after every step.
void Harness::oracle() {
  std::map<std::uint64_t, sim::NodeId> leaders;  // by ballot
  for (sim::NodeId n = 0; n < nodes_.size(); ++n) {
    const Replica* r = nodes_[n].replica.get();
    if (r == nullptr) continue;
    INFO("node " << n);
    REQUIRE(r->d.log.persisted() <= r->d.log.last());
    REQUIRE(r->d.applied + 1 >= r->d.log.start());
    REQUIRE(r->d.applied <= std::max(r->v.commit, r->d.applied));
    REQUIRE(r->d.log.persisted() >= r->d.log.start() - 1);
    if (r->v.role == Role::leader) {
      REQUIRE(r->v.leader_node == n);
      REQUIRE(r->d.promised >= r->v.leader_ballot);
      const auto [it, fresh] = leaders.emplace(r->v.leader_ballot.raw(), n);
      REQUIRE(fresh);  // two leaders of one ballot
      REQUIRE(r->v.commit <= r->d.log.last());
    }
    if (r->d.storage)
      for (const auto& [key, versions] : r->d.items)
        for (std::size_t i = 1; i < versions.size(); ++i) REQUIRE(versions[i - 1].first < versions[i].first);
  }
}

void Harness::run(std::size_t steps) {
  const auto n = static_cast<sim::NodeId>(nodes_.size());
  for (std::size_t step = 0; step < steps; ++step) {
    const std::uint64_t roll = rng_.below(100);
    if (roll < 40) {
      if (!bag_.empty()) {
        const std::size_t i = rng_.below(bag_.size());
        Envelope e = std::move(bag_[i]);
        bag_.erase(bag_.begin() + static_cast<std::ptrdiff_t>(i));
        deliver(std::move(e));
      }
    } else if (roll < 43) {
      if (!bag_.empty()) {
        const std::size_t i = rng_.below(bag_.size());
        say(fmt::format("drop a message to n{}", bag_[i].to));
        bag_.erase(bag_.begin() + static_cast<std::ptrdiff_t>(i));
      }
    } else if (roll < 46) {
      if (!bag_.empty()) {
        const Envelope copy = bag_[rng_.below(bag_.size())];
        say(fmt::format("duplicate a message to n{}", copy.to));
        bag_.push_back(copy);
      }
    } else if (roll < 60) {
      finish_disk(static_cast<sim::NodeId>(rng_.below(n)));
    } else if (roll < 68) {
      clock_ += sim::Duration::from_nanos(static_cast<std::int64_t>(rng_.below(40'000'000)));
      fire_timer(true);
    } else if (roll < 80) {
      tick(static_cast<sim::NodeId>(rng_.below(n)));
    } else if (roll < 92) {
      propose(static_cast<sim::NodeId>(rng_.below(n)));
    } else if (roll < 94) {
      const auto victim = static_cast<sim::NodeId>(rng_.below(n));
      if (nodes_[victim].up) crash(victim);
    } else if (roll < 98) {
      const auto back = static_cast<sim::NodeId>(rng_.below(n));
      if (!nodes_[back].up) restart(back);
    } else {
      const auto leader = static_cast<sim::NodeId>(rng_.below(n));
      FuzzNode& node = nodes_[leader];
      if (node.up && node.replica && rules::serving(*node.replica, *hosts_[leader], clock_)) {
        const sim::NodeId target = spare_for(*node.replica);
        if (target != kNoNode) {
          say(fmt::format("n{} asked to move to n{}", leader, target));
          rules::on_move_request(*node.replica, *hosts_[leader], target);
        }
      }
    }
    finish_drops();
    oracle();
  }
}

void Harness::heal_and_check() {
  say("heal: every node up, no more loss or reordering");
  for (sim::NodeId n = 0; n < nodes_.size(); ++n)
    if (!nodes_[n].up) restart(n);
  const sim::Time end = clock_ + sim::seconds(60);
  sim::Time next_tick = clock_;
  while (clock_ < end) {
    while (!bag_.empty()) {
      Envelope e = std::move(bag_.front());
      bag_.erase(bag_.begin());
      deliver(std::move(e));
      finish_drops();
    }
    for (sim::NodeId n = 0; n < nodes_.size(); ++n)
      while (!nodes_[n].disk.empty()) finish_disk(n);
    while (fire_timer(true)) finish_drops();
    if (clock_ >= next_tick) {
      for (sim::NodeId n = 0; n < nodes_.size(); ++n) tick(n);
      next_tick = clock_ + spec_.heartbeat_interval;
    }
    if (bag_.empty()) clock_ += sim::millis(5);
    oracle();
  }
  monitor_.at_end({kGroup});
}

// Every replica's state, for a failing schedule's report.
std::string Harness::describe() const {
  const auto members = [](const Membership& m) {
    return fmt::format("epoch {} [n{}{} n{}{} n{}{}]", m.epoch, m.nodes[0], m.is_storage(0) ? "" : "(log)", m.nodes[1],
                       m.is_storage(1) ? "" : "(log)", m.nodes[2], m.is_storage(2) ? "" : "(log)");
  };
  std::string out;
  for (sim::NodeId n = 0; n < nodes_.size(); ++n) {
    const Replica* r = nodes_[n].replica.get();
    if (r == nullptr) {
      out += fmt::format("  n{}: no replica\n", n);
      continue;
    }
    out += fmt::format("  n{}: {} ballot {}.{} of n{} promised {}.{} commit {} matched {} applied {} membership {}\n", n,
                       r->v.role == Role::leader ? "leader" : r->v.role == Role::candidate ? "candidate" : "follower",
                       r->v.leader_ballot.round(), r->v.leader_ballot.node(), static_cast<std::int64_t>(r->v.leader_node == kNoNode ? -1 : r->v.leader_node),
                       r->d.promised.round(), r->d.promised.node(), r->v.commit, r->v.matched, r->d.applied,
                       members(r->d.membership));
    for (Slot s = r->d.log.start(); s <= r->d.log.last(); ++s) {
      const LogEntry& e = r->d.log.at(s);
      out += fmt::format("      slot {} ballot {}.{} {}{}\n", s, e.ballot.round(), e.ballot.node(),
                         e.kind == EntryKind::config ? "config " + members(e.membership())
                         : e.kind == EntryKind::write ? fmt::format("write {} key {} v{}", e.write, e.key, e.version)
                                                       : std::string(e.kind == EntryKind::noop ? "noop" : "other"),
                         r->d.log.durable(s, clock_) ? "" : " (not durable)");
    }
  }
  return out;
}

void run_schedule(std::uint64_t seed, bool verbose) {
  const std::size_t node_count = 3 + seed % 3;
  Harness harness(seed, node_count, verbose);
  bool passed = false;
  try {
    harness.run(1500);
    harness.heal_and_check();
    passed = !harness.monitor().any_violated();
  } catch (const models::monitors::SafetyViolation&) {
  }
  if (!passed) {
    std::string detail;
    for (std::size_t i = 0; i < models::monitors::kInvariantCount; ++i) {
      const auto& verdict = harness.monitor().verdict(static_cast<models::monitors::Invariant>(i));
      if (verdict.first) detail += verdict.first->detail + "\n";
    }
    std::string recent;
    for (const std::string& a : harness.actions()) recent += "  " + a + "\n";
    FAIL("fuzz schedule " << seed << " (" << node_count << " nodes) broke a safety rule:\n"
                          << detail << "last actions:\n" << recent << "replicas:\n" << harness.describe() << "replay: DDBSIM_FUZZ_SEED=" << seed
                          << " build/models_tests \"[fuzz]\"");
  }
}

}  // namespace

TEST_CASE("Fuzz: the consensus rules keep every safety rule under hostile schedules and converge after", "[fuzz]") {
  if (const char* one = std::getenv("DDBSIM_FUZZ_SEED")) {
    run_schedule(std::strtoull(one, nullptr, 10), true);
    return;
  }
  const std::uint64_t schedules = std::getenv("DDBSIM_FUZZ_SCHEDULES") ? std::strtoull(std::getenv("DDBSIM_FUZZ_SCHEDULES"), nullptr, 10) : 2000;
  for (std::uint64_t seed = 1; seed <= schedules; ++seed) run_schedule(seed, false);
}
