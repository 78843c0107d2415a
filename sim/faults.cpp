// The fault context (who is down, paused or cut, and the record of what happened) and the
// registry of fault kinds. The kinds themselves live in sim/faults/.
#include "sim/faults.h"

#include "sim/config/units.h"
#include "sim/faults/chaos.h"
#include "sim/faults/common.h"

#include <algorithm>

namespace sim {

using faults::join;

bool TopologyNames::has_az(std::string_view az) const {
  return std::find(azs.begin(), azs.end(), az) != azs.end();
}

const TopologyNames::NodeName* TopologyNames::find_node(std::string_view name) const {
  for (const NodeName& node : nodes)
    if (node.name == name) return &node;
  return nullptr;
}

bool TopologyNames::has_role(std::string_view role) const {
  return std::any_of(nodes.begin(), nodes.end(), [&](const NodeName& n) { return n.role == role; });
}

FaultContext::FaultContext(Kernel& kernel, Network& network)
    : kernel_(&kernel), network_(&network), actor_(kernel.register_actor("faults")) {}

void FaultContext::hold_down(Node& node) {
  if (ended_) return;
  if (holds_.size() <= node.id()) holds_.resize(node.id() + 1, 0);
  if (holds_[node.id()]++ == 0) {
    ++held_down_nodes_;
    node.power_off();
  }
}

void FaultContext::release(Node& node) {
  if (ended_) return;
  SIM_ASSERT_OP(holds_on(node), >, 0u);
  if (--holds_[node.id()] == 0) {
    --held_down_nodes_;
    node.power_on();
  }
}

std::size_t FaultContext::holds_on(const Node& node) const {
  return node.id() < holds_.size() ? holds_[node.id()] : 0;
}

void FaultContext::end_all() {
  if (ended_) return;
  for (NodeId id = 0; id < holds_.size(); ++id)
    if (holds_[id] > 0) {
      holds_[id] = 0;
      network_->node(id).power_on();
    }
  held_down_nodes_ = 0;
  for (NodeId id = 0; id < pauses_.size(); ++id)
    for (; pauses_[id] > 0; --pauses_[id]) kernel_->resume_actor(network_->node(id).actor());
  network_->clear_rules();
  record("end_all", "every fault", "end");
  ended_ = true;
}

void FaultContext::record(std::string kind, std::string target, std::string phase) {
  records_.push_back(FaultRecord{kernel_->now(), std::move(kind), std::move(target), std::move(phase)});
}

std::vector<Node*> FaultContext::resolve_nodes(const std::string& target) const {
  const auto colon = target.find(':');
  if (colon == std::string::npos) {
    Node* node = network_->find_node(target);
    SIM_ASSERT(node != nullptr);  // names were checked when the scenario was read
    return {node};
  }
  SIM_ASSERT(resolver_ != nullptr);
  const auto slash = target.rfind('/');
  SIM_ASSERT(slash != std::string::npos && slash > colon);
  const std::string_view text(target);
  std::vector<Node*> nodes = resolver_(text.substr(0, colon), text.substr(colon + 1, slash - colon - 1),
                                       std::stoull(target.substr(slash + 1)));
  SIM_ASSERT(!nodes.empty());
  for (Node* node : nodes) SIM_ASSERT(node != nullptr);
  return nodes;
}

Node& FaultContext::resolve_node(const std::string& target) const { return *resolve_nodes(target).front(); }

void FaultContext::pause(Node& node) {
  if (ended_) return;
  if (pauses_.size() <= node.id()) pauses_.resize(node.id() + 1, 0);
  ++pauses_[node.id()];
  kernel_->pause_actor(node.actor());
}

void FaultContext::resume(Node& node) {
  if (ended_) return;
  SIM_ASSERT(node.id() < pauses_.size() && pauses_[node.id()] > 0);
  --pauses_[node.id()];
  kernel_->resume_actor(node.actor());
}

bool FaultContext::paused(const Node& node) const { return node.id() < pauses_.size() && pauses_[node.id()] > 0; }

void FaultContext::add_nodes(std::string_view role, std::uint32_t count) const {
  SIM_ASSERT(adder_ != nullptr);
  adder_(role, count);
}

NodeSet FaultContext::resolve_set(const std::vector<std::string>& names) const {
  NodeSet set;
  for (const std::string& name : names) {
    if (auto az = network_->find_az(name)) set.az_mask |= std::uint64_t{1} << *az;
    else
      for (Node* node : resolve_nodes(name)) set.add_node(node->id());
  }
  return set;
}

FaultRegistry FaultRegistry::with_builtin_faults() {
  FaultRegistry registry;
  faults::add_power_faults(registry);
  faults::add_network_faults(registry);
  faults::add_pause_faults(registry);
  faults::add_chaos_faults(registry);
  faults::add_clock_faults(registry);
  return registry;
}

std::unique_ptr<Fault> FaultRegistry::parse_swarm(const config::Node& swarm, const FaultParseContext& context) {
  return faults::parse_swarm(swarm, context);
}

void FaultRegistry::add(std::string kind, FaultParser parser) {
  SIM_ASSERT(parsers_.find(kind) == parsers_.end());
  parsers_.emplace(std::move(kind), std::move(parser));
}

std::vector<std::string> FaultRegistry::kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, parser] : parsers_) out.push_back(kind);
  return out;
}

std::unique_ptr<Fault> FaultRegistry::parse(const config::Node& entry,
                                            const FaultParseContext& context) const {
  config::ObjectReader object = entry.object();
  std::vector<std::string_view> choices;
  for (const auto& [kind, parser] : parsers_) choices.push_back(kind);
  const config::Node kind_node = object.required("kind");
  const std::string kind = kind_node.non_empty_string();
  auto it = parsers_.find(kind);
  if (it == parsers_.end()) kind_node.fail("a fault kind (one of " + join(kinds()) + ")", "\"" + kind + "\"");
  std::unique_ptr<Fault> fault = it->second(object, context);
  object.finish();
  return fault;
}

}  // namespace sim
