// The storage node as host of its replicas: hosting, message delivery, the disk, timers, ticks,
// power, and the Host side of the consensus rules.
#include "models/replication/storage_node.h"

#include "models/replication/rules.h"

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
      snapshot_installed(k.register_kind("msg.snapshot_installed")),
      transfer(k.register_kind("msg.leadership_transfer")),
      split_ready(k.register_kind("msg.split_ready")),
      abandon_replica(k.register_kind("msg.abandon_replica")),
      split_request(k.register_kind("msg.split_request")),
      move_request(k.register_kind("msg.move_request")),
      split_advice(k.register_kind("msg.split_advice")),
      node_report(k.register_kind("msg.node_report")),
      placement(k.register_kind("msg.placement")),
      tick(k.register_kind("storage.tick")),
      disk(k.register_kind("storage.wal_persisted")),
      build_done(k.register_kind("storage.replica_built")),
      split_child(k.register_kind("storage.split_child")),
      snapshot_copied(k.register_kind("storage.snapshot_copied")),
      drop(k.register_kind("storage.replica_dropped")),
      report(k.register_kind("storage.report")) {
  timers[static_cast<std::size_t>(TimerKind::election_step)] = k.register_kind("storage.election_step");
  timers[static_cast<std::size_t>(TimerKind::election_timeout)] = k.register_kind("storage.election_timeout");
  timers[static_cast<std::size_t>(TimerKind::serve_check)] = k.register_kind("storage.serve_check");
  timers[static_cast<std::size_t>(TimerKind::handoff_deadline)] = k.register_kind("storage.handoff_deadline");
  timers[static_cast<std::size_t>(TimerKind::change_deadline)] = k.register_kind("storage.change_deadline");
  timers[static_cast<std::size_t>(TimerKind::snapshot_retry)] = k.register_kind("storage.snapshot_retry");
}

namespace {

bool any_rotten(const std::vector<LogEntry>& entries) {
  return std::any_of(entries.begin(), entries.end(), [](const LogEntry& e) { return e.rotten; });
}

std::uint8_t newest_format(const std::vector<LogEntry>& entries) {
  std::uint8_t newest = 0;
  for (const LogEntry& e : entries) newest = std::max(newest, e.format);
  return newest;
}

// The newest log format among the entries a message carries (0: none).
template <class M>
std::uint8_t newest_format(const M& m) {
  if constexpr (requires { m.entry.format; }) return m.entry.format;
  else if constexpr (requires { m.unarchived; }) return std::max(newest_format(m.entries), newest_format(m.unarchived));
  else if constexpr (requires { m.entries; }) return newest_format(m.entries);
  else return 0;
}

// Whether a message carries a log entry that fails its checksum.
template <class M>
bool carries_rot(const M& m) {
  if constexpr (requires { m.entry.rotten; }) return m.entry.rotten;
  else if constexpr (requires { m.unarchived; }) return any_rotten(m.entries) || any_rotten(m.unarchived);
  else if constexpr (requires { m.entries; }) return any_rotten(m.entries);
  else return false;
}

// A replication message on the wire, delivered to the target node.
template <class M>
struct Delivery {
  StorageNode* target;
  sim::NodeId from;
  M message;
  void operator()() { target->receive(from, message); }
  void describe(std::string& out) const {
    if constexpr (requires { message.group; }) out += " group=" + std::to_string(message.group);
    if constexpr (requires { message.slot; }) out += " slot=" + std::to_string(message.slot);
    if constexpr (requires { message.ballot; })
      out += " ballot=" + std::to_string(message.ballot.round()) + "." + std::to_string(message.ballot.node());
    if constexpr (requires { message.sent; message.items.size(); }) out += " items=" + std::to_string(message.items.size());
  }
};

template <class M>
sim::KindId kind_of(const ReplicationKinds& k) {
  if constexpr (std::is_same_v<M, AcceptMessage>) return k.accept;
  else if constexpr (std::is_same_v<M, AcceptedMessage>) return k.accepted;
  else if constexpr (std::is_same_v<M, PrepareMessage>) return k.prepare;
  else if constexpr (std::is_same_v<M, PromiseMessage>) return k.promise;
  else if constexpr (std::is_same_v<M, LeaderCheckMessage>) return k.leader_check;
  else if constexpr (std::is_same_v<M, LeaderCheckReply>) return k.leader_check_reply;
  else if constexpr (std::is_same_v<M, CatchUpRequest>) return k.catch_up_request;
  else if constexpr (std::is_same_v<M, CatchUpMessage>) return k.catch_up;
  else if constexpr (std::is_same_v<M, BuildReplicaMessage>) return k.build_replica;
  else if constexpr (std::is_same_v<M, ReplicaReadyMessage>) return k.replica_ready;
  else if constexpr (std::is_same_v<M, SnapshotInstalledMessage>) return k.snapshot_installed;
  else if constexpr (std::is_same_v<M, LeadershipTransferMessage>) return k.transfer;
  else if constexpr (std::is_same_v<M, SplitReadyMessage>) return k.split_ready;
  else if constexpr (std::is_same_v<M, AbandonReplicaMessage>) return k.abandon_replica;
  else if constexpr (std::is_same_v<M, NodeHeartbeat>) return k.heartbeat;
  else if constexpr (std::is_same_v<M, NodeHeartbeatAck>) return k.heartbeat_ack;
  else static_assert(sizeof(M) == 0, "a message without an event kind");
}

}  // namespace

StorageNode::StorageNode(sim::Network& network, std::string name, sim::AzId az, Cluster& cluster,
                         const RequestPathKinds& request_kinds)
    : sim::Node(network, std::move(name), az, "storage"),
      cluster_(cluster),
      spec_(cluster.spec),
      requests_(*this, request_kinds.storage_service, cluster.scenario.storage.workers,
                cluster.scenario.storage.queue_limit),
      admission_(cluster.scenario, cluster.shares, cluster.ledger, network.kernel().now(), cluster.bug) {}

// ---------------------------------------------------------------------------------------------
// Replicas

Replica& StorageNode::host(GroupId group, std::uint32_t table, const Membership& membership, bool storage) {
  // Where the group goes in the index (at the end when groups come in order, as at setup).
  const auto at = !index_.empty() && index_.back().first < group
                      ? index_.end()
                      : std::lower_bound(index_.begin(), index_.end(), std::pair<GroupId, std::uint32_t>{group, 0});
  SIM_ASSERT(at == index_.end() || at->first != group);  // not hosted here already
  auto replica = std::make_unique<Replica>();
  replica->group = group;
  replica->table = table;
  replica->serial = next_serial();
  replica->d.storage = storage;
  replica->d.membership = membership;
  replica->d.joined = membership.contains(self());
  if (const auto dropped = std::lower_bound(dropped_.begin(), dropped_.end(), group,
                                            [](const DroppedReplica& d, GroupId g) { return d.group < g; });
      dropped != dropped_.end() && dropped->group == group) {
    replica->d.promised = dropped->promised;
    replica->d.forgotten_epoch = dropped->epoch;
    replica->d.granted_lease_end = dropped->granted_lease_end;
    replica->d.lease_granted_to = dropped->lease_granted_to;
    replica->d.joined = replica->d.joined && membership.epoch > dropped->epoch;
  }
  replica->v.leader_contact = now();
  if (cluster_.directory.exists(group)) {
    replica->d.hash_low = cluster_.directory.hash_low(group);
    replica->d.hash_high = cluster_.directory.hash_high(group);
  }
  replica->service.buckets = admission_.make_buckets(group, table, kernel().now());
  std::uint32_t local;
  if (free_.empty()) {
    local = static_cast<std::uint32_t>(replicas_.size());
    replicas_.push_back(std::move(replica));
  } else {
    local = free_.back();
    free_.pop_back();
    replicas_[local] = std::move(replica);
  }
  index_.insert(at, {group, local});
  ++replica_count_;
  replicas_[local]->local = local;
  return *replicas_[local];
}

const Replica* StorageNode::find(GroupId group) const {
  const auto at = std::lower_bound(index_.begin(), index_.end(), std::pair<GroupId, std::uint32_t>{group, 0});
  return at != index_.end() && at->first == group ? replicas_[at->second].get() : nullptr;
}

Replica* StorageNode::find(GroupId group) {
  Replica* r = const_cast<Replica*>(std::as_const(*this).find(group));
  if (r != nullptr) r->d.log.settle(kernel().now());  // true time, as the disk keeps it
  return r;
}

Replica* StorageNode::find(GroupId group, std::uint32_t local_hint) {
  if (local_hint < replicas_.size() && replicas_[local_hint] && replicas_[local_hint]->group == group) {
    Replica* r = replicas_[local_hint].get();
    r->d.log.settle(kernel().now());
    return r;
  }
  return find(group);
}

std::vector<const Replica*> StorageNode::replicas() const {
  std::vector<const Replica*> out;
  for (const auto& [group, local] : index_) out.push_back(replicas_[local].get());
  return out;
}

bool StorageNode::leads(const Replica& r) const { return powered() && r.v.role == Role::leader; }

void StorageNode::membership_blip(sim::Duration spread) {
  if (membership_ != nullptr) membership_->blip(spread);
}

void StorageNode::drain() {
  draining_ = true;
  for (const auto& [group, local] : index_) {
    Replica& r = *replicas_[local];
    if (r.v.role != Role::leader) continue;
    rules::step_aside(r, *this);
    touch(group);  // a change in flight: the tick asks again
  }
}

bool StorageNode::reads_logs(const BuildSpec* build) const {
  const std::uint8_t reads = build == nullptr ? 1 : build->reads_format;
  for (const auto& [group, local] : index_) {
    const Replica& r = *replicas_[local];
    for (Slot s = r.d.log.start(); s <= r.d.log.last(); ++s)
      if (r.d.log.at(s).format > reads) return false;
  }
  return true;
}

bool StorageNode::drained() const {
  for (const auto& [group, local] : index_)
    if (replicas_[local]->v.role == Role::leader) return false;
  for (GroupId group : drain_handoffs_) {
    const Replica* r = find(group);
    if (r != nullptr && (r->v.leader_node == kNoNode || r->v.leader_node == self())) return false;
  }
  return true;
}

void StorageNode::begin_first_term(Replica& r, sim::NodeId leader) {
  SIM_ASSERT(r.d.membership.contains(leader));
  SIM_ASSERT(r.v.role == Role::follower && r.d.promised == Ballot{});  // a fresh replica
  const sim::Time now = this->now();  // on this node's clock
  const Ballot ballot = Ballot::make(1, leader);
  r.d.promised = ballot;
  r.v.leader_ballot = ballot;
  r.v.leader_node = leader;
  r.d.granted_lease_end = now + spec_.lease;
  if (leader != self()) {
    r.d.lease_granted_to = leader;
    return;
  }
  r.v.role = Role::leader;
  r.v.leader_since = now;
  r.service.counted_serving = true;  // GroupHealth starts every group with its first leader serving
  for (sim::NodeId member : r.d.membership.nodes) {
    if (member == self() || member == kNoNode) continue;
    PeerProgress& peer = r.v.progress.of(member);
    peer.last_ack = now;
    peer.lease_until = now + rules::leader_lease(spec_);  // the lease the run starts with, with its drift margin
  }
  rules::refresh_lease(r, *this);
}

void StorageNode::start() {
  // Every replica registers with the links (the leader it follows, the peers it leads with).
  for (const auto& [group, local] : index_) roles_changed(*replicas_[local]);
  const auto offset = sim::Duration::from_nanos(static_cast<std::int64_t>(
      rng().below(static_cast<std::uint64_t>(spec_.heartbeat_interval.nanos()))));
  after(offset, cluster_.kinds.tick, [this] { tick(); });
  // Reports spread over the interval by node, so the control plane's load is even.
  const sim::Duration every = cluster_.scenario.control.report_interval;
  after(sim::Duration::from_nanos(every.nanos() / 16 * static_cast<std::int64_t>(id() % 16 + 1)), cluster_.kinds.report,
        [this] { report(); });
  start_archiving();
  start_scrubbing();
}

std::uint8_t StorageNode::healthy_members(const Membership& membership) const {
  std::uint8_t healthy = 0;
  for (sim::NodeId member : membership.nodes) {
    const StorageNode* node = cluster_.node(member);
    if (node != nullptr && node->powered()) ++healthy;
  }
  return healthy;
}

// ---------------------------------------------------------------------------------------------
// Messages

template <class M>
void StorageNode::transmit(sim::NodeId to, M message) {
  StorageNode* target = cluster_.node(to);
  SIM_ASSERT(target != nullptr);
  if constexpr (std::is_same_v<M, CatchUpMessage>) {
    ++stats_.catch_ups_sent;
    if (message.snapshot) ++stats_.snapshots_sent;
  }
  // Registered on first use, so runs without damage keep their event kinds (and digests).
  const sim::KindId kind = [this] {
    if constexpr (std::is_same_v<M, ReplicaDamagedMessage>) return kernel().register_kind("msg.replica_damaged");
    else if constexpr (std::is_same_v<M, EntryRepairRequest>) return kernel().register_kind("msg.entry_repair");
    else if constexpr (std::is_same_v<M, EntryRepairReply>) return kernel().register_kind("msg.entry_repair_reply");
    else return kind_of<M>(cluster_.kinds);
  }();
  network().send(*this, to, kind, Delivery<M>{target, self(), std::move(message)});
}

void StorageNode::send(sim::NodeId to, Message message) {
  std::visit([&](auto&& m) { transmit(to, std::move(m)); }, std::move(message));
}

void StorageNode::send_after(sim::Duration delay, sim::NodeId to, Message message) {
  after(delay, cluster_.kinds.snapshot_copied, [this, to, message = std::move(message)]() mutable { send(to, std::move(message)); });
}

template <class M>
void StorageNode::receive(sim::NodeId from, M& m) {
  if constexpr (std::is_same_v<M, NodeHeartbeat>) {
    if (std::optional<NodeHeartbeatAck> ack = links_.on_heartbeat(from, m, lookup(), *this)) transmit(from, std::move(*ack));
  } else if constexpr (std::is_same_v<M, NodeHeartbeatAck>) {
    links_.on_ack(from, m, lookup(), *this);
  } else if constexpr (std::is_same_v<M, BuildReplicaMessage>) {
    on_build_replica(from, m);
  } else if constexpr (std::is_same_v<M, SplitReadyMessage>) {
    on_split_ready(m.child);
  } else if constexpr (std::is_same_v<M, AbandonReplicaMessage>) {
    // A replacement given up: what was built for it goes, unless a membership names this node.
    if (const Replica* r = find(m.group); r != nullptr && r->v.role != Role::leader && !rules::is_voter(*r, self()))
      drop_replica(m.group);
  } else if constexpr (std::is_same_v<M, EntryRepairRequest>) {
    on_entry_repair_request(from, m);
  } else if constexpr (std::is_same_v<M, EntryRepairReply>) {
    on_entry_repair_reply(m);
  } else if constexpr (std::is_same_v<M, LeaderCheckMessage>) {
    const Replica* r = find(m.group);
    transmit(from, r == nullptr ? LeaderCheckReply{m.group, false} : rules::on_leader_check(*r, *this, m));
  } else {
    Replica* r = find(m.group);
    if (r == nullptr) return;
    // The receiver's side of the entry checksums: an entry that fails its own (rot its sender
    // did not check) is never stored; the message is dropped, as a damaged one would be. Only
    // log rot makes rotten entries, so runs without it skip the look.
    if (cluster_.integrity.log_rot && carries_rot(m)) {
      ++cluster_.integrity.rotten_entries_dropped;
      return;
    }
    // An entry in a log format this node's build cannot read: a parse error, the message lost.
    if (cluster_.log_formats_vary && newest_format(m) > build_.reads_format()) {
      ++cluster_.parse_errors;
      return;
    }
    if constexpr (std::is_same_v<M, AcceptMessage>) rules::on_accept(*r, *this, m, from);
    else if constexpr (std::is_same_v<M, AcceptedMessage>) rules::on_accepted(*r, *this, m, from);
    else if constexpr (std::is_same_v<M, PrepareMessage>) transmit(from, rules::on_prepare(*r, *this, m, from));
    else if constexpr (std::is_same_v<M, PromiseMessage>) rules::on_promise(*r, *this, m, from);
    else if constexpr (std::is_same_v<M, LeaderCheckReply>) rules::on_leader_check_reply(*r, *this, m);
    else if constexpr (std::is_same_v<M, CatchUpRequest>) rules::on_catch_up_request(*r, *this, m, from);
    else if constexpr (std::is_same_v<M, CatchUpMessage>) rules::on_catch_up(*r, *this, m, from);
    else if constexpr (std::is_same_v<M, ReplicaReadyMessage>) rules::on_replica_ready(*r, *this, m, from);
    else if constexpr (std::is_same_v<M, SnapshotInstalledMessage>) rules::on_snapshot_installed(*r, *this, m, from);
    else if constexpr (std::is_same_v<M, ReplicaDamagedMessage>) rules::on_replica_damaged(*r, *this, from);
    else if constexpr (std::is_same_v<M, LeadershipTransferMessage>) {
      if (r->may_lead(self()) && r->v.role == Role::follower && !r->v.election) ++stats_.elections_by_handoff;
      rules::on_leadership_transfer(*r, *this, m, from);
    } else static_assert(sizeof(M) == 0, "a message nobody receives");
  }
}

// Entry repair is sent from integrity.cpp.
template void StorageNode::transmit<EntryRepairRequest>(sim::NodeId, EntryRepairRequest);
template void StorageNode::transmit<EntryRepairReply>(sim::NodeId, EntryRepairReply);

Links::Lookup StorageNode::lookup() {
  return [this](GroupId group, std::uint32_t hint) { return find(group, hint); };
}

void StorageNode::send_heartbeat(sim::NodeId peer) {
  ++stats_.heartbeats_sent;
  transmit(peer, links_.heartbeat_for(peer, now(), lookup()));
}

void StorageNode::touch(GroupId group) {
  const auto at = std::lower_bound(attention_.begin(), attention_.end(), group);
  if (at == attention_.end() || *at != group) attention_.insert(at, group);
}

void StorageNode::roles_changed(Replica& r) {
  links_.relink(r, self(), rules::replication_targets(r, self()));
  touch(r.group);
}

void StorageNode::owe_items(const Replica& r, const NodeList& peers, bool soon) {
  links_.owe_items(r, peers);
  if (soon)
    for (sim::NodeId peer : peers) send_heartbeat(peer);
}

// ---------------------------------------------------------------------------------------------
// The disk, timers and randomness

std::uint64_t StorageNode::random_below(std::uint64_t n) { return rng().below(n); }

namespace {

// A follower's answer held back until its write lands, as it stood when the write was handed to
// the disk. Lost if the replica that made it was dropped in the meantime (a later replica of the
// group on the sender has another serial), as the event at the landing would have been; and lost
// if the replica follows another ballot by now: a newer leader's accepts may have rewritten the
// slots it names under a later write, so they are not on disk as it says (found by a review's
// slow-disk sweep: the old leader committed on one copy). Dropping a still-true answer only
// waits for the next heartbeat's.
struct AcceptedOnLanding {
  StorageNode* target;
  const StorageNode* sender;
  std::uint64_t serial;
  AcceptedMessage message;
  void operator()() {
    const Replica* made_by = sender->find(message.group);
    if (made_by == nullptr || made_by->serial != serial || made_by->v.leader_ballot != message.ballot) return;
    target->receive(sender->id(), message);
  }
  void describe(std::string& out) const { Delivery<AcceptedMessage>{target, sender->id(), message}.describe(out); }
};

}  // namespace

void StorageNode::persist(Replica& r) {
  const sim::Time now = kernel().now();
  // The log device completes writes in order (group commit), each after its own latency.
  sim::Time done = now + spec_.wal_persist.sample(rng());
  if (done < disk_free_at_) done = disk_free_at_;
  disk_free_at_ = done;
  const GroupId group = r.group;
  const std::uint64_t serial = r.serial;
  const std::uint64_t write = r.d.log.newest_write();
  if (const std::optional<AcceptedMessage> answer = rules::accepted_once_written(r, *this)) {
    // A follower: at the landing nothing happens but its answer, so no event runs then.
    r.d.log.hand(write, done);
    network().send_at(*this, done, r.v.leader_node, cluster_.kinds.accepted,
                      AcceptedOnLanding{cluster_.node(r.v.leader_node), this, serial, *answer});
    return;
  }
  after(done - now, cluster_.kinds.disk, [this, group, serial, write] {
    Replica* replica = find(group);
    if (replica == nullptr || replica->serial != serial) return;
    rules::on_written(*replica, *this, write);
    if (cluster_.bug == PlantedBug::ack_before_quorum && replica->v.role == Role::leader)
      acknowledge_writes(*replica, replica->d.applied + 1, replica->d.log.persisted());  // the planted bug
  });
}

void StorageNode::apply_when_landed(const Replica& r) {
  const sim::Time lands = r.d.log.last_landing();
  auto [at, added] = landing_wakes_.try_emplace(r.group, lands);
  if (!added && at->second >= lands) return;
  at->second = lands;
  const GroupId group = r.group;
  const std::uint64_t serial = r.serial;
  after_true(std::max(lands - kernel().now(), sim::Duration::zero()), cluster_.kinds.disk, [this, group, serial, lands] {
    if (const auto wake = landing_wakes_.find(group); wake != landing_wakes_.end() && wake->second == lands)
      landing_wakes_.erase(wake);
    Replica* replica = find(group);
    if (replica != nullptr && replica->serial == serial) rules::apply(*replica, *this);
  });
}

void StorageNode::start_timer(const Replica& r, TimerKind kind, sim::Duration delay, std::uint64_t token) {
  const GroupId group = r.group;
  const std::uint64_t serial = r.serial;
  after(delay, cluster_.kinds.timers[static_cast<std::size_t>(kind)], [this, group, serial, kind, token] {
    Replica* replica = find(group);
    if (replica != nullptr && replica->serial == serial) rules::on_timer(*replica, *this, kind, token);
  });
}

// ---------------------------------------------------------------------------------------------
// What the rules report

void StorageNode::applied(Replica& r, Slot from, Slot to) {
  // The other side of the parse check: receivers drop what their build cannot read, and a node
  // starts only on a build that reads its log, so nothing applied here is of a newer format.
  if (cluster_.log_formats_vary)
    for (Slot slot = std::max(from, r.d.log.start()); slot <= std::min(to, r.d.log.last()); ++slot)
      SIM_ASSERT_OP(r.d.log.at(slot).format, <=, build_.reads_format());
  if (r.v.role != Role::leader) return;
  acknowledge_writes(r, from, to);
  for (Slot slot = from; slot <= to; ++slot) {
    if (r.d.log.at(slot).kind != EntryKind::config) continue;
    // The leader publishes every membership change to the metadata table and MemDS.
    if (cluster_.directory.update(r.group, r.d.membership) && cluster_.publish) cluster_.publish(*this, r.group);
    cluster_.health.healthy_changed(r.group, kernel().now(), healthy_members(r.d.membership));
  }
}

void StorageNode::serving_changed(Replica& r, bool serving) {
  if (r.service.counted_serving == serving) return;
  r.service.counted_serving = serving;
  cluster_.health.serving_changed(r.group, kernel().now(), serving ? 1 : -1);
  if (!serving) return;
  if (cluster_.directory.set_leader(r.group, self()) && cluster_.publish) cluster_.publish(*this, r.group);
  if (r.v.transferred_from != kNoNode) {
    if (cluster_.on_move) cluster_.on_move(r.group, r.v.transferred_from, self(), MoveStep::serving);
    r.v.transferred_from = kNoNode;
  }
}

void StorageNode::leadership_ended(Replica& r) { fail_writes(r.group); }

void StorageNode::election_started(const Replica& r) { cluster_.health.election_started(r.group); }

void StorageNode::election_won(const Replica& r) {
  cluster_.health.election_won(r.group);
  if (r.d.damaged) damaged_leader(r);  // elected as the last resort
}

void StorageNode::replacement_done(const Replica& r, const Change& change) {
  const sim::Duration since = kernel().now() - change.detected;
  if (change.kind == Change::Kind::heal && !change.storage) cluster_.health.log_replica_added(since);
  else if (change.kind != Change::Kind::move && change.storage) cluster_.health.storage_replica_built(since);
  // A damaged replica replaced: repaired.
  for (verification::Damage& damage : cluster_.integrity.damages)
    if (damage.group == r.group && damage.node == change.replaced && !damage.repaired) {
      damage.repaired = true;
      damage.repaired_at = kernel().now();
    }
}

void StorageNode::handed_off(const Replica& r, sim::NodeId to) {
  ++stats_.leaderships_handed_off;
  if (draining_) drain_handoffs_.push_back(r.group);
  if (cluster_.on_move) cluster_.on_move(r.group, self(), to, MoveStep::handed_off);
}

// ---------------------------------------------------------------------------------------------
// Time and power

void StorageNode::tick() {
  const sim::Time now = this->now();
  // One heartbeat to each peer this node leads groups with: every lease it holds is renewed.
  for (sim::NodeId peer : links_.heartbeat_peers()) send_heartbeat(peer);
  // Then only the groups that changed since the last tick, or whose peer went quiet.
  std::vector<GroupId> quiet;
  links_.quiet_groups(now, spec_.election_timeout(), quiet);
  for (GroupId g : quiet) touch(g);
  looking_.swap(attention_);
  attention_.clear();
  for (GroupId g : looking_)
    if (Replica* r = find(g); r != nullptr && rules::on_tick(*r, *this)) touch(g);
  looking_.clear();
  after(spec_.heartbeat_interval, cluster_.kinds.tick, [this] { tick(); });
}

void StorageNode::on_power_off() {
  const sim::Time now = kernel().now();
  std::vector<Replica*> all;
  for (const auto& [group, local] : index_) all.push_back(replicas_[local].get());
  links_.restart(++incarnation_, all);  // before the replicas forget which leader they followed
  attention_.clear();
  draining_ = false;
  if (membership_ != nullptr) membership_->powered_off();
  drain_handoffs_.clear();
  for (const auto& [group, local] : index_) {
    Replica& r = *replicas_[local];
    // Its leadership and lease are volatile: it can serve nothing under them again (its peers
    // learn of the power cycle from its next heartbeat and drop what they granted it), so for the
    // lease monitor the lease ends here (review: sub-lease restarts were reported as overlaps).
    if (r.v.role == Role::leader && cluster_.observer != nullptr) cluster_.observer->released(self(), r);
    serving_changed(r, false);
    r.restart(now);  // what was not on disk is gone; the rest of the volatile state with it
  }
  requests_.clear();
  pending_writes_.clear();
  admission_.forget_unreported();
  reported_sizes_.clear();
  placement_.reset();
  asked_.clear();
  disk_free_at_ = now;
  landing_wakes_.clear();
  for (const auto& [group, local] : index_)
    if (cluster_.directory.membership(group).contains(self()))
      cluster_.health.healthy_changed(group, now, healthy_members(cluster_.directory.membership(group)));
}

void StorageNode::on_power_on() {
  const sim::Time now = kernel().now();
  for (const auto& [group, local] : index_) {
    Replica& r = *replicas_[local];
    r.v.leader_contact = this->now();
    r.service.buckets = admission_.make_buckets(r.group, r.table, now);
    // A replica that a committed change removed (a leader that lost power before handing off).
    drop_soon(r);
    touch(group);  // it follows nobody now: it waits for a leader, or elects
    if (cluster_.directory.membership(group).contains(self()))
      cluster_.health.healthy_changed(group, now, healthy_members(cluster_.directory.membership(group)));
  }
  start();
  if (membership_ != nullptr) membership_->powered_on();
}

}  // namespace models::replication
