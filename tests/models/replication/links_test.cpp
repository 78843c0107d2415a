// Heartbeats and leases per pair of nodes (models/replication/links.h), two nodes at a time.
#include "models/replication/links.h"
#include "models/replication/rules.h"
#include "tests/models/replication/fake_host.h"

#include <catch2/catch.hpp>

#include <map>

using namespace models::replication;
using models::replication::testing::FakeHost;

namespace {

// One node: its links, its replicas by group, and a host the rules report to.
struct Node {
  explicit Node(sim::NodeId node) : id(node), host(node) {}
  sim::NodeId id;
  FakeHost host;
  Links links;
  std::map<GroupId, Replica> replicas;

  Links::Lookup lookup() {
    return [this](GroupId g, std::uint32_t) -> Replica* {
      const auto it = replicas.find(g);
      return it == replicas.end() ? nullptr : &it->second;
    };
  }
  // Group `g`'s replica here, in a membership of nodes 1-3, under ballot `b` of `leader`.
  Replica& place(GroupId g, Ballot b, sim::NodeId leader) {
    Replica& r = replicas[g];
    r.group = g;
    r.d.membership.nodes = {1, 2, 3};
    r.d.membership.storage_mask = 0b111;
    r.d.membership.epoch = 1;
    r.d.promised = b;
    r.v.role = leader == id ? Role::leader : Role::follower;
    r.v.leader_ballot = b;
    r.v.leader_node = leader;
    return r;
  }
  Replica& lead(GroupId g, Ballot b, const NodeList& peers) {
    Replica& r = place(g, b, id);
    for (sim::NodeId p : peers) r.v.progress.of(p);
    links.relink(r, id, peers);
    return r;
  }
  Replica& follow(GroupId g, Ballot b, sim::NodeId leader) {
    Replica& r = place(g, b, leader);
    links.relink(r, id, {});
    return r;
  }
};

NodeList only(sim::NodeId node) {
  NodeList l;
  l.add(node);
  return l;
}

// As a storage node does when the rules say roles changed (FakeHost only counts them).
void relink_all(Node& node) {
  for (auto& [g, r] : node.replicas) node.links.relink(r, node.id, rules::replication_targets(r, node.id));
}

// One heartbeat from `from` to `to` and its answer; returns the items the heartbeat carried.
std::size_t exchange(Node& from, Node& to) {
  const NodeHeartbeat hb = from.links.heartbeat_for(to.id, from.host.clock, from.lookup());
  const auto ack = to.links.on_heartbeat(from.id, hb, to.lookup(), to.host);
  REQUIRE(ack);
  relink_all(to);
  from.links.on_ack(to.id, *ack, from.lookup(), from.host);
  relink_all(from);
  return hb.items.size();
}

}  // namespace

TEST_CASE("Links: a heartbeat carries items only for groups that changed, and its answer grants the pair a lease",
          "[rules][links]") {
  Node leader(1), follower(2);
  const Ballot b = Ballot::make(3, 1);
  const NodeList to_two = only(2);
  for (GroupId g = 10; g < 20; ++g) {
    leader.lead(g, b, to_two);
    follower.follow(g, b, 1);
  }
  CHECK(leader.links.heartbeat_peers() == std::vector<sim::NodeId>{2});
  leader.links.owe_items(leader.replicas[12], to_two);
  CHECK(exchange(leader, follower) == 1);  // one group moved its commit point; nine said nothing
  // The follower's node granted the leader's node a lease from the heartbeat's arrival, on its
  // clock; the leader counts it from the sending, on its own, shortened by the drift margin.
  CHECK(follower.links.granted_to(1) == follower.host.clock + follower.host.replication.lease);
  CHECK(leader.links.granted_by(2) == leader.host.clock + rules::leader_lease(leader.host.replication));
  CHECK(rules::leader_lease(leader.host.replication) < leader.host.replication.lease);
  // The answer confirmed the follow changes: all ten groups count the grant now.
  for (GroupId g = 10; g < 20; ++g) CHECK(leader.replicas[g].v.progress.of(2).follows);
  // The item was answered: the next heartbeat carries none.
  leader.host.clock = leader.host.clock + sim::millis(100);
  CHECK(exchange(leader, follower) == 0);
}

TEST_CASE("Links: a follower of a leadership that ended is told so, whenever a late message made it follow again",
          "[rules][links]") {
  // Found by the fuzz test: a leader moved its replica away, resigned and dropped it; a
  // heartbeat it sent before, delivered late, made the followers follow it again, and the node
  // (alive, leading other groups) kept them from ever electing a new one.
  Node old_leader(1), follower(2);
  const Ballot b = Ballot::make(3, 1);
  const NodeList to_two = only(2);
  old_leader.lead(11, b, to_two);  // it still leads another group with node 2: heartbeats flow
  follower.follow(11, b, 1);
  Replica& stale = follower.follow(10, b, 1);  // group 10: node 1 holds no replica any more
  CHECK(exchange(old_leader, follower) == 0);  // the answer says node 2 follows b in group 10
  CHECK(exchange(old_leader, follower) == 1);  // so node 1 tells it that leadership ended
  CHECK(stale.v.leader_node == kNoNode);
  CHECK(follower.replicas[11].v.leader_node == 1);  // the other group is not touched
  CHECK(exchange(old_leader, follower) == 0);      // answered: said once
  // An accept of that ballot, reordered behind the news, makes it follow again: told again.
  rules::on_accept(stale, follower.host, AcceptMessage{10, b, 1, 0, LogEntry::noop(b)}, 1);
  follower.links.relink(stale, 2, {});
  REQUIRE(stale.v.leader_node == 1);
  CHECK(exchange(old_leader, follower) == 0);
  CHECK(exchange(old_leader, follower) == 1);
  CHECK(stale.v.leader_node == kNoNode);
}

TEST_CASE("Links: the first heartbeat after this node restarted does not end the sender's leaderships",
          "[rules][links]") {
  Node leader(1), follower(2);
  const Ballot b = Ballot::make(3, 1);
  const NodeList to_two = only(2);
  leader.links.restart(4, {});  // the leader's node restarted four times long ago
  leader.lead(10, b, to_two);
  follower.links.restart(1, {});  // the follower's node just restarted; an accept made it follow
  Replica& r = follower.follow(10, b, 1);
  exchange(leader, follower);
  CHECK(r.v.leader_node == 1);
  CHECK(leader.replicas[10].v.progress.of(2).follows);
  // Its next restart is news.
  leader.links.restart(5, {});
  exchange(leader, follower);
  CHECK(r.v.leader_node == kNoNode);
}
