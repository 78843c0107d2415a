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

LogEntry LogEntry::scrub(Ballot ballot) {
  LogEntry e;
  e.ballot = ballot;
  e.kind = EntryKind::scrub;
  return e;
}

// Packing: key = nodes[0] | nodes[1] << 32; version = nodes[2] | mask << 32 | base mask << 40 |
// changed seat << 48; write = epoch | the base's node at that seat << 32.
LogEntry LogEntry::config(Ballot ballot, const Membership& base, const Membership& next) {
  SIM_ASSERT_OP(next.epoch, ==, base.epoch + 1);
  std::size_t seat = 0;
  std::size_t differing = 0;
  for (std::size_t i = 0; i < Membership::kSize; ++i)
    if (next.nodes[i] != base.nodes[i] || next.is_storage(i) != base.is_storage(i)) {
      seat = i;
      ++differing;
    }
  SIM_ASSERT_OP(differing, <=, 1u);
  SIM_ASSERT((base.storage_mask & ~(1u << seat)) == (next.storage_mask & ~(1u << seat)));
  LogEntry e;
  e.ballot = ballot;
  e.kind = EntryKind::config;
  e.key = std::uint64_t{next.nodes[0]} | (std::uint64_t{next.nodes[1]} << 32);
  e.version = std::uint64_t{next.nodes[2]} | (std::uint64_t{next.storage_mask} << 32) |
              (std::uint64_t{base.storage_mask} << 40) | (std::uint64_t{seat} << 48);
  e.write = std::uint64_t{next.epoch} | (std::uint64_t{base.nodes[seat]} << 32);
  SIM_ASSERT(e.membership() == next && e.base() == base);
  return e;
}

Membership LogEntry::membership() const {
  SIM_ASSERT(kind == EntryKind::config);
  Membership m;
  m.nodes[0] = static_cast<sim::NodeId>(key & 0xffffffffu);
  m.nodes[1] = static_cast<sim::NodeId>(key >> 32);
  m.nodes[2] = static_cast<sim::NodeId>(version & 0xffffffffu);
  m.storage_mask = static_cast<std::uint8_t>(version >> 32);
  m.epoch = static_cast<std::uint32_t>(write & 0xffffffffu);
  return m;
}

Membership LogEntry::base() const {
  Membership m = membership();
  const std::size_t seat = (version >> 48) & 0xffu;
  SIM_ASSERT_OP(seat, <, Membership::kSize);
  m.nodes[seat] = static_cast<sim::NodeId>(write >> 32);
  m.storage_mask = static_cast<std::uint8_t>(version >> 40);
  --m.epoch;
  return m;
}

}  // namespace models::replication
