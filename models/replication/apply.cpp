// Disk completions and applying committed entries: items, memberships, splits.
#include "models/replication/rules.h"

#include "models/partition_map.h"
#include "sim/assert.h"

#include <fmt/format.h>

#include <algorithm>

namespace models::replication::rules {
namespace {

void apply_write(Replica& r, Host& host, Slot slot, const LogEntry& e, bool keep_history) {
  std::uint64_t version = e.version;
  if (r.d.storage) {
    const WriteId value = host.stored_value(r, e);
    ItemVersions& versions = r.d.items[e.key];
    const std::uint64_t newest = versions.empty() ? 0 : versions.back().first;
    version = effective_version(newest, e);
    if (newest >= version) [[unlikely]]
      sim::detail::assertion_failed("item versions grow with the log", __FILE__, __LINE__,
                                    fmt::format("group {} slot {} key {} has v{} (write {:x}), entry brings v{} (write {:x})",
                                                r.group, slot, e.key, newest, versions.back().second, version, e.write));
    if (keep_history || versions.empty()) versions.emplace_back(version, value);
    else versions.back() = {version, value};
  }
  if (r.v.pending_versions.empty()) return;
  auto pending = r.v.pending_versions.find(e.key);
  if (pending != r.v.pending_versions.end() && pending->second <= version) r.v.pending_versions.erase(pending);
}

// The upper part of the range, and the items in it, go to the child; the node hosting this
// replica creates the child replica from what is staged here.
void apply_split(Replica& r, const LogEntry& e, bool off_by_one) {
  if (e.key <= r.d.hash_low || e.key > r.d.hash_high) return;
  StagedSplit staged{static_cast<GroupId>(e.write), e.key, r.d.hash_high, r.d.membership, {}};
  for (auto it = r.d.items.begin(); it != r.d.items.end();) {
    if (key_hash(r.table, it->first) >= e.key + (off_by_one ? 1 : 0)) {
      staged.items.insert(staged.items.end(), std::move(*it));
      it = r.d.items.erase(it);
    } else {
      ++it;
    }
  }
  r.d.hash_high = e.key - 1;
  SplitState& splits = r.d.split_state();
  splits.children.emplace_back(e.key, staged.child);
  splits.staged.push_back(std::move(staged));
}

// Keeps the newest `kept` applied entries (the unarchived tail lagging members catch up from),
// trimming in chunks so the log is not shifted on every apply.
void trim(Replica& r, std::size_t kept, bool archiving) {
  const Slot excess_at = r.d.log.start() + kept + std::max<std::size_t>(kept / 4, 1);
  if (r.d.applied < excess_at) return;
  // What is not archived yet stays: S3 does not have it.
  const Slot before = archiving ? std::min(r.d.applied - kept + 1, r.d.archived + 1) : r.d.applied - kept + 1;
  if (before > r.d.log.start()) r.d.log.trim_before(before);
}

}  // namespace

namespace {

bool follows_another_node(const Replica& r, const Host& host) {
  return r.v.role == Role::follower && r.v.leader_node != kNoNode && r.v.leader_node != host.self();
}

AcceptedMessage accepted_up_to(const Replica& r, Slot persisted) {
  return AcceptedMessage{.ballot = r.v.leader_ballot, .promised = r.d.promised, .persisted = persisted, .group = r.group, .ok = true};
}

}  // namespace

void on_written(Replica& r, Host& host, std::uint64_t write) {
  r.d.log.written(write);
  if (r.v.role == Role::leader) {
    try_commit(r, host);
    return;
  }
  if (follows_another_node(r, host)) host.send(r.v.leader_node, accepted_up_to(r, acknowledged_slot(r)));
  apply(r, host);
}

std::optional<AcceptedMessage> accepted_once_written(const Replica& r, const Host& host) {
  if (!follows_another_node(r, host)) return std::nullopt;
  // Every write made so far on disk is the whole log: acknowledged_slot() with persisted() at last().
  return accepted_up_to(r, std::min(r.d.log.last(), std::max(r.v.matched, r.d.applied)));
}

void apply(Replica& r, Host& host) {
  const Slot matched = host.bug() == PlantedBug::apply_beyond_matched ? r.d.log.last() : std::max(r.v.matched, r.d.applied);
  const Slot limit = std::min({r.v.commit, r.d.log.persisted(), matched});
  // Committed and matching but not on disk yet, by writes whose landing runs nothing by itself.
  if (r.d.log.unsettled() && std::min(r.v.commit, matched) > r.d.log.persisted()) host.apply_when_landed(r);
  if (limit <= r.d.applied) return;
  const Slot from = r.d.applied + 1;
  if (Observer* observer = host.observer()) observer->applying(host.self(), r, from, limit);
  const bool keep_history = host.spec().keep_item_history;
  std::vector<Slot> configs;  // slots of the changes that took effect (bounded by the slots applied)
  for (Slot slot = from; slot <= limit; ++slot) {
    SIM_ASSERT(r.d.log.has(slot));
    const LogEntry& e = r.d.log.at(slot);
    switch (e.kind) {
      case EntryKind::write: apply_write(r, host, slot, e, keep_history); break;
      case EntryKind::config:
        if (!takes_effect(e, r.d.membership)) break;  // a deposed leader's change: a no-op
        r.d.membership = e.membership();
        r.d.joined = r.d.joined || r.d.membership.contains(host.self());
        configs.push_back(slot);
        break;
      case EntryKind::split: apply_split(r, e, host.bug() == PlantedBug::split_boundary_off_by_one); break;
      case EntryKind::noop: break;
      case EntryKind::scrub: break;
    }
    r.d.applied = slot;
    if (e.kind == EntryKind::scrub && r.d.storage) host.scrub_applied(r, slot);
  }
  if (r.v.splitting_at != 0 && r.d.hash_high < r.v.splitting_at) r.v.splitting_at = 0;  // the split applied
  host.applied(r, from, limit);
  for (Slot slot : configs) config_applied(r, host, slot);
  if (r.v.role == Role::leader && r.v.first_own_slot >= from && r.v.first_own_slot <= limit) check_serving(r, host);
  if (r.d.has_staged_splits()) host.splits_staged(r);
  trim(r, host.spec().log_entries_kept, host.spec().archiving);
}

void start_split_child(Replica& child, const Replica& parent, sim::NodeId self) {
  // The child starts as a follower with the parent's promise (so no ballot the parent refused
  // can win it), the parent's lease and a fresh log. Never below what the node remembers of a
  // dropped replica of the child (its node made the child's replica with that already).
  child.d.promised = std::max(child.d.promised, parent.d.promised);
  if (parent.d.granted_lease_end > child.d.granted_lease_end) {
    child.d.granted_lease_end = parent.d.granted_lease_end;
    child.d.lease_granted_to = kNoNode;  // told apart by split_lease_holder
  }
  child.d.split_lease_holder = parent.v.role == Role::leader ? self : parent.v.leader_node;
}

void on_split_request(Replica& r, Host& host, std::uint64_t at_hash, GroupId child) {
  if (!serving(r, host, host.now()) || r.v.splitting_at != 0 || r.d.has_staged_splits() || !r.v.changes.empty() ||
      pending_config_slot(r) != 0)
    return;
  if (at_hash <= r.d.hash_low || at_hash > r.d.hash_high) return;
  r.v.splitting_at = at_hash;
  propose(r, host, LogEntry::split(r.v.leader_ballot, at_hash, child));
}

}  // namespace models::replication::rules
