// The simulated network: every message between nodes goes through Network::send, which draws
// the link's latency, applies loss, partitions, gray links and injected latency, and delivers
// only to a powered node. A power-off loses the messages in flight to and from the node: one
// arriving at a node that lost power meanwhile (even if it is back), or sent by a node that
// lost power before it arrived (its NIC and socket buffers died with it), is dropped. Owns the registry of AZs and nodes; nodes own themselves.
#pragma once

#include "sim/distribution.h"
#include "sim/kernel.h"
#include "sim/node.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sim {

enum class LinkClass : std::uint8_t { same_az, cross_az, client_router };
inline constexpr std::size_t kLinkClassCount = 3;
std::string_view link_class_name(LinkClass link_class);

struct LinkConfig {
  DurationDistribution latency = DurationDistribution::constant(micros(500));
  double loss_probability = 0.0;
};

// How a message travels. A datagram may be duplicated by a duplicate rule; a message on a
// stream (a request or response of sim/rpc.h, standing for a TCP connection) arrives at most
// once: a connection never delivers a message twice, though it may lose or delay it.
enum class Transport : std::uint8_t { datagram, stream };

struct NetworkConfig {
  std::array<LinkConfig, kLinkClassCount> links{};
  LinkConfig& link(LinkClass c) { return links[static_cast<std::size_t>(c)]; }
  const LinkConfig& link(LinkClass c) const { return links[static_cast<std::size_t>(c)]; }
};

// A set of nodes named by AZ and/or by node: the sides of partitions and latency rules.
// `complement`: every node but those named (the far side of an isolation).
struct NodeSet {
  bool everyone = false;
  std::uint64_t az_mask = 0;     // bit i: every node of AZ i, including nodes added later
  std::vector<NodeId> nodes;     // sorted
  bool complement = false;

  static NodeSet all() { return NodeSet{true, 0, {}, false}; }
  static NodeSet of_az(AzId az) { return NodeSet{false, std::uint64_t{1} << az, {}, false}; }
  static NodeSet of_node(NodeId node) { return NodeSet{false, 0, {node}, false}; }
  NodeSet inverted() const {
    NodeSet out = *this;
    out.complement = !complement;
    return out;
  }
  bool contains(const Node& node) const;
  void add_node(NodeId node);
};

// One active disturbance of the network. A message from a node in `from` to a node in `to`
// (or the reverse, when symmetric) on a matching link class is dropped (always, or with
// probability `loss`), delayed (by `extra_latency` plus a uniform draw below `jitter`, which
// reorders messages), or delivered twice (with probability `duplicate`, the copy on a latency of
// its own). Only `drop` cuts a message already in flight: the others act when it is sent.
struct LinkRule {
  NodeSet from;
  NodeSet to;
  bool symmetric = true;
  std::optional<LinkClass> link_class;
  bool drop = false;
  double loss = 0.0;
  double duplicate = 0.0;
  // Probability that a message arrives damaged: every message carries a checksum, so the receiver
  // detects it and drops it (counted apart from losses).
  double corrupt = 0.0;
  Duration extra_latency;
  Duration jitter;
};
using RuleId = std::uint32_t;

struct NetworkStats {
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  std::uint64_t dropped_sender_down = 0;
  std::uint64_t dropped_receiver_down = 0;
  std::uint64_t dropped_by_rule = 0;
  std::uint64_t dropped_by_loss = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t dropped_corrupt = 0;  // damaged on the way: the receiver's checksum check failed
  std::uint64_t held_by_pause = 0;    // held-back answers whose sender froze before they left
};

class Network {
 public:
  Network(Kernel& kernel, NetworkConfig config);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  Kernel& kernel() const { return *kernel_; }
  const NetworkConfig& config() const { return config_; }

  AzId add_az(std::string_view name);
  std::size_t az_count() const { return az_names_.size(); }
  const std::string& az_name(AzId az) const { return az_names_.at(az); }
  std::optional<AzId> find_az(std::string_view name) const;

  std::size_t node_count() const { return nodes_.size(); }
  Node& node(NodeId id) const { return *nodes_.at(id); }
  Node* find_node(std::string_view name) const;
  // Every node, in the order they were added (deterministic).
  const std::vector<Node*>& nodes() const { return nodes_; }

  LinkClass classify(const Node& from, const Node& to) const {
    if (from.is_client() || to.is_client()) return LinkClass::client_router;
    return from.az() == to.az() ? LinkClass::same_az : LinkClass::cross_az;
  }

  // Sends a message: `deliver()` runs on arrival at `to` (an event tagged with the receiver
  // and `kind`), unless the message is lost on the way or `to` has no power when it arrives.
  template <class F>
  void send(const Node& from, NodeId to, KindId kind, F&& deliver, Transport transport = Transport::datagram) {
    send_impl<false>(from, to, kind, std::forward<F>(deliver), transport, Time::zero());
  }

  // As send(), for an answer its sender holds back until `departs`, when the work that makes it
  // finishes (models/work_queue.h, reserve): one event, the arrival, instead of two. Everything
  // is drawn now, the network's rules included (they act when a message is sent, and a drop rule
  // active on arrival still cuts it), and the flight starts at `departs`. A power cycle of the
  // sender before the arrival loses it, as it loses any message; a pause of the sender between now
  // and the departure delays the departure by its length (a frozen process does no work).
  template <class F>
  void send_at(const Node& from, Time departs, NodeId to, KindId kind, F&& deliver,
               Transport transport = Transport::datagram) {
    if (departs <= kernel_->now()) send_impl<false>(from, to, kind, std::forward<F>(deliver), transport, Time::zero());
    else send_impl<true>(from, to, kind, std::forward<F>(deliver), transport, departs);
  }

  RuleId add_rule(LinkRule rule);
  void remove_rule(RuleId id);
  void clear_rules() { active_rules_.clear(); }
  std::size_t active_rule_count() const { return active_rules_.size(); }

  const NetworkStats& stats() const { return stats_; }

 private:
  friend class Node;
  NodeId attach(Node* node);

  struct RuleEffect {
    bool drop = false;
    bool duplicate = false;
    bool corrupt = false;
    Duration extra_latency;
  };
  // The combined effect of the active rules on one message. With `rng` null (a message already
  // in flight) only the certain drops count: nothing is drawn.
  RuleEffect apply_rules(const Node& from, const Node& to, LinkClass link_class, Rng* rng) const;

  template <class F>
  struct Delivery {
    Network* network;
    NodeId from;
    NodeId to;
    std::uint32_t from_incarnation;  // a power cycle since sending loses the message
    std::uint32_t to_incarnation;
    F deliver;
    void operator()() {
      const Node& receiver = *network->nodes_[to];
      if (!receiver.powered() || receiver.incarnation() != to_incarnation) {
        ++network->stats_.dropped_receiver_down;
        return;
      }
      if (network->nodes_[from]->incarnation() != from_incarnation) {
        ++network->stats_.dropped_sender_down;
        return;
      }
      // A partition that began while the message was in flight cuts it too.
      if (!network->active_rules_.empty()) [[unlikely]] {
        const Node& sender = *network->nodes_[from];
        if (network->apply_rules(sender, receiver, network->classify(sender, receiver), nullptr).drop) {
          ++network->stats_.dropped_by_rule;
          return;
        }
      }
      ++network->stats_.delivered;
      deliver();
    }
    void describe(std::string& out) const {
      out += "from ";
      out += network->nodes_[from]->name();
      detail::describe_payload(deliver, out);
    }
  };

  // A held-back answer (send_at). On arrival it checks whether a pause froze its sender between
  // the send and the departure: if so the work took longer by the pause (Kernel::after_pauses),
  // and the answer arrives its flight after that instead (or, while the pause lasts, waits
  // parked with the sender's events and looks again when it resumes).
  template <class F>
  struct HeldDelivery {
    Delivery<F> inner;
    Time sent;
    Time departs;
    Duration flight;  // from the departure to the arrival
    void operator()() {
      Network& network = *inner.network;
      Kernel& kernel = *network.kernel_;
      const KindId kind = kernel.current_tag().kind;  // the message's, whichever actor runs it
      const ActorId sender = network.nodes_[inner.from]->actor();
      const Time leaves = kernel.after_pauses(sender, sent, departs);
      if (leaves == departs) [[likely]] {
        inner();
        return;
      }
      if (leaves == Time::max()) {
        kernel.post(Tag{sender, kind}, std::move(*this));
        return;
      }
      const Time arrives = leaves + flight;
      if (arrives <= kernel.now()) {  // rescheduled, or its receiver was paused past it
        ++network.stats_.held_by_pause;
        inner();
        return;
      }
      kernel.at(arrives, Tag{network.nodes_[inner.to]->actor(), kind}, std::move(*this));
    }
    void describe(std::string& out) const { inner.describe(out); }
  };
  template <class Payload, class F>
  Payload make_delivery(const Node& from, NodeId to, const Node& receiver, F&& deliver, Time departs,
                        Duration flight) {
    Delivery<std::decay_t<F>> delivery{this, from.id(), to, from.incarnation(), receiver.incarnation(),
                                       std::forward<F>(deliver)};
    if constexpr (std::is_same_v<Payload, Delivery<std::decay_t<F>>>) {
      (void)departs, (void)flight;
      return delivery;
    } else {
      return Payload{std::move(delivery), kernel_->now(), departs, flight};
    }
  }

  template <bool kHeld, class F>
  void send_impl(const Node& from, NodeId to, KindId kind, F&& deliver, Transport transport, Time departs) {
    using Payload = std::conditional_t<kHeld, HeldDelivery<std::decay_t<F>>, Delivery<std::decay_t<F>>>;
    ++stats_.sent;
    if (!from.powered()) [[unlikely]] {
      ++stats_.dropped_sender_down;
      return;
    }
    Node& receiver = *nodes_[to];
    const LinkClass link_class = classify(from, receiver);
    const LinkConfig& link = config_.links[static_cast<std::size_t>(link_class)];
    Duration latency = link.latency.sample(from.network_rng());
    const Duration hold = kHeld ? departs - kernel_->now() : Duration::zero();
    if (link.loss_probability > 0.0 && from.network_rng().bernoulli(link.loss_probability)) {
      ++stats_.dropped_by_loss;
      return;
    }
    if (!active_rules_.empty()) [[unlikely]] {
      const RuleEffect effect = apply_rules(from, receiver, link_class, &from.network_rng());
      if (effect.drop) {
        ++stats_.dropped_by_rule;
        return;
      }
      if (effect.corrupt) {
        ++stats_.dropped_corrupt;
        return;
      }
      latency += effect.extra_latency;
      if constexpr (std::is_copy_constructible_v<std::decay_t<F>>) {
        if (effect.duplicate && transport == Transport::datagram) {
          // The copy travels on its own: its own latency draw, the same disturbances.
          ++stats_.duplicated;
          const Duration copy_latency =
              link.latency.sample(from.network_rng()) + effect.extra_latency + receiver.inbound_work(kind);
          kernel_->after(copy_latency + hold, Tag{receiver.actor(), kind},
                         make_delivery<Payload>(from, to, receiver, std::decay_t<F>(deliver), departs, copy_latency));
        }
      }
    }
    latency += receiver.inbound_work(kind);
    kernel_->after(latency + hold, Tag{receiver.actor(), kind},
                   make_delivery<Payload>(from, to, receiver, std::forward<F>(deliver), departs, latency));
  }


  Kernel* kernel_;
  NetworkConfig config_;
  std::vector<std::string> az_names_;
  std::vector<Node*> nodes_;
  std::map<std::string, NodeId, std::less<>> node_ids_;
  std::vector<LinkRule> rules_;
  std::vector<RuleId> active_rules_;
  NetworkStats stats_;
};

}  // namespace sim
