// Tests of reports/checkers/linearizability.*: each rule broken on its own and named, the
// valid-but-tricky histories accepted, and a long generated history judged linearizable.
#include "reports/checkers/linearizability.h"

#include "sim/rng.h"
#include "tests/reports/checkers/history_builders.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using checkers_test::eventual_get;
using checkers_test::get;
using checkers_test::maybe_put;
using checkers_test::put;
using checkers_test::retried;
using models::HistoryEntry;
using reports::checkers::check_linearizable;
using reports::checkers::ConsistencyRule;
using reports::checkers::ConsistencyVerdict;

namespace {

// The one rule broken, exactly once, and the example naming it.
void require_only(const ConsistencyVerdict& verdict, ConsistencyRule rule) {
  INFO((verdict.examples.empty() ? std::string("no example") : verdict.examples.front()));
  CHECK_FALSE(verdict.passed);
  CHECK(verdict.violations == 1);
  CHECK(verdict.violations_of(rule) == 1);
  REQUIRE(verdict.examples.size() == 1);
  CHECK(verdict.examples.front().rfind(std::string("rule ") + reports::checkers::rule_name(rule), 0) == 0);
}

void require_passed(const ConsistencyVerdict& verdict) {
  INFO((verdict.examples.empty() ? std::string("no example") : verdict.examples.front()));
  CHECK(verdict.passed);
  CHECK(verdict.violations == 0);
  CHECK(verdict.examples.empty());
}

}  // namespace

TEST_CASE("Linearizability: sequential writes and reads pass", "[checkers]") {
  const ConsistencyVerdict verdict = check_linearizable({
      put(1, 11, 1, 0, 10), get(1, 1, 11, 20, 30), put(1, 12, 2, 40, 50), get(1, 2, 12, 60, 70)});
  require_passed(verdict);
  CHECK(verdict.operations == 4);
  CHECK(verdict.keys == 1);
}

TEST_CASE("Linearizability: concurrent writes may take effect in either order", "[checkers]") {
  require_passed(check_linearizable({put(1, 11, 1, 0, 10), put(1, 12, 2, 5, 15), get(1, 2, 12, 20, 30)}));
  require_passed(check_linearizable({put(1, 11, 2, 0, 10), put(1, 12, 1, 5, 15), get(1, 2, 11, 20, 30)}));
}

TEST_CASE("Linearizability: a read concurrent with a write may return the old or the new value",
          "[checkers]") {
  const HistoryEntry first = put(1, 11, 1, 0, 10);
  const HistoryEntry second = put(1, 12, 2, 20, 40);
  require_passed(check_linearizable({first, second, get(1, 1, 11, 25, 35)}));
  require_passed(check_linearizable({first, second, get(1, 2, 12, 25, 35)}));
  // Touching intervals are concurrent too: the read completes the instant the write is invoked.
  require_passed(check_linearizable({first, second, get(1, 2, 12, 15, 20)}));
}

TEST_CASE("Linearizability: a timed-out write may be observed later, or never", "[checkers]") {
  const HistoryEntry acked = put(1, 11, 1, 0, 10);
  const HistoryEntry maybe = maybe_put(1, 12, 20, 30);
  require_passed(check_linearizable({acked, maybe, get(1, 2, 12, 100, 110), get(1, 2, 12, 120, 130)}));
  require_passed(check_linearizable({acked, maybe, get(1, 1, 11, 100, 110)}));
  // Unavailable and throttled are maybe writes too: an earlier attempt may have been applied.
  require_passed(check_linearizable({acked, maybe_put(1, 12, 20, 30, models::Outcome::throttled),
                                     get(1, 2, 12, 100, 110)}));
  // Observed after the client gave up: the write can take effect any time after its invocation.
  require_passed(check_linearizable({acked, maybe_put(1, 12, 20, 30, models::Outcome::unavailable),
                                     get(1, 1, 11, 40, 50), get(1, 2, 12, 60, 70)}));
}

TEST_CASE("Linearizability: reads of a key never written return version 0", "[checkers]") {
  require_passed(check_linearizable({get(1, 0, 0, 0, 10), get(1, 0, 0, 20, 30), put(1, 11, 1, 40, 50)}));
  require_passed(check_linearizable({get(7, 0, 0, 0, 10), put(1, 11, 1, 0, 10), get(1, 1, 11, 20, 30)}));
}

TEST_CASE("Linearizability: eventual reads and failed reads are not judged", "[checkers]") {
  const ConsistencyVerdict verdict = check_linearizable(
      {put(1, 11, 1, 0, 10), put(1, 12, 2, 20, 30), eventual_get(1, 1, 11, 40, 50),
       get(1, 0, 0, 40, 50, models::Operation::get_strong, models::Outcome::timeout)});
  require_passed(verdict);
  CHECK(verdict.operations == 2);
}

TEST_CASE("Linearizability: rule a catches two writes given one version", "[checkers]") {
  require_only(check_linearizable({put(1, 11, 1, 0, 10), put(1, 12, 1, 5, 15)}),
               ConsistencyRule::one_write_per_version);
  // Seen only through a read: the acked put has version 1, and a read says version 1 is another write.
  require_only(check_linearizable({put(1, 11, 1, 0, 10), maybe_put(1, 12, 0, 10), get(1, 1, 12, 20, 30)}),
               ConsistencyRule::one_write_per_version);
}

TEST_CASE("Linearizability: rule a catches one write seen at two versions", "[checkers]") {
  require_only(check_linearizable({put(1, 11, 2, 0, 10), get(1, 3, 11, 20, 30)}),
               ConsistencyRule::one_write_per_version);
}

TEST_CASE("Linearizability: a retried put may take effect once per attempt, at as many versions", "[checkers]") {
  // Attempt 1 times out but is applied at v1; attempt 2 is applied at v2 and acknowledged.
  const HistoryEntry twice = retried(put(1, 11, 2, 0, 100), 2);
  require_passed(check_linearizable({twice, get(1, 1, 11, 10, 20), get(1, 2, 11, 110, 120)}));
  // The late attempt may land after the acknowledged one: a read after the put sees it at v3.
  require_passed(check_linearizable({twice, get(1, 2, 11, 110, 120), get(1, 3, 11, 130, 140)}));
  // A put the client gave up on after three attempts, two of them applied.
  require_passed(check_linearizable(
      {retried(maybe_put(1, 12, 0, 100), 3), get(1, 1, 12, 50, 60), get(1, 2, 12, 150, 160)}));
  // Still caught: more versions than attempts ...
  require_only(check_linearizable({twice, get(1, 1, 11, 10, 20), get(1, 3, 11, 110, 120)}),
               ConsistencyRule::one_write_per_version);
  // ... a stale read after the acknowledged version ...
  require_only(check_linearizable({twice, get(1, 2, 11, 110, 120), put(1, 12, 3, 130, 140), get(1, 2, 11, 150, 160)}),
               ConsistencyRule::no_stale_reads);
  // ... and an attempt's version revealed below a write that completed before the put began.
  const ConsistencyVerdict order = check_linearizable(
      {put(1, 10, 5, 0, 10), retried(put(1, 11, 7, 20, 100), 2), get(1, 4, 11, 30, 40)});
  CHECK(order.violations_of(ConsistencyRule::real_time_write_order) == 1);
}

TEST_CASE("Linearizability: rule b catches a later write with a lower version", "[checkers]") {
  require_only(check_linearizable({put(1, 11, 2, 0, 10), put(1, 12, 1, 20, 30)}),
               ConsistencyRule::real_time_write_order);
}

TEST_CASE("Linearizability: rule b also orders a timed-out write once a read reveals its version",
          "[checkers]") {
  const ConsistencyVerdict verdict = check_linearizable(
      {put(1, 11, 2, 0, 10), maybe_put(1, 12, 20, 30), get(1, 1, 12, 40, 50)});
  CHECK_FALSE(verdict.passed);
  CHECK(verdict.violations_of(ConsistencyRule::real_time_write_order) == 1);
}

TEST_CASE("Linearizability: rule c catches a read of a write that was never made on its key", "[checkers]") {
  // A read of a value written to another key: a routing or replication bug.
  require_only(check_linearizable({put(2, 11, 1, 0, 10), get(1, 1, 11, 20, 30)}),
               ConsistencyRule::no_future_reads);
  // A value no put of the run wrote is corrupted data: the integrity checker judges it
  // (integrity_test.cpp), and it is left out here.
  CHECK(check_linearizable({put(1, 11, 1, 0, 10), get(1, 1, 99, 20, 30)}).passed);
  require_only(check_linearizable({get(1, 1, 0, 20, 30)}), ConsistencyRule::no_future_reads);
}

TEST_CASE("Linearizability: rule c catches a read of a write invoked after the read completed",
          "[checkers]") {
  const ConsistencyVerdict verdict = check_linearizable({get(1, 1, 11, 0, 10), put(1, 11, 1, 20, 30)});
  CHECK_FALSE(verdict.passed);
  CHECK(verdict.violations_of(ConsistencyRule::no_future_reads) == 1);
  // The same read is also before the write it returned, which rule f names as well.
  CHECK(verdict.violations_of(ConsistencyRule::reads_precede_writes) == 1);
  CHECK(verdict.violations == 2);
}

TEST_CASE("Linearizability: rule d catches a read older than a completed write", "[checkers]") {
  require_only(check_linearizable({put(1, 11, 1, 0, 10), put(1, 12, 2, 20, 30), get(1, 1, 11, 40, 50)}),
               ConsistencyRule::no_stale_reads);
  require_only(check_linearizable({put(1, 11, 1, 0, 10), get(1, 0, 0, 20, 30)}), ConsistencyRule::no_stale_reads);
}

TEST_CASE("Linearizability: rule e catches a read going back in time", "[checkers]") {
  const ConsistencyVerdict verdict = check_linearizable(
      {put(1, 11, 1, 0, 100), put(1, 12, 2, 0, 100), get(1, 2, 12, 10, 20), get(1, 1, 11, 30, 40)});
  require_only(verdict, ConsistencyRule::monotonic_reads);
  CHECK(verdict.examples.front().find("t0/k1") != std::string::npos);
}

TEST_CASE("Linearizability: rule f catches a read that saw a version before it was written",
          "[checkers]") {
  require_only(check_linearizable({put(1, 13, 3, 0, 100), get(1, 3, 13, 5, 10), put(1, 12, 2, 20, 30)}),
               ConsistencyRule::reads_precede_writes);
}

TEST_CASE("Linearizability: at most ten examples, every violation counted", "[checkers]") {
  std::vector<HistoryEntry> history{put(1, 11, 1, 0, 10), put(1, 12, 2, 20, 30)};
  for (int i = 0; i < 25; ++i) history.push_back(get(1, 1, 11, 40 + 10 * i, 45 + 10 * i));
  const ConsistencyVerdict verdict = check_linearizable(history);
  CHECK(verdict.violations_of(ConsistencyRule::no_stale_reads) == 25);
  CHECK(verdict.examples.size() == ConsistencyVerdict::kMaxExamples);
}

namespace {

// A linearizable history by construction: a sequential model per key applies each operation
// at its linearization point, and the recorded interval is drawn around that point, wide
// enough that operations on a hot key overlap dozens deep.
std::vector<HistoryEntry> generate_linearizable(std::size_t operations, std::uint64_t keys, std::uint64_t seed) {
  sim::Rng rng(seed);
  std::vector<std::uint64_t> version(keys, 0);
  std::vector<models::WriteId> value(keys, 0);
  std::vector<HistoryEntry> history;
  history.reserve(operations);
  const std::int64_t width_ns_max = 2'000'000;
  for (std::size_t i = 0; i < operations; ++i) {
    const sim::Time point = sim::Time::zero() + sim::seconds(1) + sim::micros(static_cast<std::int64_t>(i));
    // Half the operations go to ten hot keys, so their intervals overlap heavily.
    const std::uint64_t key = rng.chance(1, 2) ? rng.below(10) : rng.below(keys);
    HistoryEntry entry;
    entry.table = static_cast<std::uint32_t>(key % 2);
    entry.key = key;
    entry.invoked = point - sim::nanos(rng.uniform_int(0, width_ns_max));
    entry.completed = point + sim::nanos(rng.uniform_int(0, width_ns_max));
    entry.outcome = models::Outcome::ok;
    const std::uint64_t roll = rng.below(100);
    if (roll < 45) {
      entry.op = models::Operation::get_strong;
      entry.version = version[key];
      entry.value = value[key];
    } else if (roll < 55) {
      entry.op = models::Operation::get_eventual;  // ignored; may be anything older
      entry.version = version[key] == 0 ? 0 : rng.below(version[key]) + 1;
      entry.value = 0;
    } else {
      entry.op = models::Operation::put;
      entry.id = models::make_write_id(static_cast<std::uint32_t>(rng.below(64)), i);
      const bool failed = roll >= 90;
      const bool applied = !failed || roll < 95;  // half the failed puts took effect anyway
      if (failed) entry.outcome = roll % 2 == 0 ? models::Outcome::timeout : models::Outcome::unavailable;
      if (applied) {
        version[key] += 1;
        value[key] = entry.id;
        if (!failed) entry.version = version[key];
      }
    }
    history.push_back(entry);
  }
  return history;
}

}  // namespace

TEST_CASE("Linearizability: 300,000 generated linearizable operations over 1,000 keys pass", "[checkers]") {
  std::vector<HistoryEntry> history = generate_linearizable(300'000, 1'000, 42);
  const ConsistencyVerdict verdict = check_linearizable(history);
  INFO((verdict.examples.empty() ? std::string("no example") : verdict.examples.front()));
  CHECK(verdict.passed);
  CHECK(verdict.keys == 1'000);
  CHECK(verdict.operations > 250'000);

  // Plant one bug: the last strong read of a hot key forgets everything.
  const auto last_read = std::find_if(history.rbegin(), history.rend(), [](const HistoryEntry& entry) {
    return entry.key == 0 && entry.op == models::Operation::get_strong && entry.version > 1;
  });
  REQUIRE(last_read != history.rend());
  last_read->version = 0;
  last_read->value = 0;
  const ConsistencyVerdict planted = check_linearizable(history);
  CHECK_FALSE(planted.passed);
  CHECK(planted.violations_of(ConsistencyRule::no_stale_reads) >= 1);
}
