// Catch-up and snapshots. A member that finds a gap asks the leader for the log from its last
// matching slot; the leader answers with entries, or with a snapshot of its state when those
// entries were archived (after the time replaying them takes). A replacement gets a snapshot too,
// and acknowledges it once installed: only then may the leader make it a member.
#include "models/replication/rules.h"

#include "sim/assert.h"

#include <algorithm>

namespace models::replication::rules {

void request_catch_up(Replica& r, Host& host, Slot from) {
  if (r.v.leader_node == kNoNode || r.v.leader_node == host.self()) return;
  // One request per heartbeat interval: the answer is on its way.
  if (r.v.catch_up_asked != sim::Time() && host.now() - r.v.catch_up_asked < host.spec().heartbeat_interval) return;
  r.v.catch_up_asked = host.now();
  host.send(r.v.leader_node, CatchUpRequest{r.group, from});
}

CatchUpMessage snapshot_of(const Replica& r, bool with_items, bool archiving) {
  CatchUpMessage out;
  out.group = r.group;
  out.ballot = r.v.leader_ballot;
  out.commit = r.v.commit;
  out.snapshot = true;
  out.snapshot_applied = r.d.applied;
  out.membership = r.d.membership;
  out.hash_low = r.d.hash_low;
  out.hash_high = r.d.hash_high;
  if (r.d.splits) out.children = r.d.splits->children;
  out.from = r.d.applied + 1;
  for (Slot slot = r.d.applied + 1; slot <= r.d.log.last(); ++slot) out.entries.push_back(r.d.log.at(slot));
  if (with_items) out.items = r.d.items.to_ordered();
  if (archiving) {
    out.archived = r.d.archived;
    for (Slot slot = std::max(r.d.archived + 1, r.d.log.start()); slot <= r.d.applied; ++slot)
      out.unarchived.push_back(r.d.log.at(slot));
  }
  return out;
}

void on_catch_up_request(Replica& r, Host& host, const CatchUpRequest& m, sim::NodeId from) {
  if (r.v.role != Role::leader) return;
  if (m.from >= r.d.log.start()) {
    CatchUpMessage reply;
    reply.group = r.group;
    reply.ballot = r.v.leader_ballot;
    reply.commit = r.v.commit;
    reply.membership = r.d.membership;
    reply.from = m.from;
    if (!host.entries_intact(r, m.from, r.d.log.last())) return;  // damaged now: it hands off
    for (Slot slot = m.from; slot <= r.d.log.last(); ++slot) reply.entries.push_back(r.d.log.at(slot));
    host.send(from, std::move(reply));
    return;
  }
  // The slots were archived here: ship the items as of the applied slot plus the log after it,
  // taking as long as replaying that much of the archived log would.
  if (!host.items_intact(r)) return;  // a damaged leader's items go nowhere
  const sim::Duration copying = host.replay_time(r, r.d.applied - m.from + 1);
  host.send_after(copying, from, snapshot_of(r, true, host.spec().archiving));
}

namespace {

// A snapshot older than what the replica applied: it keeps its log and state and only takes the
// items, brought forward by replaying its own log. False if it cannot (entries archived, or a
// split among them): the leader sends a newer snapshot.
bool take_items_forward(Replica& r, CatchUpMessage& m, bool keep_history) {
  if (r.d.applied > m.snapshot_applied && r.d.log.start() > m.snapshot_applied + 1) return false;
  for (Slot slot = m.snapshot_applied + 1; slot <= r.d.applied; ++slot)
    if (r.d.log.at(slot).kind == EntryKind::split) return false;
  r.d.items = std::move(m.items);
  r.d.damaged = false;
  for (Slot slot = m.snapshot_applied + 1; slot <= r.d.applied; ++slot) {
    const LogEntry& e = r.d.log.at(slot);
    if (e.kind != EntryKind::write) continue;
    ItemVersions& versions = r.d.items[e.key];
    // Numbered as applying numbers it (rules::effective_version), so the items match its peers'.
    const std::uint64_t version = effective_version(versions.empty() ? 0 : versions.back().first, e);
    if (keep_history || versions.empty()) versions.emplace_back(version, e.write);
    else versions.back() = {version, e.write};
  }
  return true;
}

}  // namespace

void on_catch_up(Replica& r, Host& host, CatchUpMessage& m, sim::NodeId from) {
  if (m.ballot < r.d.promised) {
    // Told, as an accept would be: a leader healing onto a node whose dropped replica promised a
    // higher ballot learns it, and comes back with a higher one (else its snapshots would be
    // ignored for as long as it leads).
    host.send(from, AcceptedMessage{.ballot = m.ballot, .promised = r.d.promised, .persisted = 0, .group = r.group, .ok = false});
    return;
  }
  const bool raised = m.ballot > r.d.promised;
  r.d.promised = m.ballot;
  if (m.ballot != r.v.leader_ballot || r.v.leader_node != from) follow(r, host, m.ballot, from);
  else if (raised) host.roles_changed(r);
  r.v.leader_contact = host.now();
  r.v.catch_up_asked = sim::Time();
  bool installed = false;
  if (m.snapshot) {
    const bool replacement = m.attempt != 0;
    if (m.snapshot_applied > r.d.applied) {
      if (replacement) r.d.storage = m.make_storage;  // it becomes what the leader builds
      if (r.d.storage) {
        r.d.items = std::move(m.items);
        r.d.damaged = false;  // the damaged items are gone
      }
      r.d.log.install(m.snapshot_applied, m.entries);
      if (!m.unarchived.empty()) r.d.log.install_applied(m.snapshot_applied + 1 - m.unarchived.size(), m.unarchived);
      r.d.archived = std::max(r.d.archived, m.archived);
      r.d.applied = m.snapshot_applied;
      r.v.matched = m.snapshot_applied + m.entries.size();
      if (replacement || m.membership.epoch >= r.d.membership.epoch) {
        r.d.membership = m.membership;
        // A replacement starts over; a member catching up stays one that joined, so a snapshot
        // that shows it was removed gets it dropped.
        r.d.joined = (!replacement && r.d.joined) || m.membership.contains(host.self());
      }
      r.d.hash_low = m.hash_low;
      r.d.hash_high = m.hash_high;
      if (!m.children.empty()) r.d.split_state().children = std::move(m.children);
      else if (r.d.splits) r.d.splits->children.clear();
      installed = true;
    } else if (replacement) {
      // The replica is as far along already (a former member, an unfinished replacement, a log
      // replica being rebuilt): it takes the items if it is to store them, and the leader's
      // membership if newer, so it stops acting on an old one it is no member of.
      // Its own log replays the items forward: a rotten entry there fails its checksum.
      installed = !m.make_storage || (host.entries_intact(r, m.snapshot_applied + 1, r.d.applied) &&
                                      take_items_forward(r, m, host.spec().keep_item_history));
      if (installed && m.make_storage) r.d.storage = true;
      if (installed && m.membership.epoch > r.d.membership.epoch) {
        r.d.membership = m.membership;
        r.d.joined = m.membership.contains(host.self());
      }
    }
    if (installed) {
      if (Observer* observer = host.observer()) observer->snapshot_installed(host.self(), r);
      if (!replacement && r.d.joined && !r.is_member(host.self()) && r.v.role == Role::follower) host.drop_soon(r);
    }
  } else {
    const Slot matched = std::max(r.v.matched, r.d.applied);
    if (m.from > matched + 1) return;  // still a gap: the next heartbeat asks again
    bool any = false;
    for (std::size_t i = 0; i < m.entries.size(); ++i) {
      const Slot slot = m.from + i;
      if (slot <= r.d.applied) continue;
      any = r.d.log.store(slot, m.entries[i]) || any;
    }
    if (!m.entries.empty()) r.v.matched = std::max(matched, m.from + m.entries.size() - 1);
    (void)any;
  }
  r.v.commit = std::max(r.v.commit, m.commit);
  if (r.d.log.persisted() < r.d.log.last()) host.persist(r);
  else host.send(from, AcceptedMessage{.ballot = m.ballot, .promised = r.d.promised, .persisted = acknowledged_slot(r), .group = r.group, .ok = true});
  if (m.snapshot && m.attempt != 0 && installed)
    host.send(from, SnapshotInstalledMessage{r.group, m.attempt, m.snapshot_applied});
  apply(r, host);
}

}  // namespace models::replication::rules
