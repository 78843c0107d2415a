// The storage node's request service: item requests from routers wait for one of its workers,
// then are admitted (or throttled) and served. Writes and strongly consistent reads only by a
// serving leader; eventually consistent reads by any storage member that follows a live leader.
// Writes are acknowledged once their slot commits and applies. Apart from the consensus rules:
// it asks them whether it may serve and hands them writes to propose.
#include "models/replication/rules.h"
#include "models/replication/storage_node.h"

#include "models/partition_map.h"

namespace models::replication {

void StorageNode::handle(const ItemRequest& request, sim::Reply<ItemResponse> reply) {
  ++stats_.requests;
  const StorageSpec& spec = cluster_.scenario.storage;
  if (membership_ != nullptr && !membership_->in_service()) {
    // Without a current membership the node serves nothing (E9).
    reply.send(*this, ItemResponse{.outcome = Outcome::unavailable});
    return;
  }
  if (build_.fails(rng())) {
    reply.send(*this, ItemResponse{.outcome = Outcome::unavailable});
    return;
  }
  const sim::Duration service =
      (is_write(request.op) ? spec.write_service : spec.read_service).sample(rng()) + build_.extra_latency();
  if (is_write(request.op)) {
    // A write is proposed once a worker has handled it: its slot is taken then.
    if (!requests_.submit(service, Job{this, request, reply}))
      reply.send(*this, ItemResponse{.outcome = Outcome::unavailable});
    return;
  }
  // A read is served from the replica as it arrives, and its answer leaves when a worker is done
  // with it: one event, the answer's arrival, instead of two. It reads the state of its arrival,
  // which lies inside the client's request, so a strong read stays linearizable (the lease is
  // checked at that time too).
  const std::optional<sim::Duration> done_in = requests_.reserve(service);
  if (!done_in) {
    reply.send(*this, ItemResponse{.outcome = Outcome::unavailable});
    return;
  }
  serve(request, reply, kernel().now() + *done_in);
}

void StorageNode::redirect(const Replica* replica, const sim::Reply<ItemResponse>& reply, sim::Time departs) {
  ++stats_.redirected;
  sim::NodeId hint = kNoNode;
  if (replica != nullptr) hint = replica->v.role == Role::leader ? self() : replica->v.leader_node;
  ItemResponse answer{.outcome = Outcome::unavailable, .redirect = true, .leader_hint = hint};
  // Not a member of the group any more (or never): the router's route is stale.
  answer.moved = replica == nullptr || !replica->is_member(self());
  reply.send_at(*this, departs, answer);
}

void StorageNode::serve(const ItemRequest& request, sim::Reply<ItemResponse> reply, sim::Time departs) {
  Replica* r = find(request.group);
  const sim::Time now = this->now();  // the node's clock, which the lease rules read
  // A follower applies at once what its writes that landed since allow (its landings run no
  // event, StorageNode::persist), as it would have then.
  if (r != nullptr && r->v.role != Role::leader && r->d.applied < r->v.commit) rules::apply(*r, *this);
  if (r != nullptr) {
    const std::uint64_t hash = key_hash(r->table, request.key);
    if (!r->holds(hash)) {
      // A split gave the key to another group: say which, so the router goes there.
      ++stats_.redirected;
      ItemResponse answer{.outcome = Outcome::unavailable, .redirect = true};
      answer.moved = true;
      answer.owner_hint = r->child_for(hash);  // kNoGroup: look the key up
      reply.send_at(*this, departs, answer);
      return;
    }
    if (r->v.splitting_at != 0 && hash >= r->v.splitting_at && request.op != Operation::get_eventual) {
      // The split entry is in the log: nothing for the departing range may follow it.
      reply.send_at(*this, departs, ItemResponse{.outcome = Outcome::unavailable});
      return;
    }
  }
  const bool can_serve = request.op == Operation::get_eventual
                             ? r != nullptr && (!r->d.damaged || cluster_.scenario.storage.page_checksums) &&
                                   rules::serves_eventual(*r, *this, now, spec_.election_timeout())
                             : r != nullptr && rules::serving(*r, *this, now);
  if (r == nullptr) {
    // No replica of the group here. If a replica of this node still holds the key, the group is
    // a split child this node has not created yet (its parent's split entry has not applied
    // here): the route is right, the node is behind. Send the router to the parent's leader,
    // which leads the child too, instead of calling the route stale.
    const std::uint64_t hash = key_hash(request.table, request.key);
    for (const auto& [group, local] : index_) {
      const Replica& parent = *replicas_[local];
      if (parent.table != request.table || !parent.holds(hash) || !parent.is_member(self())) continue;
      ++stats_.redirected;
      const sim::NodeId hint = parent.v.role == Role::leader ? self() : parent.v.leader_node;
      reply.send_at(*this, departs, ItemResponse{.outcome = Outcome::unavailable, .redirect = true, .leader_hint = hint});
      return;
    }
  }
  if (!can_serve) return redirect(r, reply, departs);
  if (r->d.damaged && !cluster_.scenario.storage.page_checksums && request.op != Operation::put) {
    // A damaged replica leading as a last resort cannot tell its bad pages from its good ones.
    reply.send_at(*this, departs, ItemResponse{.outcome = Outcome::unavailable});
    return;
  }
  if (is_write(request.op) && rules::moving_out(*r)) {
    // The move's membership change is the last entry this leader proposes: nothing after it
    // would be lost at the handoff, and the client's retry reaches the new leader.
    reply.send_at(*this, departs, ItemResponse{.outcome = Outcome::unavailable});
    return;
  }
  if (!admission_.admit(r->service.buckets, r->group, r->table, request.op, request.item_bytes, kernel().now())) {
    reply.send_at(*this, departs, ItemResponse{.outcome = Outcome::throttled});
    return;
  }
  if (r->v.role == Role::leader && cluster_.on_split_advice) {
    // What the leader advises split points from: the hashes of recently served keys (kept only
    // when a splitter may ask: 2 KB a leader, which a region of a million groups cannot spare).
    constexpr std::size_t kRecentKeys = ServiceState::kRecentKeys;
    const std::uint64_t hash = key_hash(r->table, request.key);
    if (!r->service.recent) r->service.recent = std::make_unique<ServiceState::RecentKeys>();
    ServiceState::RecentKeys& recent = *r->service.recent;
    if (recent.keys.size() < kRecentKeys) recent.keys.push_back(hash);
    else recent.keys[recent.next++ % kRecentKeys] = hash;
  }
  if (request.op != Operation::get_eventual && cluster_.observer != nullptr) cluster_.observer->served(self(), *r);
  if (request.op != Operation::put) {
    const auto [version, value] = r->applied_value(request.key);
    if (rotten(value) && cluster_.scenario.storage.page_checksums && cluster_.bug != PlantedBug::page_checksum_ignored) {
      // The page's checksum does not match its bytes: refused, and the replica replaced.
      ++cluster_.integrity.reads_refused;
      reply.send_at(*this, departs, ItemResponse{.outcome = Outcome::unavailable});
      found_damaged(*r, verification::Detection::page_checksum);
      return;
    }
    reply.send_at(*this, departs, ItemResponse{.outcome = Outcome::ok, .version = version, .value = value});
    return;
  }
  LogEntry entry;
  entry.kind = EntryKind::write;
  entry.write = request.write;
  entry.key = request.key;
  entry.item_bytes = request.item_bytes;
  entry.version = rules::next_version(*r, request.key);
  r->v.pending_versions[request.key] = entry.version;
  if (buggy_hits(verification::BuggyPath::propose, r->group, entry)) {
    // The leader's code logs a wrong value; the client is still told its write succeeded.
    cluster_.integrity.corruptions.push_back(
        verification::Corruption{verification::Corruption::Kind::buggy_value, kernel().now(), r->group, self(), entry.key, false, {}, false});
    entry.write = buggy_value(r->group, entry);
  }
  const Slot slot = rules::propose(*r, *this, entry);
  pending_writes_.emplace(std::pair{r->group, slot}, PendingWrite{std::move(reply), entry.version, request.write});
}

void StorageNode::acknowledge_writes(Replica& r, Slot from, Slot to) {
  for (auto it = pending_writes_.lower_bound({r.group, from}); it != pending_writes_.end() && it->first.first == r.group &&
                                                                it->first.second <= to;
       ++it) {
    PendingWrite& pending = it->second;
    if (!pending.reply.valid()) continue;  // acknowledged already (the planted bug)
    if (cluster_.observer != nullptr) cluster_.observer->acknowledged(self(), r, it->first.second);
    pending.reply.send(*this, ItemResponse{.outcome = Outcome::ok, .version = pending.version, .value = pending.write});
    pending.reply = sim::Reply<ItemResponse>();
  }
  const auto applied_end = pending_writes_.upper_bound({r.group, std::min(to, r.d.applied)});
  for (auto it = pending_writes_.lower_bound({r.group, from}); it != applied_end;) {
    it = pending_writes_.erase(it);
    ++stats_.writes_committed;
  }
}

void StorageNode::fail_writes(GroupId group) {
  for (auto it = pending_writes_.lower_bound({group, 0}); it != pending_writes_.end() && it->first.first == group;) {
    // The write may still commit under a later leader: the client cannot know, as with a 500.
    if (it->second.reply.valid()) it->second.reply.send(*this, ItemResponse{.outcome = Outcome::unavailable});
    it = pending_writes_.erase(it);
  }
}

}  // namespace models::replication
