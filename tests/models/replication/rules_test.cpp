// Tests of the consensus rules (models/replication/rules.h and wal.h) on bare replicas, with a
// recording host instead of a kernel. The tests named after a defect fail without its fix.
#include "models/replication/rules.h"
#include "tests/models/replication/fake_host.h"

#include <catch2/catch.hpp>

using namespace models::replication;
using models::replication::testing::FakeHost;

namespace {

Membership three(sim::NodeId a, sim::NodeId b, sim::NodeId c, std::uint32_t epoch = 1) {
  Membership m;
  m.nodes = {a, b, c};
  m.storage_mask = 0b111;
  m.epoch = epoch;
  return m;
}

LogEntry write(Ballot ballot, std::uint64_t key, std::uint64_t version, models::WriteId id) {
  LogEntry e;
  e.ballot = ballot;
  e.kind = EntryKind::write;
  e.key = key;
  e.version = version;
  e.write = id;
  return e;
}

// A replica of group 7 whose log holds `entries` from slot 1, all on disk.
Replica replica_with(const std::vector<LogEntry>& entries, Membership membership = three(1, 2, 3)) {
  Replica r;
  r.group = 7;
  r.d.membership = membership;
  for (const LogEntry& e : entries) r.d.log.append(e);
  r.d.log.written(r.d.log.newest_write());
  r.v.matched = r.d.log.last();
  if (!entries.empty()) r.d.promised = entries.back().ballot;
  return r;
}

// Makes `r` (on node `self`) the leader of `ballot`, with its log as it is.
void lead(Replica& r, sim::NodeId self, Ballot ballot) {
  r.v.role = Role::leader;
  r.v.leader_ballot = ballot;
  r.v.leader_node = self;
  r.d.promised = ballot;
  r.v.matched = r.d.log.last();
}

AcceptMessage accept(Ballot ballot, Slot slot, Slot commit, LogEntry entry) { return AcceptMessage{7, ballot, slot, commit, entry}; }

// A snapshot of group 7 up to `applied`, without items or entries.
CatchUpMessage snapshot_message(Ballot ballot, Slot applied, const Membership& membership) {
  CatchUpMessage m{};
  m.group = 7;
  m.ballot = ballot;
  m.snapshot = true;
  m.snapshot_applied = applied;
  m.membership = membership;
  return m;
}

}  // namespace

TEST_CASE("Ballot: order is round first, then node, next_for always goes up", "[rules]") {
  const Ballot a = Ballot::make(1, 9);
  const Ballot b = Ballot::make(2, 0);
  CHECK(a < b);
  CHECK(Ballot::make(2, 1) > b);
  CHECK(a.round() == 1);
  CHECK(a.node() == 9);
  CHECK(b.next_for(4) > b);
  CHECK(b.next_for(4).node() == 4);
  CHECK(Ballot().none());
  CHECK(Ballot() < a);
}

TEST_CASE("Membership: a config entry carries the whole membership and the one it was made from", "[rules]") {
  Membership base = three(4, 17, 9, 11);
  base.storage_mask = 0b001;
  Membership m = three(4, 17, 200000, 12);
  m.storage_mask = 0b101;
  const LogEntry e = LogEntry::config(Ballot::make(3, 4), base, m);
  CHECK(e.kind == EntryKind::config);
  CHECK(e.membership() == m);
  CHECK(e.base() == base);
  CHECK(rules::takes_effect(e, base));
  CHECK_FALSE(rules::takes_effect(e, three(4, 17, 9, 11)));  // another mask at that epoch
  CHECK(Membership::quorum() == 2);
}

// ---- the write-ahead log ---------------------------------------------------------------------

TEST_CASE("Wal: the same value at a slot keeps what follows it, another value drops it (defect 1)", "[rules][wal]") {
  const Ballot b = Ballot::make(1, 1);
  Wal log;
  for (std::uint64_t k = 1; k <= 3; ++k) log.append(write(b, k, 1, k));
  log.written(log.newest_write());
  REQUIRE(log.persisted() == 3);
  // The same entry again (a delayed duplicate accept): nothing changes, nothing to write.
  CHECK_FALSE(log.store(2, write(b, 2, 1, 2)));
  CHECK(log.last() == 3);
  CHECK(log.persisted() == 3);
  // The same value under a newer ballot (a new leader re-proposing it): rewritten, slot 3 stays.
  const Ballot newer = Ballot::make(2, 2);
  CHECK(log.store(2, write(newer, 2, 1, 2)));
  CHECK(log.last() == 3);
  CHECK(log.at(2).ballot == newer);
  CHECK(log.persisted() == 1);  // slot 2's rewrite is not on disk yet
  log.written(log.newest_write());
  CHECK(log.persisted() == 3);
  // Another value: the deposed leader's entry and everything after it go.
  CHECK(log.store(2, write(newer, 9, 1, 99)));
  CHECK(log.last() == 2);
  CHECK(log.at(2).write == 99);
}

TEST_CASE("Wal: a power-off keeps exactly what reached the disk", "[rules][wal]") {
  const Ballot b = Ballot::make(1, 1);
  const Ballot newer = Ballot::make(2, 2);
  Wal log;
  for (std::uint64_t k = 1; k <= 4; ++k) log.append(write(b, k, 1, k));
  log.written(log.newest_write() - 1);  // slots 1..3 on disk, slot 4 still in flight
  CHECK(log.persisted() == 3);
  log.store(2, write(newer, 2, 1, 2));  // a rewrite under a newer ballot, not on disk yet
  CHECK(log.durable(2, sim::Time::zero()));  // its value is on disk, under the old ballot
  log.lose_unwritten(sim::Time::zero());
  CHECK(log.last() == 3);                // slot 4 never reached the disk
  CHECK(log.at(2).ballot == b);          // slot 2 is back to the ballot on disk
  CHECK(log.persisted() == 3);
}

TEST_CASE("Wal: a write handed with its landing time is on disk from then on, settled or not", "[rules][wal]") {
  const Ballot b = Ballot::make(1, 1);
  const sim::Time t0 = sim::Time::zero() + sim::seconds(10);
  const sim::Time lands = t0 + sim::millis(5);
  Wal log;
  log.append(write(b, 1, 1, 1));
  log.written(log.newest_write());
  log.append(write(b, 2, 1, 2));
  log.append(write(b, 3, 1, 3));
  log.hand(log.newest_write(), lands);
  log.hand(log.newest_write(), lands + sim::millis(3));  // handed again: lands as first handed
  REQUIRE(log.unsettled());
  CHECK(log.last_landing() == lands);
  // Before the landing: not on disk, and settling changes nothing.
  CHECK_FALSE(log.durable(3, t0));
  log.settle(t0);
  CHECK(log.persisted() == 1);
  // From the landing: durable reads it at once; settling makes persisted() say so.
  CHECK(log.durable(2, lands));
  CHECK(log.durable(3, lands));
  log.settle(lands);
  CHECK(log.persisted() == 3);
  CHECK_FALSE(log.unsettled());
  // A power-off before a handed write lands loses it, and keeps what landed.
  log.append(write(b, 4, 1, 4));
  log.hand(log.newest_write(), lands + sim::millis(10));
  CHECK_FALSE(log.durable(4, lands + sim::millis(9)));
  log.lose_unwritten(lands + sim::millis(9));
  CHECK(log.last() == 3);
  CHECK_FALSE(log.unsettled());
  // After it lands, a power-off keeps it, settled first.
  log.append(write(b, 4, 1, 4));
  log.hand(log.newest_write(), lands + sim::millis(20));
  log.lose_unwritten(lands + sim::millis(20));
  CHECK(log.last() == 4);
  CHECK(log.persisted() == 4);
}

TEST_CASE("Wal: durable(slot, now) says exactly what settle(now) would make durable", "[rules][wal]") {
  // A rewrite under a newer ballot made after a handed write keeps the records past it off the
  // disk until its own write lands (written() stops at it), and durable() must agree.
  const Ballot b = Ballot::make(1, 1);
  const Ballot newer = Ballot::make(2, 2);
  const sim::Time t = sim::Time::zero() + sim::seconds(1);
  Wal log;
  log.append(write(b, 1, 1, 1));
  log.append(write(b, 2, 1, 2));
  log.hand(log.newest_write(), t);  // slots 1 and 2
  log.store(1, write(newer, 1, 1, 1));  // slot 1 rewritten under a newer ballot, not handed yet
  CHECK_FALSE(log.durable(1, t));  // its first write landed, but settling would stop at the rewrite
  CHECK_FALSE(log.durable(2, t));
  Wal settled = log;
  settled.settle(t);
  CHECK(settled.persisted() == 0);
  log.hand(log.newest_write(), t + sim::millis(1));
  CHECK(log.durable(1, t + sim::millis(1)));
  CHECK(log.durable(2, t + sim::millis(1)));
}

// ---- acceptor -----------------------------------------------------------------------------------

TEST_CASE("Acceptor: a delayed duplicate accept does not drop entries it acknowledged (defect 1)", "[rules]") {
  const Ballot b = Ballot::make(1, 2);
  Replica r = replica_with({});
  FakeHost host(1);
  for (Slot s = 1; s <= 3; ++s) {
    rules::on_accept(r, host, accept(b, s, 0, write(b, s, 1, s)), 2);
    host.finish_writes(r);
  }
  REQUIRE(r.d.log.persisted() == 3);
  REQUIRE(host.sent_of<AcceptedMessage>().back().second.persisted == 3);  // the leader may count slot 3
  host.sent.clear();
  rules::on_accept(r, host, accept(b, 2, 0, write(b, 2, 1, 2)), 2);  // slot 2 again, late
  CHECK(r.d.log.last() == 3);
  CHECK(r.d.log.persisted() == 3);
  CHECK(host.writes.empty());
  REQUIRE(host.sent_of<AcceptedMessage>().size() == 1);
  CHECK(host.sent_of<AcceptedMessage>()[0].second.persisted >= 2);
}

TEST_CASE("Acceptor: a reordered older accept does not lower what the follower knows matches", "[rules]") {
  // Found by a slow-disk sweep (flap with 20 ms disks, seed 14): matched fell below a catch-up's
  // reach, the leader (which had its acknowledgement) sent nothing more, and the follower never
  // applied its committed slots.
  const Ballot b = Ballot::make(1, 2);
  Replica r = replica_with({});
  FakeHost host(1);
  for (Slot s = 1; s <= 4; ++s) rules::on_accept(r, host, accept(b, s, 0, write(b, s, 1, s)), 2);
  host.finish_writes(r);
  REQUIRE(r.v.matched == 4);
  rules::on_accept(r, host, accept(b, 2, 4, write(b, 2, 1, 2)), 2);  // slot 2 again, late, with commit 4
  CHECK(r.v.matched == 4);
  CHECK(r.d.applied == 4);
  // Another value at a slot (a deposed leader's entries) still drops what follows, and matched with it.
  const Ballot newer = Ballot::make(2, 3);
  rules::on_accept(r, host, accept(newer, 5, 4, write(newer, 9, 1, 9)), 3);
  rules::on_accept(r, host, accept(newer, 6, 4, write(newer, 9, 2, 10)), 3);
  REQUIRE(r.v.matched == 6);
  rules::on_accept(r, host, accept(newer, 5, 4, write(newer, 9, 1, 9)), 3);  // slot 5 again
  CHECK(r.v.matched == 6);
}

TEST_CASE("Acceptor: promises only a higher ballot and reports its entries after the candidate's state", "[rules]") {
  const Ballot old_ballot = Ballot::make(1, 1);
  Replica r = replica_with({write(old_ballot, 5, 1, 11), write(old_ballot, 6, 1, 12), write(old_ballot, 5, 2, 13)});
  r.d.granted_lease_end = sim::Time::zero() + sim::seconds(9);
  FakeHost host(3);
  host.clock = sim::Time::zero() + sim::seconds(5);
  const PromiseMessage promise = rules::on_prepare(r, host, PrepareMessage{7, Ballot::make(2, 2), 1, 1, {}}, 2);
  CHECK(promise.refusal == PromiseRefusal::none);
  CHECK(r.d.promised == Ballot::make(2, 2));
  CHECK(promise.from == 2);
  REQUIRE(promise.entries.size() == 2);
  CHECK(promise.entries[0].write == 12);
  // The new leader must wait it out: the promise says how long it still runs, on this clock.
  CHECK(promise.lease_remaining == sim::seconds(4));
  CHECK(rules::on_prepare(r, host, PrepareMessage{7, Ballot::make(2, 2), 1, 1, {}}, 2).refusal == PromiseRefusal::ballot);
  const PromiseMessage lower = rules::on_prepare(r, host, PrepareMessage{7, Ballot::make(1, 3), 1, 1, {}}, 3);
  CHECK(lower.refusal == PromiseRefusal::ballot);
  CHECK(lower.promised == Ballot::make(2, 2));
}

TEST_CASE("Acceptor: a candidate missing trimmed slots is refused until it catches up", "[rules]") {
  const Ballot b = Ballot::make(1, 1);
  Replica r = replica_with({write(b, 1, 1, 1), write(b, 2, 1, 2), write(b, 3, 1, 3), write(b, 4, 1, 4)});
  r.d.applied = 4;
  r.d.log.trim_before(4);  // slots 1..3 archived: only slot 4 stays
  FakeHost host(3);
  CHECK(rules::on_prepare(r, host, PrepareMessage{7, Ballot::make(2, 2), 1, 1, {}}, 2).refusal == PromiseRefusal::behind);
  CHECK(r.d.promised == b);  // nothing promised
  CHECK(rules::on_prepare(r, host, PrepareMessage{7, Ballot::make(2, 2), 3, 1, {}}, 2).refusal == PromiseRefusal::none);
}

TEST_CASE("Acceptor: a removed candidate is told so, and a replica in no configuration does not vote", "[rules]") {
  FakeHost host(3);
  Replica member = replica_with({}, three(1, 3, 5, 4));
  CHECK(rules::on_prepare(member, host, PrepareMessage{7, Ballot::make(9, 2), 0, 2, {}}, 2).refusal == PromiseRefusal::removed);
  // A replica built for a replacement that never committed (its membership names other nodes).
  Replica stray = replica_with({}, three(1, 2, 4, 1));
  CHECK(rules::on_prepare(stray, host, PrepareMessage{7, Ballot::make(9, 2), 0, 1, {}}, 2).refusal == PromiseRefusal::not_voter);
  CHECK(stray.d.promised.none());
  // The same replica votes once a config entry in its log names it.
  stray.d.log.append(LogEntry::config(Ballot::make(1, 1), three(1, 2, 4, 1), three(1, 2, 3, 2)));
  CHECK(rules::on_prepare(stray, host, PrepareMessage{7, Ballot::make(9, 2), 0, 1, {}}, 2).refusal == PromiseRefusal::none);
}

TEST_CASE("Acceptor: a member of the candidate's committed configuration votes before its own log shows it a member",
          "[rules]") {
  // Found by scenarios/nemesis_leases.json: two members that lag behind the change that added
  // them would refuse every candidate as non-voters, and the group would never elect again.
  FakeHost host(3);
  const auto built = [] {
    Replica r = replica_with({}, three(1, 2, 4, 1));  // the membership its snapshot came with
    r.d.applied = 1;                                    // the snapshot's slot
    return r;
  };
  const Membership committed = three(1, 2, 3, 2);  // the candidate applied it: epoch 2 added node 3
  Replica laggard = built();
  CHECK(rules::on_prepare(laggard, host, PrepareMessage{7, Ballot::make(9, 2), 1, 2, committed}, 2).refusal ==
        PromiseRefusal::none);
  CHECK(laggard.d.promised == Ballot::make(9, 2));
  // Not when the configuration leaves it out, is not the next one after its own, or when it is
  // empty (a member dropped and built again forgot what it accepted).
  Replica other = built();
  CHECK(rules::on_prepare(other, host, PrepareMessage{7, Ballot::make(9, 2), 1, 2, three(1, 2, 5, 2)}, 2).refusal ==
        PromiseRefusal::not_voter);
  CHECK(rules::on_prepare(other, host, PrepareMessage{7, Ballot::make(9, 2), 1, 3, three(1, 2, 3, 3)}, 2).refusal ==
        PromiseRefusal::not_voter);
  Replica empty = replica_with({}, three(1, 2, 4, 1));
  CHECK(rules::on_prepare(empty, host, PrepareMessage{7, Ballot::make(9, 2), 0, 2, committed}, 2).refusal ==
        PromiseRefusal::not_voter);
  CHECK(other.d.promised.none());
  CHECK(empty.d.promised.none());
}

TEST_CASE("Acceptor: a replica built again where one was dropped has no vote in the memberships that counted the "
          "dropped one", "[rules]") {
  // Found by reading: node 3 was a member in epoch 2, accepted slots there, was removed in epoch
  // 3 and dropped its replica. A late duplicate build request made it an empty replica again,
  // and a late snapshot meant for the old one gave it slots. A lagging candidate that applied
  // epoch 2 but never learned epoch 3 would win with that replica's vote and overwrite the
  // slots the old one helped commit. The node remembers what its dropped replica knew.
  FakeHost host(3);
  Replica reborn = replica_with({}, three(1, 2, 4, 1));  // the late snapshot's membership
  reborn.d.applied = 1;
  reborn.d.forgotten_epoch = 3;  // the dropped replica knew epoch 3
  CHECK(rules::newest_epoch(reborn) == 3);
  const PrepareMessage lagging{7, Ballot::make(9, 2), 1, 2, three(1, 2, 3, 2)};
  CHECK(rules::on_prepare(reborn, host, lagging, 2).refusal == PromiseRefusal::not_voter);
  CHECK(reborn.d.promised.none());
  // Its own membership, if it names the node, counts only when newer than what was forgotten.
  Replica rebuilt_member = replica_with({}, three(1, 2, 3, 3));
  rebuilt_member.d.forgotten_epoch = 3;
  CHECK_FALSE(rules::is_voter(rebuilt_member, 3));
  CHECK(rules::replaceable(rebuilt_member, 3, 3));
  rebuilt_member.d.log.append(LogEntry::config(Ballot::make(1, 1), three(1, 2, 3, 3), three(1, 2, 3, 4)));
  CHECK(rules::is_voter(rebuilt_member, 3));  // added again after the drop: a change built it
  // A membership after the one it forgot, naming it, is the next one: it votes there.
  CHECK(rules::on_prepare(reborn, host, PrepareMessage{7, Ballot::make(9, 2), 1, 4, three(1, 2, 3, 4)}, 2).refusal ==
        PromiseRefusal::none);
}

TEST_CASE("Acceptor: accepts in order, refuses lower ballots, and asks to catch up on a gap", "[rules]") {
  Replica r = replica_with({});
  FakeHost host(1);
  const Ballot b = Ballot::make(1, 2);
  rules::on_accept(r, host, accept(b, 1, 0, write(b, 5, 1, 1)), 2);
  CHECK(r.v.leader_node == 2);
  CHECK(r.v.matched == 1);
  CHECK(r.d.log.persisted() == 0);  // on disk only once the node wrote it
  rules::on_accept(r, host, accept(b, 3, 1, write(b, 5, 2, 2)), 2);
  CHECK(r.d.log.last() == 1);
  CHECK(r.v.commit == 1);  // commit points are learned even from a message that cannot be used
  CHECK(host.sent_of<CatchUpRequest>().size() == 1);
  CHECK(host.sent_of<CatchUpRequest>()[0].second.from == 2);
  r.d.promised = Ballot::make(5, 3);
  rules::on_accept(r, host, accept(b, 2, 1, write(b, 6, 1, 3)), 2);
  CHECK(r.d.log.last() == 1);
  REQUIRE_FALSE(host.sent_of<AcceptedMessage>().empty());
  CHECK_FALSE(host.sent_of<AcceptedMessage>().back().second.ok);
}

TEST_CASE("Acceptor: a new leader's value replaces a deposed leader's entry and everything after it", "[rules]") {
  const Ballot old_ballot = Ballot::make(1, 1);
  Replica r = replica_with({write(old_ballot, 1, 1, 1), write(old_ballot, 2, 1, 2), write(old_ballot, 3, 1, 3)});
  FakeHost host(2);
  const Ballot b = Ballot::make(2, 3);
  rules::on_accept(r, host, accept(b, 1, 0, write(b, 1, 1, 1)), 3);  // the same value: re-proposed
  CHECK(r.d.log.last() == 3);
  rules::on_accept(r, host, accept(b, 2, 0, LogEntry::noop(b)), 3);  // another value
  CHECK(r.d.log.last() == 2);
  CHECK(r.d.log.at(2).kind == EntryKind::noop);
  CHECK(r.v.matched == 2);
  CHECK(rules::acknowledged_slot(r) == 0);  // neither rewrite is on disk yet
  host.finish_writes(r);
  CHECK(rules::acknowledged_slot(r) == 2);
}

// ---- leader ------------------------------------------------------------------------------------

TEST_CASE("Leader: the commit point is the highest slot a quorum of its membership persisted", "[rules]") {
  const Ballot b = Ballot::make(2, 1);
  Replica r = replica_with({write(b, 1, 1, 1), write(b, 2, 1, 2), write(b, 3, 1, 3)});
  lead(r, 1, b);
  CHECK(rules::committable(r, 1) == 0);
  r.v.progress.of(2).match = 2;
  CHECK(rules::committable(r, 1) == 2);
  r.v.progress.of(3).match = 3;
  CHECK(rules::committable(r, 1) == 3);
  // A node that is no member counts for nothing.
  Replica alone = replica_with({write(b, 1, 1, 1)});
  lead(alone, 1, b);
  alone.v.progress.of(9).match = 1;
  CHECK(rules::committable(alone, 1) == 0);
}

TEST_CASE("Leader: a replacement commits on quorums of the old and the new membership, by node id (defect 2)",
          "[rules]") {
  // Node 3 is replaced by node 4 at slot 2. Nodes 2 and 3 persisted everything; node 4 nothing:
  // the old membership's quorum holds slot 2, the new one's (1 and 2, or 4) must hold it too.
  const Ballot b = Ballot::make(2, 1);
  const Membership next = three(1, 2, 4, 2);
  Replica r = replica_with({write(b, 1, 1, 1), LogEntry::config(b, three(1, 2, 3), next), write(b, 2, 1, 3)});
  lead(r, 1, b);
  r.d.log.truncate_from(2);  // the leader's own copy of slots 2 and 3 is not on disk yet
  r.d.log.append(LogEntry::config(b, three(1, 2, 3), next));
  r.d.log.append(write(b, 2, 1, 3));
  r.v.matched = 3;
  r.v.progress.of(3).match = 3;  // the member being replaced has it all
  CHECK(rules::committable(r, 1) == 1);  // old quorum {1?, 3}: leader has only slot 1 on disk
  r.d.log.written(r.d.log.newest_write());
  // Old quorum {1, 3} holds everything, but the new membership {1, 2, 4} has only the leader.
  CHECK(rules::committable(r, 1) == 1);
  // Node 4's copies, not node 3's, count for its seat.
  r.v.progress.of(4).match = 2;
  CHECK(rules::committable(r, 1) == 2);
  // After the config entry, the new membership alone: the leader and node 4 for slot 3.
  r.v.progress.of(4).match = 3;
  CHECK(rules::committable(r, 1) == 3);
}

TEST_CASE("Apply: a deposed leader's change recovered after another one made from the same membership is a no-op",
          "[rules]") {
  // Found by the fuzz test: leader A (ballot 1) proposed moving node 3 to node 5 at slot 3; it
  // was deposed before that committed, and leader B (ballot 2) moved node 1 to node 4 at slot 2.
  // A later leader recovers both (each slot's highest ballot). Applying A's change after B's
  // would re-seat node 1, which had left and dropped its data, and drop node 3's seat.
  const Ballot b = Ballot::make(3, 2);
  const Membership m1 = three(1, 2, 3);
  const Membership by_b = three(4, 2, 3, 2);
  const Membership by_a = three(1, 2, 5, 2);
  Replica r = replica_with({LogEntry::noop(b), LogEntry::config(b, m1, by_b), LogEntry::config(b, m1, by_a), write(b, 1, 1, 1)});
  lead(r, 2, b);
  FakeHost host(2);
  // Only B's change is pending; A's does not count for voters, epochs or quorums.
  CHECK(rules::pending_config_slot(r) == 2);
  CHECK_FALSE(rules::is_voter(r, 5));
  CHECK(rules::newest_epoch(r) == 2);
  r.v.progress.of(4).match = 4;  // B's new membership {4, 2, 3} has a quorum, the old {1, 2, 3} not
  CHECK(rules::committable(r, 2) == 0);
  r.v.progress.of(3).match = 4;
  CHECK(rules::committable(r, 2) == 4);  // node 5 is not needed for anything
  r.v.commit = 4;
  rules::apply(r, host);
  CHECK(r.d.applied == 4);
  CHECK(r.d.membership == by_b);
}

TEST_CASE("Leader: a committed config entry it has not applied yet governs the slots after it", "[rules]") {
  // Found by the fuzz test: slot 2 (a config replacing node 3 by node 4) is committed but not
  // applied at the leader (its own copy of slot 2 is not on disk). Slot 3 must be counted on
  // {1, 2, 4}, not on the applied {1, 2, 3}.
  const Ballot b = Ballot::make(2, 1);
  Replica r = replica_with({write(b, 1, 1, 1), LogEntry::config(b, three(1, 2, 3), three(1, 2, 4, 2)), LogEntry::noop(b)});
  lead(r, 1, b);
  r.d.applied = 1;
  r.v.commit = 2;
  r.v.progress.of(3).match = 3;  // the member leaving has slot 3
  r.v.progress.of(4).match = 2;
  CHECK(rules::committable(r, 1) == 2);
  r.v.progress.of(4).match = 3;
  CHECK(rules::committable(r, 1) == 3);
}

TEST_CASE("Lease: a leader counts itself only while it is a member (defect 5)", "[rules][lease]") {
  const Ballot b = Ballot::make(2, 1);
  const sim::Time t = sim::Time::zero() + sim::seconds(10);
  FakeHost host(1);
  Replica r = replica_with({write(b, 1, 1, 1)}, three(2, 3, 4, 5));  // node 1 was moved out
  lead(r, 1, b);
  r.v.progress.of(2).follows = true;
  host.grants_received[2] = t;  // node 2's node grants cover the group while it follows
  CHECK(rules::lease_end(r, host) == sim::Time());  // one member of three is no quorum
  r.v.progress.of(3).lease_until = t - sim::seconds(1);  // node 3 stopped following, with this grant
  CHECK(rules::lease_end(r, host) == t - sim::seconds(1));  // two members: the earlier of their grants
  // A member leader: itself and any one other member.
  Replica member = replica_with({write(b, 1, 1, 1)}, three(1, 2, 3));
  lead(member, 1, b);
  member.v.progress.of(2).follows = true;
  CHECK(rules::lease_end(member, host) == t);
}

TEST_CASE("Lease: a member that stops following keeps the grant it had, however long its node grants", "[rules][lease]") {
  const Ballot b = Ballot::make(2, 1);
  const sim::Time t = sim::Time::zero() + sim::seconds(10);
  FakeHost host(1);
  Replica r = replica_with({write(b, 1, 1, 1)}, three(1, 2, 3));
  lead(r, 1, b);
  r.v.progress.of(2);
  rules::on_follow_change(r, host, 2, b);  // node 2 follows this ballot
  host.grants_received[2] = t;
  CHECK(rules::lease_end(r, host) == t);
  rules::on_follow_change(r, host, 2, Ballot());  // it stopped (it promised a candidate)
  host.grants_received[2] = t + sim::seconds(5);  // its node still answers this node's heartbeats
  CHECK(rules::lease_end(r, host) == t);
  rules::on_follow_change(r, host, 2, Ballot::make(1, 1));  // an older ballot of this node: no
  CHECK(rules::lease_end(r, host) == t);
}

TEST_CASE("Lease: while a membership change is in the log, both memberships must grant the lease", "[rules][lease]") {
  const Ballot b = Ballot::make(2, 1);
  const sim::Time t = sim::Time::zero() + sim::seconds(10);
  FakeHost host(1);
  Replica r = replica_with({write(b, 1, 1, 1), LogEntry::config(b, three(1, 2, 3), three(1, 2, 4, 2))}, three(1, 2, 3));
  lead(r, 1, b);
  r.v.progress.of(3).lease_until = t;  // the member leaving: the old membership's quorum
  CHECK(rules::lease_end(r, host) == sim::Time());  // but the new membership has only the leader
  r.v.progress.of(4).lease_until = t - sim::seconds(2);
  CHECK(rules::lease_end(r, host) == t - sim::seconds(2));
}

// ---- candidate ----------------------------------------------------------------------------------

TEST_CASE("Candidate: the highest-ballot entry of each slot wins, and a configuration a promise shows must be reached",
          "[rules]") {
  FakeHost host(1);
  Replica r = replica_with({}, three(1, 2, 3));
  rules::elect_now(r, host, kNoNode);
  REQUIRE(r.v.election);
  const Ballot ballot = r.v.election->ballot;
  CHECK(host.sent_of<PrepareMessage>().size() == 2);  // nodes 2 and 3
  // Node 2 holds a config entry that moves node 1's seat to node 4. It may have committed on
  // {2, 3} and {2, 4}, and slots after it on {2, 4} alone: {1, 2} is not enough any more.
  const Ballot older = Ballot::make(1, 2);
  const Ballot oldest = Ballot::make(1, 1);
  PromiseMessage from_two{7, ballot, ballot, PromiseRefusal::none, sim::Duration(), 1,
                          {write(older, 1, 1, 1), LogEntry::config(older, three(1, 2, 3), three(4, 2, 3, 2)), write(older, 2, 1, 2)}};
  rules::on_promise(r, host, from_two, 2);
  CHECK(r.v.role == Role::candidate);
  const auto prepares = host.sent_of<PrepareMessage>();
  REQUIRE(prepares.size() == 3);
  CHECK(prepares.back().first == 4);  // the new member is asked
  PromiseMessage from_four{7, ballot, ballot, PromiseRefusal::none, sim::Duration(), 1, {write(oldest, 9, 1, 9)}};
  rules::on_promise(r, host, from_four, 4);
  REQUIRE(r.v.role == Role::leader);
  CHECK(host.wins == 1);
  // Per slot the highest ballot: node 2's entries, all re-proposed under the new ballot, then a no-op.
  CHECK(r.d.log.at(1).write == 1);
  CHECK(r.d.log.at(2).kind == EntryKind::config);
  CHECK(r.d.log.at(3).write == 2);
  CHECK(r.d.log.at(4).kind == EntryKind::noop);
  for (Slot s = 1; s <= 4; ++s) CHECK(r.d.log.at(s).ballot == ballot);
}

TEST_CASE("Candidate: a lease granted to a leader that handed over needs no waiting out, any other lease does",
          "[rules][move]") {
  const sim::Duration lease = sim::seconds(10);  // the promiser's grant still runs this long
  for (const bool handed_over : {true, false}) {
    FakeHost host(1);
    host.clock = sim::Time::zero() + sim::seconds(40);
    Replica r = replica_with({}, three(1, 2, 3));
    rules::elect_now(r, host, handed_over ? 2 : kNoNode);
    const Ballot ballot = r.v.election->ballot;
    PromiseMessage promise{7, ballot, ballot, PromiseRefusal::none, lease, 1, {}, kNoNode, 2};
    rules::on_promise(r, host, promise, 3);
    REQUIRE(r.v.role == Role::leader);
    // On the candidate's clock, with the drift margin: 10 s x (1 + 200 ppm) / (1 - 200 ppm).
    CHECK(r.v.serve_after == (handed_over ? host.clock : host.clock + sim::Duration::from_nanos(10'004'000'801)));
  }
}

// ---- applying ------------------------------------------------------------------------------------

TEST_CASE("Replica: applies only what is committed, on disk and known to match the leader", "[rules]") {
  const Ballot b = Ballot::make(1, 1);
  Replica r = replica_with({write(b, 1, 1, 1), write(b, 2, 1, 2), write(b, 3, 1, 3)});
  FakeHost host(2);
  r.v.matched = 2;
  r.v.commit = 3;
  rules::apply(r, host);
  CHECK(r.d.applied == 2);  // slot 3 may be a deposed leader's
  r.v.matched = 3;
  r.v.commit = 1;
  r.d.applied = 0;
  r.d.items.clear();
  rules::apply(r, host);
  CHECK(r.d.applied == 1);
  CHECK(r.applied_value(1) == std::pair<std::uint64_t, models::WriteId>{1, 1});
}

TEST_CASE("Replica: without item history only the newest version of an item is kept", "[rules]") {
  const Ballot b = Ballot::make(1, 1);
  Replica r = replica_with({write(b, 5, 1, 1), write(b, 5, 2, 2)});
  FakeHost host(2);
  host.replication.keep_item_history = false;
  r.v.commit = 2;
  rules::apply(r, host);
  REQUIRE(r.d.items.at(5).size() == 1);
  CHECK(r.d.items.at(5).back() == std::pair<std::uint64_t, models::WriteId>{2, 2});
}

TEST_CASE("Replica: a write numbered by a deposed leader applies above the newer ones, alike everywhere", "[rules]") {
  // A new leader recovered, side by side, a write of the leader before it (v3 of key 5) and one
  // of a leader cut off earlier (v2 of key 5, numbered from an older view).
  const Ballot b = Ballot::make(3, 1);
  Replica r = replica_with({write(b, 5, 1, 1), write(b, 5, 3, 3), write(b, 5, 2, 2)});
  FakeHost host(2);
  r.v.commit = 3;
  rules::apply(r, host);
  const models::ItemVersions& versions = r.d.items.at(5);
  REQUIRE(versions.size() == 3);
  CHECK(versions[1] == std::pair<std::uint64_t, models::WriteId>{3, 3});
  CHECK(versions[2] == std::pair<std::uint64_t, models::WriteId>{4, 2});
}

TEST_CASE("Replica: the log keeps the newest applied entries, trimmed in chunks", "[rules]") {
  const Ballot b = Ballot::make(1, 1);
  std::vector<LogEntry> entries;
  for (std::uint64_t k = 1; k <= 30; ++k) entries.push_back(write(b, k, 1, k));
  Replica r = replica_with(entries);
  FakeHost host(2);
  host.replication.log_entries_kept = 8;
  r.v.commit = 20;
  rules::apply(r, host);
  CHECK(r.d.log.start() == 13);  // the newest 8 applied entries stay, and what is not applied
  CHECK(r.d.log.last() == 30);
}

// ---- membership changes ---------------------------------------------------------------------------

namespace {

// A serving leader on node 1 of {1, 2, 3} whose member 3 fell silent long ago.
Replica serving_leader(FakeHost& host) {
  const Ballot b = Ballot::make(2, 1);
  Replica r = replica_with({write(b, 1, 1, 1)}, three(1, 2, 3));
  lead(r, 1, b);
  r.v.commit = 1;
  r.d.applied = 1;
  r.v.first_own_slot = 1;
  r.v.leader_since = host.clock - sim::seconds(60);
  r.v.progress.of(2).last_ack = host.clock;
  r.v.progress.of(2).lease_until = host.clock + sim::seconds(2);
  r.v.progress.of(3).last_ack = host.clock - sim::seconds(30);
  rules::refresh_lease(r, host);
  return r;
}

// The leader's check finds member 3 silent and starts replacing it with node 4 (the host's
// pick): the change's attempt.
std::uint32_t start_replacing(FakeHost& host, Replica& r) {
  host.replacement = 4;
  rules::check_members(r, host);
  REQUIRE(r.v.changes.size() == 1);
  REQUIRE(r.v.changes[0].target == 4);
  return r.v.changes[0].attempt;
}

}  // namespace

TEST_CASE("Lease: a new leader serves once its first own entry applied here, not when followers committed it",
          "[rules][lease]") {
  // Found by a slow-disk sweep (flap with 20 ms disks, seed 3): the followers committed the new
  // leader's first entry while its own disk still held the slots before it, and it answered strong
  // reads from items that lacked writes the previous leader had acknowledged.
  FakeHost host(1);
  Replica r = serving_leader(host);
  const Ballot b = r.v.leader_ballot;
  r.d.log.append(write(b, 7, 1, 2));  // slot 2: the previous leader's acknowledged write
  r.d.log.append(LogEntry::noop(b));  // slot 3: this leadership's first entry
  r.v.first_own_slot = 3;
  r.v.commit = 3;                     // a quorum of followers persisted both
  r.v.matched = 3;
  REQUIRE(r.d.applied == 1);          // its own disk has not written them yet
  CHECK_FALSE(rules::serving(r, host, host.clock));
  r.d.log.written(r.d.log.newest_write());  // its disk catches up
  rules::apply(r, host);
  REQUIRE(r.d.applied == 3);
  CHECK(rules::serving(r, host, host.clock));
}

TEST_CASE("Changes: a replacement is proposed only once its snapshot is installed, the snapshot goes again until it is "
          "(defects 3 and 4)",
          "[rules][changes]") {
  FakeHost host(1);
  host.replication.log_replicas = false;  // a storage replica at once
  Replica r = serving_leader(host);
  REQUIRE(rules::serving(r, host, host.clock));
  const std::uint32_t attempt = start_replacing(host, r);
  REQUIRE(host.sent_of<BuildReplicaMessage>().size() == 1);
  CHECK(host.sent_of<BuildReplicaMessage>()[0].first == 4);
  rules::on_replica_ready(r, host, ReplicaReadyMessage{7, true, attempt}, 4);
  auto snapshots = host.sent_of<CatchUpMessage>();
  REQUIRE(snapshots.size() == 1);
  // The target learns the membership as it stands: it is no member until the change commits.
  CHECK(snapshots[0].second.membership == r.d.membership);
  CHECK_FALSE(snapshots[0].second.membership.contains(4));
  CHECK(snapshots[0].second.make_storage);
  CHECK(rules::pending_config_slot(r) == 0);  // nothing proposed while the snapshot is unconfirmed
  // The snapshot was lost: the retry sends it again.
  rules::on_timer(r, host, TimerKind::snapshot_retry, attempt);
  CHECK(host.sent_of<CatchUpMessage>().size() == 2);
  CHECK(rules::pending_config_slot(r) == 0);
  rules::on_snapshot_installed(r, host, SnapshotInstalledMessage{7, attempt, 1}, 4);
  const Slot slot = rules::pending_config_slot(r);
  REQUIRE(slot != 0);
  const Membership next = r.d.log.at(slot).membership();
  CHECK(next.contains(4));
  CHECK_FALSE(next.contains(3));
  CHECK(next.is_storage_node(4));
  CHECK(next.epoch == 2);
}

TEST_CASE("Changes: a replacement whose target never installs is given up, nothing proposed (defect 6)",
          "[rules][changes]") {
  FakeHost host(1);
  Replica r = serving_leader(host);
  const std::uint32_t attempt = start_replacing(host, r);
  rules::on_replica_ready(r, host, ReplicaReadyMessage{7, false, attempt}, 4);
  // The target dies before it installs: the deadline ends the change; no config is in the log,
  // so the group's writes never wait on the dead target.
  rules::on_timer(r, host, TimerKind::change_deadline, attempt);
  CHECK(r.v.changes.empty());
  CHECK(rules::pending_config_slot(r) == 0);
  CHECK(rules::serving(r, host, host.clock));
  CHECK(r.v.avoid[0] == 4);  // the next attempt goes elsewhere
}

TEST_CASE("Changes: a target that holds a replica of a newer membership refuses, the leader drops the change and "
          "remembers it",
          "[rules][changes]") {
  FakeHost host(1);
  Replica r = serving_leader(host);
  const std::uint32_t attempt = start_replacing(host, r);
  REQUIRE(host.sent_of<BuildReplicaMessage>().size() == 1);
  CHECK_FALSE(host.sent_of<BuildReplicaMessage>()[0].second.member);
  rules::on_replica_ready(r, host, ReplicaReadyMessage{7, false, attempt, true}, 4);
  CHECK(r.v.changes.empty());
  CHECK(r.v.avoid[0] == 4);
  // Nothing was built there: it is not told to abandon what it holds (a voter's replica).
  CHECK(host.sent_of<AbandonReplicaMessage>().empty());
  CHECK(host.sent_of<CatchUpMessage>().empty());
  // A late answer of the same attempt changes nothing.
  rules::on_replica_ready(r, host, ReplicaReadyMessage{7, false, attempt, false}, 4);
  CHECK(host.sent_of<CatchUpMessage>().empty());
  // The next check starts over (the host, which reads the refused list, picks the target).
  host.replacement = 5;
  rules::check_members(r, host);
  REQUIRE(r.v.changes.size() == 1);
  CHECK(r.v.changes[0].target == 5);
}

TEST_CASE("Changes: the leader moves its own replica, then hands over once the new node has every entry", "[rules][move]") {
  FakeHost host(1);
  Replica r = serving_leader(host);
  r.v.progress.of(3).last_ack = host.clock;
  r.v.progress.of(3).lease_until = host.clock + sim::seconds(2);
  rules::on_move_request(r, host, 4);
  REQUIRE(r.v.changes.size() == 1);
  const std::uint32_t attempt = r.v.changes[0].attempt;
  rules::on_replica_ready(r, host, ReplicaReadyMessage{7, true, attempt}, 4);
  rules::on_snapshot_installed(r, host, SnapshotInstalledMessage{7, attempt, 1}, 4);
  const Slot slot = rules::pending_config_slot(r);
  REQUIRE(slot == 2);
  CHECK(rules::moving_out(r));  // no write after its own removal
  host.finish_writes(r);
  // The old and the new membership's quorums persist it: it commits and applies.
  rules::on_accepted(r, host, AcceptedMessage{.ballot = r.v.leader_ballot, .promised = r.v.leader_ballot, .persisted = 2, .group = 7, .ok = true}, 2);
  CHECK(r.d.applied == 1);  // {1, 2} is the old quorum, but the new {4, 2, 3} has only node 2
  rules::on_accepted(r, host, AcceptedMessage{.ballot = r.v.leader_ballot, .promised = r.v.leader_ballot, .persisted = 2, .group = 7, .ok = true}, 4);
  CHECK(r.d.applied == 2);
  CHECK_FALSE(r.d.membership.contains(1));
  CHECK(r.v.role == Role::follower);  // node 4 had every entry: handed over at once
  CHECK(host.handed_to == 4);
  REQUIRE(host.sent_of<LeadershipTransferMessage>().size() == 1);
  CHECK(host.sent_of<LeadershipTransferMessage>()[0].second.commit == 2);
}

TEST_CASE("Candidate: the gray-failure check counts only what a peer heard from the leader, not its own back-off",
          "[rules]") {
  // Found by the fuzz test: two followers of a leader that had gone each gave up an election
  // when the other said it still heard the leader, and each said so only because giving up
  // restarts the wait for the leader. Neither ever elected.
  const Ballot b = Ballot::make(2, 3);
  FakeHost host(2);
  Replica r = replica_with({}, three(1, 2, 3));
  r.d.promised = b;
  r.v.leader_ballot = b;
  r.v.leader_node = 3;
  r.v.leader_contact = host.clock;  // it just gave up an election
  host.heard[3] = host.clock - sim::seconds(30);
  CHECK_FALSE(rules::on_leader_check(r, host, LeaderCheckMessage{7, 3}).leader_healthy);
  host.heard[3] = host.clock - sim::millis(100);  // the leader's node heartbeats it
  CHECK(rules::on_leader_check(r, host, LeaderCheckMessage{7, 3}).leader_healthy);
}

TEST_CASE("Follower: committed slots it holds of its leader's ballot apply after it follows again, others are asked for",
          "[rules]") {
  // Found by the fuzz test: a follower that stopped following and followed the same leader
  // again held slots 2 and 3 of its ballot but counted nothing as matching, and a leader counts
  // acknowledged slots as delivered: heartbeats carry nothing for a quiet group, so it never
  // applied them.
  const Ballot b = Ballot::make(2, 3);
  FakeHost host(2);
  Replica r = replica_with({write(b, 1, 1, 1), write(b, 2, 1, 2), write(b, 3, 1, 3)});
  r.d.applied = 1;
  r.v.commit = 3;
  r.v.role = Role::follower;
  r.v.leader_node = 3;
  r.v.leader_ballot = b;
  rules::leader_gone(r, host, 3);
  CHECK(r.v.leader_node == kNoNode);
  rules::on_heartbeat(r, host, HeartbeatItem{7, b, 3, 3, 0, 0, false}, host.clock, 3);  // follows again
  CHECK(r.v.matched == 3);
  CHECK(r.d.applied == 3);
  // A slot of another ballot is not known to match: on its tick it asks the leader.
  Replica other = replica_with({write(b, 1, 1, 1), write(Ballot::make(1, 1), 2, 1, 2)});
  other.d.applied = 1;
  other.d.promised = b;
  other.v.leader_ballot = b;
  other.v.leader_node = 3;
  other.v.matched = 1;
  other.v.commit = 2;
  host.heard[3] = host.clock;
  host.sent.clear();
  CHECK(rules::on_tick(other, host));  // keeps looking until it caught up
  const auto asked = host.sent_of<CatchUpRequest>();
  REQUIRE(asked.size() == 1);
  CHECK(asked[0].first == 3);
  CHECK(asked[0].second.from == 2);
}

TEST_CASE("Catch-up: a member that learns from a snapshot that it was removed drops its replica", "[rules]") {
  // Found by a scenario test: a node back from a long power-off caught up by snapshot, took the
  // membership that no longer named it, forgot it had been a member, and kept its replica.
  FakeHost host(3);
  Replica r = replica_with({}, three(1, 2, 3));
  r.d.joined = true;
  CatchUpMessage snapshot = snapshot_message(Ballot::make(5, 1), 40, three(1, 2, 4, 2));
  snapshot.commit = 40;
  rules::on_catch_up(r, host, snapshot, 1);
  CHECK(r.d.applied == 40);
  CHECK(r.d.joined);
  CHECK(host.drops == 1);
}

TEST_CASE("Catch-up: a replica that promised a higher ballot refuses a snapshot and says so, the leader steps down "
          "and outbids it next time", "[rules]") {
  // A replica built again where one was dropped keeps that one's promise, which may be above
  // the healing leader's ballot. Ignored in silence, the leader's snapshots would never install.
  FakeHost target(4);
  Replica rebuilt = replica_with({}, Membership{});
  rebuilt.d.promised = Ballot::make(6, 4);  // the dropped replica ran for election once
  CatchUpMessage snapshot = snapshot_message(Ballot::make(5, 1), 40, three(1, 2, 3, 2));
  snapshot.attempt = 9;
  rules::on_catch_up(rebuilt, target, snapshot, 1);
  CHECK(rebuilt.d.applied == 0);
  CHECK(rebuilt.d.promised == Ballot::make(6, 4));
  const auto refusals = target.sent_of<AcceptedMessage>();
  REQUIRE(refusals.size() == 1);
  CHECK_FALSE(refusals[0].second.ok);
  CHECK(refusals[0].second.promised == Ballot::make(6, 4));

  FakeHost host(1);
  Replica leader = replica_with({write(Ballot::make(5, 1), 1, 1, 1)}, three(1, 2, 3, 2));
  lead(leader, 1, Ballot::make(5, 1));
  rules::on_accepted(leader, host, refusals[0].second, 4);
  CHECK(leader.v.role == Role::follower);
  CHECK(leader.d.promised == Ballot::make(6, 4));  // a candidate's ballot goes above its promise
}
