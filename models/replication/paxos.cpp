// Paxos role rules.
#include "models/replication/paxos.h"

#include "models/partition_map.h"

#include "sim/assert.h"

#include <fmt/format.h>

#include <algorithm>

namespace models::replication {

LogEntry LogEntry::split(Ballot ballot, std::uint64_t at_hash, GroupId child) {
  LogEntry e;
  e.ballot = ballot;
  e.kind = EntryKind::split;
  e.key = at_hash;
  e.write = child;
  return e;
}

LogEntry LogEntry::config(Ballot ballot, const Membership& m, bool joint) {
  LogEntry e;
  e.ballot = ballot;
  e.kind = EntryKind::config;
  e.key = std::uint64_t{m.nodes[0]} | (std::uint64_t{m.nodes[1]} << 32);
  e.version = std::uint64_t{m.nodes[2]} | (std::uint64_t{m.storage_mask} << 32) | (std::uint64_t{joint ? 1u : 0u} << 40);
  e.write = m.epoch;
  return e;
}

Membership LogEntry::membership() const {
  SIM_ASSERT(kind == EntryKind::config);
  Membership m;
  m.nodes[0] = static_cast<sim::NodeId>(key & 0xffffffffu);
  m.nodes[1] = static_cast<sim::NodeId>(key >> 32);
  m.nodes[2] = static_cast<sim::NodeId>(version & 0xffffffffu);
  m.storage_mask = static_cast<std::uint8_t>(version >> 32);
  m.epoch = static_cast<std::uint32_t>(write);
  return m;
}

namespace paxos {

PromiseMessage on_prepare(Replica& replica, const PrepareMessage& prepare, sim::NodeId candidate) {
  PromiseMessage out{prepare.group, prepare.ballot, replica.promised, PromiseRefusal::none,
                     replica.granted_lease_end, prepare.applied + 1, {}, replica.split_lease_holder,
                     replica.lease_granted_to};
  if (!replica.membership.contains(candidate) && replica.membership.epoch > prepare.epoch) {
    out.refusal = PromiseRefusal::removed;
    return out;
  }
  if (prepare.ballot <= replica.promised) {
    out.refusal = PromiseRefusal::ballot;
    return out;
  }
  // Slots this replica trimmed are applied here, so committed: a candidate without them would
  // lose them. It must catch up before it can lead.
  if (replica.log_start > prepare.applied + 1) {
    out.refusal = PromiseRefusal::behind;
    return out;
  }
  replica.promised = prepare.ballot;
  out.promised = prepare.ballot;
  if (!replica.log.empty())
    for (Slot slot = std::max(out.from, replica.log_start); slot <= replica.last_slot(); ++slot)
      out.entries.push_back(replica.entry(slot));
  return out;
}

void follow(Replica& replica, Ballot ballot, sim::NodeId leader) {
  replica.leader_ballot = ballot;
  replica.leader_node = leader;
  replica.matched = replica.applied;
  if (replica.role != Role::follower) {
    replica.role = Role::follower;
    replica.election.reset();
    replica.pending_versions.clear();
  }
}

AcceptResult on_accept(Replica& replica, const AcceptMessage& message, sim::NodeId leader) {
  if (message.ballot < replica.promised) return AcceptResult::rejected;
  replica.promised = message.ballot;
  if (message.ballot != replica.leader_ballot || replica.leader_node != leader) follow(replica, message.ballot, leader);
  replica.commit = std::max(replica.commit, message.commit);
  const Slot slot = message.slot;
  if (slot <= replica.applied) {  // a chosen value re-proposed: this replica has it already
    replica.matched = std::max(replica.matched, slot);
    return AcceptResult::appended;
  }
  if (slot > replica.matched + 1) return AcceptResult::gap;
  if (!replica.log.empty() && slot <= replica.last_slot()) {
    replica.log.resize(slot - replica.log_start);  // a deposed leader's entries end here
    replica.persisted = std::min(replica.persisted, slot - 1);
  }
  if (replica.log.empty()) replica.log_start = slot;
  SIM_ASSERT_OP(replica.log_start + replica.log.size(), ==, slot);
  replica.log.push_back(message.entry);
  replica.matched = slot;
  return AcceptResult::appended;
}

Slot quorum_persisted(const Replica& leader, sim::NodeId self) {
  std::array<Slot, Membership::kSize> persisted = leader.match;
  const std::size_t own = leader.member_index(self);
  SIM_ASSERT_OP(own, <, Membership::kSize);
  persisted[own] = std::min(leader.persisted, leader.log.empty() ? 0 : leader.last_slot());
  std::sort(persisted.begin(), persisted.end(), std::greater<>());
  const Slot candidate = persisted[Membership::quorum() - 1];
  // Only entries of the current ballot commit by counting; earlier ones commit with them.
  if (candidate <= leader.commit || !leader.has_slot(candidate)) return leader.commit;
  if (leader.entry(candidate).ballot != leader.leader_ballot) return leader.commit;
  // A joint config among the slots to commit: from it on, a quorum of its new membership must
  // hold them too (the joining node's copies are tracked apart: it is no member yet).
  for (Slot s = std::max(leader.commit + 1, leader.log_start); s <= candidate; ++s) {
    const LogEntry& e = leader.entry(s);
    if (!e.joint()) continue;
    const Membership next = e.membership();
    std::array<Slot, Membership::kSize> held{};
    for (std::size_t i = 0; i < Membership::kSize; ++i) {
      const sim::NodeId node = next.nodes[i];
      if (node == self) held[i] = std::min(leader.persisted, leader.last_slot());
      else if (const std::size_t at = leader.member_index(node); at < Membership::kSize) held[i] = leader.match[at];
      else if (node == leader.joining) held[i] = leader.joining_match;
    }
    std::sort(held.begin(), held.end(), std::greater<>());
    const Slot both = std::min(candidate, std::max(held[Membership::quorum() - 1], s - 1));
    if (both <= leader.commit || leader.entry(both).ballot != leader.leader_ballot) return leader.commit;
    return both;
  }
  return candidate;
}

const LogEntry* pending_joint_config(const Replica& replica) {
  if (replica.log.empty()) return nullptr;
  for (Slot s = std::max(replica.applied + 1, replica.log_start); s <= replica.last_slot(); ++s)
    if (replica.entry(s).joint()) return &replica.entry(s);
  return nullptr;
}

std::uint64_t next_version(const Replica& leader, std::uint64_t key) {
  std::uint64_t newest = leader.applied_version(key);
  if (auto it = leader.pending_versions.find(key); it != leader.pending_versions.end())
    newest = std::max(newest, it->second);
  return newest + 1;
}

void record_promise(Election& election, std::size_t member_index, const PromiseMessage& promise) {
  election.promises_mask = static_cast<std::uint8_t>(election.promises_mask | (1u << member_index));
  // A lease need not be waited out if the candidate held it (a split child's parent leader), or
  // if it went to a leader that stepped down and handed leadership to the candidate.
  const bool held_by_candidate = promise.lease_holder != kNoNode && promise.lease_holder == election.candidate;
  const bool released = election.released != kNoNode && promise.granted_to == election.released;
  if (!held_by_candidate && !released)
    election.old_lease_end = std::max(election.old_lease_end, promise.granted_lease_end);
  SIM_ASSERT_OP(promise.from, ==, election.recovered_from);
  for (std::size_t i = 0; i < promise.entries.size(); ++i) {
    const LogEntry& entry = promise.entries[i];
    const Slot slot = promise.from + i;
    if (slot < election.recovered_from) continue;
    const std::size_t at = slot - election.recovered_from;
    if (at >= election.recovered.size()) {
      election.recovered.resize(at + 1);  // placeholders have ballot 0 and lose to anything
    }
    if (election.recovered[at].ballot < entry.ballot) election.recovered[at] = entry;
  }
}

bool has_quorum(std::uint8_t mask) {
  return static_cast<std::size_t>(__builtin_popcount(mask)) >= Membership::quorum();
}

std::size_t apply_committed(Replica& replica, bool keep_item_history) {
  const Slot limit = std::min({replica.commit, replica.persisted, replica.matched});
  std::size_t count = 0;
  while (replica.applied < limit) {
    const Slot slot = replica.applied + 1;
    SIM_ASSERT(replica.has_slot(slot));
    const LogEntry& e = replica.entry(slot);
    if (e.kind == EntryKind::write && replica.storage) {
      ItemVersions& versions = replica.items[e.key];
      if (!versions.empty() && versions.back().first >= e.version) [[unlikely]]
        sim::detail::assertion_failed("item versions grow with the log", __FILE__, __LINE__,
                                      fmt::format("group {} slot {} key {} has v{} (write {:x}), entry brings v{} (write {:x})",
                                                  replica.group, slot, e.key, versions.back().first,
                                                  versions.back().second, e.version, e.write));
      if (keep_item_history || versions.empty()) versions.emplace_back(e.version, e.write);
      else versions.back() = {e.version, e.write};
    } else if (e.kind == EntryKind::config) {
      replica.membership = e.membership();
    } else if (e.kind == EntryKind::split && e.key > replica.hash_low && e.key <= replica.hash_high) {
      // The upper part of the range, and the items in it, go to the child; the node hosting
      // this replica creates the child replica from what is staged here.
      StagedSplit staged{static_cast<GroupId>(e.write), e.key, replica.hash_high, replica.membership, {}};
      for (auto it = replica.items.begin(); it != replica.items.end();) {
        if (key_hash(replica.table, it->first) >= e.key) {
          staged.items.insert(staged.items.end(), std::move(*it));
          it = replica.items.erase(it);
        } else {
          ++it;
        }
      }
      replica.hash_high = e.key - 1;
      replica.children.emplace_back(e.key, staged.child);
      replica.staged_splits.push_back(std::move(staged));
    }
    if (e.kind == EntryKind::write) {
      auto pending = replica.pending_versions.find(e.key);
      if (pending != replica.pending_versions.end() && pending->second <= e.version) replica.pending_versions.erase(pending);
    }
    replica.applied = slot;
    ++count;
  }
  return count;
}

void trim_log(Replica& replica, std::size_t kept) {
  if (replica.applied < replica.log_start + kept) return;
  const Slot last_dropped = replica.applied - kept;
  const std::size_t drop = std::min<std::size_t>(last_dropped - replica.log_start + 1, replica.log.size());
  replica.log.erase(replica.log.begin(), replica.log.begin() + static_cast<std::ptrdiff_t>(drop));
  replica.log_start += drop;
}

}  // namespace paxos
}  // namespace models::replication
