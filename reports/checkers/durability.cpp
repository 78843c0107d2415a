// The durability checker: one sorted index of (group, item, version, write, node) over the
// voting storage replicas, merged from each replica's ordered items; then the acknowledged puts,
// item by item, each item found in the index once.
#include "reports/checkers/durability.h"

#include "reports/checkers/by_key.h"
#include "reports/checkers/describe.h"
#include "sim/assert.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <span>
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
  // replica of the group applied (the first replica reporting that epoch names them). Kept as
  // one sorted array of groups and one of their voters, not as maps of vectors: a region of a
  // million groups would spend hundreds of MB on those at the end of a run.
  std::vector<std::uint32_t> order(state.replicas.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return state.replicas[a].group < state.replicas[b].group;
  });
  struct GroupVoters {
    std::uint32_t group = 0;
    std::uint32_t first = 0;  // its voters are voter_nodes[first, last)
    std::uint32_t last = 0;
  };
  std::vector<GroupVoters> groups;
  std::vector<sim::NodeId> voter_nodes;
  for (std::size_t i = 0; i < order.size();) {
    const std::uint32_t group = state.replicas[order[i]].group;
    const models::FinalReplica* newest = &state.replicas[order[i]];
    for (; i < order.size() && state.replicas[order[i]].group == group; ++i)
      if (state.replicas[order[i]].membership_epoch > newest->membership_epoch) newest = &state.replicas[order[i]];
    GroupVoters g{group, static_cast<std::uint32_t>(voter_nodes.size()), 0};
    voter_nodes.insert(voter_nodes.end(), newest->storage_members.begin(), newest->storage_members.end());
    // A node listed twice must still count once.
    std::sort(voter_nodes.begin() + g.first, voter_nodes.end());
    voter_nodes.erase(std::unique(voter_nodes.begin() + g.first, voter_nodes.end()), voter_nodes.end());
    g.last = static_cast<std::uint32_t>(voter_nodes.size());
    groups.push_back(g);
  }
  // The voters of `group`, sorted (none for a group no replica reported).
  struct Voters {
    const sim::NodeId* first = nullptr;
    const sim::NodeId* last = nullptr;
    std::size_t size() const { return static_cast<std::size_t>(last - first); }
    const sim::NodeId* begin() const { return first; }
    const sim::NodeId* end() const { return last; }
  };
  auto voters_of = [&](std::uint32_t group) {
    auto it = std::lower_bound(groups.begin(), groups.end(), group,
                               [](const GroupVoters& g, std::uint32_t v) { return g.group < v; });
    if (it == groups.end() || it->group != group) return Voters{};
    return Voters{voter_nodes.data() + it->first, voter_nodes.data() + it->last};
  };
  // Each replica's holdings come out of its item map already in order, and `order` visits the
  // replicas group by group: so the index is built by merging each group's runs, not by sorting it
  // (a sort of the whole index was 8% of quickstart's wall time).
  auto counted = [&](const models::FinalReplica& replica) {
    const Voters group_voters = voters_of(replica.group);
    return replica.storage && std::find(group_voters.begin(), group_voters.end(), replica.node) != group_voters.end();
  };
  std::size_t total = 0;
  for (const models::FinalReplica& replica : state.replicas)
    if (counted(replica))
      total += replica.versions.size();
  std::vector<Holding> holdings;
  holdings.reserve(total);
  std::size_t group_start = 0;  // where the current group's holdings begin
  for (std::size_t r = 0; r < order.size(); ++r) {
    const models::FinalReplica& replica = state.replicas[order[r]];
    if (r == 0 || state.replicas[order[r - 1]].group != replica.group) group_start = holdings.size();
    if (!counted(replica)) continue;
    const std::size_t run_start = holdings.size();
    for (const models::FinalItem& item : replica.items) {
      for (const auto& [version, write] : replica.versions_of(item)) {
        holdings.push_back(Holding{replica.group, item.table, item.key, version, write, replica.node});
      }
    }
    const auto run = holdings.begin() + static_cast<std::ptrdiff_t>(run_start);
    // Versions are listed oldest first; a replica that lists them otherwise costs a sort.
    if (!std::is_sorted(run, holdings.end())) std::sort(run, holdings.end());
    std::inplace_merge(holdings.begin() + static_cast<std::ptrdiff_t>(group_start), run, holdings.end());
  }
  SIM_ASSERT(std::is_sorted(holdings.begin(), holdings.end()));
  // A replica listing one version twice must still count once.
  holdings.erase(std::unique(holdings.begin(), holdings.end()), holdings.end());

  DurabilityVerdict verdict;
  std::map<std::uint32_t, std::uint64_t> unjudged_by_group;
  // An item's holdings on every node (empty if no voting replica holds it).
  auto item_in_index = [&](std::uint32_t group, std::uint32_t table, std::uint64_t key) {
    const auto [first, last] = std::equal_range(holdings.begin(), holdings.end(), Holding{group, table, key, 0, 0, 0}, SameItem{});
    return std::span<const Holding>(first, last);
  };
  // The holders of one put's copy: the voting replicas holding it (or, newest_only, a newer
  // version of its item), each once. `item` is its item's holdings, from item_in_index.
  auto holders_of = [&](const models::HistoryEntry& entry, std::span<const Holding> item, std::vector<sim::NodeId>& with) {
    with.clear();
    if (item.empty()) return;
    if (state.newest_only) {
      // A replica applies an item's versions in order, so one holding a newer version applied
      // this one too (and what is newer on a quorum was committed after it).
      for (const Holding& h : item)
        if (h.version >= entry.version) with.push_back(h.node);
    } else {
      const Holding copy{item.front().group, entry.table, entry.key, entry.version, entry.id, 0};
      const auto [first, last] = std::equal_range(item.begin(), item.end(), copy, SameCopy{});
      for (auto it = first; it != last; ++it) with.push_back(it->node);
    }
    std::sort(with.begin(), with.end());
    with.erase(std::unique(with.begin(), with.end()), with.end());
  };
  // Acknowledged puts item by item, so each item is looked up in the index once (one binary
  // search over the whole index per put was most of this checker's time), then each put in the
  // item's few holdings. Lost puts are described in history order.
  const std::vector<std::size_t> puts = indices_by_key(history, [](const models::HistoryEntry& entry) {
    return entry.op == models::Operation::put && entry.outcome == models::Outcome::ok;
  });
  std::vector<std::size_t> lost;
  std::vector<sim::NodeId> with;  // reused
  for (std::size_t i = 0; i < puts.size();) {
    const models::HistoryEntry& first_put = history[puts[i]];
    std::size_t end = i;
    while (end < puts.size() && history[puts[end]].table == first_put.table && history[puts[end]].key == first_put.key)
      prefetch_ahead(history, puts, end++);
    const std::uint32_t group = group_of(first_put.table, first_put.key);
    // A group no replica reported is a group with no voters: unhealed.
    if (voters_of(group).size() < state.write_quorum) {
      unjudged_by_group[group] += end - i;
      i = end;
      continue;
    }
    verdict.acknowledged_writes += end - i;
    const std::span<const Holding> item = item_in_index(group, first_put.table, first_put.key);
    for (; i < end; ++i) {
      holders_of(history[puts[i]], item, with);
      if (with.size() < state.write_quorum) lost.push_back(puts[i]);
    }
  }
  std::sort(lost.begin(), lost.end());
  verdict.lost_writes = lost.size();
  for (std::size_t i = 0; i < lost.size() && i < DurabilityVerdict::kMaxExamples; ++i) {
    const models::HistoryEntry& entry = history[lost[i]];
    const std::uint32_t group = group_of(entry.table, entry.key);
    const Voters group_voters = voters_of(group);
    holders_of(entry, item_in_index(group, entry.table, entry.key), with);
    std::vector<sim::NodeId> without;
    for (const sim::NodeId node : group_voters) {
      if (std::find(with.begin(), with.end(), node) == with.end()) without.push_back(node);
    }
    verdict.examples.push_back(fmt::format(
        "put {} v{} (write {}) acknowledged at {} is on {} of {} voting storage replicas of group "
        "{}, quorum {} (holding it{}: nodes {}; missing it: nodes {})",
        detail::describe_key(entry.table, entry.key), entry.version, detail::describe_write(entry.id),
        detail::describe_time(entry.completed), with.size(), group_voters.size(), group,
        state.write_quorum, state.newest_only ? " or a newer version" : "", describe_nodes(with),
        describe_nodes(without)));
  }

  // Unhealed, in group order: groups whose replicas name too few voters, and groups acknowledged
  // puts went to that no replica reported (every one of those is in unjudged_by_group).
  auto unjudged = unjudged_by_group.begin();
  auto add_unhealed = [&](std::uint32_t group, std::size_t voters) {
    const bool has_unjudged = unjudged != unjudged_by_group.end() && unjudged->first == group;
    verdict.unhealed_groups.push_back(UnhealedGroup{group, voters, has_unjudged ? unjudged->second : 0});
    if (has_unjudged) ++unjudged;
  };
  for (const GroupVoters& g : groups) {
    while (unjudged != unjudged_by_group.end() && unjudged->first < g.group) add_unhealed(unjudged->first, 0);
    if (g.last - g.first >= state.write_quorum) continue;
    add_unhealed(g.group, g.last - g.first);
  }
  while (unjudged != unjudged_by_group.end()) add_unhealed(unjudged->first, 0);  // it advances `unjudged`
  verdict.passed = verdict.lost_writes == 0 && verdict.unhealed_groups.empty();
  return verdict;
}

}  // namespace reports::checkers
