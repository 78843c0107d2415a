// What a router needs to reach a partition: the group's members, its leader and a version that
// grows with every change. The storage side publishes routes; the metadata table and MemDS
// serve them; routers cache them.
#pragma once

#include "models/replication/types.h"

#include <cstdint>

namespace models::routing {

using replication::GroupId;
using replication::Membership;

// A 64-bit value stored as two 32-bit halves, aligned to 4: routes are copied into every router
// and route server, a million of them each, and 8-byte alignment would pad each by 4 bytes.
class PackedU64 {
 public:
  PackedU64() = default;
  PackedU64(std::uint64_t v) : high_(static_cast<std::uint32_t>(v >> 32)), low_(static_cast<std::uint32_t>(v)) {}  // NOLINT
  operator std::uint64_t() const { return (std::uint64_t{high_} << 32) | low_; }  // NOLINT
  std::uint64_t value() const { return *this; }

 private:
  std::uint32_t high_ = 0;
  std::uint32_t low_ = 0;
};

struct Route {
  GroupId group = 0;
  std::uint32_t table = 0;
  PackedU64 hash_low = 0;   // the slice of the table's hash space it serves, [low, high]
  PackedU64 hash_high = 0;
  Membership membership;
  sim::NodeId leader = replication::kNoNode;  // as last published; may be stale
  std::uint32_t version = 0;                  // 0: no route
  bool covers(std::uint64_t hash) const { return hash_low.value() <= hash && hash <= hash_high.value(); }
};
static_assert(sizeof(Route) == 52);

// The metadata table is partitioned by the table it describes: the node of `nodes` holding a
// table's routes.
inline std::size_t metadata_node_of(std::uint32_t table, std::size_t nodes) { return table % nodes; }

}  // namespace models::routing
