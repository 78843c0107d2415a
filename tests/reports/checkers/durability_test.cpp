// Tests of reports/checkers/durability.*: acknowledged writes counted on the voting storage
// replicas the replicas' own memberships name, a lost write caught and named, an unhealed group
// reported apart.
#include "reports/checkers/durability.h"

#include "tests/reports/checkers/history_builders.h"

#include <catch2/catch.hpp>

#include <tuple>
#include <vector>

using checkers_test::maybe_put;
using checkers_test::put;
using models::FinalReplica;
using models::FinalState;
using reports::checkers::check_durability;
using reports::checkers::DurabilityVerdict;

namespace {

// Keys below 100 live in group 0, below 200 in group 1, the rest in group 2.
std::uint32_t group_of(std::uint32_t /*table*/, std::uint64_t key) { return key < 100 ? 0 : key < 200 ? 1 : 2; }

// A replica whose last applied membership (epoch 1) names `storage_members` as storage replicas.
FinalReplica replica(std::uint32_t group, sim::NodeId node, bool storage, std::vector<sim::NodeId> storage_members,
                     std::uint32_t epoch = 1) {
  FinalReplica result;
  result.group = group;
  result.node = node;
  result.storage = storage;
  result.membership_epoch = epoch;
  result.storage_members = std::move(storage_members);
  return result;
}

// Group 0: members 1-3, storage replicas; node 5 keeps a storage replica but is no member.
// Group 1: members 11 and 12 are storage replicas, 13 a log replica. Group 2: nodes 21-23.
// Quorum 2.
FinalState healthy_state() {
  FinalState state;
  state.write_quorum = 2;
  const std::vector<sim::NodeId> zero{1, 2, 3}, one{11, 12}, two{21, 22, 23};
  state.replicas = {replica(0, 1, true, zero),  replica(0, 2, true, zero),  replica(0, 3, true, zero),
                    replica(0, 5, true, {5, 2, 3}, 0), replica(1, 11, true, one), replica(1, 12, true, one),
                    replica(1, 13, false, one), replica(2, 21, true, two), replica(2, 22, true, two),
                    replica(2, 23, true, two)};
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
  checkers_test::ItemsByKey items = checkers_test::items_of(node(state, id));
  items[{0, key}].emplace_back(version, write);
  checkers_test::set_items(node(state, id), items);
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
  hold(state, 11, 117, 1, 0xA1);
  hold(state, 13, 117, 1, 0xA1);
  const DurabilityVerdict verdict = check_durability({put(117, 0xA1, 1, 0, 10)}, state, group_of);
  CHECK_FALSE(verdict.passed);
  CHECK(verdict.lost_writes == 1);
}

TEST_CASE("Durability: a storage replica outside the membership is not counted", "[checkers]") {
  FinalState state = healthy_state();
  hold(state, 1, 17, 1, 0xA1);
  hold(state, 5, 17, 1, 0xA1);
  CHECK(check_durability({put(17, 0xA1, 1, 0, 10)}, state, group_of).lost_writes == 1);
}

TEST_CASE("Durability: who votes is the newest membership the group's replicas applied (defect 7)", "[checkers]") {
  // Group 2 healed: node 24 replaced node 23, and nodes 21 and 24 applied that; node 22 and the
  // replaced node 23 (back from a power-off) still hold epoch 1. The write is on 21 and 23.
  FinalState state = healthy_state();
  std::erase_if(state.replicas, [](const models::FinalReplica& r) { return r.node == 21; });
  state.replicas.push_back(replica(2, 21, true, {21, 22, 24}, 2));  // after the stale ones, on purpose
  state.replicas.push_back(replica(2, 24, true, {21, 22, 24}, 2));
  hold(state, 21, 217, 1, 0xA1);
  hold(state, 23, 217, 1, 0xA1);
  const DurabilityVerdict verdict = check_durability({put(217, 0xA1, 1, 0, 10)}, state, group_of);
  CHECK(verdict.lost_writes == 1);  // node 23 votes no more: one copy among {21, 22, 24}
  hold(state, 24, 217, 1, 0xA1);
  CHECK(check_durability({put(217, 0xA1, 1, 0, 10)}, state, group_of).passed);
}

TEST_CASE("Durability: a storage member whose replica holds no items lacks every write", "[checkers]") {
  FinalState state = healthy_state();
  for (models::FinalReplica& r : state.replicas)
    if (r.node == 3) r.storage = false;  // the membership says storage; the replica never got the items
  hold(state, 1, 17, 1, 0xA1);
  hold(state, 3, 17, 1, 0xA1);
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
  // Group 1's newest membership (epoch 2, applied by node 11) has one storage replica left.
  for (models::FinalReplica& r : state.replicas)
    if (r.node == 11) r = replica(1, 11, true, {11}, 2);
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

TEST_CASE("Durability: unhealed groups come in group order, reported or not, each with its writes", "[checkers]") {
  // Groups 0 and 7 are healthy, group 3 has one voter left; groups 2, 5 and 9 have no replica.
  FinalState state;
  state.write_quorum = 2;
  state.replicas = {replica(7, 71, true, {71, 72}), replica(7, 72, true, {71, 72}), replica(3, 31, true, {31}),
                    replica(0, 1, true, {1, 2}),   replica(0, 2, true, {1, 2})};
  const auto by_hundreds = [](std::uint32_t, std::uint64_t key) { return static_cast<std::uint32_t>(key / 100); };
  hold(state, 1, 17, 1, 0xA1);
  hold(state, 2, 17, 1, 0xA1);
  const DurabilityVerdict verdict = check_durability(
      {put(17, 0xA1, 1, 0, 10), put(250, 0xA2, 1, 0, 10), put(350, 0xA3, 1, 0, 10), put(351, 0xA4, 1, 0, 10),
       put(550, 0xA5, 1, 0, 10), put(950, 0xA6, 1, 0, 10)},
      state, by_hundreds);
  CHECK_FALSE(verdict.passed);
  CHECK(verdict.acknowledged_writes == 1);
  CHECK(verdict.lost_writes == 0);
  REQUIRE(verdict.unhealed_groups.size() == 4);
  const std::vector<std::tuple<std::uint32_t, std::size_t, std::uint64_t>> expected{
      {2, 0, 1}, {3, 1, 2}, {5, 0, 1}, {9, 0, 1}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(verdict.unhealed_groups[i].group == std::get<0>(expected[i]));
    CHECK(verdict.unhealed_groups[i].voting_storage_replicas == std::get<1>(expected[i]));
    CHECK(verdict.unhealed_groups[i].acknowledged_writes == std::get<2>(expected[i]));
  }
}

TEST_CASE("Durability: at most ten examples, every lost write counted", "[checkers]") {
  std::vector<models::HistoryEntry> history;
  for (std::uint64_t key = 0; key < 30; ++key) history.push_back(put(key, 0xA00 + key, 1, 0, 10));
  const DurabilityVerdict verdict = check_durability(history, healthy_state(), group_of);
  CHECK(verdict.lost_writes == 30);
  CHECK(verdict.examples.size() == DurabilityVerdict::kMaxExamples);
}

TEST_CASE("Durability: with only the newest version kept, a newer version on a quorum keeps an older write",
          "[checkers]") {
  FinalState state = healthy_state();
  state.newest_only = true;
  // v1 was overwritten by v2 (unacknowledged, say): nodes 1 and 2 hold v2, node 3 still v1.
  hold(state, 1, 17, 2, 0xB2);
  hold(state, 2, 17, 2, 0xB2);
  hold(state, 3, 17, 1, 0xA1);
  CHECK(check_durability({put(17, 0xA1, 1, 0, 10)}, state, group_of).passed);
  // v3 was acknowledged, but only node 1 moved past v2: lost.
  FinalState lost = state;
  checkers_test::ItemsByKey items = checkers_test::items_of(node(lost, 1));
  items[{0, 17}] = {{3, 0xC3}};
  checkers_test::set_items(node(lost, 1), items);
  const DurabilityVerdict verdict = check_durability({put(17, 0xC3, 3, 20, 30)}, lost, group_of);
  CHECK(verdict.lost_writes == 1);
  REQUIRE(verdict.examples.size() == 1);
  CHECK(verdict.examples[0].find("or a newer version") != std::string::npos);
  // With every version kept, the same state loses v1: exactness is the stronger check.
  state.newest_only = false;
  CHECK(check_durability({put(17, 0xA1, 1, 0, 10)}, state, group_of).lost_writes == 1);
}

TEST_CASE("Durability: lost writes are named in history order, whatever their keys", "[checkers]") {
  // The checker judges puts item by item; its examples must still follow the history.
  FinalState state = healthy_state();
  const DurabilityVerdict verdict = check_durability(
      {put(40, 0xB1, 1, 0, 10), put(17, 0xB2, 1, 20, 30), put(40, 0xB3, 2, 40, 50), put(5, 0xB4, 1, 60, 70)},
      state, group_of);
  CHECK(verdict.acknowledged_writes == 4);
  CHECK(verdict.lost_writes == 4);
  REQUIRE(verdict.examples.size() == 4);
  CHECK(verdict.examples[0].starts_with("put t0/k40 v1 (write 0xb1)"));
  CHECK(verdict.examples[1].starts_with("put t0/k17 v1 (write 0xb2)"));
  CHECK(verdict.examples[2].starts_with("put t0/k40 v2 (write 0xb3)"));
  CHECK(verdict.examples[3].starts_with("put t0/k5 v1 (write 0xb4)"));
}

TEST_CASE("Durability: a replica listing an item's versions newest first still counts", "[checkers]") {
  // The index is merged from each replica's runs; a run out of order must be sorted first.
  FinalState state = healthy_state();
  checkers_test::ItemsByKey items;
  items[{0, 17}] = {{2, 0xA2}, {1, 0xA1}};
  checkers_test::set_items(node(state, 1), items);
  hold(state, 2, 17, 1, 0xA1);
  hold(state, 2, 17, 2, 0xA2);
  const DurabilityVerdict verdict =
      check_durability({put(17, 0xA1, 1, 0, 10), put(17, 0xA2, 2, 20, 30)}, state, group_of);
  CHECK(verdict.passed);
  CHECK(verdict.lost_writes == 0);
}

TEST_CASE("Durability: the examples are the first lost writes of the history, not of the key order", "[checkers]") {
  // Twelve lost puts with keys falling through the history: the ten examples are the first ten
  // puts made, while item order would pick the last ten.
  std::vector<models::HistoryEntry> history;
  for (std::uint64_t i = 0; i < 12; ++i)
    history.push_back(put(90 - i, 0xD0 + i, 1, static_cast<std::int64_t>(10 * i), static_cast<std::int64_t>(10 * i + 5)));
  const DurabilityVerdict verdict = check_durability(history, healthy_state(), group_of);
  CHECK(verdict.lost_writes == 12);
  REQUIRE(verdict.examples.size() == DurabilityVerdict::kMaxExamples);
  CHECK(verdict.examples.front().starts_with("put t0/k90 v1"));
  CHECK(verdict.examples.back().starts_with("put t0/k81 v1"));
}
