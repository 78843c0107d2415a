// Archive lag and data at risk.
#include "models/archive/lag.h"

#include <algorithm>
#include <map>

namespace models::archive {

std::uint64_t unarchived_bytes(const ArchiveService& a, const replication::Replica& r, const Scenario& scenario) {
  const Slot archived = a.bucket.archived_to(r.group);
  return (r.d.applied - std::min(r.d.applied, archived)) * (kEntryHeaderBytes + scenario.tables[r.table].item_bytes);
}

std::uint64_t sample_lag(ArchiveService& a, const std::vector<const replication::Replica*>& replicas,
                         const Scenario& scenario) {
  std::map<GroupId, std::pair<Slot, std::uint64_t>> newest;  // group -> (most applied, bytes per entry)
  for (const replication::Replica* r : replicas) {
    const std::uint64_t per_entry = kEntryHeaderBytes + scenario.tables[r->table].item_bytes;
    a.lag_bytes.record(unarchived_bytes(a, *r, scenario));
    auto [at, added] = newest.try_emplace(r->group, r->d.applied, per_entry);
    if (!added) at->second.first = std::max(at->second.first, r->d.applied);
  }
  std::uint64_t at_risk = 0;
  for (const auto& [group, applied] : newest) {
    const Slot archived = a.bucket.archived_to(group);
    at_risk += (applied.first - std::min(applied.first, archived)) * applied.second;
  }
  return at_risk;
}

}  // namespace models::archive
