// Ground truth about every replication group over time, kept for the reports: how long each
// had no serving leader, only two healthy copies, or no write quorum; how many elections it
// ran; how long healing took. Updated by the storage nodes as things change.
#pragma once

#include "models/replication/types.h"
#include "sim/histogram.h"
#include "sim/time.h"

#include <cstdint>
#include <vector>

namespace models::replication {

struct GroupRecord {
  std::int64_t leaderless_ns = 0;
  std::int64_t two_copies_ns = 0;
  std::int64_t no_quorum_ns = 0;
  // current state
  sim::Time since;               // when the state below last changed
  std::uint32_t elections_started = 0;
  std::uint32_t elections_won = 0;
  std::uint32_t times_lost_quorum = 0;
  std::uint8_t serving_leaders = 0;
  std::uint8_t healthy_members = 0;
  bool active = true;            // false: an id reserved for a split that has not happened
};
static_assert(sizeof(GroupRecord) == 48, "a million groups' records: keep it free of padding");

class GroupHealth {
 public:
  void add_group(sim::Time now, std::uint8_t healthy_members, bool serving);
  // A group made by a split (ids may complete out of order; ids between stay inactive).
  void add_group_at(GroupId g, sim::Time now, std::uint8_t healthy_members, bool serving);
  std::size_t size() const { return groups_.size(); }
  const GroupRecord& group(GroupId g) const { return groups_[g]; }

  void serving_changed(GroupId g, sim::Time now, int delta);
  void healthy_changed(GroupId g, sim::Time now, std::uint8_t healthy_members);
  void election_started(GroupId g) { ++groups_[g].elections_started; }
  void election_won(GroupId g) { ++groups_[g].elections_won; }
  void log_replica_added(sim::Duration since_detection) { log_replica_heal_ns_.record(as_ns(since_detection)); }
  void storage_replica_built(sim::Duration since_detection) { storage_heal_ns_.record(as_ns(since_detection)); }
  // Closes every open interval at `now` (the end of the run) without changing state.
  void settle(sim::Time now);

  // Group-nanoseconds leaderless, with two healthy copies, and without a write quorum, summed
  // over groups, by minute of the run (up to the last minute anything accrued).
  struct Minute {
    std::int64_t leaderless_ns = 0;
    std::int64_t two_copies_ns = 0;
    std::int64_t no_quorum_ns = 0;
  };
  const std::vector<Minute>& minutes() const { return minutes_; }
  const sim::LogLinearHistogram& log_replica_heal_ns() const { return log_replica_heal_ns_; }
  const sim::LogLinearHistogram& storage_heal_ns() const { return storage_heal_ns_; }

 private:
  static std::uint64_t as_ns(sim::Duration d) { return d.nanos() < 0 ? 0 : static_cast<std::uint64_t>(d.nanos()); }
  void accrue(GroupRecord& record, sim::Time now);
  // Adds [from, to) to the minutes it covers, in the field `field`.
  void spread(std::int64_t Minute::*field, sim::Time from, sim::Time to);
  std::vector<GroupRecord> groups_;
  std::vector<Minute> minutes_;
  sim::LogLinearHistogram log_replica_heal_ns_;
  sim::LogLinearHistogram storage_heal_ns_;
};

}  // namespace models::replication
