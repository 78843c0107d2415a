// A simulated machine: a name, an AZ, a power state and an incarnation. Volatile state dies
// with power; everything else a node holds stands for its disk. Models derive their actors.
#pragma once

#include "sim/clock.h"
#include "sim/kernel.h"
#include "sim/time.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sim {

class Network;
using NodeId = std::uint32_t;
using AzId = std::uint32_t;

class VolatileBase {
 public:
  virtual void reset() = 0;

 protected:
  ~VolatileBase() = default;
};

class Node {
 public:
  // Registers the node with the network; it starts powered on.
  Node(Network& network, std::string name, AzId az, std::string role, bool is_client = false);
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  NodeId id() const { return id_; }
  AzId az() const { return az_; }
  const std::string& name() const { return name_; }
  const std::string& role() const { return role_; }
  bool is_client() const { return is_client_; }
  ActorId actor() const { return actor_; }
  bool powered() const { return powered_; }
  // Counts power cycles: events and replies addressed to an older incarnation are dropped.
  std::uint32_t incarnation() const { return incarnation_; }

  // Losing power cancels the node's timers and wipes its volatile state.
  void power_off();
  // Power returns: the node starts a new incarnation and recovers from what it kept.
  void power_on();

  Kernel& kernel() const { return *kernel_; }
  Network& network() const { return *network_; }
  // The node's own random stream ("node/<name>"), for draws the node's logic makes.
  Rng& rng() const { return *rng_; }
  // The stream the network draws this node's outgoing latencies and losses from.
  Rng& network_rng() const { return *network_rng_; }

  // The node's clock (sim/clock.h): its reading now, and the clock itself for faults.
  Time local_now() const { return clock_.read(kernel_->now()); }
  const Clock& clock() const { return clock_; }
  Clock& clock() { return clock_; }

  // Runs f once the node's clock advanced by `delay`, unless the node lost power in between (a
  // timer of this incarnation).
  template <class F>
  EventId after(Duration delay, KindId kind, F&& f) {
    return kernel_->after(clock_.true_delay(delay), Tag{actor_, kind},
                          Guarded<std::decay_t<F>>{this, incarnation_, std::forward<F>(f)});
  }

  // As after(), for a delay already in true time (a finish computed from the node's clock).
  template <class F>
  EventId after_true(Duration delay, KindId kind, F&& f) {
    return kernel_->after(delay, Tag{actor_, kind}, Guarded<std::decay_t<F>>{this, incarnation_, std::forward<F>(f)});
  }

  void register_volatile(VolatileBase* state) { volatile_state_.push_back(state); }

  // The work a message of `kind` costs this node before its handler runs (a router parsing a
  // request), on the node's clock: the network draws it as the message is sent and adds it to the
  // flight, so the handler runs once, with the work done, instead of on arrival and again when
  // the work is done (one event, not two). A power cycle in between loses the message, as it
  // would have lost the work; a pause of the receiver overlaps the work (the message waits out
  // the pause, then runs at once). Zero unless the node declared inbound work.
  Duration inbound_work(KindId kind) {
    return has_inbound_work_ ? clock_.true_delay(inbound_work_delay(kind)) : Duration::zero();
  }

 protected:
  // Hooks for models: called after the volatile state was reset / before the node serves.
  virtual void on_power_off() {}
  virtual void on_power_on() {}
  // A node whose handlers model work before they run overrides inbound_work_delay and calls
  // declare_inbound_work() once (the other nodes' messages skip the virtual call).
  void declare_inbound_work() { has_inbound_work_ = true; }
  virtual Duration inbound_work_delay(KindId /*kind*/) { return Duration::zero(); }

 private:
  template <class F>
  struct Guarded {
    Node* node;
    std::uint32_t incarnation;
    F f;
    void operator()() {
      if (node->powered_ && node->incarnation_ == incarnation) f();
    }
    void describe(std::string& out) const { detail::describe_payload(f, out); }
  };

  Kernel* kernel_;
  Network* network_;
  std::string name_;
  std::string role_;
  NodeId id_ = 0;
  AzId az_;
  ActorId actor_;
  bool is_client_;
  bool has_inbound_work_ = false;
  bool powered_ = true;
  std::uint32_t incarnation_ = 0;
  Rng* rng_;
  Rng* network_rng_;
  Clock clock_;
  std::vector<VolatileBase*> volatile_state_;
};

// State a node keeps in memory only: reset to its initial value when the node loses power.
template <class T>
class Volatile final : public VolatileBase {
 public:
  template <class... Args>
  explicit Volatile(Node& owner, Args&&... initial) : initial_(std::forward<Args>(initial)...), value_(initial_) {
    owner.register_volatile(this);
  }
  Volatile(const Volatile&) = delete;
  Volatile& operator=(const Volatile&) = delete;

  T& operator*() { return value_; }
  const T& operator*() const { return value_; }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }
  void reset() override { value_ = initial_; }

 private:
  T initial_;
  T value_;
};

}  // namespace sim
