// Tests of reports/checkers/durability.*: acknowledged writes counted on voting storage
// replicas only, a lost write caught and named, an unhealed group reported apart.
#include "reports/checkers/durability.h"

#include "tests/reports/checkers/history_builders.h"

#include <catch2/catch.hpp>

#include <vector>

using checkers_test::maybe_put;
using checkers_test::put;
using models::FinalReplica;
using models::FinalState;
using reports::checkers::check_durability;
using reports::checkers::DurabilityVerdict;

namespace {

// Keys below 100 live in group 0, the rest in group 1.
std::uint32_t group_of(std::uint32_t /*table*/, std::uint64_t key) { return key < 100 ? 0 : 1; }

FinalReplica replica(std::uint32_t group, sim::NodeId node, bool voting, bool storage) {
  FinalReplica result;
  result.group = group;
  result.node = node;
  result.voting = voting;
  result.storage = storage;
  return result;
}

// Group 0: three voting storage replicas (nodes 1-3), a voting log replica (node 4) and a
// non-voting storage replica (node 5). Group 1: nodes 11-13, all voting storage. Quorum 2.
FinalState healthy_state() {
  FinalState state;
  state.write_quorum = 2;
  state.replicas = {replica(0, 1, true, true),  replica(0, 2, true, true),  replica(0, 3, true, true),
                    replica(0, 4, true, false), replica(0, 5, false, true), replica(1, 11, true, true),
                    replica(1, 12, true, true), replica(1, 13, true, true)};
  return state;
}

FinalReplica& node(FinalState& state, sim::NodeId id) {
  for (FinalReplica& r : state.replicas) {
    if (r.node == id) return r;
  }
  FAIL("no node " << id);
  return state.replicas.front();
}

void hold(FinalState& state, sim::NodeId id, std::uint64_t key, std::uint64_t version, models::WriteId write) {
  node(state, id).items[{0, key}].emplace_back(version, write);
}

}  // namespace

TEST_CASE("Durability: a write on exactly a quorum of voting storage replicas is kept", "[checkers]") {
  FinalState state = healthy_state();
  hold(state, 1, 17, 1, 0xA1);
  hold(state, 3, 17, 1, 0xA1);
  const DurabilityVerdict verdict = check_durability({put(17, 0xA1, 1, 0, 10)}, state, group_of);
  CHECK(verdict.passed);
  CHECK(verdict.acknowledged_writes == 1);
  CHECK(verdict.lost_writes == 0);
  CHECK(verdict.examples.empty());
  CHECK(verdict.unhealed_groups.empty());
}

TEST_CASE("Durability: a write every replica lost is caught and named", "[checkers]") {
  FinalState state = healthy_state();
  hold(state, 2, 17, 1, 0xA1);
  hold(state, 2, 17, 2, 0xA2);
  hold(state, 3, 17, 2, 0xA2);
  const DurabilityVerdict verdict =
      check_durability({put(17, 0xA1, 1, 0, 12'345), put(17, 0xA2, 2, 20'000, 20'010)}, state, group_of);
  CHECK_FALSE(verdict.passed);
  CHECK(verdict.acknowledged_writes == 2);
  CHECK(verdict.lost_writes == 1);
  REQUIRE(verdict.examples.size() == 1);
  CHECK(verdict.examples.front() ==
        "put t0/k17 v1 (write 0xa1) acknowledged at 12.345000s is on 1 of 3 voting storage replicas "
        "of group 0, quorum 2 (holding it: nodes 2; missing it: nodes 1, 3)");
}

TEST_CASE("Durability: a log replica is not counted, even if it lists the item", "[checkers]") {
  FinalState state = healthy_state();
  hold(state, 1, 17, 1, 0xA1);
  hold(state, 4, 17, 1, 0xA1);
  const DurabilityVerdict verdict = check_durability({put(17, 0xA1, 1, 0, 10)}, state, group_of);
  CHECK_FALSE(verdict.passed);
  CHECK(verdict.lost_writes == 1);
}

TEST_CASE("Durability: a non-voting storage replica is not counted", "[checkers]") {
  FinalState state = healthy_state();
  hold(state, 1, 17, 1, 0xA1);
  hold(state, 5, 17, 1, 0xA1);
  CHECK(check_durability({put(17, 0xA1, 1, 0, 10)}, state, group_of).lost_writes == 1);
}

TEST_CASE("Durability: the version must hold the acknowledged write, not another", "[checkers]") {
  FinalState state = healthy_state();
  hold(state, 1, 17, 1, 0xA1);
  hold(state, 2, 17, 1, 0xB1);  // version 1 of another write: a split brain, not a copy
  hold(state, 3, 17, 2, 0xA1);
  CHECK(check_durability({put(17, 0xA1, 1, 0, 10)}, state, group_of).lost_writes == 1);
}

TEST_CASE("Durability: a replica listing a version twice counts once", "[checkers]") {
  FinalState state = healthy_state();
  hold(state, 1, 17, 1, 0xA1);
  hold(state, 1, 17, 1, 0xA1);
  CHECK(check_durability({put(17, 0xA1, 1, 0, 10)}, state, group_of).lost_writes == 1);
}

TEST_CASE("Durability: failed puts are not owed to anyone", "[checkers]") {
  const DurabilityVerdict verdict = check_durability(
      {maybe_put(17, 0xA1, 0, 10), maybe_put(17, 0xA2, 0, 10, models::Outcome::unavailable)},
      healthy_state(), group_of);
  CHECK(verdict.passed);
  CHECK(verdict.acknowledged_writes == 0);
}

TEST_CASE("Durability: a group left below a quorum of voting storage replicas is reported apart",
          "[checkers]") {
  FinalState state = healthy_state();
  node(state, 12).voting = false;
  node(state, 13).storage = false;
  hold(state, 1, 17, 1, 0xA1);
  hold(state, 2, 17, 1, 0xA1);
  const DurabilityVerdict verdict =
      check_durability({put(17, 0xA1, 1, 0, 10), put(150, 0xA2, 1, 0, 10), put(151, 0xA3, 1, 0, 10)}, state,
                       group_of);
  CHECK_FALSE(verdict.passed);
  CHECK(verdict.acknowledged_writes == 1);
  CHECK(verdict.lost_writes == 0);
  REQUIRE(verdict.unhealed_groups.size() == 1);
  CHECK(verdict.unhealed_groups.front().group == 1);
  CHECK(verdict.unhealed_groups.front().voting_storage_replicas == 1);
  CHECK(verdict.unhealed_groups.front().acknowledged_writes == 2);
}

TEST_CASE("Durability: a write to a group with no replica at all is unhealed, not lost", "[checkers]") {
  FinalState state = healthy_state();
  const DurabilityVerdict verdict = check_durability(
      {put(17, 0xA1, 1, 0, 10)}, state, [](std::uint32_t, std::uint64_t) { return std::uint32_t{9}; });
  CHECK_FALSE(verdict.passed);
  CHECK(verdict.lost_writes == 0);
  REQUIRE(verdict.unhealed_groups.size() == 1);
  CHECK(verdict.unhealed_groups.front().group == 9);
  CHECK(verdict.unhealed_groups.front().voting_storage_replicas == 0);
}

TEST_CASE("Durability: at most ten examples, every lost write counted", "[checkers]") {
  std::vector<models::HistoryEntry> history;
  for (std::uint64_t key = 0; key < 30; ++key) history.push_back(put(key, 0xA00 + key, 1, 0, 10));
  const DurabilityVerdict verdict = check_durability(history, healthy_state(), group_of);
  CHECK(verdict.lost_writes == 30);
  CHECK(verdict.examples.size() == DurabilityVerdict::kMaxExamples);
}
