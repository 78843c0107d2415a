// Quorums, in one place: which slots a majority of a membership holds, whether a set of nodes is
// a majority, and a leader's view of each peer's progress, keyed by node id (a replaced member's
// progress is never inherited by its replacement).
#pragma once

#include "models/replication/types.h"
#include "sim/time.h"

#include <vector>

namespace models::replication {

// What a leader knows of one peer (a member, or a node joining through a pending change).
struct PeerProgress {
  sim::NodeId node = kNoNode;
  Slot match = 0;                  // highest slot it reported on disk under this leader's ballot
  sim::Time last_ack;              // its last answer to a heartbeat
  sim::Time lease_until;           // the lease it granted this leader (heartbeat send + lease)
  std::uint32_t local_hint = 0;    // where it keeps the group's replica (saves it a search)
};

// Bounded: the members of the configurations in play and one joining node (at most seven).
class Progress {
 public:
  PeerProgress& of(sim::NodeId node);
  const PeerProgress* find(sim::NodeId node) const;
  void clear() { peers_.clear(); }
  // Forgets every peer not in `nodes`.
  void keep_only(const std::vector<sim::NodeId>& nodes);
  const std::vector<PeerProgress>& peers() const { return peers_; }

 private:
  std::vector<PeerProgress> peers_;
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
// leader counts for itself only when it is a member, and its own grant never limits it).
sim::Time quorum_lease(const Membership& config, sim::NodeId self, const Progress& progress);

}  // namespace models::replication
