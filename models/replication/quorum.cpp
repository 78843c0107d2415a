// Majorities over memberships, and peer progress by node id.
#include "models/replication/quorum.h"

#include "sim/assert.h"

#include <algorithm>
#include <array>
#include <functional>

namespace models::replication {

PeerProgress& Progress::of(sim::NodeId node) {
  SIM_ASSERT(node != kNoNode);
  for (PeerProgress& p : peers_)
    if (p.node == node) return p;
  SIM_ASSERT_OP(peers_.size(), <, 7u);
  PeerProgress fresh;
  fresh.node = node;
  return peers_.emplace_back(fresh);
}

const PeerProgress* Progress::find(sim::NodeId node) const {
  for (const PeerProgress& p : peers_)
    if (p.node == node) return &p;
  return nullptr;
}

void Progress::keep_only(const NodeList& nodes) {
  erase_if(peers_, [&](const PeerProgress& p) { return !nodes.contains(p.node); });
}

Slot quorum_match(const Membership& config, sim::NodeId self, Slot own, const Progress& progress) {
  std::array<Slot, Membership::kSize> held{};
  for (std::size_t i = 0; i < Membership::kSize; ++i) {
    const sim::NodeId node = config.nodes[i];
    if (node == kNoNode) continue;
    if (node == self) {
      held[i] = own;
    } else if (const PeerProgress* p = progress.find(node)) {
      held[i] = p->match;
    }
  }
  std::sort(held.begin(), held.end(), std::greater<>());
  return held[Membership::quorum() - 1];
}

}  // namespace models::replication
