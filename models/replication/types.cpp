// Log entries that carry more than a write: no-ops, memberships, splits.
#include "models/replication/types.h"

#include "sim/assert.h"

namespace models::replication {

LogEntry LogEntry::noop(Ballot ballot) {
  LogEntry e;
  e.ballot = ballot;
  e.kind = EntryKind::noop;
  return e;
}

LogEntry LogEntry::split(Ballot ballot, std::uint64_t at_hash, GroupId child) {
  LogEntry e;
  e.ballot = ballot;
  e.kind = EntryKind::split;
  e.key = at_hash;
  e.write = child;
  return e;
}

LogEntry LogEntry::config(Ballot ballot, const Membership& m) {
  LogEntry e;
  e.ballot = ballot;
  e.kind = EntryKind::config;
  e.key = std::uint64_t{m.nodes[0]} | (std::uint64_t{m.nodes[1]} << 32);
  e.version = std::uint64_t{m.nodes[2]} | (std::uint64_t{m.storage_mask} << 32);
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

}  // namespace models::replication
