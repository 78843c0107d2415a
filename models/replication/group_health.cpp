// Group health bookkeeping: durations accrue between changes.
#include "models/replication/group_health.h"

#include "sim/assert.h"

#include <algorithm>

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
  if (elapsed > 0) {
    if (record.serving_leaders == 0) {
      record.leaderless_ns += elapsed;
      spread(&Minute::leaderless_ns, record.since, now);
    }
    if (record.healthy_members == Membership::quorum()) {
      record.two_copies_ns += elapsed;
      spread(&Minute::two_copies_ns, record.since, now);
    }
    if (record.healthy_members < Membership::quorum()) {
      record.no_quorum_ns += elapsed;
      spread(&Minute::no_quorum_ns, record.since, now);
    }
  }
  record.since = now;
}

void GroupHealth::spread(std::int64_t Minute::*field, sim::Time from, sim::Time to) {
  constexpr std::int64_t kMinuteNs = 60'000'000'000;
  std::int64_t at = (from - sim::Time::zero()).nanos();
  const std::int64_t end = (to - sim::Time::zero()).nanos();
  const auto last = static_cast<std::size_t>((end - 1) / kMinuteNs);
  if (minutes_.size() <= last) minutes_.resize(last + 1);
  while (at < end) {
    const std::int64_t minute = at / kMinuteNs;
    const std::int64_t until = std::min(end, (minute + 1) * kMinuteNs);
    minutes_[static_cast<std::size_t>(minute)].*field += until - at;
    at = until;
  }
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
