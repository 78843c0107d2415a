// What a storage node does for the control plane and for other nodes' changes: copying data for
// a replacement, picking replacement targets, making split children, starting moves, dropping
// replicas a change removed.
#include "models/archive/segment.h"
#include "models/control/autoadmin.h"
#include "models/replication/rules.h"
#include "models/replication/storage_node.h"

#include "sim/assert.h"

#include <algorithm>

namespace models::replication {

sim::Duration StorageNode::copy_time(const Replica& r, bool storage) const {
  const TableSpec& table = cluster_.scenario.tables[r.table];
  return spec_.copy_time(log_tail_bytes(r) + (storage ? table.partition_bytes() : 0));
}

std::uint64_t StorageNode::log_tail_bytes(const Replica& r) const {
  if (!spec_.archiving) return spec_.wal_tail_bytes;
  // What S3 does not have yet, as far as this replica knows: the copy must carry it.
  std::uint64_t bytes = 0;
  for (Slot slot = std::max(r.d.archived + 1, r.d.log.start()); slot <= r.d.log.last(); ++slot)
    bytes += archive::entry_bytes(r.d.log.at(slot));
  return bytes;
}

sim::Duration StorageNode::replay_time(const Replica& r, Slot entries) const {
  return spec_.copy_time(entries * cluster_.scenario.tables[r.table].item_bytes);
}

sim::NodeId StorageNode::replacement_for(const Replica& r, sim::NodeId member) {
  // From autoadmin's last placement list (nodes it heard from lately, with the replicas they
  // reported), plus the replacements this node asked of them since: the least loaded node of
  // the member's AZ that is no member, no other change's target, and neither refused this group
  // nor let a build of it time out under this leadership. A stale list may name a node that
  // died since: its copy never answers, the change is given up at its deadline, and the next
  // attempt goes elsewhere.
  if (placement_ == nullptr) return kNoNode;
  const sim::AzId az = network().node(member).az();
  sim::NodeId best = kNoNode;
  std::uint64_t best_load = 0;
  for (const control::PlacementEntry& e : placement_->nodes) {
    if (e.az != az || e.node == self() || r.d.membership.contains(e.node)) continue;
    if (e.node == r.v.avoid[0] || e.node == r.v.avoid[1]) continue;
    const bool targeted = std::any_of(r.v.changes.begin(), r.v.changes.end(),
                                      [&e](const Change& c) { return c.target == e.node; });
    if (targeted) continue;
    const auto asked = std::lower_bound(asked_.begin(), asked_.end(), std::pair<sim::NodeId, std::uint32_t>{e.node, 0});
    const std::uint64_t load = e.replicas + (asked != asked_.end() && asked->first == e.node ? asked->second : 0);
    if (best == kNoNode || load < best_load) {
      best = e.node;
      best_load = load;
    }
  }
  if (best != kNoNode) {
    auto at = std::lower_bound(asked_.begin(), asked_.end(), std::pair<sim::NodeId, std::uint32_t>{best, 0});
    if (at == asked_.end() || at->first != best) at = asked_.insert(at, {best, 0});
    ++at->second;
  }
  return best;
}

void StorageNode::on_placement(control::PlacementListPtr list) {
  SIM_ASSERT(list != nullptr);
  // Lists overtake one another on the network: an older one than held is ignored.
  if (placement_ != nullptr && list->made <= placement_->made) return;
  placement_ = std::move(list);
  asked_.clear();  // its counts include what was built since the nodes reported; near enough
}

void StorageNode::report() {
  const sim::Duration every = cluster_.scenario.control.report_interval;
  after(every, cluster_.kinds.report, [this] { report(); });
  control::Autoadmin* autoadmin = cluster_.autoadmin;
  if (autoadmin == nullptr) return;
  control::NodeReport out;
  out.sent = kernel().now();
  out.replicas = static_cast<std::uint32_t>(replica_count_);
  const admission::AdmissionStats& a = admission_.stats();
  out.consumed_read = a.consumed_read - reported_read_;
  out.consumed_write = a.consumed_write - reported_write_;
  reported_read_ = a.consumed_read;
  reported_write_ = a.consumed_write;
  out.groups = admission_.take_unreported();
  if (cluster_.scenario.partitioning.enabled) {
    // The size of each partition it leads, when it changed (a new leader tells it once).
    // Bounded: entries only for groups it leads now.
    std::erase_if(reported_sizes_, [this](const auto& entry) {
      const Replica* r = find(entry.first);
      return r == nullptr || r->v.role != Role::leader;
    });
    for (const auto& [group, local] : index_) {
      const Replica& r = *replicas_[local];
      if (r.v.role != Role::leader) continue;
      const std::uint64_t items = r.d.items.size();
      auto [at, added] = reported_sizes_.try_emplace(group, items);
      if (!added && at->second == items) continue;
      at->second = items;
      out.sizes.emplace_back(group, items);
    }
  }
  network().send(*this, autoadmin->id(), cluster_.kinds.node_report,
                 [autoadmin, from = id(), report = std::move(out)] { autoadmin->on_report(from, report); });
}

bool StorageNode::refuses(const BuildReplicaMessage& m) const {
  // A replica here that a membership at least as new as the leader's counts as a voter is no
  // leftover: this node is no replacement target for that leader (it is behind).
  const Replica* here = find(m.group);
  return !m.member && here != nullptr && !rules::replaceable(*here, self(), m.epoch);
}

void StorageNode::on_build_replica(sim::NodeId from, const BuildReplicaMessage& m) {
  if (refuses(m)) {
    ++stats_.builds_refused;
    send(from, ReplicaReadyMessage{m.group, m.storage, m.attempt, true});
    return;
  }
  after(m.copy, cluster_.kinds.build_done, [this, from, m] {
    // A replica that turns into a member only through the committed change, and into a storage
    // replica only when the leader's items arrive. A replica already here (a former member's, an
    // unfinished replacement's, a log replica being rebuilt as storage) is brought up to date by
    // the snapshot: never started over, as a late duplicate of this request must not wipe what
    // the leader's snapshot installed. One that joined a newer membership meanwhile refuses.
    const bool refused = refuses(m);
    if (refused) ++stats_.builds_refused;
    else if (find(m.group) == nullptr) host(m.group, m.table, Membership{}, false);
    send(from, ReplicaReadyMessage{m.group, m.storage, m.attempt, refused});
  });
}

void StorageNode::drop_soon(const Replica& r) { schedule_drop(r, false); }

void StorageNode::drop_removed(const Replica& r) { schedule_drop(r, true); }

void StorageNode::schedule_drop(const Replica& r, bool whatever_it_believes) {
  // By an event of its own, never in the middle of the rule that decided it.
  const GroupId group = r.group;
  const std::uint64_t serial = r.serial;
  after(sim::Duration::zero(), cluster_.kinds.drop, [this, group, serial, whatever_it_believes] {
    const Replica* replica = find(group);
    if (replica == nullptr || replica->serial != serial || replica->v.role == Role::leader) return;
    if (whatever_it_believes || (replica->d.joined && !rules::is_voter(*replica, self()))) drop_replica(group);
  });
}

void StorageNode::drop_replica(GroupId group) {
  const auto at = std::lower_bound(index_.begin(), index_.end(), std::pair<GroupId, std::uint32_t>{group, 0});
  if (at == index_.end() || at->first != group) return;
  Replica& replica = *replicas_[at->second];
  SIM_ASSERT(replica.v.role != Role::leader);
  if (cluster_.observer != nullptr) cluster_.observer->replica_dropped(group, self());
  auto dropped = std::lower_bound(dropped_.begin(), dropped_.end(), group,
                                  [](const DroppedReplica& d, GroupId g) { return d.group < g; });
  if (dropped == dropped_.end() || dropped->group != group) {
    dropped = dropped_.insert(dropped, DroppedReplica{});
    dropped->group = group;
  }
  dropped->promised = std::max(dropped->promised, replica.d.promised);
  dropped->epoch = std::max(dropped->epoch, rules::newest_epoch(replica));
  if (const auto [end, to] = rules::granted_lease(replica, *this); end > dropped->granted_lease_end) {
    dropped->granted_lease_end = end;
    dropped->lease_granted_to = to;
  }
  links_.forget(replica);
  serving_changed(replica, false);
  fail_writes(group);
  landing_wakes_.erase(group);  // a replica built again asks for its own
  replicas_[at->second].reset();
  free_.push_back(at->second);
  index_.erase(at);
  --replica_count_;
}

// ---------------------------------------------------------------------------------------------
// Splits

void StorageNode::on_split_request(GroupId group, std::uint64_t at_hash, GroupId child) {
  if (Replica* r = find(group)) rules::on_split_request(*r, *this, at_hash, child);
}

void StorageNode::on_split_advice_request(GroupId group, sim::NodeId splitter) {
  const Replica* r = find(group);
  if (r == nullptr || r->v.role != Role::leader || !cluster_.on_split_advice) return;  // the splitter asks again
  static const ServiceState::RecentKeys kNone;
  const ServiceState::RecentKeys& recent = r->service.recent ? *r->service.recent : kNone;
  const SplitAdvice advice =
      advise_split(group, recent.keys, recent.next, ServiceState::kRecentKeys, r->d.hash_low, r->d.hash_high);
  network().send(*this, splitter, cluster_.kinds.split_advice,
                 [hook = &cluster_.on_split_advice, advice] { (*hook)(advice); });
}

void StorageNode::splits_staged(Replica& r) {
  if (!cluster_.on_split) return;
  // Made by an event of its own, never in the middle of whatever applied the entry.
  if (!r.d.splits) return;
  for (const StagedSplit& staged : r.d.splits->staged) {
    const GroupId parent = r.group, child = staged.child;
    after(sim::Duration::zero(), cluster_.kinds.split_child, [this, parent, child] { create_child(parent, child); });
  }
}

void StorageNode::create_child(GroupId parent, GroupId child) {
  Replica* p = find(parent);
  if (p == nullptr || !p->d.splits) return;
  std::vector<StagedSplit>& pending = p->d.splits->staged;
  auto staged = std::find_if(pending.begin(), pending.end(), [child](const StagedSplit& s) { return s.child == child; });
  if (staged == pending.end()) return;
  StagedSplit split = std::move(*staged);
  pending.erase(staged);
  if (find(child) != nullptr) return;
  if (cluster_.on_split) cluster_.on_split(*this, parent, child, split.low, split.high);
  const std::uint32_t table = p->table;
  const bool storage = p->d.storage;
  Replica& c = host(child, table, split.membership, storage);
  p = find(parent);  // host may have moved the index, never the replica; found again for clarity
  c.d.hash_low = split.low;
  c.d.hash_high = split.high;
  c.d.items = std::move(split.items);
  c.d.damaged = p->d.damaged;  // its items came from the damaged ones
  rules::start_split_child(c, *p, self());
  // The node that led the parent opens the child's leadership with an ordinary election as soon
  // as another member has the child (it says so), or after a heartbeat interval; it need not
  // wait out the parent's lease, which it held itself. If it cannot, the others elect by
  // themselves, waiting the lease out.
  if (p->v.role == Role::leader) {
    after(spec_.heartbeat_interval, cluster_.kinds.split_ready, [this, child] { on_split_ready(child); });
  } else if (p->v.leader_node != kNoNode) {
    send(p->v.leader_node, SplitReadyMessage{child});
  }
}

void StorageNode::on_split_ready(GroupId child) {
  Replica* c = find(child);
  if (c == nullptr || c->v.role != Role::follower || c->v.leader_node != kNoNode || c->v.election) return;
  rules::elect_now(*c, *this, kNoNode);
}

// ---------------------------------------------------------------------------------------------
// Moves

void StorageNode::on_move_request(GroupId group, sim::NodeId target) {
  Replica* r = find(group);
  const StorageNode* to = cluster_.node(target);
  if (r == nullptr || to == nullptr || to->az() != az()) return;
  const bool idle = r->v.changes.empty();
  rules::on_move_request(*r, *this, target);
  if (idle && !r->v.changes.empty()) ++stats_.moves_started;
}

}  // namespace models::replication
