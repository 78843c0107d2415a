// Tests of reports/checkers/staleness.*: versions and time behind for eventual reads, measured
// against acked puts that completed before each read was invoked.
#include "reports/checkers/staleness.h"

#include "tests/reports/checkers/history_builders.h"

#include <catch2/catch.hpp>

using checkers_test::eventual_get;
using checkers_test::get;
using checkers_test::maybe_put;
using checkers_test::put;
using reports::checkers::measure_staleness;
using reports::checkers::StalenessReport;

namespace {
constexpr std::uint64_t kMillisecondNs = 1'000'000;
}

TEST_CASE("Staleness: a read of the newest completed version is not stale", "[checkers]") {
  const StalenessReport report = measure_staleness(
      {put(1, 11, 1, 0, 10), put(1, 12, 2, 20, 30), eventual_get(1, 2, 12, 40, 41)});
  CHECK(report.reads == 1);
  CHECK(report.stale_reads == 0);
  CHECK(report.time_behind_ns.count() == 0);
  CHECK(report.versions_behind_max == 0);
}

TEST_CASE("Staleness: versions behind count from the newest put, time from the first newer one",
          "[checkers]") {
  const StalenessReport report =
      measure_staleness({put(1, 11, 1, 0, 10), put(1, 12, 2, 20, 30), put(1, 13, 3, 40, 50),
                         eventual_get(1, 1, 11, 60, 61), eventual_get(1, 1, 11, 35, 36)});
  CHECK(report.reads == 2);
  CHECK(report.stale_reads == 2);
  CHECK(report.versions_behind_max == 2);
  REQUIRE(report.time_behind_ns.count() == 2);
  CHECK(report.time_behind_ns.min() == 5 * kMillisecondNs);   // invoked 35, v2 completed 30
  CHECK(report.time_behind_ns.max() == 30 * kMillisecondNs);  // invoked 60, v2 completed 30
}

TEST_CASE("Staleness: puts completing out of version order, earliest newer completion counts",
          "[checkers]") {
  // v2 completes before v1, so a read of v1 at 30 is one version and 20 ms behind.
  const StalenessReport report = measure_staleness(
      {put(1, 11, 1, 0, 20), put(1, 12, 2, 0, 10), eventual_get(1, 1, 11, 30, 31), eventual_get(1, 0, 0, 40, 41)});
  CHECK(report.stale_reads == 2);
  CHECK(report.versions_behind_max == 2);
  CHECK(report.time_behind_ns.min() == 20 * kMillisecondNs);
  CHECK(report.time_behind_ns.max() == 30 * kMillisecondNs);  // v0 read at 40, v2 completed 10
}

TEST_CASE("Staleness: puts still in flight, failed puts and other keys do not make a read stale",
          "[checkers]") {
  const StalenessReport report = measure_staleness(
      {put(1, 11, 1, 0, 10), put(1, 12, 2, 20, 100), maybe_put(1, 13, 20, 30), put(2, 21, 5, 0, 10),
       eventual_get(1, 1, 11, 40, 41), eventual_get(3, 0, 0, 40, 41)});
  CHECK(report.reads == 2);
  CHECK(report.stale_reads == 0);
}

TEST_CASE("Staleness: strong reads and failed reads are not measured", "[checkers]") {
  const StalenessReport report = measure_staleness(
      {put(1, 11, 1, 0, 10), get(1, 0, 0, 20, 30),
       get(1, 0, 0, 20, 30, models::Operation::get_eventual, models::Outcome::timeout)});
  CHECK(report.reads == 0);
  CHECK(report.stale_reads == 0);
}
