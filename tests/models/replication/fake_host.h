// A Host for tests of the consensus rules without a kernel: it records every effect the rules
// ask for (messages, disk writes, timers) and what they report, and answers the control-plane
// questions from fields a test sets.
#pragma once

#include "models/replication/host.h"
#include "models/replication/rules.h"

#include <map>
#include <vector>

namespace models::replication::testing {

struct SentMessage {
  sim::NodeId to;
  Message message;
};

struct StartedTimer {
  TimerKind kind;
  sim::Duration delay;
  std::uint64_t token;
};

class FakeHost final : public Host {
 public:
  explicit FakeHost(sim::NodeId id) : id_(id) {}

  sim::NodeId self() const override { return id_; }
  sim::Time now() const override { return clock; }
  const ReplicationSpec& spec() const override { return replication; }
  PlantedBug bug() const override { return planted; }
  Observer* observer() override { return watcher; }
  std::uint64_t random_below(std::uint64_t) override { return 0; }
  std::uint64_t next_serial() override { return ++serial; }

  void send(sim::NodeId to, Message message) override { sent.push_back({to, std::move(message)}); }
  void send_after(sim::Duration, sim::NodeId to, Message message) override { sent.push_back({to, std::move(message)}); }
  void persist(Replica& r) override { writes.push_back(r.d.log.newest_write()); }
  void apply_when_landed(const Replica&) override {}  // the tests land writes with on_written
  void start_timer(const Replica&, TimerKind kind, sim::Duration delay, std::uint64_t token) override {
    timers.push_back({kind, delay, token});
  }
  void splits_staged(Replica&) override {}
  void drop_soon(const Replica&) override { ++drops; }
  void drop_removed(const Replica&) override { ++drops; }
  void applied(Replica&, Slot from, Slot to) override { applied_ranges.push_back({from, to}); }
  void serving_changed(Replica&, bool serving) override { is_serving = serving; }
  void leadership_ended(Replica&) override { ++leaderships_ended; }
  void election_started(const Replica&) override { ++elections; }
  void election_won(const Replica&) override { ++wins; }
  void replacement_done(const Replica&, const Change& change) override { done.push_back(change); }
  void handed_off(const Replica&, sim::NodeId to) override { handed_to = to; }
  sim::NodeId replacement_for(const Replica&, sim::NodeId) override { return replacement; }
  sim::Duration copy_time(const Replica&, bool) const override { return sim::seconds(1); }
  sim::Duration replay_time(const Replica&, Slot) const override { return sim::Duration::zero(); }
  sim::Time granted_to(sim::NodeId leader) const override { return lookup(grants_given, leader); }
  sim::Time granted_by(sim::NodeId peer) const override { return lookup(grants_received, peer); }
  sim::Time heard_from(sim::NodeId leader) const override { return lookup(heard, leader); }
  sim::Time acked_by(sim::NodeId peer) const override { return lookup(acked, peer); }
  void roles_changed(Replica&) override { ++role_changes; }
  void owe_items(const Replica&, const NodeList& peers, bool soon) override {
    items_owed += static_cast<int>(peers.size());
    if (soon) ++heartbeats_now;
  }

  // Messages of type M sent so far, with their addressees.
  template <class M>
  std::vector<std::pair<sim::NodeId, M>> sent_of() const {
    std::vector<std::pair<sim::NodeId, M>> out;
    for (const SentMessage& s : sent)
      if (const M* m = std::get_if<M>(&s.message)) out.push_back({s.to, *m});
    return out;
  }
  // Completes every disk write asked for so far.
  void finish_writes(Replica& r) {
    if (!writes.empty()) rules::on_written(r, *this, writes.back());
    writes.clear();
  }

  sim::Time clock = sim::Time::zero() + sim::seconds(100);
  ReplicationSpec replication;
  PlantedBug planted = PlantedBug::none;
  Observer* watcher = nullptr;
  std::uint64_t serial = 0;
  sim::NodeId replacement = kNoNode;

  std::vector<SentMessage> sent;
  std::vector<std::uint64_t> writes;
  std::vector<StartedTimer> timers;
  std::vector<std::pair<Slot, Slot>> applied_ranges;
  std::vector<Change> done;
  bool is_serving = false;
  int leaderships_ended = 0;
  int elections = 0;
  int wins = 0;
  int drops = 0;
  sim::NodeId handed_to = kNoNode;
  // The node's links, as a test sets them.
  std::map<sim::NodeId, sim::Time> grants_given, grants_received, heard, acked;
  int role_changes = 0;
  int items_owed = 0;
  int heartbeats_now = 0;

 private:
  static sim::Time lookup(const std::map<sim::NodeId, sim::Time>& m, sim::NodeId node) {
    const auto it = m.find(node);
    return it == m.end() ? sim::Time() : it->second;
  }
  sim::NodeId id_;
};

}  // namespace models::replication::testing
