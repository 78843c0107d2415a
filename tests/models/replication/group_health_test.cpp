// Group health over time: the per-minute sums split each interval at minute boundaries and add
// up to the per-group totals the report prints.
#include "models/replication/group_health.h"

#include <catch2/catch.hpp>

using models::replication::GroupHealth;

namespace {
sim::Time at_s(double s) { return sim::Time::zero() + sim::Duration::from_nanos(static_cast<std::int64_t>(s * 1e9)); }
}  // namespace

TEST_CASE("GroupHealth: leaderless and two-copy time is spread over the minutes it covers", "[replication][health]") {
  GroupHealth health;
  health.add_group(at_s(0), 3, true);
  health.add_group(at_s(0), 3, true);
  // Group 0 leaderless from 50 s to 130 s; group 1 on two copies from 170 s to 185 s.
  health.serving_changed(0, at_s(50), -1);
  health.serving_changed(0, at_s(130), +1);
  health.healthy_changed(1, at_s(170), 2);
  health.healthy_changed(1, at_s(185), 3);
  health.settle(at_s(240));
  const auto& minutes = health.minutes();
  REQUIRE(minutes.size() == 4);  // up to the last minute anything accrued in (minute 3)
  CHECK(minutes[0].leaderless_ns == 10'000'000'000);
  CHECK(minutes[1].leaderless_ns == 60'000'000'000);
  CHECK(minutes[2].leaderless_ns == 10'000'000'000);
  CHECK(minutes[2].two_copies_ns == 10'000'000'000);
  CHECK(minutes[3].two_copies_ns == 5'000'000'000);
  CHECK(minutes[3].leaderless_ns == 0);
  std::int64_t leaderless = 0, two = 0;
  for (const auto& m : minutes) {
    leaderless += m.leaderless_ns;
    two += m.two_copies_ns;
    CHECK(m.no_quorum_ns == 0);
  }
  CHECK(leaderless == health.group(0).leaderless_ns);
  CHECK(two == health.group(1).two_copies_ns);
}
