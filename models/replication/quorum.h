// Quorums, in one place: which slots a majority of a membership holds, whether a set of nodes is
// a majority, and a leader's view of each peer's progress, keyed by node id (a replaced member's
// progress is never inherited by its replacement).
#pragma once

#include "models/replication/compact_vector.h"
#include "models/replication/types.h"
#include "sim/time.h"

#include <algorithm>
#include <array>
#include <functional>
#include <utility>
#include <vector>

namespace models::replication {

// What a leader knows of one peer (a member, or a node joining through a pending change).
struct PeerProgress {
  sim::NodeId node = kNoNode;
  std::uint32_t local_hint = 0;    // where it keeps the group's replica (saves it a search)
  Slot match = 0;                  // highest slot it reported on disk under this leader's ballot
  sim::Time last_ack;              // its last accepted message
  Slot match_at_tick = 0;          // `match` at the leader's last tick (no progress: send again)
  sim::Time lease_until;
  // It follows this leader's ballot (it said so): its lease grants to this node count for the
  // group. When it stops, the grant it had given stays as `lease_until`.
  bool follows = false;
  bool damaged = false;            // it said its replica is damaged: no handoff to it
};

// Bounded: the members of the configurations in play and one joining node (at most seven).
class Progress {
 public:
  PeerProgress& of(sim::NodeId node);
  const PeerProgress* find(sim::NodeId node) const;
  PeerProgress* find(sim::NodeId node) { return const_cast<PeerProgress*>(std::as_const(*this).find(node)); }
  void clear() { peers_.clear(); }
  // Forgets every peer not in `nodes`.
  void keep_only(const NodeList& nodes);
  const CompactVector<PeerProgress>& peers() const { return peers_; }

 private:
  CompactVector<PeerProgress> peers_;
};

// True when the nodes of `config` for which `yes(node)` holds are a majority of it.
template <class Predicate>
bool is_quorum(const Membership& config, Predicate&& yes) {
  std::size_t count = 0;
  for (sim::NodeId node : config.nodes)
    if (node != kNoNode && yes(node)) ++count;
  return count >= Membership::quorum();
}

// The highest slot persisted by a majority of `config`: the leader's own log counts as `own`
// when it is a member; every other member as its progress says.
Slot quorum_match(const Membership& config, sim::NodeId self, Slot own, const Progress& progress);

// The latest instant until which a majority of `config` granted the leader its lease (the
// leader counts for itself only when it is a member, and its own grant never limits it);
// `granted(node)` is what that peer granted for this group.
template <class Granted>
sim::Time quorum_lease(const Membership& config, sim::NodeId self, Granted&& granted) {
  std::array<sim::Time, Membership::kSize> grants{};
  for (std::size_t i = 0; i < Membership::kSize; ++i) {
    const sim::NodeId node = config.nodes[i];
    if (node == kNoNode) continue;
    grants[i] = node == self ? sim::Time::max() : granted(node);
  }
  std::sort(grants.begin(), grants.end(), std::greater<>());
  return grants[Membership::quorum() - 1];
}

}  // namespace models::replication
