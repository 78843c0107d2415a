// The durability checker: one sorted index of (group, item, version, write, node) over the
// voting storage replicas, then one binary search per acknowledged put.
#include "reports/checkers/durability.h"

#include "reports/checkers/describe.h"
#include "sim/assert.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace reports::checkers {
namespace {

struct Holding {
  std::uint32_t group = 0;
  std::uint32_t table = 0;
  std::uint64_t key = 0;
  std::uint64_t version = 0;
  models::WriteId write = 0;
  sim::NodeId node = 0;

  auto tie() const { return std::tie(group, table, key, version, write, node); }
  bool operator<(const Holding& other) const { return tie() < other.tie(); }
  bool operator==(const Holding& other) const { return tie() == other.tie(); }
};

// Orders holdings by everything but the node, so equal_range finds every holder of one copy.
struct SameCopy {
  static auto copy(const Holding& h) { return std::tie(h.group, h.table, h.key, h.version, h.write); }
  bool operator()(const Holding& a, const Holding& b) const { return copy(a) < copy(b); }
};
// Orders holdings by item only: every version of one item, on every node.
struct SameItem {
  static auto item(const Holding& h) { return std::tie(h.group, h.table, h.key); }
  bool operator()(const Holding& a, const Holding& b) const { return item(a) < item(b); }
};

std::string describe_nodes(std::vector<sim::NodeId> nodes) {
  if (nodes.empty()) return "none";
  std::sort(nodes.begin(), nodes.end());
  std::string out;
  for (const sim::NodeId node : nodes) out += fmt::format("{}{}", out.empty() ? "" : ", ", node);
  return out;
}

}  // namespace

DurabilityVerdict check_durability(const std::vector<models::HistoryEntry>& history,
                                   const models::FinalState& state, GroupOf group_of) {
  SIM_ASSERT(group_of != nullptr);
  SIM_ASSERT_OP(state.write_quorum, >, 0u);

  // Voting storage replicas of each group: the storage members of the newest membership a
  // replica of the group applied.
  std::map<std::uint32_t, std::pair<std::uint32_t, std::vector<sim::NodeId>>> newest;  // group -> (epoch, members)
  for (const models::FinalReplica& replica : state.replicas) {
    auto [it, fresh] = newest.try_emplace(replica.group, replica.membership_epoch, replica.storage_members);
    if (!fresh && replica.membership_epoch > it->second.first) it->second = {replica.membership_epoch, replica.storage_members};
  }
  std::map<std::uint32_t, std::vector<sim::NodeId>> voters;
  for (const auto& [group, membership] : newest) voters[group] = membership.second;  // groups with no voter too
  std::vector<Holding> holdings;
  for (const models::FinalReplica& replica : state.replicas) {
    const std::vector<sim::NodeId>& group_voters = voters[replica.group];
    if (!replica.storage || std::find(group_voters.begin(), group_voters.end(), replica.node) == group_voters.end()) continue;
    for (const auto& [item, versions] : replica.items) {
      for (const auto& [version, write] : versions) {
        holdings.push_back(Holding{replica.group, item.first, item.second, version, write, replica.node});
      }
    }
  }
  // A replica listing one version twice, or a node listed twice, must still count once.
  std::sort(holdings.begin(), holdings.end());
  holdings.erase(std::unique(holdings.begin(), holdings.end()), holdings.end());
  for (auto& [group, nodes] : voters) {
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  }

  DurabilityVerdict verdict;
  std::map<std::uint32_t, std::uint64_t> unjudged_by_group;
  for (const models::HistoryEntry& entry : history) {
    if (entry.op != models::Operation::put || entry.outcome != models::Outcome::ok) continue;
    const std::uint32_t group = group_of(entry.table, entry.key);
    // operator[] on purpose: a group no replica reported is a group with no voters, unhealed.
    const std::vector<sim::NodeId>& group_voters = voters[group];
    if (group_voters.size() < state.write_quorum) {
      ++unjudged_by_group[group];
      continue;
    }
    ++verdict.acknowledged_writes;
    const Holding copy{group, entry.table, entry.key, entry.version, entry.id, 0};
    std::vector<sim::NodeId> with;
    if (state.newest_only) {
      // A replica applies an item's versions in order, so one holding a newer version applied
      // this one too (and what is newer on a quorum was committed after it).
      const auto [first, last] = std::equal_range(holdings.begin(), holdings.end(), copy, SameItem{});
      for (auto it = first; it != last; ++it)
        if (it->version >= entry.version) with.push_back(it->node);
    } else {
      const auto [first, last] = std::equal_range(holdings.begin(), holdings.end(), copy, SameCopy{});
      for (auto it = first; it != last; ++it) with.push_back(it->node);
    }
    std::sort(with.begin(), with.end());
    with.erase(std::unique(with.begin(), with.end()), with.end());
    const std::size_t holders = with.size();
    if (holders >= state.write_quorum) continue;
    ++verdict.lost_writes;
    if (verdict.examples.size() >= DurabilityVerdict::kMaxExamples) continue;
    std::vector<sim::NodeId> without;
    for (const sim::NodeId node : group_voters) {
      if (std::find(with.begin(), with.end(), node) == with.end()) without.push_back(node);
    }
    verdict.examples.push_back(fmt::format(
        "put {} v{} (write {}) acknowledged at {} is on {} of {} voting storage replicas of group "
        "{}, quorum {} (holding it{}: nodes {}; missing it: nodes {})",
        detail::describe_key(entry.table, entry.key), entry.version, detail::describe_write(entry.id),
        detail::describe_time(entry.completed), holders, group_voters.size(), group,
        state.write_quorum, state.newest_only ? " or a newer version" : "", describe_nodes(with),
        describe_nodes(without)));
  }

  for (const auto& [group, nodes] : voters) {
    if (nodes.size() >= state.write_quorum) continue;
    const auto unjudged = unjudged_by_group.find(group);
    verdict.unhealed_groups.push_back(UnhealedGroup{
        group, nodes.size(), unjudged == unjudged_by_group.end() ? 0 : unjudged->second});
  }
  verdict.passed = verdict.lost_writes == 0 && verdict.unhealed_groups.empty();
  return verdict;
}

}  // namespace reports::checkers
