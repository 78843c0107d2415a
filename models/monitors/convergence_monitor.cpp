// Convergence after the final heal.
#include "models/monitors/convergence_monitor.h"

#include <fmt/format.h>

#include <algorithm>
#include <span>

namespace models::monitors {
namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ULL;
  return h;
}

// The reason `group` has not converged, or an empty string.
std::string diagnose(GroupId group, const NodeFacts& nodes, std::span<const PlacedReplica> held_by) {
  // The newest configuration any of its replicas applied is the group's.
  const Membership* config = nullptr;
  std::size_t leaders = 0;
  std::string leader_names;
  for (const PlacedReplica& p : held_by) {
    if (config == nullptr || membership_of(*p.replica).epoch > config->epoch) config = &membership_of(*p.replica);
    if (nodes.powered(p.node) && is_leader(*p.replica)) {
      ++leaders;
      leader_names += leader_names.empty() ? "" : ", ";
      leader_names += nodes.name(p.node);
    }
  }
  if (config == nullptr) return fmt::format("group {} has no replica", group);
  if (leaders != 1) return fmt::format("group {} has {} leaders ({})", group, leaders, leader_names.empty() ? "none" : leader_names);
  std::vector<sim::AzId> azs;
  std::uint64_t digest = 0;
  const PlacedReplica* reference = nullptr;  // the first member's replica
  bool leader_is_member = false;
  for (std::size_t i = 0; i < Membership::kSize; ++i) {
    const sim::NodeId node = config->nodes[i];
    if (node == replication::kNoNode) return fmt::format("group {} has an empty seat in configuration epoch {}", group, config->epoch);
    if (!config->is_storage(i))
      return fmt::format("group {}: {} is a log replica in configuration epoch {}", group, nodes.name(node), config->epoch);
    azs.push_back(nodes.az(node));
    const auto held = std::find_if(held_by.begin(), held_by.end(), [node](const PlacedReplica& p) { return p.node == node; });
    if (held == held_by.end()) return fmt::format("group {}: member {} holds no replica", group, nodes.name(node));
    const Replica& r = *held->replica;
    if (!nodes.powered(node)) return fmt::format("group {}: member {} is down", group, nodes.name(node));
    if (!is_storage(r)) return fmt::format("group {}: member {} holds no items", group, nodes.name(node));
    if (membership_of(r).epoch != config->epoch)
      return fmt::format("group {}: member {} is at configuration epoch {}, the group at {}", group, nodes.name(node),
                         membership_of(r).epoch, config->epoch);
    leader_is_member = leader_is_member || is_leader(r);
    const std::uint64_t d = items_digest(r);
    if (reference == nullptr) {
      reference = &*held;
      digest = d;
    } else if (d != digest) {
      return fmt::format("group {}: {} (applied slot {}) and {} (applied slot {}) hold different items", group,
                         nodes.name(reference->node), applied_of(*reference->replica), nodes.name(node), applied_of(r));
    }
  }
  std::sort(azs.begin(), azs.end());
  if (std::adjacent_find(azs.begin(), azs.end()) != azs.end())
    return fmt::format("group {} has two members in one AZ", group);
  if (!leader_is_member) return fmt::format("group {}: its leader {} is no member", group, leader_names);
  return {};
}

}  // namespace

std::uint64_t items_digest(const Replica& replica) {
  std::uint64_t h = 0x5a17c0de;
  for (const auto& [key, versions] : items_of(replica)) {
    h = mix(h, key);
    for (const auto& [version, write] : versions) h = mix(mix(h, version), write);
  }
  return h;
}

void check_convergence(Verdicts& verdicts, const NodeFacts& nodes, const std::vector<GroupId>& groups,
                       const std::vector<PlacedReplica>& replicas) {
  auto first = replicas.begin();
  for (GroupId group : groups) {
    while (first != replicas.end() && first->replica->group < group) ++first;
    auto last = first;
    while (last != replicas.end() && last->replica->group == group) ++last;
    verdicts.checked(Invariant::convergence);
    const std::string why = diagnose(group, nodes, std::span<const PlacedReplica>(first, last));
    if (!why.empty()) verdicts.violated(Invariant::convergence, group, why);
    first = last;
  }
}

}  // namespace models::monitors
