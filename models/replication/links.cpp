// Heartbeats, lease grants and follow changes per pair of nodes.
#include "models/replication/links.h"

#include "models/replication/rules.h"
#include "sim/assert.h"

#include <algorithm>

namespace models::replication {
namespace {

void insert_sorted(std::vector<GroupId>& v, GroupId g) {
  const auto at = std::lower_bound(v.begin(), v.end(), g);
  if (at == v.end() || *at != g) v.insert(at, g);
}

void erase_sorted(std::vector<GroupId>& v, GroupId g) {
  const auto at = std::lower_bound(v.begin(), v.end(), g);
  if (at != v.end() && *at == g) v.erase(at);
}

}  // namespace

const Links::Peer* Links::find(sim::NodeId node) const {
  const auto it = peers_.find(node);
  return it == peers_.end() ? nullptr : &it->second;
}

sim::Time Links::time_of(sim::NodeId node, sim::Time Peer::*field) const {
  const Peer* p = find(node);
  return p == nullptr ? sim::Time() : p->*field;
}

sim::Time Links::granted_to(sim::NodeId leader) const { return time_of(leader, &Peer::granted_until); }
sim::Time Links::granted_by(sim::NodeId peer) const { return time_of(peer, &Peer::granted_by); }
sim::Time Links::heard_from(sim::NodeId leader) const { return time_of(leader, &Peer::contact); }
sim::Time Links::acked_by(sim::NodeId peer) const { return time_of(peer, &Peer::last_ack); }

void Links::follow_change(sim::NodeId leader, GroupId group, Ballot ballot) {
  Peer& p = peer(leader);
  ++p.version;
  p.changes[group] = FollowChange{p.version, group, ballot};
}

void Links::relink(Replica& r, sim::NodeId self, const NodeList& targets) {
  // Follows a leader: follows its ballot, having promised nothing higher.
  const bool following = r.v.role == Role::follower && r.v.leader_node != kNoNode && r.v.leader_node != self &&
                         r.d.promised == r.v.leader_ballot;
  const sim::NodeId leader = following ? r.v.leader_node : kNoNode;
  const Ballot ballot = following ? r.v.leader_ballot : Ballot();
  LinkState& linked = r.links;
  if (leader != linked.leader || ballot != linked.ballot) {
    if (linked.leader != kNoNode) {
      // From here on the grants to the old leader no longer cover this group: keep the latest one
      // it had, on disk, for the promises this replica makes.
      Peer& old = peer(linked.leader);
      if (old.granted_until > r.d.granted_lease_end) {
        r.d.granted_lease_end = old.granted_until;
        r.d.lease_granted_to = linked.leader;
      }
      erase_sorted(old.followed, r.group);
      follow_change(linked.leader, r.group, Ballot());
    }
    if (leader != kNoNode) {
      insert_sorted(peer(leader).followed, r.group);
      follow_change(leader, r.group, ballot);
    }
    linked.leader = leader;
    linked.ballot = ballot;
  }
  // Leads with the targets, as a leader.
  const NodeList now_leading = r.v.role == Role::leader ? targets : NodeList{};
  if (now_leading == linked.targets) return;
  for (sim::NodeId node : linked.targets)
    if (!now_leading.contains(node)) erase_sorted(peer(node).led, r.group);
  for (sim::NodeId node : now_leading)
    if (!linked.targets.contains(node)) insert_sorted(peer(node).led, r.group);
  linked.targets = now_leading;
}

void Links::forget(Replica& r) {
  LinkState& linked = r.links;
  if (linked.leader != kNoNode) {
    erase_sorted(peer(linked.leader).followed, r.group);
    follow_change(linked.leader, r.group, Ballot());
  }
  for (sim::NodeId node : linked.targets) {
    erase_sorted(peer(node).led, r.group);
    peer(node).owed.erase(r.group);
  }
  linked = LinkState{};
}

void Links::owe_items(const Replica& r, const NodeList& peers) {
  const bool resigned = r.v.role != Role::leader;
  for (sim::NodeId node : peers) {
    Owed& owed = peer(node).owed[r.group];
    owed.sequence = 0;
    owed.resigned = resigned;
    owed.item = HeartbeatItem{r.group, r.v.leader_ballot, r.v.commit, r.d.log.last(), r.local, 0, resigned};
  }
}

std::vector<sim::NodeId> Links::heartbeat_peers() const {
  std::vector<sim::NodeId> out;
  for (const auto& [node, p] : peers_)
    if (!p.led.empty() || !p.owed.empty()) out.push_back(node);
  return out;
}

NodeHeartbeat Links::heartbeat_for(sim::NodeId node, sim::Time now, const Lookup& lookup) {
  Peer& p = peer(node);
  NodeHeartbeat hb{now, ++p.sequence, incarnation_, p.peer_incarnation, p.applied_version, {}};
  for (auto it = p.owed.begin(); it != p.owed.end();) {
    Owed& owed = it->second;
    if (!owed.resigned) {
      // A leader's item says how it stands now; a leadership gone since says nothing.
      const Replica* r = lookup(it->first, owed.item.sender_local);
      if (r == nullptr || r->v.role != Role::leader || r->v.leader_ballot != owed.item.ballot) {
        it = p.owed.erase(it);
        continue;
      }
      owed.item.commit = r->v.commit;
      owed.item.last = r->d.log.last();
      owed.item.sender_local = r->local;
      const PeerProgress* progress = r->v.progress.find(node);
      owed.item.receiver_local = progress == nullptr ? 0 : progress->local_hint;
    }
    owed.sequence = p.sequence;
    hb.items.push_back(owed.item);
    ++it;
  }
  return hb;
}

std::optional<NodeHeartbeatAck> Links::on_heartbeat(sim::NodeId from, const NodeHeartbeat& hb, const Lookup& lookup,
                                                    Host& host) {
  Peer& p = peer(from);
  const bool known = p.leader_incarnation != kUnknown;
  if (known && hb.incarnation < p.leader_incarnation) return std::nullopt;  // from before the sender restarted
  if (!known) {
    p.leader_incarnation = hb.incarnation;
  } else if (hb.incarnation > p.leader_incarnation) {
    // The sender restarted: it leads nothing it led before.
    const std::vector<GroupId> followed = p.followed;
    for (GroupId g : followed)
      if (Replica* r = lookup(g, kNoHint)) rules::leader_gone(*r, host, from);
    p.leader_incarnation = hb.incarnation;
    p.changes.clear();
  }
  p.contact = host.now();
  // From the arrival, on this node's clock: the sender's clock cannot be read here.
  p.granted_until = std::max(p.granted_until, host.now() + host.spec().lease);
  if (hb.follower_incarnation == incarnation_)
    for (auto it = p.changes.begin(); it != p.changes.end();)
      it = it->second.version <= hb.changes_seen ? p.changes.erase(it) : std::next(it);
  NodeHeartbeatAck ack{hb.sent, hb.sequence, incarnation_, 0, {}, {}};
  ack.answers.reserve(hb.items.size());
  for (const HeartbeatItem& item : hb.items) {
    Replica* r = lookup(item.group, item.receiver_local);
    if (r == nullptr) {
      ack.answers.push_back(HeartbeatAnswer{item.group, item.ballot, false, 0, item.sender_local, 0});
      continue;
    }
    ack.answers.push_back(rules::on_heartbeat(*r, host, item, hb.sent, from));
  }
  // After the items: a group they made this node follow is in this very answer.
  ack.version = p.version;
  for (const auto& [group, change] : p.changes) ack.changes.push_back(change);
  std::sort(ack.changes.begin(), ack.changes.end(),
            [](const FollowChange& a, const FollowChange& b) { return a.version < b.version; });
  return ack;
}

void Links::on_ack(sim::NodeId from, const NodeHeartbeatAck& ack, const Lookup& lookup, Host& host) {
  Peer& p = peer(from);
  const bool known = p.peer_incarnation != kUnknown;
  if (known && ack.incarnation < p.peer_incarnation) return;  // from before the peer restarted
  if (!known) {
    p.peer_incarnation = ack.incarnation;
  } else if (ack.incarnation > p.peer_incarnation) {
    // The peer restarted: it follows none of this node's leaderships any more.
    const std::vector<GroupId> led = p.led;
    for (GroupId g : led)
      if (Replica* r = lookup(g, kNoHint)) rules::on_follow_change(*r, host, from, Ballot());
    p.peer_incarnation = ack.incarnation;
    p.applied_version = 0;
  }
  p.last_ack = host.now();
  // Changes first: a group its follower stopped following keeps the grant it had before this one.
  if (ack.version > p.applied_version) {
    for (const FollowChange& change : ack.changes) {
      if (change.version <= p.applied_version) continue;
      Replica* r = lookup(change.group, kNoHint);
      const bool leads = r != nullptr && r->v.role == Role::leader && r->v.leader_ballot == change.ballot;
      if (!change.ballot.none() && !leads) {
        // It follows a leadership of this node that has ended (a message of it arrived late,
        // or the news was lost to a restart): tell it so, until it answers. (An item of a
        // leadership it has now tells it of that one instead.)
        const auto owed = p.owed.find(change.group);
        if (owed == p.owed.end() || owed->second.resigned)
          p.owed[change.group] = Owed{0, true, HeartbeatItem{change.group, change.ballot, 0, 0, 0, 0, true}};
        continue;
      }
      if (r != nullptr) rules::on_follow_change(*r, host, from, change.ballot);
    }
    p.applied_version = ack.version;
  }
  // From the heartbeat's sending, on this node's clock, shortened by the drift margin.
  const sim::Time counted_from = host.bug() == PlantedBug::lease_from_ack_arrival ? host.now() : ack.sent;
  p.granted_by = std::max(p.granted_by, counted_from + rules::leader_lease(host.spec()));
  for (auto it = p.owed.begin(); it != p.owed.end();)
    it = it->second.sequence != 0 && it->second.sequence <= ack.sequence ? p.owed.erase(it) : std::next(it);
  for (const HeartbeatAnswer& answer : ack.answers)
    if (Replica* r = lookup(answer.group, answer.leader_local)) rules::on_heartbeat_answer(*r, host, answer, ack.sent, from);
}

void Links::quiet_groups(sim::Time now, sim::Duration silence, std::vector<GroupId>& out) const {
  for (const auto& [node, p] : peers_) {
    if (!p.followed.empty() && now - p.contact > silence) out.insert(out.end(), p.followed.begin(), p.followed.end());
    if (!p.led.empty() && now - p.last_ack > silence) out.insert(out.end(), p.led.begin(), p.led.end());
  }
}

void Links::restart(std::uint32_t incarnation, const std::vector<Replica*>& replicas) {
  for (Replica* r : replicas) {
    const sim::NodeId leader = r->links.leader;
    if (leader == kNoNode) continue;
    const Peer& old = peer(leader);
    if (old.granted_until > r->d.granted_lease_end) {
      r->d.granted_lease_end = old.granted_until;
      r->d.lease_granted_to = leader;
    }
  }
  incarnation_ = incarnation;
  for (auto& [node, p] : peers_) {
    const sim::Time granted = p.granted_until;
    p = Peer{};
    p.granted_until = granted;
  }
}

}  // namespace models::replication
