// Restore from the archive.
#include "reports/checkers/restore.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace reports::checkers {

using models::replication::EntryKind;
using models::replication::LogEntry;

RestoreVerdict check_restore(const std::vector<ArchivedGroup>& archive, const std::vector<models::HistoryEntry>& history,
                             const models::FinalState& state) {
  RestoreVerdict v;
  for (const ArchivedGroup& g : archive)
    if (g.entries->size() < g.applied) ++v.groups_behind;
  if (v.groups_behind > 0) return v;
  v.judged = true;
  // Replay: every archived write, by (table, key); the newest write per key in each group.
  std::set<std::tuple<std::uint32_t, std::uint64_t, models::WriteId>> archived;
  std::map<std::uint32_t, std::map<std::uint64_t, models::WriteId>> newest;  // group -> key -> write
  bool split = false;
  std::map<std::uint32_t, std::uint32_t> table_of;  // group -> table
  for (const ArchivedGroup& g : archive) {
    table_of[g.group] = g.table;
    for (std::size_t i = 0; i < g.entries->size(); ++i) {
      const LogEntry& e = (*g.entries)[i];
      if (e.rotten) {
        // Its checksum fails: a point-in-time restore of this group ends before it.
        ++v.corrupt_entries;
        if (v.examples.size() < RestoreVerdict::kMaxExamples)
          v.examples.push_back(fmt::format("group {}: archived slot {} fails its checksum; the restore stops there", g.group, i + 1));
        break;
      }
      ++v.entries_replayed;
      if (e.kind == EntryKind::split) split = true;
      if (e.kind != EntryKind::write) continue;
      archived.emplace(g.table, e.key, e.write);
      newest[g.group][e.key] = e.write;
    }
  }
  const auto example = [&v](std::string text) {
    if (v.examples.size() < RestoreVerdict::kMaxExamples) v.examples.push_back(std::move(text));
  };
  for (const models::HistoryEntry& h : history) {
    if (h.op != models::Operation::put || h.outcome != models::Outcome::ok) continue;
    ++v.acknowledged_writes;
    if (archived.count({h.table, h.key, h.id}) == 0) {
      ++v.missing_writes;
      example(fmt::format("acknowledged write {} to key {} of table {} is not in the archive", h.id, h.key, h.table));
    }
  }
  v.state_compared = !split;
  if (v.state_compared) {
    // Each group's voting storage replicas: the storage members of the newest membership any
    // replica of the group applied (as the durability checker reads them); a leftover replica
    // outside it is no member.
    std::map<std::uint32_t, const models::FinalReplica*> newest_membership;
    for (const models::FinalReplica& r : state.replicas) {
      const models::FinalReplica*& best = newest_membership[r.group];
      if (best == nullptr || r.membership_epoch > best->membership_epoch) best = &r;
    }
    for (const models::FinalReplica& r : state.replicas) {
      if (!r.storage) continue;
      const models::StorageMembers& members = newest_membership.at(r.group)->storage_members;
      if (std::find(members.begin(), members.end(), r.node) == members.end()) continue;
      const auto restored = newest.find(r.group);
      if (restored != newest.end())
        for (const auto& [key, write] : restored->second)
          if (r.find(table_of.at(r.group), key) == nullptr) {
            ++v.state_mismatches;
            example(fmt::format("group {} key {}: the archive restores write {}, node {} holds nothing", r.group, key,
                                write, r.node));
          }
      for (const models::FinalItem& item : r.items) {
        const auto versions = r.versions_of(item);
        if (versions.empty()) continue;
        ++v.keys_compared;
        models::WriteId expected = 0;
        if (restored != newest.end())
          if (const auto at = restored->second.find(item.key); at != restored->second.end()) expected = at->second;
        if (expected != versions.back().second) {
          ++v.state_mismatches;
          example(fmt::format("group {} key {}: the archive restores write {}, node {} holds {}", r.group,
                              item.key, expected, r.node, versions.back().second));
        }
      }
    }
  }
  v.passed = v.corrupt_entries == 0 && v.missing_writes == 0 && v.state_mismatches == 0;
  return v;
}

}  // namespace reports::checkers
