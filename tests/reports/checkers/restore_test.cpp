// Tests of reports/checkers/restore.*: hand-built archives, histories and final states.
#include "reports/checkers/restore.h"
#include "tests/reports/checkers/history_builders.h"

#include <catch2/catch.hpp>

using namespace reports::checkers;
using models::replication::EntryKind;
using models::replication::LogEntry;

namespace {

LogEntry write(std::uint64_t key, models::WriteId id) {
  LogEntry e;
  e.kind = EntryKind::write;
  e.key = key;
  e.version = id;
  e.write = id;
  return e;
}

models::HistoryEntry put(std::uint64_t key, models::WriteId id) {
  models::HistoryEntry h;
  h.op = models::Operation::put;
  h.outcome = models::Outcome::ok;
  h.key = key;
  h.id = id;
  return h;
}

// Group 0 on nodes 1, 2, 3, each holding `items` (key -> newest write).
models::FinalState state_with(const std::map<std::uint64_t, models::WriteId>& items) {
  models::FinalState state;
  for (sim::NodeId node : {1u, 2u, 3u}) {
    models::FinalReplica r;
    r.group = 0;
    r.node = node;
    r.storage = true;
    r.storage_members = {1, 2, 3};
    checkers_test::ItemsByKey held;
    for (const auto& [key, write] : items) held[{0, key}] = {{write, write}};
    checkers_test::set_items(r, held);
    state.replicas.push_back(r);
  }
  return state;
}

}  // namespace

TEST_CASE("Restore: an archive holding every acknowledged write and the replicas' newest values passes", "[checkers]") {
  const std::vector<LogEntry> log{write(1, 10), LogEntry::noop({}), write(2, 11), write(1, 12)};
  const RestoreVerdict v = check_restore({{0, 0, 4, &log}}, {put(1, 10), put(2, 11), put(1, 12)}, state_with({{1, 12}, {2, 11}}));
  CHECK(v.judged);
  CHECK(v.entries_replayed == 4);
  CHECK(v.acknowledged_writes == 3);
  CHECK(v.missing_writes == 0);
  CHECK(v.keys_compared == 6);
  CHECK(v.state_mismatches == 0);
  CHECK(v.passed);
}

TEST_CASE("Restore: an acknowledged write the archive lacks, or a newest value it restores wrong, fails", "[checkers]") {
  const std::vector<LogEntry> log{write(1, 10), write(2, 11)};
  const RestoreVerdict missing = check_restore({{0, 0, 2, &log}}, {put(1, 10), put(2, 11), put(2, 13)}, state_with({{1, 10}, {2, 11}}));
  CHECK(missing.judged);
  CHECK(missing.missing_writes == 1);
  CHECK_FALSE(missing.passed);
  REQUIRE_FALSE(missing.examples.empty());
  CHECK(missing.examples[0].find("write 13") != std::string::npos);
  // The replicas hold write 14 for key 1, which the archive never saw; and key 3 is archived
  // but the replicas hold nothing for it.
  const std::vector<LogEntry> other{write(1, 10), write(2, 11), write(3, 15)};
  const RestoreVerdict differs = check_restore({{0, 0, 3, &other}}, {put(1, 10)}, state_with({{1, 14}, {2, 11}}));
  CHECK(differs.state_mismatches == 6);  // key 1 and key 3 on each of three replicas
  CHECK_FALSE(differs.passed);
}

TEST_CASE("Restore: an archive behind what the replicas applied is not judged, and does not pass", "[checkers]") {
  const std::vector<LogEntry> log{write(1, 10)};
  const RestoreVerdict v = check_restore({{0, 0, 5, &log}}, {put(1, 10)}, state_with({{1, 10}}));
  CHECK_FALSE(v.judged);
  CHECK(v.groups_behind == 1);
  CHECK_FALSE(v.passed);
}

TEST_CASE("Restore: after an archived split the newest values are not compared, the writes still are", "[checkers]") {
  const std::vector<LogEntry> log{write(1, 10), LogEntry::split({}, 1ull << 63, 1)};
  const RestoreVerdict v = check_restore({{0, 0, 2, &log}}, {put(1, 10)}, state_with({{1, 99}}));
  CHECK(v.judged);
  CHECK_FALSE(v.state_compared);
  CHECK(v.state_mismatches == 0);
  CHECK(v.passed);
}

TEST_CASE("Restore: an archived entry that fails its checksum ends its group's replay, and the restore fails",
          "[checkers]") {
  std::vector<LogEntry> log{write(1, 10), write(2, 11), write(1, 12)};
  log[1].rotten = true;
  const RestoreVerdict v = check_restore({{0, 0, 3, &log}}, {put(1, 10), put(2, 11), put(1, 12)}, state_with({{1, 12}, {2, 11}}));
  CHECK(v.judged);
  CHECK(v.corrupt_entries == 1);
  CHECK(v.entries_replayed == 1);  // slot 1 only
  CHECK(v.missing_writes == 2);    // writes 11 and 12 lie at and after the rot
  CHECK_FALSE(v.passed);
  REQUIRE_FALSE(v.examples.empty());
  CHECK(v.examples[0] == "group 0: archived slot 2 fails its checksum; the restore stops there");
}
