// Data integrity on a storage node: bit rot and buggy builds (the faults' side), page checksums
// on reads, scrub markers and digests, and a replica found damaged getting itself replaced.
#include "models/replication/rules.h"
#include "models/replication/storage_node.h"
#include "models/verification/scrub.h"

#include "sim/assert.h"
#include "sim/rng.h"

#include <algorithm>

namespace models::replication {

namespace {

using sim::mix64;

constexpr WriteId kDamageBits = (WriteId{1} << 40) - 1;
constexpr sim::Duration kEntryRepairDeadline = sim::minutes(10);

}  // namespace

std::uint32_t StorageNode::rot_items(std::uint32_t count) {
  std::vector<Replica*> holding;
  for (const auto& [group, local] : index_)
    if (replicas_[local]->d.storage && !replicas_[local]->d.items.empty()) holding.push_back(replicas_[local].get());
  // `count` distinct items: a draw that lands on one already rotten (or empty) draws again, up to
  // a bound, so a small table still gets what the scenario asked for.
  std::uint32_t hit = 0;
  for (std::uint32_t draw = 0; hit < count && draw < 8 * count && !holding.empty(); ++draw) {
    Replica& r = *holding[rng().below(holding.size())];
    auto item = std::next(r.d.items.begin(), static_cast<std::ptrdiff_t>(rng().below(r.d.items.size())));
    if (item->second.empty() || rotten(item->second.back().second)) continue;
    item->second.back().second = kRottenValue | (rng().next_u64() & kDamageBits);
    cluster_.integrity.corruptions.push_back(
        verification::Corruption{verification::Corruption::Kind::bit_rot, kernel().now(), r.group, self(), item->first, false, {}, false});
    ++hit;
  }
  return hit;
}

std::uint32_t StorageNode::rot_log(std::uint32_t count) {
  // Applied entries at rest: what is still unapplied is in flight, read within moments.
  std::vector<Replica*> holding;
  for (const auto& [group, local] : index_) {
    const Replica& r = *replicas_[local];
    if (!r.d.log.empty() && r.d.log.start() <= r.d.applied) holding.push_back(replicas_[local].get());
  }
  std::uint32_t hit = 0;
  for (std::uint32_t draw = 0; hit < count && draw < 8 * count && !holding.empty(); ++draw) {  // as rot_items
    Replica& r = *holding[rng().below(holding.size())];
    const Slot slot = r.d.log.start() + rng().below(r.d.applied - r.d.log.start() + 1);
    const LogEntry& e = r.d.log.at(slot);
    if (e.kind != EntryKind::write || e.rotten) continue;  // the membership entries are kept safe (their own copies)
    r.d.log.rot(slot);
    cluster_.integrity.log_rot = true;
    cluster_.integrity.corruptions.push_back(
        verification::Corruption{verification::Corruption::Kind::log_rot, kernel().now(), r.group, self(), slot, false, {}, false});
    ++hit;
  }
  return hit;
}

bool StorageNode::entries_intact(Replica& r, Slot from, Slot to) {
  if (!cluster_.integrity.log_rot || cluster_.bug == PlantedBug::log_checksum_ignored) return true;
  for (Slot slot = std::max(from, r.d.log.start()); slot <= std::min(to, r.d.log.last()); ++slot)
    if (r.d.log.at(slot).rotten) {
      cluster_.integrity.found_log_rot(r.group, self(), slot, kernel().now());
      repair_entry(r, slot);
      return false;
    }
  return true;
}

void StorageNode::repair_entry(Replica& r, Slot slot) {
  if (r.d.damaged) return;
  // Asked again every election timeout (a peer may be down, or behind, for a while); condemned
  // only when no peer had an intact copy for much longer than a restart takes: replacing the
  // replica needs a healthy source, which would have answered.
  auto pending = std::find_if(r.v.repairs.begin(), r.v.repairs.end(), [slot](const auto& p) { return p.slot == slot; });
  if (pending != r.v.repairs.end()) {
    if (now() - pending->since >= kEntryRepairDeadline) {
      found_damaged(r, verification::Detection::log_checksum, false);  // no peer holds it intact
      r.v.repairs.clear();
      return;
    }
    if (now() - pending->asked < spec_.election_timeout()) return;
    pending->asked = now();
  } else {
    r.v.repairs.push_back(VolatileState::EntryRepair{slot, now(), now()});
    ++cluster_.integrity.entry_repairs_asked;
  }
  for (sim::NodeId member : r.d.membership.nodes)
    if (member != kNoNode && member != self()) transmit(member, EntryRepairRequest{r.group, slot});
}

void StorageNode::on_entry_repair_request(sim::NodeId from, const EntryRepairRequest& m) {
  Replica* r = find(m.group);
  // Only an applied slot: a committed entry, the same on every replica that applied it.
  if (r == nullptr || m.slot > r->d.applied) return;
  if (!r->d.log.has(m.slot)) {
    if (m.slot <= r->d.archived) transmit(from, EntryRepairReply{m.group, m.slot, std::nullopt, r->d.archived});
    return;
  }
  const LogEntry& entry = r->d.log.at(m.slot);
  if (entry.rotten) return;
  transmit(from, EntryRepairReply{m.group, m.slot, entry, r->d.archived});
}

void StorageNode::on_entry_repair_reply(const EntryRepairReply& m) {
  Replica* r = find(m.group);
  if (r == nullptr || !r->d.log.has(m.slot) || m.slot > r->d.applied) return;
  auto pending = std::find_if(r->v.repairs.begin(), r->v.repairs.end(), [&m](const auto& p) { return p.slot == m.slot; });
  if (pending == r->v.repairs.end()) return;
  const LogEntry& own = r->d.log.at(m.slot);
  if (!m.entry) {
    // S3 holds the slot (the peer's copy was archived and trimmed): this replica's copy need not
    // be uploaded; it is trimmed in time, and a lagging member gets a snapshot instead.
    if (m.archived < m.slot) return;
    r->d.archived = std::max(r->d.archived, std::min(m.archived, r->d.applied));
    r->v.repairs.erase(pending);
    ++cluster_.integrity.entries_found_archived;
    if (cluster_.archive != nullptr) upload_next_segment(*r);
    return;
  }
  // The copy must match the checksum stored with the entry (the model keeps the entry's fields
  // and marks the rot apart, so the match is same_value).
  if (!own.rotten || m.entry->rotten || !own.same_value(*m.entry)) return;
  r->d.log.repair(m.slot);
  r->v.repairs.erase(pending);
  ++cluster_.integrity.entries_repaired;
  if (cluster_.archive != nullptr) upload_next_segment(*r);  // it waited for this entry
}

void StorageNode::forget_trimmed_rot() {
  // A rotten entry trimmed (archived elsewhere, never read here) harmed nothing: gone unread.
  for (verification::Corruption& c : cluster_.integrity.corruptions) {
    if (c.kind != verification::Corruption::Kind::log_rot || c.detected || c.overwritten || c.node != self()) continue;
    const Replica* r = find(c.group);
    if (r == nullptr || r->d.log.start() > c.key) c.overwritten = true;
  }
}

void StorageNode::set_buggy_build(verification::BuggyPath path, double probability) {
  (path == verification::BuggyPath::apply ? buggy_apply_ : buggy_propose_) = probability;
}

bool StorageNode::buggy_hits(verification::BuggyPath path, GroupId group, const LogEntry& e) const {
  const double p = path == verification::BuggyPath::apply ? buggy_apply_ : buggy_propose_;
  if (p <= 0.0) return false;
  const std::uint64_t h = mix64(mix64(e.write ^ (std::uint64_t{group} << 32)) ^ e.version);
  return static_cast<double>(h >> 11) * 0x1.0p-53 < p;
}

WriteId StorageNode::buggy_value(GroupId group, const LogEntry& e) const {
  return kBuggyValue | (mix64(e.write + group) & kDamageBits);
}

WriteId StorageNode::stored_value(const Replica& r, const LogEntry& e) {
  // Only an unchecked read applies a rotten entry (PlantedBug::log_checksum_ignored): its bytes
  // are not the write's.
  if (e.rotten) return kRottenValue | (mix64(e.write ^ e.version) & kDamageBits);
  // An overwritten damaged value is gone unless every version is kept.
  if (!cluster_.integrity.corruptions.empty() && !spec_.keep_item_history)
    if (const WriteId before = r.applied_value(e.key).second; (before & (kRottenValue | kBuggyValue)) != 0)
      cluster_.integrity.overwritten(r.group, self(), e.key);
  if ((e.write & kBuggyValue) != 0 || !buggy_hits(verification::BuggyPath::apply, r.group, e)) return e.write;
  cluster_.integrity.corruptions.push_back(
      verification::Corruption{verification::Corruption::Kind::buggy_value, kernel().now(), r.group, self(), e.key,
                               r.d.damaged, kernel().now(), false});  // a replica found damaged already goes whole
  return buggy_value(r.group, e);
}

void StorageNode::found_damaged(Replica& r, verification::Detection how, bool act_now) {
  if (r.d.damaged) return;
  r.d.damaged = true;
  cluster_.integrity.damages.push_back(verification::Damage{kernel().now(), r.group, self(), how, false, {}});
  cluster_.integrity.found(r.group, self(), kernel().now());
  touch(r.group);
  if (act_now) rules::report_damage(r, *this);
}

void StorageNode::damaged_leader(const Replica& r) {
  // A damaged replica leads only when no healthy one came forward (every storage member damaged,
  // or the healthy ones cut off): an alarm for the operators, once per group. It hands off as soon
  // as a healthy member follows it.
  cluster_.integrity.alarm(r.group, verification::Alarm::Reason::damaged_leader, kernel().now());
}

bool StorageNode::items_intact(Replica& r) {
  if (r.d.damaged) return false;
  // A copy carries the log's unarchived tail with the items.
  if (!entries_intact(r, cluster_.archive != nullptr ? r.d.archived + 1 : r.d.log.start(), r.d.log.last())) return false;
  if (!cluster_.scenario.storage.page_checksums || cluster_.bug == PlantedBug::page_checksum_ignored ||
      cluster_.integrity.corruptions.empty())
    return true;
  // Every version it keeps: rot overwritten by a newer write still sits in an older version.
  for (const auto& [key, versions] : r.d.items)
    for (const auto& [version, value] : versions)
      if (rotten(value)) {
        found_damaged(r, verification::Detection::page_checksum, false);
        return false;
      }
  return true;
}

void StorageNode::on_damage_notice(GroupId group, std::uint64_t serial, verification::Detection how) {
  Replica* r = find(group);
  if (r == nullptr || r->serial != serial || !r->d.storage) return;  // not the replica that was judged
  found_damaged(*r, how);
}

void StorageNode::start_scrubbing() {
  if (cluster_.verifier == nullptr) return;
  // The first round one interval in (every scrub.interval from the start), spread over the
  // first 3% of the interval by node so the verifier's load is not one burst.
  const sim::Duration every = cluster_.scenario.scrub.interval;
  after(every + sim::Duration::from_nanos(every.nanos() / 512 * static_cast<std::int64_t>(id() % 16)),
        cluster_.verifier->kinds().tick, [this] { scrub_tick(); });
}

void StorageNode::scrub_tick() {
  after(cluster_.scenario.scrub.interval, cluster_.verifier->kinds().tick, [this] { scrub_tick(); });
  for (const auto& [group, local] : index_) {
    Replica& r = *replicas_[local];
    if (r.v.role != Role::leader || r.d.damaged || !rules::serving(r, *this, now())) continue;
    rules::propose(r, *this, LogEntry::scrub(r.v.leader_ballot));
    ++cluster_.integrity.scrub.markers;
  }
}

void StorageNode::scrub_applied(Replica& r, Slot slot) {
  if (cluster_.verifier == nullptr || r.d.damaged) return;
  verification::ScrubDigest digest;
  digest.group = r.group;
  digest.table = r.table;
  digest.slot = slot;
  digest.node = self();
  digest.serial = r.serial;
  digest.digest = verification::items_digest(r.d.items);
  for (sim::NodeId node : r.d.membership.nodes)
    if (node != kNoNode && r.d.membership.is_storage_node(node)) digest.storage_members.push_back(node);
  cluster_.verifier->send_digest(*this, std::move(digest));
}

}  // namespace models::replication
