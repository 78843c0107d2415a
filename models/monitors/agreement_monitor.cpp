// Agreement per slot, and the configuration history it yields.
#include "models/monitors/agreement_monitor.h"

#include "sim/assert.h"

#include <fmt/format.h>

#include <algorithm>

namespace models::monitors {
namespace {

std::string describe(const EntryValue& v) {
  switch (v.kind) {
    case replication::EntryKind::write: return fmt::format("write {:x} of key {} v{}", v.write, v.key, v.version);
    case replication::EntryKind::noop: return "no-op";
    case replication::EntryKind::config: return fmt::format("config epoch {}", config_of(v).epoch);
    case replication::EntryKind::split: return fmt::format("split at {:x} into group {}", v.key, v.write);
    case replication::EntryKind::scrub: return "scrub marker";
  }
  return "?";
}

}  // namespace

void AgreementMonitor::group_created(GroupId group, const Membership& initial) {
  if (group >= groups_.size()) groups_.resize(group + 1);
  Group& g = groups_[group];
  SIM_ASSERT(!g.exists);
  g.exists = true;
  g.configs.push_back(ConfigAt{0, initial});
}

void AgreementMonitor::decided(GroupId group, sim::NodeId node, Slot slot, const EntryValue& value, const char* how) {
  SIM_ASSERT_OP(group, <, groups_.size());
  Group& g = groups_[group];
  SIM_ASSERT(g.exists);
  verdicts_.checked(Invariant::agreement);
  if (slot < g.base) return;  // every member applied it long ago: checked then
  const std::size_t at = slot - g.base;
  if (at >= g.window.size()) g.window.resize(at + 1);
  Decided& d = g.window[at];
  if (d.first_by == replication::kNoNode) {
    d = Decided{value, node};
    if (value.kind == replication::EntryKind::config) {
      auto later = std::upper_bound(g.configs.begin(), g.configs.end(), slot,
                                 [](Slot s, const ConfigAt& c) { return s < c.slot; });
      // A change takes effect only on the membership it was made from: one a deposed leader
      // made from an older membership is decided as a no-op would be.
      SIM_ASSERT(later != g.configs.begin());
      if (base_of(value) == std::prev(later)->membership) g.configs.insert(later, ConfigAt{slot, config_of(value)});
    }
    return;
  }
  if (d.value == value) return;
  verdicts_.violated(Invariant::agreement, group,
                     fmt::format("group {} slot {}: {} {} {} but {} decided {} there", group, slot, name_of_(node), how,
                                 describe(value), name_of_(d.first_by), describe(d.value)));
}

void AgreementMonitor::applied_up_to(GroupId group, sim::NodeId node, Slot applied) {
  Group& g = groups_[group];
  auto it = std::find_if(g.applied.begin(), g.applied.end(), [node](const auto& p) { return p.first == node; });
  if (it == g.applied.end()) g.applied.push_back(AppliedUpTo{node, applied});
  else it->second = applied;
  prune(g);
}

void AgreementMonitor::replica_dropped(GroupId group, sim::NodeId node) {
  if (group >= groups_.size()) return;
  Group& g = groups_[group];
  erase_if(g.applied, [node](const auto& p) { return p.first == node; });
}

void AgreementMonitor::prune(Group& g) {
  // Keep every slot some member of the latest configuration has not applied yet: a member that
  // was down applies them later and must be compared. Other replicas are leaving the group.
  const Membership& latest = g.configs.back().membership;
  Slot lowest = ~Slot{0};
  for (sim::NodeId member : latest.nodes) {
    if (member == replication::kNoNode) continue;
    auto it = std::find_if(g.applied.begin(), g.applied.end(), [member](const auto& p) { return p.first == member; });
    lowest = std::min(lowest, it == g.applied.end() ? Slot{0} : it->second);
  }
  // Slots up to `lowest` are applied by every member; keep a margin so a hole is rare, and drop
  // in chunks so the window is not shifted on every apply. Small chunks: a group written rarely
  // must not hold thousands of checked slots (a region of a million groups, over a day).
  constexpr Slot kChunk = 32;
  if (lowest == ~Slot{0} || lowest < g.base + 2 * kChunk) return;
  const Slot drop = std::min<Slot>(lowest - g.base - kChunk, g.window.size());
  g.window.erase(g.window.begin(), g.window.begin() + static_cast<std::ptrdiff_t>(drop));
  g.base += drop;
}

Governing AgreementMonitor::governing(GroupId group, Slot slot) const {
  const Group& g = groups_[group];
  // The last configuration decided before `slot` is in force at it.
  auto after = std::upper_bound(g.configs.begin(), g.configs.end(), slot,
                                [](Slot s, const ConfigAt& c) { return s < c.slot; });
  SIM_ASSERT(after != g.configs.begin());
  Governing out;
  const auto at = std::prev(after);
  if (at->slot == slot) {
    SIM_ASSERT(at != g.configs.begin());
    out.old_config = std::prev(at)->membership;
    out.new_config = at->membership;
  } else {
    out.old_config = at->membership;
  }
  return out;
}

std::optional<EntryValue> AgreementMonitor::decided_value(GroupId group, Slot slot) const {
  const Group& g = groups_[group];
  if (slot < g.base || slot - g.base >= g.window.size()) return std::nullopt;
  const Decided& d = g.window[slot - g.base];
  if (d.first_by == replication::kNoNode) return std::nullopt;
  return d.value;
}

}  // namespace models::monitors
