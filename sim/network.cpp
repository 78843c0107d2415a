// Network bookkeeping: AZ and node registries and the rule table for injected disturbances.
#include "sim/network.h"

#include <algorithm>

namespace sim {

std::string_view link_class_name(LinkClass link_class) {
  switch (link_class) {
    case LinkClass::same_az: return "same_az";
    case LinkClass::cross_az: return "cross_az";
    case LinkClass::client_router: return "client_router";
  }
  return "?";
}

bool NodeSet::contains(const Node& node) const {
  const bool named = everyone || (node.az() < 64 && ((az_mask >> node.az()) & 1u) != 0) ||
                     std::binary_search(nodes.begin(), nodes.end(), node.id());
  return named != complement;
}

void NodeSet::add_node(NodeId node) {
  auto it = std::lower_bound(nodes.begin(), nodes.end(), node);
  if (it == nodes.end() || *it != node) nodes.insert(it, node);
}

Network::Network(Kernel& kernel, NetworkConfig config) : kernel_(&kernel), config_(std::move(config)) {}

AzId Network::add_az(std::string_view name) {
  SIM_ASSERT(!find_az(name).has_value());
  SIM_ASSERT_OP(az_names_.size(), <, 64u);
  az_names_.emplace_back(name);
  return static_cast<AzId>(az_names_.size() - 1);
}

std::optional<AzId> Network::find_az(std::string_view name) const {
  for (std::size_t i = 0; i < az_names_.size(); ++i)
    if (az_names_[i] == name) return static_cast<AzId>(i);
  return std::nullopt;
}

Node* Network::find_node(std::string_view name) const {
  auto it = node_ids_.find(name);
  return it == node_ids_.end() ? nullptr : nodes_[it->second];
}

NodeId Network::attach(Node* node) {
  SIM_ASSERT_OP(node->az(), <, az_names_.size());
  SIM_ASSERT(find_node(node->name()) == nullptr);
  const auto id = static_cast<NodeId>(nodes_.size());
  nodes_.push_back(node);
  node_ids_.emplace(node->name(), id);
  return id;
}

RuleId Network::add_rule(LinkRule rule) {
  const auto id = static_cast<RuleId>(rules_.size());
  rules_.push_back(std::move(rule));
  active_rules_.push_back(id);
  return id;
}

void Network::remove_rule(RuleId id) {
  auto it = std::find(active_rules_.begin(), active_rules_.end(), id);
  SIM_ASSERT(it != active_rules_.end());
  active_rules_.erase(it);
}

Network::RuleEffect Network::apply_rules(const Node& from, const Node& to, LinkClass link_class, Rng* rng) const {
  RuleEffect effect;
  for (RuleId id : active_rules_) {
    const LinkRule& rule = rules_[id];
    if (rule.link_class && *rule.link_class != link_class) continue;
    const bool forward = rule.from.contains(from) && rule.to.contains(to);
    const bool backward = rule.symmetric && rule.from.contains(to) && rule.to.contains(from);
    if (!forward && !backward) continue;
    if (rule.drop) effect.drop = true;
    if (rng == nullptr) continue;
    // Draws happen in rule order, and only for the rules that have them, so a run without
    // such rules draws exactly what it drew before they existed.
    if (rule.loss > 0.0 && rng->bernoulli(rule.loss)) effect.drop = true;
    if (rule.duplicate > 0.0 && rng->bernoulli(rule.duplicate)) effect.duplicate = true;
    if (rule.corrupt > 0.0 && rng->bernoulli(rule.corrupt)) effect.corrupt = true;
    effect.extra_latency += rule.extra_latency;
    if (rule.jitter > Duration::zero())
      effect.extra_latency += Duration::from_nanos(static_cast<std::int64_t>(rng->below(static_cast<std::uint64_t>(rule.jitter.nanos()))));
  }
  return effect;
}

}  // namespace sim
