// Tests of the Paxos role rules in models/replication/paxos.h, on bare replicas.
#include "models/replication/paxos.h"

#include <catch2/catch.hpp>

using namespace models::replication;

namespace {

Membership three(sim::NodeId a, sim::NodeId b, sim::NodeId c) {
  Membership m;
  m.nodes = {a, b, c};
  m.storage_mask = 0b111;
  m.epoch = 1;
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

// A replica of group 7 on node 1 whose log holds `entries` from slot 1, all persisted.
Replica replica_with(std::vector<LogEntry> entries) {
  Replica r;
  r.group = 7;
  r.membership = three(1, 2, 3);
  r.log = std::move(entries);
  r.persisted = r.log.size();
  r.matched = r.log.size();
  if (!r.log.empty()) r.promised = r.log.back().ballot;
  return r;
}

AcceptMessage accept(Ballot ballot, Slot slot, Slot commit, LogEntry entry) {
  return AcceptMessage{7, ballot, slot, commit, entry};
}

}  // namespace

TEST_CASE("Ballot: order is round first, then node; next_for always goes up", "[paxos]") {
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

TEST_CASE("Membership: a config entry carries the whole membership", "[paxos]") {
  Membership m = three(4, 17, 200000);
  m.storage_mask = 0b101;
  m.epoch = 12;
  const LogEntry e = LogEntry::config(Ballot::make(3, 4), m);
  CHECK(e.kind == EntryKind::config);
  CHECK(e.membership() == m);
  CHECK(Membership::quorum() == 2);
}

TEST_CASE("Acceptor: promises only a higher ballot and reports its entries after the candidate's state", "[paxos]") {
  const Ballot old_ballot = Ballot::make(1, 1);
  Replica r = replica_with({write(old_ballot, 5, 1, 11), write(old_ballot, 6, 1, 12), write(old_ballot, 5, 2, 13)});
  r.granted_lease_end = sim::Time::zero() + sim::seconds(9);

  const PromiseMessage promise = paxos::on_prepare(r, PrepareMessage{7, Ballot::make(2, 2), 1, 1}, 2);
  CHECK(promise.refusal == PromiseRefusal::none);
  CHECK(r.promised == Ballot::make(2, 2));
  CHECK(promise.from == 2);
  REQUIRE(promise.entries.size() == 2);
  CHECK(promise.entries[0].write == 12);
  CHECK(promise.granted_lease_end == sim::Time::zero() + sim::seconds(9));  // the new leader must wait it out

  const PromiseMessage again = paxos::on_prepare(r, PrepareMessage{7, Ballot::make(2, 2), 1, 1}, 2);
  CHECK(again.refusal == PromiseRefusal::ballot);
  const PromiseMessage lower = paxos::on_prepare(r, PrepareMessage{7, Ballot::make(1, 3), 1, 1}, 3);
  CHECK(lower.refusal == PromiseRefusal::ballot);
  CHECK(lower.promised == Ballot::make(2, 2));
}

TEST_CASE("Acceptor: a candidate missing trimmed slots is refused until it catches up", "[paxos]") {
  const Ballot b = Ballot::make(1, 1);
  Replica r = replica_with({write(b, 1, 1, 1), write(b, 2, 1, 2), write(b, 3, 1, 3), write(b, 4, 1, 4)});
  r.commit = 4;
  paxos::apply_committed(r, true);
  paxos::trim_log(r, 1);  // slots 1..3 archived: only slot 4 stays
  CHECK(r.log_start == 4);
  const PromiseMessage promise = paxos::on_prepare(r, PrepareMessage{7, Ballot::make(2, 2), 1, 1}, 2);
  CHECK(promise.refusal == PromiseRefusal::behind);
  CHECK(r.promised == b);  // nothing promised
  CHECK(paxos::on_prepare(r, PrepareMessage{7, Ballot::make(2, 2), 3, 1}, 2).refusal == PromiseRefusal::none);
}

TEST_CASE("Acceptor: a replica removed from the group is told so", "[paxos]") {
  Replica r = replica_with({});
  r.membership = three(1, 3, 5);
  r.membership.epoch = 4;
  CHECK(paxos::on_prepare(r, PrepareMessage{7, Ballot::make(9, 2), 0, 2}, 2).refusal == PromiseRefusal::removed);
}

TEST_CASE("Acceptor: accepts in order, refuses lower ballots, and asks to catch up on a gap", "[paxos]") {
  Replica r = replica_with({});
  const Ballot b = Ballot::make(1, 2);
  CHECK(paxos::on_accept(r, accept(b, 1, 0, write(b, 5, 1, 1)), 2) == paxos::AcceptResult::appended);
  CHECK(r.leader_node == 2);
  CHECK(r.matched == 1);
  CHECK(r.persisted == 0);  // on disk only once the node persisted it
  CHECK(paxos::on_accept(r, accept(b, 3, 1, write(b, 5, 2, 2)), 2) == paxos::AcceptResult::gap);
  CHECK(r.commit == 1);  // commit points are learned even from a message that cannot be used
  r.promised = Ballot::make(5, 3);
  CHECK(paxos::on_accept(r, accept(b, 2, 1, write(b, 6, 1, 3)), 2) == paxos::AcceptResult::rejected);
}

TEST_CASE("Acceptor: a new leader's entry replaces a deposed leader's and everything after it", "[paxos]") {
  const Ballot old_ballot = Ballot::make(1, 1);
  Replica r = replica_with({write(old_ballot, 5, 1, 1), write(old_ballot, 5, 2, 2), write(old_ballot, 5, 3, 3)});
  r.commit = 1;
  paxos::apply_committed(r, true);
  const Ballot fresh = Ballot::make(2, 2);
  paxos::follow(r, fresh, 2);
  CHECK(r.matched == 1);  // nothing after the applied slot is known to match the new leader
  CHECK(paxos::on_accept(r, accept(fresh, 2, 1, write(fresh, 5, 2, 42)), 2) == paxos::AcceptResult::appended);
  CHECK(r.log.size() == 2);
  CHECK(r.entry(2).write == 42);
  CHECK(r.persisted == 1);
  // A re-proposed chosen value the replica already applied changes nothing.
  CHECK(paxos::on_accept(r, accept(fresh, 1, 1, write(fresh, 5, 1, 1)), 2) == paxos::AcceptResult::appended);
  CHECK(r.applied == 1);
}

TEST_CASE("Leader: the commit point is the highest current-ballot slot on a quorum", "[paxos]") {
  const Ballot old_ballot = Ballot::make(1, 1);
  const Ballot b = Ballot::make(2, 1);
  Replica r = replica_with({write(old_ballot, 1, 1, 1), write(b, 2, 1, 2), write(b, 3, 1, 3), write(b, 4, 1, 4)});
  r.role = Role::leader;
  r.leader_ballot = b;
  r.persisted = 4;
  r.match = {0, 3, 1};  // member 0 is the leader itself (node 1)
  CHECK(paxos::quorum_persisted(r, 1) == 3);
  r.match = {0, 1, 0};
  CHECK(paxos::quorum_persisted(r, 1) == 0);  // slot 1 is an old ballot's: it commits only with a newer one
  r.persisted = 2;
  r.match = {0, 4, 4};
  CHECK(paxos::quorum_persisted(r, 1) == 4);  // the followers alone make the quorum
}

TEST_CASE("Leader: a new write's version is one past the newest applied or pending one", "[paxos]") {
  const Ballot b = Ballot::make(1, 1);
  Replica r = replica_with({write(b, 9, 1, 1), write(b, 9, 2, 2)});
  r.commit = 2;
  paxos::apply_committed(r, true);
  CHECK(paxos::next_version(r, 9) == 3);
  CHECK(paxos::next_version(r, 10) == 1);
  r.pending_versions[9] = 5;
  CHECK(paxos::next_version(r, 9) == 6);
}

TEST_CASE("Candidate: the highest-ballot entry of each slot wins, and a quorum is two of three", "[paxos]") {
  Election e;
  e.recovered_from = 5;
  PromiseMessage a{7, Ballot::make(3, 1), Ballot::make(3, 1), PromiseRefusal::none, sim::Time::zero() + sim::seconds(2), 5,
                   {write(Ballot::make(1, 1), 1, 1, 100), write(Ballot::make(1, 1), 1, 2, 101)}};
  PromiseMessage b{7, Ballot::make(3, 1), Ballot::make(3, 1), PromiseRefusal::none, sim::Time::zero() + sim::seconds(7), 5,
                   {write(Ballot::make(2, 3), 1, 1, 200)}};
  paxos::record_promise(e, 0, a);
  CHECK_FALSE(paxos::has_quorum(e.promises_mask));
  paxos::record_promise(e, 2, b);
  CHECK(paxos::has_quorum(e.promises_mask));
  REQUIRE(e.recovered.size() == 2);
  CHECK(e.recovered[0].write == 200);  // ballot 2 beats ballot 1
  CHECK(e.recovered[1].write == 101);
  CHECK(e.old_lease_end == sim::Time::zero() + sim::seconds(7));
}

TEST_CASE("Replica: applies only what is committed, persisted and known to match the leader", "[paxos]") {
  const Ballot b = Ballot::make(1, 1);
  Replica r = replica_with({write(b, 1, 1, 1), write(b, 1, 2, 2), LogEntry::config(b, three(1, 2, 9))});
  r.commit = 3;
  r.persisted = 2;
  CHECK(paxos::apply_committed(r, true) == 2);
  CHECK(r.items.at(1).size() == 2);
  r.persisted = 3;
  r.matched = 2;
  CHECK(paxos::apply_committed(r, true) == 0);
  r.matched = 3;
  CHECK(paxos::apply_committed(r, true) == 1);
  CHECK(r.membership.nodes[2] == 9);  // the config entry took effect when applied
}

TEST_CASE("Replica: without item history only the newest version of an item is kept", "[paxos]") {
  const Ballot b = Ballot::make(1, 1);
  Replica r = replica_with({write(b, 1, 1, 1), write(b, 1, 2, 2), write(b, 1, 3, 3)});
  r.commit = 3;
  paxos::apply_committed(r, false);
  REQUIRE(r.items.at(1).size() == 1);
  CHECK(r.items.at(1).back() == std::pair<std::uint64_t, models::WriteId>{3, 3});
}

TEST_CASE("Replica: trimming keeps the newest applied entries and never unapplied ones", "[paxos]") {
  const Ballot b = Ballot::make(1, 1);
  std::vector<LogEntry> entries;
  for (std::uint64_t i = 1; i <= 10; ++i) entries.push_back(write(b, i, 1, i));
  Replica r = replica_with(entries);
  r.commit = 6;
  paxos::apply_committed(r, true);
  paxos::trim_log(r, 2);
  CHECK(r.log_start == 5);
  CHECK(r.last_slot() == 10);
  CHECK(r.has_slot(5));
  CHECK_FALSE(r.has_slot(4));
}

TEST_CASE("Candidate: a lease granted to a leader that handed over needs no waiting out; any other lease does", "[paxos][move]") {
  // Node 4 led, stepped down and handed leadership to node 2: leases granted to 4 are void,
  // but one an acceptor granted to someone else still counts.
  const sim::Time to_4 = sim::Time::zero() + sim::seconds(9);
  const sim::Time to_5 = sim::Time::zero() + sim::seconds(3);
  auto promise = [](sim::Time lease, sim::NodeId granted_to) {
    PromiseMessage p{7, Ballot::make(5, 2), Ballot::make(5, 2), PromiseRefusal::none, lease, 1, {}};
    p.granted_to = granted_to;
    return p;
  };
  Election handoff;
  handoff.recovered_from = 1;
  handoff.candidate = 2;
  handoff.released = 4;
  paxos::record_promise(handoff, 0, promise(to_4, 4));
  CHECK(handoff.old_lease_end == sim::Time::zero());
  paxos::record_promise(handoff, 1, promise(to_5, 5));
  CHECK(handoff.old_lease_end == to_5);

  // An ordinary election releases nobody: the same promises make it wait for the latest lease.
  Election ordinary;
  ordinary.recovered_from = 1;
  ordinary.candidate = 2;
  paxos::record_promise(ordinary, 0, promise(to_4, 4));
  paxos::record_promise(ordinary, 1, promise(to_5, 5));
  CHECK(ordinary.old_lease_end == to_4);
}

TEST_CASE("Leader: a joint config (a move) commits only once a quorum of the old and of the new membership hold it",
          "[paxos][move]") {
  // Node 1 leads {1, 2, 3} and moves its replica to node 4: the config at slot 3 makes {4, 2, 3}.
  const Ballot b = Ballot::make(2, 1);
  const LogEntry move = LogEntry::config(b, three(4, 2, 3), true);
  CHECK(move.joint());
  CHECK(move.membership() == three(4, 2, 3));
  CHECK_FALSE(LogEntry::config(b, three(4, 2, 3)).joint());
  Replica r = replica_with({write(b, 1, 1, 1), write(b, 2, 1, 2), move});
  r.role = Role::leader;
  r.leader_ballot = b;
  r.joining = 4;
  // The old quorum {1, 2} holds everything, but of the new members only node 2 does: {1, 2}
  // and {4, 3} do not overlap, so the config waits and only what precedes it commits.
  r.match = {0, 3, 0};
  CHECK(paxos::quorum_persisted(r, 1) == 2);
  // The joining node persisted it: {2, 4} is a quorum of the new membership.
  r.joining_match = 3;
  CHECK(paxos::quorum_persisted(r, 1) == 3);
  // Or the two staying members did.
  r.joining_match = 0;
  r.match = {0, 3, 3};
  CHECK(paxos::quorum_persisted(r, 1) == 3);
  // An ordinary config (healing) needs the old quorum only.
  Replica healing = replica_with({write(b, 1, 1, 1), write(b, 2, 1, 2), LogEntry::config(b, three(4, 2, 3))});
  healing.role = Role::leader;
  healing.leader_ballot = b;
  healing.match = {0, 3, 0};
  CHECK(paxos::quorum_persisted(healing, 1) == 3);
  CHECK(paxos::pending_joint_config(r) == &r.entry(3));
  CHECK(paxos::pending_joint_config(healing) == nullptr);
}
