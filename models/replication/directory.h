// The partition map as the storage side last committed it (every group's membership, range
// and serving leader, versioned): what the storage side publishes to the metadata table and
// MemDS. Routers only see it through them; the report reads it to say where groups ended.
#pragma once

#include "models/replication/types.h"

#include <utility>
#include <vector>

namespace models::replication {

class GroupDirectory {
 public:
  void add_group(GroupId group, std::uint32_t table, const Membership& membership, sim::NodeId leader,
                 std::uint64_t hash_low, std::uint64_t hash_high);
  const Membership& membership(GroupId group) const { return memberships_[group]; }
  sim::NodeId leader(GroupId group) const { return leaders_[group]; }
  std::uint32_t version(GroupId group) const { return versions_[group]; }
  std::uint32_t table_of(GroupId group) const { return tables_[group]; }
  // The slice of the table's hash space the group holds, [low, high] (narrowed by splits).
  std::uint64_t hash_low(GroupId group) const { return ranges_[group].first; }
  std::uint64_t hash_high(GroupId group) const { return ranges_[group].second; }
  // A split gave the upper part of the group's range away: [low, high] now. True (a change).
  bool narrow(GroupId group, std::uint64_t high);
  std::size_t size() const { return memberships_.size(); }
  // A leader applied a membership change; keeps the newest epoch. True if it changed.
  bool update(GroupId group, const Membership& membership);
  bool exists(GroupId group) const { return group < versions_.size() && versions_[group] > 0; }
  // A leader started serving. True if it changed.
  bool set_leader(GroupId group, sim::NodeId leader);
  std::uint64_t changes() const { return changes_; }
  // Asks the cache for everything of `group` (a walk that visits groups out of order, as setup's
  // node by node hosting does, prefetches a few groups ahead).
  void prefetch(GroupId group) const {
    __builtin_prefetch(&memberships_[group]);
    __builtin_prefetch(&leaders_[group]);
    __builtin_prefetch(&versions_[group]);
    __builtin_prefetch(&tables_[group]);
    __builtin_prefetch(&ranges_[group]);
  }

 private:
  std::vector<Membership> memberships_;
  std::vector<sim::NodeId> leaders_;
  std::vector<std::uint32_t> versions_;
  std::vector<std::uint32_t> tables_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_;
  std::uint64_t changes_ = 0;
};

}  // namespace models::replication
