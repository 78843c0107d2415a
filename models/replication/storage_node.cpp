// The storage node: request service, Multi-Paxos per group, coalesced heartbeats and leases,
// the gray-failure rule, catch-up and healing with log replicas.
#include "models/replication/storage_node.h"

#include "models/replication/paxos.h"

#include <algorithm>

namespace models::replication {

ReplicationKinds::ReplicationKinds(sim::Kernel& k)
    : accept(k.register_kind("msg.paxos.accept")),
      accepted(k.register_kind("msg.paxos.accepted")),
      prepare(k.register_kind("msg.paxos.prepare")),
      promise(k.register_kind("msg.paxos.promise")),
      heartbeat(k.register_kind("msg.heartbeat")),
      heartbeat_ack(k.register_kind("msg.heartbeat_ack")),
      leader_check(k.register_kind("msg.leader_check")),
      leader_check_reply(k.register_kind("msg.leader_check_reply")),
      catch_up_request(k.register_kind("msg.catch_up_request")),
      catch_up(k.register_kind("msg.catch_up")),
      build_replica(k.register_kind("msg.build_replica")),
      replica_ready(k.register_kind("msg.replica_ready")),
      tick(k.register_kind("storage.tick")),
      disk(k.register_kind("storage.wal_persisted")),
      election_step(k.register_kind("storage.election_step")),
      serve_check(k.register_kind("storage.serve_check")),
      build_done(k.register_kind("storage.replica_built")),
      healing_timeout(k.register_kind("storage.healing_timeout")),
      catch_up_send(k.register_kind("storage.catch_up_copied")) {}

void GroupDirectory::add_group(GroupId group, std::uint32_t table, const Membership& membership, sim::NodeId leader,
                               std::uint64_t hash_low, std::uint64_t hash_high) {
  // Groups made by splits may complete out of order: ids between stay empty (version 0).
  SIM_ASSERT(!exists(group));
  if (group >= memberships_.size()) {
    memberships_.resize(group + 1);
    leaders_.resize(group + 1, kNoNode);
    versions_.resize(group + 1, 0);
    tables_.resize(group + 1, 0);
    ranges_.resize(group + 1);
  }
  memberships_[group] = membership;
  leaders_[group] = leader;
  versions_[group] = 1;
  tables_[group] = table;
  ranges_[group] = {hash_low, hash_high};
}

SplitKinds::SplitKinds(sim::Kernel& k)
    : request(k.register_kind("msg.split_request")),
      ready(k.register_kind("msg.split_ready")),
      create(k.register_kind("storage.split_child")),
      elect(k.register_kind("storage.split_elect")) {}

MoveKinds::MoveKinds(sim::Kernel& k)
    : request(k.register_kind("msg.move_request")),
      transfer(k.register_kind("msg.leadership_transfer")),
      drop(k.register_kind("storage.moved_replica_dropped")),
      handoff_deadline(k.register_kind("storage.handoff_deadline")) {}

bool GroupDirectory::narrow(GroupId group, std::uint64_t high) {
  if (high >= ranges_[group].second) return false;
  ranges_[group].second = high;
  ++versions_[group];
  ++changes_;
  return true;
}

bool GroupDirectory::update(GroupId group, const Membership& membership) {
  if (membership.epoch <= memberships_[group].epoch) return false;
  memberships_[group] = membership;
  ++versions_[group];
  ++changes_;
  return true;
}

bool GroupDirectory::set_leader(GroupId group, sim::NodeId leader) {
  if (leaders_[group] == leader) return false;
  leaders_[group] = leader;
  ++versions_[group];
  return true;
}

namespace {

// A replication message on the wire, delivered to the target node's handler.
template <class Message, class Handler>
struct Delivery {
  StorageNode* target;
  sim::NodeId from;
  Message message;
  Handler handler;
  void operator()() { handler(*target, from, message); }
  void describe(std::string& out) const;
};

template <class Message, class Handler>
void Delivery<Message, Handler>::describe(std::string& out) const {
  if constexpr (requires { message.group; }) out += " group=" + std::to_string(message.group);
  if constexpr (requires { message.slot; }) out += " slot=" + std::to_string(message.slot);
  if constexpr (requires { message.ballot; })
    out += " ballot=" + std::to_string(message.ballot.round()) + "." + std::to_string(message.ballot.node());
  if constexpr (requires { message.items; }) {
    if constexpr (requires { message.items.size(); message.sent; }) out += " groups=" + std::to_string(message.items.size());
  }
}

}  // namespace

template <class Message, class Handler>
void StorageNode::send_to(sim::NodeId to, sim::KindId kind, Message message, Handler handler) {
  StorageNode* target = cluster_.node(to);
  SIM_ASSERT(target != nullptr);
  network().send(*this, to, kind, Delivery<Message, Handler>{target, self(), std::move(message), handler});
}

StorageNode::StorageNode(sim::Network& network, std::string name, sim::AzId az, Cluster& cluster,
                         const RequestPathKinds& request_kinds)
    : sim::Node(network, std::move(name), az, "storage"),
      cluster_(cluster),
      spec_(cluster.spec),
      requests_(*this, request_kinds.storage_service, cluster.scenario.storage.workers,
                cluster.scenario.storage.queue_limit),
      admission_(cluster.scenario, cluster.shares, cluster.ledger, network.kernel().now()) {}

namespace {
// The replica's state as of its applied slot, for a member that cannot be caught up from the
// log: the applied point, its range and the splits behind it, and the log after it. The items
// go along only where the receiver keeps items.
void snapshot_of(const Replica& r, CatchUpMessage& out) {
  out.snapshot = true;
  out.snapshot_applied = r.applied;
  out.hash_low = r.hash_low;
  out.hash_high = r.hash_high;
  out.children = r.children;
  out.from = r.applied + 1;
  for (Slot slot = r.applied + 1; slot < r.log_start + r.log.size(); ++slot) out.entries.push_back(r.entry(slot));
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Replicas

Replica& StorageNode::host(GroupId group, std::uint32_t table, const Membership& membership, bool storage) {
  SIM_ASSERT(find(group) == nullptr);
  auto replica = std::make_unique<Replica>();
  replica->group = group;
  replica->table = table;
  replica->storage = storage;
  replica->membership = membership;
  replica->leader_contact = kernel().now();
  if (cluster_.directory.exists(group)) {
    replica->hash_low = cluster_.directory.hash_low(group);
    replica->hash_high = cluster_.directory.hash_high(group);
  }
  replica->buckets = admission_.make_buckets(group, table, kernel().now());
  std::uint32_t local;
  if (free_.empty()) {
    local = static_cast<std::uint32_t>(replicas_.size());
    replicas_.push_back(std::move(replica));
  } else {
    local = free_.back();
    free_.pop_back();
    replicas_[local] = std::move(replica);
  }
  const auto at = std::lower_bound(index_.begin(), index_.end(), std::pair<GroupId, std::uint32_t>{group, 0});
  index_.insert(at, {group, local});
  ++replica_count_;
  replicas_[local]->local = local;
  return *replicas_[local];
}

Replica* StorageNode::find(GroupId group) {
  const auto at = std::lower_bound(index_.begin(), index_.end(), std::pair<GroupId, std::uint32_t>{group, 0});
  return at != index_.end() && at->first == group ? replicas_[at->second].get() : nullptr;
}

const Replica* StorageNode::find(GroupId group) const { return const_cast<StorageNode*>(this)->find(group); }

Replica* StorageNode::find(GroupId group, std::uint32_t local_hint) {
  if (local_hint < replicas_.size() && replicas_[local_hint] && replicas_[local_hint]->group == group)
    return replicas_[local_hint].get();
  return find(group);
}

std::vector<const Replica*> StorageNode::replicas() const {
  std::vector<const Replica*> out;
  for (const auto& [group, local] : index_) out.push_back(replicas_[local].get());
  return out;
}

void StorageNode::drop_replica(GroupId group) {
  const auto at = std::lower_bound(index_.begin(), index_.end(), std::pair<GroupId, std::uint32_t>{group, 0});
  if (at == index_.end() || at->first != group) return;
  Replica& replica = *replicas_[at->second];
  set_serving(replica, false);
  for (auto it = pending_writes_.lower_bound({group, 0}); it != pending_writes_.end() && it->first.first == group;)
    it = pending_writes_.erase(it);
  forget_healing(group);
  replicas_[at->second].reset();
  free_.push_back(at->second);
  index_.erase(at);
  --replica_count_;
}

void StorageNode::lead_initially(GroupId group) {
  Replica& r = *find(group);
  const Ballot ballot = Ballot::make(1, self());
  r.role = Role::leader;
  r.leader_ballot = ballot;
  r.promised = ballot;
  r.leader_node = self();
  r.leader_since = kernel().now();
  r.lease_end = kernel().now() + spec_.lease;
  r.granted_lease_end = r.lease_end;
  r.counted_serving = true;  // GroupHealth starts every group with its first leader serving
  r.last_ack.fill(kernel().now());
  for (sim::NodeId member : r.membership.nodes) {
    if (member == self() || member == kNoNode) continue;
    Replica& follower = *cluster_.node(member)->find(group);
    follower.promised = ballot;
    follower.leader_ballot = ballot;
    follower.leader_node = self();
    follower.granted_lease_end = r.lease_end;
    follower.lease_granted_to = self();
  }
}

void StorageNode::start() {
  last_heard_.assign(network().node_count(), kernel().now());
  const auto offset = sim::Duration::from_nanos(static_cast<std::int64_t>(
      rng().below(static_cast<std::uint64_t>(spec_.heartbeat_interval.nanos()))));
  after(offset, cluster_.kinds.tick, [this] { tick(); });
}

std::uint8_t StorageNode::healthy_members(const Membership& membership) const {
  std::uint8_t healthy = 0;
  for (sim::NodeId member : membership.nodes) {
    const StorageNode* node = cluster_.node(member);
    if (node != nullptr && node->powered()) ++healthy;
  }
  return healthy;
}

bool StorageNode::hears(sim::NodeId node) const {
  return node < last_heard_.size() && kernel().now() - last_heard_[node] <= spec_.election_timeout();
}

void StorageNode::set_serving(Replica& replica, bool serving) {
  if (replica.counted_serving == serving) return;
  replica.counted_serving = serving;
  cluster_.health.serving_changed(replica.group, kernel().now(), serving ? 1 : -1);
  if (serving && cluster_.directory.set_leader(replica.group, self()) && cluster_.publish)
    cluster_.publish(*this, replica.group);
  if (serving && replica.transferred_from != kNoNode) {
    if (cluster_.on_move) cluster_.on_move(replica.group, replica.transferred_from, self(), MoveStep::serving);
    replica.transferred_from = kNoNode;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

void StorageNode::handle(const ItemRequest& request, sim::Reply<ItemResponse> reply) {
  ++stats_.requests;
  const StorageSpec& spec = cluster_.scenario.storage;
  const sim::Duration service = (is_write(request.op) ? spec.write_service : spec.read_service).sample(rng());
  if (!requests_.submit(service, Job{this, request, reply}))
    reply.send(*this, ItemResponse{Outcome::unavailable, 0, 0, false, kNoNode});
}

void StorageNode::redirect(const Replica* replica, const sim::Reply<ItemResponse>& reply) {
  ++stats_.redirected;
  sim::NodeId hint = kNoNode;
  if (replica != nullptr) hint = replica->role == Role::leader ? self() : replica->leader_node;
  ItemResponse answer{Outcome::unavailable, 0, 0, true, hint};
  // Not a member of the group any more (or never): the router's route is stale.
  answer.moved = replica == nullptr || !replica->membership.contains(self());
  reply.send(*this, answer);
}

void StorageNode::serve(const ItemRequest& request, sim::Reply<ItemResponse> reply) {
  Replica* r = find(request.group);
  const sim::Time now = kernel().now();
  if (r != nullptr) {
    const std::uint64_t hash = key_hash(r->table, request.key);
    if (!r->holds(hash)) {
      // A split gave the key to another group: say which, so the router goes there.
      ++stats_.redirected;
      ItemResponse answer{Outcome::unavailable, 0, 0, true, kNoNode};
      answer.moved = true;
      answer.owner_hint = r->child_for(hash);  // kNoGroup: look the key up
      reply.send(*this, answer);
      return;
    }
    if (r->splitting_at != 0 && hash >= r->splitting_at && request.op != Operation::get_eventual) {
      // The split entry is in the log: nothing for the departing range may follow it.
      reply.send(*this, ItemResponse{Outcome::unavailable, 0, 0, false, kNoNode});
      return;
    }
  }
  const bool can_serve = request.op == Operation::get_eventual
                             ? r != nullptr && r->membership.contains(self()) && r->serves_eventual(now, spec_.election_timeout())
                             : r != nullptr && r->serving(now);
  if (!can_serve) return redirect(r, reply);
  if (r->move_config_slot != 0 && is_write(request.op)) {
    // The move's membership change is the last entry this leader proposes: nothing after it
    // would be lost at the handoff, and the client's retry reaches the new leader.
    reply.send(*this, ItemResponse{Outcome::unavailable, 0, 0, false, kNoNode});
    return;
  }
  if (!admission_.admit(r->buckets, r->group, r->table, request.op, request.item_bytes, now)) {
    reply.send(*this, ItemResponse{Outcome::throttled, 0, 0, false, kNoNode});
    return;
  }
  if (cluster_.split_kinds && r->role == Role::leader) {
    // What the control plane picks split points from: the hashes of recently served keys.
    constexpr std::size_t kRecentKeys = 256;
    const std::uint64_t hash = key_hash(r->table, request.key);
    if (r->recent_keys.size() < kRecentKeys) r->recent_keys.push_back(hash);
    else r->recent_keys[r->recent_next++ % kRecentKeys] = hash;
  }
  if (request.op != Operation::put) {
    const auto [version, value] = r->applied_value(request.key);
    reply.send(*this, ItemResponse{Outcome::ok, version, value, false, kNoNode});
    return;
  }
  LogEntry entry;
  entry.ballot = r->leader_ballot;
  entry.kind = EntryKind::write;
  entry.write = request.write;
  entry.key = request.key;
  entry.item_bytes = request.item_bytes;
  entry.version = paxos::next_version(*r, request.key);
  r->pending_versions[request.key] = entry.version;
  const Slot slot = propose(*r, entry);
  pending_writes_.emplace(std::pair{r->group, slot}, PendingWrite{std::move(reply), entry.version, entry.write});
}

// ---------------------------------------------------------------------------------------------
// Leader

Slot StorageNode::propose(Replica& r, const LogEntry& entry) {
  SIM_ASSERT(r.role == Role::leader);
  const Slot slot = r.log_start + r.log.size();
  r.log.push_back(entry);
  r.matched = slot;
  if (entry.joint()) track_joining(r);
  persist(r, slot);
  send_accepts(r, slot, slot);
  return slot;
}

void StorageNode::send_accepts(const Replica& r, Slot from, Slot to) {
  const std::array<sim::NodeId, Membership::kSize + 1> targets{r.membership.nodes[0], r.membership.nodes[1],
                                                               r.membership.nodes[2], r.joining};
  for (sim::NodeId member : targets) {
    if (member == self() || member == kNoNode) continue;
    for (Slot slot = from; slot <= to; ++slot)
      send_to(member, cluster_.kinds.accept, AcceptMessage{r.group, r.leader_ballot, slot, r.commit, r.entry(slot)},
              [](StorageNode& node, sim::NodeId sender, const AcceptMessage& m) { node.on_accept(sender, m); });
  }
}

void StorageNode::try_commit(Replica& r) {
  if (r.role != Role::leader) return;
  if (!r.membership.contains(self())) {
    maybe_hand_off(r);  // replaced by a committed membership change: nothing more commits here
    return;
  }
  // Apply even when the commit point did not move: a quorum of followers may have persisted a
  // slot before the leader itself did, and then the leader's own write unblocks applying it.
  r.commit = std::max(r.commit, paxos::quorum_persisted(r, self()));
  const Slot before = r.applied;
  paxos::apply_committed(r, spec_.keep_item_history);
  after_apply(r, before + 1, r.applied);
  if (!r.membership.contains(self())) {
    maybe_hand_off(r);
    return;
  }
  if (!r.staged_splits.empty()) apply(r);
}

void StorageNode::after_apply(Replica& r, Slot from, Slot to) {
  for (Slot slot = from; slot <= to; ++slot) {
    const LogEntry& e = r.entry(slot);
    if (e.kind == EntryKind::write) {
      auto pending = pending_writes_.find({r.group, slot});
      if (pending != pending_writes_.end()) {
        if (pending->second.reply.valid())
          pending->second.reply.send(*this, ItemResponse{Outcome::ok, pending->second.version, pending->second.write, false, kNoNode});
        pending_writes_.erase(pending);
        ++stats_.writes_committed;
      }
    } else if (e.kind == EntryKind::config && r.role == Role::leader) {
      if (const std::size_t at = r.membership.index_of(r.joining); at < Membership::kSize)
        r.match[at] = std::max(r.match[at], r.joining_match);  // what it acked before it was a member
      track_joining(r);
      if (cluster_.directory.update(r.group, r.membership) && cluster_.publish) cluster_.publish(*this, r.group);
      cluster_.health.healthy_changed(r.group, kernel().now(), healthy_members(r.membership));
      for (auto healing = healing_.lower_bound({r.group, 0}); healing != healing_.end() && healing->first.first == r.group;) {
        Healing& h = healing->second;
        if (r.membership.nodes[h.member] != h.target || (h.storage_phase && !r.membership.is_storage(h.member)) ||
            (!h.storage_phase && r.membership.is_storage(h.member))) {
          ++healing;
          continue;  // this change is about another member, or an earlier step
        }
        if (r.membership.is_storage(h.member)) {
          if (!h.move) cluster_.health.storage_replica_built(kernel().now() - h.detected);
          healing = healing_.erase(healing);
          continue;
        }
        // The log replica holds the write quorum; now rebuild a full storage replica there.
        cluster_.health.log_replica_added(kernel().now() - h.detected);
        h.storage_phase = true;
        h.attempt = ++healing_attempts_;
        send_to(h.target, cluster_.kinds.build_replica,
                BuildReplicaMessage{r.group, r.table, r.leader_ballot, true, h.attempt},
                [](StorageNode& node, sim::NodeId sender, const BuildReplicaMessage& m) { node.on_build_replica(sender, m); });
        arm_healing_timeout(r, h.member, h.attempt, true);
        ++healing;
      }
    } else if (e.kind == EntryKind::noop && slot == r.first_own_slot && r.role == Role::leader) {
      start_serving_check(r);
    }
  }
}

void StorageNode::start_serving_check(Replica& r) {
  const sim::Time now = kernel().now();
  if (r.serving(now)) {
    set_serving(r, true);
    return;
  }
  if (r.role == Role::leader && r.commit >= r.first_own_slot && now < r.serve_after) {
    const GroupId group = r.group;
    const Ballot ballot = r.leader_ballot;
    after(r.serve_after - now, cluster_.kinds.serve_check, [this, group, ballot] {
      Replica* replica = find(group);
      if (replica != nullptr && replica->role == Role::leader && replica->leader_ballot == ballot) start_serving_check(*replica);
    });
  }
}

void StorageNode::step_down(Replica& r) {
  set_serving(r, false);
  for (auto it = pending_writes_.lower_bound({r.group, 0}); it != pending_writes_.end() && it->first.first == r.group;) {
    // The write may still commit under a later leader: the client cannot know, as with a 500.
    if (it->second.reply.valid()) it->second.reply.send(*this, ItemResponse{Outcome::unavailable, 0, 0, false, kNoNode});
    it = pending_writes_.erase(it);
  }
  forget_healing(r.group);
  r.role = Role::follower;
  r.leader_node = kNoNode;
  r.leader_contact = kernel().now();
  r.pending_versions.clear();
  r.election.reset();
  r.splitting_at = 0;
  r.forget_move();
  r.match.fill(0);
  if (!r.membership.contains(self())) drop_removed(r.group);  // a move replaced this node
}

void StorageNode::become_leader(Replica& r) {
  Election& e = *r.election;
  const sim::Time now = kernel().now();
  r.role = Role::leader;
  r.leader_ballot = e.ballot;
  r.leader_node = self();
  r.promised = std::max(r.promised, e.ballot);
  r.serve_after = cluster_.bug == PlantedBug::skip_lease_wait ? now : std::max(now, e.old_lease_end);
  r.lease_end = now;  // no lease until a quorum answers a heartbeat of this ballot
  r.leader_since = now;
  r.match.fill(0);
  r.last_ack.fill(now);
  cluster_.health.election_won(r.group);

  // Adopt the highest-ballot entry of every slot the promises reported, under our ballot.
  Slot slot = e.recovered_from;
  r.persisted = std::min(r.persisted, e.recovered_from - 1);
  for (LogEntry entry : e.recovered) {
    if (entry.ballot.none()) entry = LogEntry{};  // no promiser had this slot: fill it with a no-op
    entry.ballot = e.ballot;
    if (slot < r.log_start + r.log.size()) r.entry(slot) = entry;
    else r.log.push_back(entry);
    if (entry.kind == EntryKind::write) {
      std::uint64_t& pending = r.pending_versions[entry.key];
      pending = std::max(pending, entry.version);
    }
    ++slot;
  }
  if (slot < r.log_start + r.log.size()) r.log.resize(slot - r.log_start);
  // A split recovered from the promises is in the log: nothing for its range may follow it.
  for (Slot s = std::max(r.applied + 1, r.log_start); s < r.log_start + r.log.size(); ++s)
    if (r.entry(s).kind == EntryKind::split && r.entry(s).key > r.hash_low && r.entry(s).key <= r.hash_high)
      r.splitting_at = r.entry(s).key;
  track_joining(r);  // a recovered joint config: its joining node gets accepts too
  LogEntry noop;
  noop.ballot = e.ballot;
  noop.kind = EntryKind::noop;
  r.log.push_back(noop);
  r.first_own_slot = slot;
  r.matched = slot;
  const Slot first_recovered = std::min(e.recovered_from, slot);
  r.election.reset();  // `e` is gone from here on
  persist(r, slot);
  send_accepts(r, first_recovered, slot);
  send_heartbeat(r);
}

void StorageNode::send_heartbeat(const Replica& r) {
  for (sim::NodeId member : r.membership.nodes) {
    if (member == self() || member == kNoNode) continue;
    ++stats_.heartbeats_sent;
    send_to(member, cluster_.kinds.heartbeat,
            HeartbeatMessage{kernel().now(), {HeartbeatItem{r.group, r.leader_ballot, r.commit, r.local,
                                                            r.member_local[r.member_index(member)]}}},
            [](StorageNode& node, sim::NodeId sender, const HeartbeatMessage& m) { node.on_heartbeat(sender, m); });
  }
}

void StorageNode::check_members(Replica& r) {
  // One membership change at a time: no healing while this leader moves its own replica.
  if (r.moving_to != kNoNode || !r.membership.contains(self())) return;
  const sim::Time now = kernel().now();
  for (std::size_t i = 0; i < Membership::kSize; ++i) {
    const sim::NodeId member = r.membership.nodes[i];
    if (member == self() || member == kNoNode) continue;
    auto healing = healing_.find({r.group, i});
    if (now - r.last_ack[i] > spec_.election_timeout()) {
      // The replacement being built died itself: start over somewhere else.
      if (healing != healing_.end() && healing->second.target == member) {
        healing_.erase(healing);
        healing = healing_.end();
      }
      if (healing == healing_.end()) start_healing(r, i);
    } else if (!r.membership.is_storage(i) && healing == healing_.end()) {
      // A log replica holds the quorum but no storage replica is being built on it (its node
      // restarted, or this leader is new): build it now.
      start_build(r, i, member, true);
    }
  }
}

void StorageNode::forget_healing(GroupId group) {
  healing_.erase(healing_.lower_bound({group, 0}), healing_.lower_bound({group + 1, 0}));
}

void StorageNode::start_healing(Replica& r, std::size_t member) {
  const sim::AzId az = network().node(r.membership.nodes[member]).az();
  // Autoadmin knows which nodes are up; pick the least loaded one in the same AZ that holds
  // no replica of this group.
  StorageNode* target = nullptr;
  for (StorageNode* node : cluster_.storage_by_node) {
    if (node == nullptr || node->az() != az || !node->powered() || r.membership.contains(node->id()) ||
        node->find(r.group) != nullptr)
      continue;
    bool targeted = false;  // another healing of this group already builds there
    for (auto it = healing_.lower_bound({r.group, 0}); it != healing_.end() && it->first.first == r.group; ++it)
      targeted = targeted || it->second.target == node->id();
    if (targeted) continue;
    if (target == nullptr || node->replica_count() < target->replica_count()) target = node;
  }
  if (target == nullptr) return;
  start_build(r, member, target->id(), !spec_.log_replicas);
}

void StorageNode::start_build(Replica& r, std::size_t member, sim::NodeId target, bool storage) {
  Healing h;
  h.member = member;
  h.target = target;
  h.detected = kernel().now();
  h.storage_phase = storage;
  h.attempt = ++healing_attempts_;
  healing_[{r.group, member}] = h;
  send_to(h.target, cluster_.kinds.build_replica,
          BuildReplicaMessage{r.group, r.table, r.leader_ballot, h.storage_phase, h.attempt},
          [](StorageNode& node, sim::NodeId sender, const BuildReplicaMessage& m) { node.on_build_replica(sender, m); });
  arm_healing_timeout(r, member, h.attempt, storage);
}

void StorageNode::arm_healing_timeout(const Replica& r, std::size_t member, std::uint32_t attempt, bool storage) {
  // If the target dies while copying, give up after twice the copy time; the next check starts
  // over (elsewhere, if the target is still down).
  const TableSpec& table = cluster_.scenario.tables[r.table];
  const std::uint64_t bytes = spec_.wal_tail_bytes + (storage ? table.partition_bytes() : 0);
  const sim::Duration longest = spec_.build_deadline(bytes);
  const GroupId group = r.group;
  after(longest, cluster_.kinds.healing_timeout, [this, group, member, attempt] {
    auto it = healing_.find({group, member});
    if (it == healing_.end() || it->second.attempt != attempt) return;
    if (it->second.move)
      if (Replica* replica = find(group);
          replica != nullptr && replica->moving_to == it->second.target && replica->move_config_slot == 0)
        replica->moving_to = kNoNode;  // the copy never finished: given up, the control plane may ask again
    healing_.erase(it);
  });
}

void StorageNode::on_build_replica(sim::NodeId from, const BuildReplicaMessage& m) {
  heard_from(from);
  const TableSpec& table = cluster_.scenario.tables[m.table];
  const std::uint64_t bytes = spec_.wal_tail_bytes + (m.storage ? table.partition_bytes() : 0);
  after(spec_.copy_time(bytes), cluster_.kinds.build_done, [this, from, m] {
    // The replica turns into a storage replica only when the leader's items arrive.
    if (find(m.group) == nullptr) host(m.group, m.table, Membership{}, false);
    send_to(from, cluster_.kinds.replica_ready, ReplicaReadyMessage{m.group, m.storage, m.attempt},
            [](StorageNode& node, sim::NodeId sender, const ReplicaReadyMessage& msg) { node.on_replica_ready(sender, msg); });
  });
}

void StorageNode::on_replica_ready(sim::NodeId from, const ReplicaReadyMessage& m) {
  heard_from(from);
  Replica* r = find(m.group);
  auto healing = healing_.lower_bound({m.group, 0});
  while (healing != healing_.end() && healing->first.first == m.group &&
         (healing->second.target != from || healing->second.attempt != m.attempt))
    ++healing;
  if (r == nullptr || r->role != Role::leader || healing == healing_.end() || healing->first.first != m.group) return;
  // The copy time is spent: hand over the state as of now, then commit the membership change.
  CatchUpMessage snapshot;
  snapshot.group = r->group;
  snapshot.ballot = r->leader_ballot;
  snapshot.commit = r->commit;
  snapshot_of(*r, snapshot);
  if (m.storage) {
    snapshot.items = r->items;
    snapshot.make_storage = true;
  }
  Membership next = r->membership;
  next.nodes[healing->second.member] = from;
  if (m.storage) next.storage_mask = static_cast<std::uint8_t>(next.storage_mask | (1u << healing->second.member));
  else next.storage_mask = static_cast<std::uint8_t>(next.storage_mask & ~(1u << healing->second.member));
  ++next.epoch;
  const bool move = healing->second.move;
  // A moved-to node becomes a member only through the committed change (it must not count
  // itself in a quorum before); until then it learns the log as the joining node.
  snapshot.membership = move ? r->membership : next;
  ++stats_.snapshots_sent;
  send_to(from, cluster_.kinds.catch_up, std::move(snapshot),
          [](StorageNode& node, sim::NodeId sender, CatchUpMessage& msg) { node.on_catch_up(sender, msg); });
  r->match[healing->second.member] = 0;
  r->last_ack[healing->second.member] = kernel().now();
  const Slot slot = propose(*r, LogEntry::config(r->leader_ballot, next, move));
  if (move) r->move_config_slot = slot;
}

// ---------------------------------------------------------------------------------------------
// Follower, acceptor, candidate

void StorageNode::persist(Replica& r, Slot slot) {
  const sim::Time now = kernel().now();
  // The log device completes writes in order (group commit), each after its own latency.
  sim::Time done = now + spec_.wal_persist.sample(rng());
  if (done < disk_free_at_) done = disk_free_at_;
  disk_free_at_ = done;
  const GroupId group = r.group;
  const Ballot ballot = r.entry(slot).ballot;
  after(done - now, cluster_.kinds.disk, [this, group, slot, ballot] { persisted(group, slot, ballot); });
}

void StorageNode::persisted(GroupId group, Slot slot, Ballot ballot) {
  Replica* r = find(group);
  if (r == nullptr || !r->has_slot(slot) || r->entry(slot).ballot != ballot || slot <= r->persisted) return;
  r->persisted = slot;
  if (r->role == Role::leader) {
    if (cluster_.bug == PlantedBug::ack_before_quorum) {
      // The planted bug: tell the client before any other replica has the write.
      auto pending = pending_writes_.find({group, slot});
      if (pending != pending_writes_.end() && pending->second.reply.valid()) {
        pending->second.reply.send(*this, ItemResponse{Outcome::ok, pending->second.version, pending->second.write, false, kNoNode});
        pending->second.reply = sim::Reply<ItemResponse>();
      }
    }
    try_commit(*r);
    return;
  }
  if (r->leader_node != kNoNode && r->promised == ballot)
    send_to(r->leader_node, cluster_.kinds.accepted,
            AcceptedMessage{group, ballot, r->promised, r->persisted, true, false},
            [](StorageNode& node, sim::NodeId sender, const AcceptedMessage& m) { node.on_accepted(sender, m); });
  apply(*r);
}

void StorageNode::on_accept(sim::NodeId from, const AcceptMessage& m) {
  heard_from(from);
  Replica* r = find(m.group);
  if (r == nullptr) return;
  if (r->role == Role::leader && m.ballot > r->leader_ballot) step_down(*r);
  const paxos::AcceptResult result = paxos::on_accept(*r, m, from);
  switch (result) {
    case paxos::AcceptResult::rejected:
      send_to(from, cluster_.kinds.accepted, AcceptedMessage{m.group, m.ballot, r->promised, r->persisted, false, false},
              [](StorageNode& node, sim::NodeId sender, const AcceptedMessage& msg) { node.on_accepted(sender, msg); });
      return;
    case paxos::AcceptResult::gap:
      r->leader_contact = kernel().now();
      request_catch_up(*r, r->matched + 1);
      return;
    case paxos::AcceptResult::appended:
      r->leader_contact = kernel().now();
      if (m.slot > r->persisted) persist(*r, m.slot);
      else
        send_to(from, cluster_.kinds.accepted, AcceptedMessage{m.group, m.ballot, r->promised, r->persisted, true, false},
                [](StorageNode& node, sim::NodeId sender, const AcceptedMessage& msg) { node.on_accepted(sender, msg); });
      apply(*r);
      return;
  }
}

void StorageNode::on_accepted(sim::NodeId from, const AcceptedMessage& m) {
  heard_from(from);
  Replica* r = find(m.group);
  if (r == nullptr || r->role != Role::leader) return;
  if (!m.ok) {
    if (m.promised > r->leader_ballot) step_down(*r);
    return;
  }
  if (m.ballot != r->leader_ballot) return;
  const std::size_t index = r->member_index(from);
  if (index >= Membership::kSize) {
    if (from != r->joining) return;
    r->joining_match = std::max(r->joining_match, m.persisted);
    try_commit(*r);
    return;
  }
  r->match[index] = std::max(r->match[index], m.persisted);
  r->last_ack[index] = kernel().now();
  try_commit(*r);
}

void StorageNode::request_catch_up(Replica& r, Slot from) {
  if (r.leader_node == kNoNode || r.leader_node == self()) return;
  const auto at = std::lower_bound(catching_up_.begin(), catching_up_.end(), r.group);
  if (at != catching_up_.end() && *at == r.group) return;  // asked already this tick
  catching_up_.insert(at, r.group);
  send_to(r.leader_node, cluster_.kinds.catch_up_request, CatchUpRequest{r.group, from},
          [](StorageNode& node, sim::NodeId sender, const CatchUpRequest& m) { node.on_catch_up_request(sender, m); });
}

void StorageNode::on_catch_up_request(sim::NodeId from, const CatchUpRequest& m) {
  heard_from(from);
  Replica* r = find(m.group);
  if (r == nullptr || r->role != Role::leader) return;
  CatchUpMessage reply;
  reply.group = r->group;
  reply.ballot = r->leader_ballot;
  reply.commit = r->commit;
  reply.membership = r->membership;
  sim::Duration copying;
  if (m.from >= r->log_start) {
    reply.from = m.from;
    for (Slot slot = m.from; slot < r->log_start + r->log.size(); ++slot) reply.entries.push_back(r->entry(slot));
  } else {
    // The slots were archived here: ship the items as of our applied slot plus the log after
    // it, taking as long as replaying that much of the archived log would.
    snapshot_of(*r, reply);
    reply.items = r->items;
    const TableSpec& table = cluster_.scenario.tables[r->table];
    copying = spec_.copy_time((r->applied - m.from + 1) * table.item_bytes);
    ++stats_.snapshots_sent;
  }
  ++stats_.catch_ups_sent;
  auto send = [this, from, reply = std::move(reply)]() mutable {
    send_to(from, cluster_.kinds.catch_up, std::move(reply),
            [](StorageNode& node, sim::NodeId sender, CatchUpMessage& msg) { node.on_catch_up(sender, msg); });
  };
  if (copying > sim::Duration::zero()) after(copying, cluster_.kinds.catch_up_send, std::move(send));
  else send();
}

void StorageNode::on_catch_up(sim::NodeId from, CatchUpMessage& m) {
  heard_from(from);
  Replica* r = find(m.group);
  if (r == nullptr || m.ballot < r->promised) return;
  if (r->role == Role::leader && m.ballot > r->leader_ballot) step_down(*r);
  r->promised = m.ballot;
  if (m.ballot != r->leader_ballot || r->leader_node != from) paxos::follow(*r, m.ballot, from);
  r->leader_contact = kernel().now();
  if (auto at = std::lower_bound(catching_up_.begin(), catching_up_.end(), r->group);
      at != catching_up_.end() && *at == r->group)
    catching_up_.erase(at);
  if (m.snapshot) {
    if (m.make_storage || m.snapshot_applied >= r->applied || !r->storage) {
      if (m.make_storage) r->storage = true;
      if (r->storage) r->items = std::move(m.items);
      r->applied = m.snapshot_applied;
      r->log = std::move(m.entries);
      r->log_start = m.snapshot_applied + 1;
      r->persisted = m.snapshot_applied;
      r->matched = r->log_start + r->log.size() - 1;
      r->membership = m.membership;
      r->hash_low = m.hash_low;
      r->hash_high = m.hash_high;
      r->children = std::move(m.children);
    }
  } else {
    if (m.from > r->matched + 1) return;  // still a gap: the next heartbeat asks again
    for (std::size_t i = 0; i < m.entries.size(); ++i) {
      const Slot slot = m.from + i;
      if (slot <= r->applied) continue;
      if (slot < r->log_start + r->log.size()) {
        if (r->entry(slot).ballot != m.entries[i].ballot || r->entry(slot).write != m.entries[i].write) {
          r->log.resize(slot - r->log_start);
          r->persisted = std::min(r->persisted, slot - 1);
          r->log.push_back(m.entries[i]);
        }
      } else {
        r->log.push_back(m.entries[i]);
      }
    }
    r->matched = std::max(r->matched, r->log_start + r->log.size() - 1);
  }
  r->commit = std::max(r->commit, m.commit);
  if (!r->log.empty() && r->last_slot() > r->persisted) persist(*r, r->last_slot());
  else if (r->leader_node != kNoNode)
    send_to(from, cluster_.kinds.accepted, AcceptedMessage{r->group, m.ballot, r->promised, r->persisted, true, false},
            [](StorageNode& node, sim::NodeId sender, const AcceptedMessage& msg) { node.on_accepted(sender, msg); });
  apply(*r);
}

void StorageNode::on_heartbeat(sim::NodeId from, const HeartbeatMessage& m) {
  heard_from(from);
  HeartbeatAckMessage ack{m.sent, {}};
  ack.answers.reserve(m.items.size());
  for (const HeartbeatItem& item : m.items) {
    Replica* r = find(item.group, item.receiver_local);
    if (r == nullptr || item.ballot < r->promised) {
      ack.answers.push_back(HeartbeatAnswer{item.group, false, 0, item.sender_local, 0});
      continue;
    }
    if (r->role == Role::leader && item.ballot > r->leader_ballot) step_down(*r);
    r->promised = item.ballot;
    if (r->leader_ballot != item.ballot || r->leader_node != from) paxos::follow(*r, item.ballot, from);
    r->leader_contact = kernel().now();
    if (m.sent + spec_.lease >= r->granted_lease_end) {
      r->granted_lease_end = m.sent + spec_.lease;
      r->lease_granted_to = from;
    }
    r->split_lease_holder = kNoNode;  // the group's own leaders grant leases now
    r->commit = std::max(r->commit, item.commit);
    apply(*r);
    if (r->matched < item.commit) request_catch_up(*r, r->matched + 1);
    ack.answers.push_back(HeartbeatAnswer{item.group, true, r->persisted, item.sender_local, r->local});
  }
  send_to(from, cluster_.kinds.heartbeat_ack, std::move(ack),
          [](StorageNode& node, sim::NodeId sender, const HeartbeatAckMessage& msg) { node.on_heartbeat_ack(sender, msg); });
}

void StorageNode::on_heartbeat_ack(sim::NodeId from, const HeartbeatAckMessage& m) {
  heard_from(from);
  const sim::Time now = kernel().now();
  for (const HeartbeatAnswer& answer : m.answers) {
    if (!answer.ok) continue;
    Replica* r = find(answer.group, answer.leader_local);
    if (r == nullptr || r->role != Role::leader) continue;
    const std::size_t index = r->member_index(from);
    if (index >= Membership::kSize) continue;
    r->last_ack[index] = now;
    r->member_local[index] = answer.follower_local;
    // Self plus this member make a quorum of three: the lease runs from the heartbeat's send.
    r->lease_end = std::max(r->lease_end, m.sent + spec_.lease);
    if (!r->counted_serving) start_serving_check(*r);
  }
}

void StorageNode::suspect_leader(Replica& r) {
  if (r.election) return;
  r.role = Role::candidate;
  r.election = std::make_unique<Election>();
  r.election->serial = ++election_serial_;
  r.election->started = kernel().now();
  r.election->candidate = self();
  const std::uint64_t serial = r.election->serial;
  const GroupId group = r.group;
  const sim::Duration jitter = sim::Duration::from_nanos(
      static_cast<std::int64_t>(rng().below(static_cast<std::uint64_t>(spec_.heartbeat_interval.nanos()))));
  if (spec_.confirm_with_peers && r.leader_node != kNoNode) {
    // The gray-failure rule: a follower that stops hearing its leader first asks the other
    // members; one "I still hear it" cancels the election.
    for (sim::NodeId member : r.membership.nodes) {
      if (member == self() || member == kNoNode || member == r.leader_node) continue;
      send_to(member, cluster_.kinds.leader_check, LeaderCheckMessage{group, r.leader_node},
              [](StorageNode& node, sim::NodeId sender, const LeaderCheckMessage& m) { node.on_leader_check(sender, m); });
    }
    // No answer within a heartbeat interval counts as "nobody hears it" (the peer is down too).
    after(spec_.heartbeat_interval + jitter, cluster_.kinds.election_step, [this, group, serial] {
      Replica* replica = find(group);
      if (replica != nullptr && replica->election && replica->election->serial == serial && replica->election->ballot.none())
        send_prepare(*replica);
    });
    return;
  }
  after(jitter, cluster_.kinds.election_step, [this, group, serial] {
    Replica* replica = find(group);
    if (replica != nullptr && replica->election && replica->election->serial == serial && replica->election->ballot.none())
      send_prepare(*replica);
  });
}

void StorageNode::on_leader_check(sim::NodeId from, const LeaderCheckMessage& m) {
  heard_from(from);
  const Replica* r = find(m.group);
  const bool healthy = r != nullptr && r->role == Role::follower && r->leader_node == m.leader &&
                       kernel().now() - r->leader_contact <= spec_.election_timeout();
  send_to(from, cluster_.kinds.leader_check_reply, LeaderCheckReply{m.group, healthy},
          [](StorageNode& node, sim::NodeId sender, const LeaderCheckReply& msg) { node.on_leader_check_reply(sender, msg); });
}

void StorageNode::on_leader_check_reply(sim::NodeId from, const LeaderCheckReply& m) {
  heard_from(from);
  Replica* r = find(m.group);
  if (r == nullptr || !r->election || !r->election->ballot.none()) return;
  if (m.leader_healthy) {
    ++stats_.elections_cancelled_by_peers;
    abandon_election(*r);
    return;
  }
  // Every other member answered that it does not hear the leader either: elect now.
  if (std::size_t{++r->election->leader_check_replies} + 2 >= Membership::kSize) send_prepare(*r);
}

void StorageNode::send_prepare(Replica& r) {
  Election& e = *r.election;
  e.ballot = std::max(r.promised, r.leader_ballot).next_for(self());
  e.recovered_from = r.applied + 1;
  cluster_.health.election_started(r.group);
  const PrepareMessage prepare{r.group, e.ballot, r.applied, r.membership.epoch};
  const PromiseMessage own = paxos::on_prepare(r, prepare, self());
  SIM_ASSERT(own.refusal == PromiseRefusal::none);
  paxos::record_promise(e, r.member_index(self()), own);
  for (sim::NodeId member : r.membership.nodes) {
    if (member == self() || member == kNoNode) continue;
    send_to(member, cluster_.kinds.prepare, prepare,
            [](StorageNode& node, sim::NodeId sender, const PrepareMessage& m) { node.on_prepare(sender, m); });
  }
  const GroupId group = r.group;
  const std::uint64_t serial = e.serial;
  after(spec_.election_timeout(), cluster_.kinds.election_step, [this, group, serial] {
    Replica* replica = find(group);
    if (replica != nullptr && replica->election && replica->election->serial == serial) abandon_election(*replica);
  });
}

void StorageNode::abandon_election(Replica& r) {
  r.election.reset();
  r.role = Role::follower;
  r.leader_contact = kernel().now();  // wait a whole timeout before trying again
}

void StorageNode::on_prepare(sim::NodeId from, const PrepareMessage& m) {
  heard_from(from);
  Replica* r = find(m.group);
  if (r == nullptr) return;
  PromiseMessage promise = paxos::on_prepare(*r, m, from);
  if (promise.refusal == PromiseRefusal::none) {
    if (r->role == Role::leader) step_down(*r);
    else if (r->role == Role::candidate) abandon_election(*r);
  }
  send_to(from, cluster_.kinds.promise, std::move(promise),
          [](StorageNode& node, sim::NodeId sender, const PromiseMessage& msg) { node.on_promise(sender, msg); });
}

void StorageNode::on_promise(sim::NodeId from, const PromiseMessage& m) {
  heard_from(from);
  Replica* r = find(m.group);
  if (r == nullptr || !r->election || r->role != Role::candidate || m.ballot != r->election->ballot) return;
  switch (m.refusal) {
    case PromiseRefusal::removed:
      drop_replica(m.group);
      return;
    case PromiseRefusal::ballot:
      r->promised = std::max(r->promised, m.promised);
      abandon_election(*r);
      return;
    case PromiseRefusal::behind:
      abandon_election(*r);
      return;
    case PromiseRefusal::none:
      break;
  }
  const std::size_t index = r->member_index(from);
  if (index >= Membership::kSize) return;
  paxos::record_promise(*r->election, index, m);
  if (paxos::has_quorum(r->election->promises_mask)) become_leader(*r);
}

// ---------------------------------------------------------------------------------------------
// Time and power

void StorageNode::tick() {
  const sim::Time now = kernel().now();
  catching_up_.clear();
  heartbeat_batch_.clear();
  for (const auto& [group, local] : index_) {
    Replica& r = *replicas_[local];
    switch (r.role) {
      case Role::leader:
        // A leader that no quorum has answered for a whole lease steps down.
        if (now >= r.lease_end && now - r.leader_since >= spec_.lease) {
          step_down(r);
          break;
        }
        if (r.counted_serving) check_members(r);
        for (std::size_t i = 0; i < Membership::kSize; ++i) {
          const sim::NodeId member = r.membership.nodes[i];
          if (member != self() && member != kNoNode)
            heartbeat_batch_.push_back({member, HeartbeatItem{r.group, r.leader_ballot, r.commit, r.local, r.member_local[i]}});
        }
        break;
      case Role::follower:
        if (r.storage && r.membership.contains(self()) && now - r.leader_contact > spec_.election_timeout())
          suspect_leader(r);
        break;
      case Role::candidate:
        break;
    }
    paxos::trim_log(r, spec_.log_entries_kept);
  }
  // One heartbeat message per peer node, covering every group this node leads with it.
  std::stable_sort(heartbeat_batch_.begin(), heartbeat_batch_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < heartbeat_batch_.size();) {
    const sim::NodeId peer = heartbeat_batch_[i].first;
    HeartbeatMessage message{now, {}};
    for (; i < heartbeat_batch_.size() && heartbeat_batch_[i].first == peer; ++i) message.items.push_back(heartbeat_batch_[i].second);
    ++stats_.heartbeats_sent;
    send_to(peer, cluster_.kinds.heartbeat, std::move(message),
            [](StorageNode& node, sim::NodeId sender, const HeartbeatMessage& m) { node.on_heartbeat(sender, m); });
  }
  after(spec_.heartbeat_interval, cluster_.kinds.tick, [this] { tick(); });
}

void StorageNode::on_power_off() {
  const sim::Time now = kernel().now();
  for (const auto& [group, local] : index_) {
    Replica& r = *replicas_[local];
    set_serving(r, false);
    // What was not on disk is gone; the rest of the volatile state with it.
    if (!r.log.empty() && r.persisted < r.last_slot())
      r.log.resize(r.persisted >= r.log_start ? r.persisted - r.log_start + 1 : 0);
    r.role = Role::follower;
    r.leader_ballot = Ballot();
    r.leader_node = kNoNode;
    r.commit = r.applied;
    r.matched = r.applied;
    r.lease_end = sim::Time::zero();
    r.serve_after = sim::Time::zero();
    r.first_own_slot = 0;
    r.match.fill(0);
    r.last_ack.fill(sim::Time::zero());
    r.pending_versions.clear();
    r.election.reset();
    r.buckets.reset();  // bucket levels live in memory
    r.splitting_at = 0;
    r.forget_move();
    r.transferred_from = kNoNode;
    r.recent_keys.clear();
  }
  requests_.clear();
  pending_writes_.clear();
  healing_.clear();
  catching_up_.clear();
  disk_free_at_ = now;
  for (const auto& [group, local] : index_)
    if (cluster_.directory.membership(group).contains(self()))
      cluster_.health.healthy_changed(group, now, healthy_members(cluster_.directory.membership(group)));
}

void StorageNode::on_power_on() {
  const sim::Time now = kernel().now();
  last_heard_.assign(network().node_count(), now);
  for (const auto& [group, local] : index_) {
    Replica& r = *replicas_[local];
    r.leader_contact = now;
    r.buckets = admission_.make_buckets(r.group, r.table, now);
    // A leader that lost power between applying its own replacement and handing off.
    if (r.membership.epoch > 0 && !r.membership.contains(self())) drop_removed(group);
    if (cluster_.directory.membership(group).contains(self()))
      cluster_.health.healthy_changed(group, now, healthy_members(cluster_.directory.membership(group)));
  }
  start();
}

// ---------------------------------------------------------------------------------------------
// Splits

void StorageNode::apply(Replica& r) {
  paxos::apply_committed(r, spec_.keep_item_history);
  if (r.splitting_at != 0 && r.hash_high < r.splitting_at) r.splitting_at = 0;  // applied
  if (r.staged_splits.empty() || !cluster_.split_kinds) return;
  // Made by an event of its own, never in the middle of whatever applied the entry.
  for (const StagedSplit& staged : r.staged_splits) {
    const GroupId parent = r.group, child = staged.child;
    after(sim::Duration::zero(), cluster_.split_kinds->create, [this, parent, child] { create_child(parent, child); });
  }
}

void StorageNode::create_child(GroupId parent, GroupId child) {
  Replica* p = find(parent);
  if (p == nullptr) return;
  auto staged = std::find_if(p->staged_splits.begin(), p->staged_splits.end(),
                             [child](const StagedSplit& s) { return s.child == child; });
  if (staged == p->staged_splits.end()) return;
  StagedSplit split = std::move(*staged);
  p->staged_splits.erase(staged);
  if (find(child) != nullptr) return;
  const sim::Time now = kernel().now();
  if (cluster_.on_split) cluster_.on_split(*this, parent, child, split.low, split.high);
  const std::uint32_t table = p->table;
  const Membership membership = split.membership;
  const bool storage = p->storage;
  Replica& c = host(child, table, membership, storage);
  p = find(parent);  // host may have moved the index, never the replica; found again for clarity
  c.hash_low = split.low;
  c.hash_high = split.high;
  c.items = std::move(split.items);
  // The child starts as a follower with the parent's promises (so no ballot the parent refused
  // can win it), the parent's lease and a fresh log. The node that led the parent opens the
  // child's leadership with an ordinary election as soon as another member has the child (it
  // says so), or after a heartbeat interval; it need not wait out the parent's lease, which it
  // held itself. If it cannot, the others elect by themselves, waiting the lease out.
  c.promised = p->promised;
  c.granted_lease_end = p->granted_lease_end;
  c.split_lease_holder = p->role == Role::leader ? self() : p->leader_node;
  c.leader_contact = now;
  if (p->role == Role::leader) {
    after(spec_.heartbeat_interval, cluster_.split_kinds->elect, [this, child] { on_split_ready(child); });
  } else if (p->leader_node != kNoNode) {
    send_to(p->leader_node, cluster_.split_kinds->ready, child,
            [](StorageNode& node, sim::NodeId, GroupId g) { node.on_split_ready(g); });
  }
}

void StorageNode::on_split_ready(GroupId child) {
  Replica* c = find(child);
  if (c == nullptr || c->role != Role::follower || c->leader_node != kNoNode || c->election) return;
  elect_now(*c, kNoNode);
}

void StorageNode::elect_now(Replica& r, sim::NodeId released) {
  r.role = Role::candidate;
  r.election = std::make_unique<Election>();
  r.election->serial = ++election_serial_;
  r.election->started = kernel().now();
  r.election->candidate = self();
  r.election->released = released;
  send_prepare(r);
}

void StorageNode::on_split_request(GroupId group, std::uint64_t at_hash, GroupId child) {
  Replica* r = find(group);
  if (r == nullptr || !r->serving(kernel().now()) || r->splitting_at != 0 || !r->staged_splits.empty() ||
      r->moving_to != kNoNode)
    return;
  if (at_hash <= r->hash_low || at_hash > r->hash_high) return;
  r->splitting_at = at_hash;
  propose(*r, LogEntry::split(r->leader_ballot, at_hash, child));
}

}  // namespace models::replication

namespace models::replication {

// ---------------------------------------------------------------------------------------------
// Moves

void StorageNode::on_move_request(GroupId group, sim::NodeId target) {
  Replica* r = find(group);
  const StorageNode* to = cluster_.node(target);
  if (r == nullptr || !r->serving(kernel().now()) || r->splitting_at != 0 || !r->staged_splits.empty() ||
      r->moving_to != kNoNode || to == nullptr || to->az() != az() || r->membership.contains(target))
    return;
  // One change at a time: a group healing a member moves later.
  if (healing_.lower_bound({group, 0}) != healing_.lower_bound({group + 1, 0})) return;
  ++stats_.moves_started;
  r->moving_to = target;
  const std::size_t own = r->member_index(self());
  start_build(*r, own, target, true);
  healing_[{group, own}].move = true;
}

void StorageNode::track_joining(Replica& r) {
  sim::NodeId joining = kNoNode;
  if (const LogEntry* config = paxos::pending_joint_config(r))
    for (sim::NodeId node : config->membership().nodes)
      if (node != kNoNode && !r.membership.contains(node)) joining = node;
  if (joining != r.joining) r.joining_match = 0;
  r.joining = joining;
}

void StorageNode::maybe_hand_off(Replica& r) {
  // The moved-to node must hold every entry before it leads: then its own promise brings them
  // into its election whichever member answers it.
  const std::size_t to = r.moving_to == kNoNode ? Membership::kSize : r.member_index(r.moving_to);
  if (to >= Membership::kSize || r.match[to] >= r.last_slot() || !cluster_.move_kinds) return hand_off(r);
  if (r.handoff_armed) return;
  r.handoff_armed = true;
  send_heartbeat(r);  // it learns the commit point now and asks for what it lacks
  // Catching up takes a heartbeat or two; a node that never does is handed nothing it can use,
  // and the members elect by themselves (waiting out this leader's lease).
  const GroupId group = r.group;
  const Ballot ballot = r.leader_ballot;
  after(spec_.election_timeout(), cluster_.move_kinds->handoff_deadline, [this, group, ballot] {
    Replica* replica = find(group);
    if (replica != nullptr && replica->role == Role::leader && replica->leader_ballot == ballot &&
        !replica->membership.contains(self()))
      hand_off(*replica);
  });
}

void StorageNode::hand_off(Replica& r) {
  const GroupId group = r.group;
  const sim::NodeId to = r.moving_to;
  const LeadershipTransferMessage transfer{group, r.leader_ballot, r.commit};
  // The members learn the commit point (the change that removed this node included), so none
  // keeps following a leader that is gone.
  send_heartbeat(r);
  // Stepping down before telling anyone: from here on this node serves nothing under its lease,
  // so the node it tells may lead without waiting that lease out.
  step_down(r);
  ++stats_.leaderships_handed_off;
  if (to != kNoNode && cluster_.on_move) cluster_.on_move(group, self(), to, MoveStep::handed_off);
  if (to != kNoNode && cluster_.move_kinds)
    send_to(to, cluster_.move_kinds->transfer, transfer,
            [](StorageNode& node, sim::NodeId sender, const LeadershipTransferMessage& m) {
              node.on_leadership_transfer(sender, m);
            });
}

void StorageNode::drop_removed(GroupId group) {
  if (!cluster_.move_kinds) return;  // only moves remove a live node from a group
  // By an event of its own, never in the middle of the commit or step-down that got here.
  after(sim::Duration::zero(), cluster_.move_kinds->drop, [this, group] {
    const Replica* replica = find(group);
    if (replica != nullptr && replica->role != Role::leader && replica->membership.epoch > 0 &&
        !replica->membership.contains(self()))
      drop_replica(group);
  });
}

void StorageNode::on_leadership_transfer(sim::NodeId from, const LeadershipTransferMessage& m) {
  heard_from(from);
  Replica* r = find(m.group);
  if (r == nullptr) return;
  // What the old leader committed, this node has (it was caught up first): apply it, the
  // change that made this node a member included.
  if (r->leader_node == from && r->leader_ballot == m.ballot) {
    r->commit = std::max(r->commit, m.commit);
    apply(*r);
  }
  if (!r->storage || !r->membership.contains(self()) || r->role != Role::follower || r->election) return;
  ++stats_.elections_by_handoff;
  r->transferred_from = from;
  elect_now(*r, from);
}

}  // namespace models::replication
