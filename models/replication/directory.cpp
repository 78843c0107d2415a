// The storage side's partition map.
#include "models/replication/directory.h"

#include "sim/assert.h"

namespace models::replication {

void GroupDirectory::add_group(GroupId group, std::uint32_t table, const Membership& membership, sim::NodeId leader,
                               std::uint64_t hash_low, std::uint64_t hash_high) {
  // Groups made by splits may complete out of order: ids between stay empty (version 0).
  SIM_ASSERT(!exists(group));
  if (group >= memberships_.size()) {
    memberships_.resize(group + 1);
    leaders_.resize(group + 1, kNoNode);
    versions_.resize(group + 1, 0);
    tables_.resize(group + 1, 0);
    ranges_.resize(group + 1);
  }
  memberships_[group] = membership;
  leaders_[group] = leader;
  versions_[group] = 1;
  tables_[group] = table;
  ranges_[group] = {hash_low, hash_high};
}

bool GroupDirectory::narrow(GroupId group, std::uint64_t high) {
  if (high >= ranges_[group].second) return false;
  ranges_[group].second = high;
  ++versions_[group];
  ++changes_;
  return true;
}

bool GroupDirectory::update(GroupId group, const Membership& membership) {
  if (membership.epoch <= memberships_[group].epoch) return false;
  memberships_[group] = membership;
  ++versions_[group];
  ++changes_;
  return true;
}

bool GroupDirectory::set_leader(GroupId group, sim::NodeId leader) {
  if (leaders_[group] == leader) return false;
  leaders_[group] = leader;
  ++versions_[group];
  return true;
}

}  // namespace models::replication
