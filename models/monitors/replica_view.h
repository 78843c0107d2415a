// What the safety monitors read of a replica, in one place: the monitors never reach into a
// replica anywhere else, so a change of the replica's layout is adapted here alone. Read-only.
#pragma once

#include "models/replication/replica.h"

#include <optional>

namespace models::monitors {

using replication::Ballot;
using replication::GroupId;
using replication::LogEntry;
using replication::Membership;
using replication::Replica;
using replication::Slot;

// A log entry's value: what it does, not the ballot it was accepted under (a new leader re-sends
// an old value under its own ballot, and that is the same decision).
struct EntryValue {
  replication::EntryKind kind = replication::EntryKind::noop;
  std::uint64_t key = 0;
  std::uint64_t version = 0;
  WriteId write = 0;
  bool operator==(const EntryValue&) const = default;
};

inline EntryValue value_of(const LogEntry& e) { return EntryValue{e.kind, e.key, e.version, e.write}; }
// REQUIRES: v.kind == config.
inline LogEntry entry_of(const EntryValue& v) {
  LogEntry e;
  e.kind = v.kind;
  e.key = v.key;
  e.version = v.version;
  e.write = v.write;
  return e;
}
inline Membership config_of(const EntryValue& v) { return entry_of(v).membership(); }
// REQUIRES: v.kind == config. The membership the change was made from.
inline Membership base_of(const EntryValue& v) { return entry_of(v).base(); }

inline Slot applied_of(const Replica& r) { return r.d.applied; }

// The value the replica holds on disk at `slot` at `now`, if it has one there: applied slots are
// part of its items (their value is what the agreement monitor saw it apply); a logged slot counts
// only once written to disk (by then: a write its node handed the disk may have landed unseen).
enum class Durable : std::uint8_t { none, applied, logged };
inline Durable durable_at(const Replica& r, Slot slot, const EntryValue& value, sim::Time now) {
  if (slot <= r.d.applied) return Durable::applied;
  if (r.d.log.has(slot) && r.d.log.durable(slot, now) && value_of(r.d.log.at(slot)) == value) return Durable::logged;
  return Durable::none;
}

inline bool is_leader(const Replica& r) { return r.v.role == replication::Role::leader; }
inline Ballot leader_ballot_of(const Replica& r) { return r.v.leader_ballot; }
inline sim::Time lease_end_of(const Replica& r) { return r.v.lease_end; }
inline const Membership& membership_of(const Replica& r) { return r.d.membership; }
// The lease the replica itself granted (kept when it stopped following), on its node's clock, and to whom.
inline std::pair<sim::Time, sim::NodeId> replica_grant_of(const Replica& r) {
  return {r.d.granted_lease_end, r.d.lease_granted_to};
}
inline bool is_storage(const Replica& r) { return r.d.storage; }
inline const replication::ItemMap& items_of(const Replica& r) { return r.d.items; }
// The value at a slot the replica still holds in its log.
inline bool holds_slot(const Replica& r, Slot slot) { return r.d.log.has(slot); }
inline EntryValue value_at(const Replica& r, Slot slot) { return value_of(r.d.log.at(slot)); }

}  // namespace models::monitors
