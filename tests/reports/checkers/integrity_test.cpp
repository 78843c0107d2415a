// Tests of reports/checkers/integrity.*: reads of values no put wrote, and their exclusion from
// the linearizability check.
#include "reports/checkers/integrity.h"
#include "reports/checkers/linearizability.h"
#include "tests/reports/checkers/history_builders.h"

#include <catch2/catch.hpp>

using namespace reports::checkers;
using namespace checkers_test;

TEST_CASE("Integrity: reads of written values pass, of never-written values are corrupted reads") {
  const std::vector<models::HistoryEntry> clean{put(1, 0x100, 1, 0, 10), get(1, 1, 0x100, 20, 30),
                                                eventual_get(1, 1, 0x100, 40, 50), get(2, 0, 0, 20, 30)};
  const IntegrityVerdict ok = check_integrity(clean);
  CHECK(ok.passed);
  CHECK(ok.reads == 2);  // the read of a key never written names no value
  CHECK(ok.corrupted_reads == 0);

  std::vector<models::HistoryEntry> rotten = clean;
  rotten.push_back(eventual_get(1, 1, 0x8000'0000'0000'0001, 60, 70));
  rotten.push_back(get(1, 1, 0x8000'0000'0000'0001, 80, 95));
  const IntegrityVerdict bad = check_integrity(rotten);
  CHECK_FALSE(bad.passed);
  CHECK(bad.corrupted_reads == 2);
  CHECK(bad.keys == 1);
  CHECK(bad.first == at_ms(70));
  CHECK(bad.last == at_ms(95));
  REQUIRE(bad.examples.size() == 2);
  CHECK(bad.examples[0].find("a value no put wrote") != std::string::npos);
}

TEST_CASE("Integrity: a corrupted strong read is the integrity checker's, not a linearizability violation") {
  std::vector<models::HistoryEntry> history{put(1, 0x100, 1, 0, 10), get(1, 1, 0x4000'0000'0000'0007, 20, 30)};
  CHECK(check_linearizable(history).passed);
  CHECK_FALSE(check_integrity(history).passed);
  // A read of another key's value is no corruption but a routing or replication bug: rule c.
  history.push_back(put(2, 0x200, 1, 0, 10));
  history.push_back(get(1, 1, 0x200, 40, 50));
  const ConsistencyVerdict verdict = check_linearizable(history);
  CHECK_FALSE(verdict.passed);
  CHECK(verdict.violations_of(ConsistencyRule::no_future_reads) == 1);
  CHECK(check_integrity(history).corrupted_reads == 1);
}
