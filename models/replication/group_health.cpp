// Group health bookkeeping: durations accrue between changes.
#include "models/replication/group_health.h"

#include "sim/assert.h"

namespace models::replication {

void GroupHealth::add_group(sim::Time now, std::uint8_t healthy_members, bool serving) {
  GroupRecord record;
  record.since = now;
  record.healthy_members = healthy_members;
  record.serving_leaders = serving ? 1 : 0;
  groups_.push_back(record);
}

void GroupHealth::add_group_at(GroupId g, sim::Time now, std::uint8_t healthy_members, bool serving) {
  if (g >= groups_.size()) {
    GroupRecord inactive;
    inactive.active = false;
    groups_.resize(g + 1, inactive);
  }
  GroupRecord record;
  record.since = now;
  record.healthy_members = healthy_members;
  record.serving_leaders = serving ? 1 : 0;
  groups_[g] = record;
}

void GroupHealth::accrue(GroupRecord& record, sim::Time now) {
  if (!record.active) return;
  const std::int64_t elapsed = (now - record.since).nanos();
  SIM_ASSERT_OP(elapsed, >=, 0);
  if (record.serving_leaders == 0) record.leaderless_ns += elapsed;
  if (record.healthy_members == Membership::quorum()) record.two_copies_ns += elapsed;
  if (record.healthy_members < Membership::quorum()) record.no_quorum_ns += elapsed;
  record.since = now;
}

void GroupHealth::serving_changed(GroupId g, sim::Time now, int delta) {
  GroupRecord& record = groups_[g];
  accrue(record, now);
  SIM_ASSERT_OP(static_cast<int>(record.serving_leaders) + delta, >=, 0);
  record.serving_leaders = static_cast<std::uint8_t>(record.serving_leaders + delta);
}

void GroupHealth::healthy_changed(GroupId g, sim::Time now, std::uint8_t healthy_members) {
  GroupRecord& record = groups_[g];
  accrue(record, now);
  if (healthy_members < Membership::quorum() && record.healthy_members >= Membership::quorum()) ++record.times_lost_quorum;
  record.healthy_members = healthy_members;
}

void GroupHealth::settle(sim::Time now) {
  for (GroupRecord& record : groups_) accrue(record, now);
}

}  // namespace models::replication
