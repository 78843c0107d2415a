// Building, placing, running and healing one simulation.
#include "models/simulation.h"

#include "models/archive/lag.h"
#include "models/verification/scrub.h"

#include <algorithm>

namespace models {

Simulation::Simulation(const Scenario& scenario, std::uint64_t seed, TestHooks hooks)
    : scenario_(scenario),
      seed_(seed),
      kernel_(seed),
      network_(kernel_, scenario.network),
      kinds_(kernel_),
      metrics_(scenario.azs.size(), scenario.tables.size(), scenario.duration),
      faults_(kernel_, network_),
      cluster_(kernel_, scenario, hooks.planted_bug),
      routing_kinds_(kernel_),
      timeline_(scenario.tables.size()) {
  if (hooks.event_slot_limit != 0) kernel_.set_slot_limit(hooks.event_slot_limit);
  monitor_ = std::make_unique<monitors::SafetyMonitor>([this] { return kernel_.now(); }, monitor_world(),
                                                     hooks.monitors_record_only);
  cluster_.observer = monitor_.get();
  for (const AzSpec& az : scenario.azs) network_.add_az(az.name);
  for (std::size_t a = 0; a < scenario.azs.size(); ++a)
    for (std::uint32_t i = 0; i < scenario.azs[a].storage_nodes; ++i)
      storage_.push_back(std::make_unique<replication::StorageNode>(
          network_, node_name(scenario.azs[a].name, "storage", i), static_cast<sim::AzId>(a), cluster_, kinds_));
  if (scenario.clocks.any())
    for (const auto& node : storage_) {
      // Each clock from a stream of its own: the draws of one node do not move another's.
      sim::Rng& rng = kernel_.stream("clock/" + node->name());
      const sim::Duration skew = sim::Duration::from_nanos(rng.uniform_int(0, scenario.clocks.skew.nanos()));
      node->clock().start(skew, rng.uniform_int(-scenario.clocks.drift_ppm, scenario.clocks.drift_ppm));
    }
  for (std::size_t t = 0; t < scenario.tables.size(); ++t)
    partitions_.add_table(static_cast<std::uint32_t>(t), scenario.tables[t].partitions);
  build_routing();
  build_archive();
  build_scrub();

  for (const RouterPlace& r : scenario.router_places())
    routers_.push_back(std::make_unique<Router>(network_, node_name(scenario.azs[r.az].name, "router", r.index),
                                                static_cast<sim::AzId>(r.az), r.endpoint, scenario, kinds_, cluster_,
                                                routing_kinds_, fleet_, timeline_));
  for (const auto& router : routers_) router_list_.push_back(router.get());

  std::uint32_t client_total = 0;
  for (const AzSpec& az : scenario.azs) client_total += az.clients;
  record_history_ = hooks.record_history;
  std::vector<HistoryEntry>* history = record_history_ ? &history_ : nullptr;  // every run is judged
  // Room for what the workload can issue: no doubling copies (reserved pages cost nothing unwritten).
  if (history != nullptr) history->reserve(static_cast<std::size_t>(std::min(peak_operations(scenario) * 1.05 + 1024.0, double{1 << 24})));
  for (const WorkloadSpec& w : scenario.workload)
    samplers_.emplace_back(w.keys, w.table_index, scenario.tables[w.table_index].items);
  std::uint32_t client_number = 0;
  for (std::size_t a = 0; a < scenario.azs.size(); ++a)
    for (std::uint32_t i = 0; i < scenario.azs[a].clients; ++i)
      clients_.push_back(std::make_unique<Client>(network_, node_name(scenario.azs[a].name, "client", i),
                                                  static_cast<sim::AzId>(a), client_number++, scenario,
                                                  ClientKind{"client", &scenario.workload, &scenario.client}, kinds_,
                                                  router_list_, metrics_, timeline_, history, 1.0 / client_total,
                                                  samplers_));

  cluster_.storage_by_node.assign(network_.node_count(), nullptr);
  for (const auto& node : storage_) cluster_.storage_by_node[node->id()] = node.get();
  place_groups();
  // Autoadmin placed the replicas; from here on it knows the fleet only from its reports.
  autoadmin_ = std::make_unique<control::Autoadmin>(network_, node_name(scenario.azs[0].name, "autoadmin", 0), 0,
                                                    scenario, cluster_);
  cluster_.autoadmin = autoadmin_.get();
  autoadmin_->start();
  // The route servers start with the current map and the routers with warm caches: the service
  // has been running for a long time before the run's first second.
  const std::vector<std::size_t> per_table = routing::RoutingFleet::groups_per_table(cluster_.directory);
  for (std::uint32_t table = 0; table < per_table.size(); ++table) {
    for (const auto& node : metadata_) node->reserve_ranges(table, per_table[table]);
    for (const auto& node : memds_) node->reserve_ranges(table, per_table[table]);
  }
  for (replication::GroupId group = 0; group < partitions_.size(); ++group) {
    const routing::Route route = routing::RoutingFleet::route_of(cluster_.directory, group);
    for (const auto& node : metadata_) node->publish(route);
    for (const auto& node : memds_) node->publish(route);
  }
  for (const auto& router : routers_) router->warm_cache();
  build_admission();
  build_partitioning();
  build_balancing();
  cluster_.publish = [this](const sim::Node& from, replication::GroupId group) {
    fleet_.publish(from, cluster_.directory, group, network_, routing_kinds_);
  };
  faults_.set_node_adder([this](std::string_view role, std::uint32_t count) {
    SIM_ASSERT(role == "router");
    add_routers(count);
  });

  build_ops(client_number);  // after the rest: every other node keeps the id it has without canaries
  build_membership();        // last, for the same reason

  for (const auto& node : storage_) node->start();
  faults_.set_placement_resolver([this](std::string_view role, std::string_view table, std::uint64_t key) {
    return placement(role, table, key);
  });
  for (const auto& fault : scenario.faults) fault->schedule(faults_);
  for (const auto& client : clients_) client->start(workload_end());
}

Simulation::~Simulation() = default;

void Simulation::build_routing() {
  const std::size_t groups = partitions_.size();
  for (std::uint32_t i = 0; i < scenario_.metadata.nodes; ++i) {
    const std::size_t az = i % scenario_.azs.size();
    metadata_.push_back(std::make_unique<routing::MetadataNode>(
        network_, node_name(scenario_.azs[az].name, "metadata", i / static_cast<std::uint32_t>(scenario_.azs.size())),
        static_cast<sim::AzId>(az), scenario_.metadata, routing_kinds_, groups, timeline_));
    fleet_.metadata.push_back(metadata_.back().get());
  }
  fleet_.memds_by_az.resize(scenario_.azs.size());
  for (std::size_t az = 0; az < scenario_.azs.size(); ++az)
    for (std::uint32_t i = 0; i < scenario_.memds.nodes_per_az; ++i) {
      memds_.push_back(std::make_unique<routing::MemdsNode>(network_, node_name(scenario_.azs[az].name, "memds", i),
                                                            static_cast<sim::AzId>(az), scenario_.memds, routing_kinds_,
                                                            groups, timeline_));
      fleet_.memds.push_back(memds_.back().get());
      fleet_.memds_by_az[az].push_back(memds_.back().get());
    }
  for (const auto& node : memds_) {
    node->set_peers(fleet_.memds);
    node->set_metadata({fleet_.metadata.begin(), fleet_.metadata.end()});
  }
}

void Simulation::build_archive() {
  if (!scenario_.archive.enabled) return;
  archive_ = std::make_unique<archive::ArchiveService>(kernel_, scenario_.archive);
  archive_->nodes_by_az.resize(scenario_.azs.size());
  for (std::size_t az = 0; az < scenario_.azs.size(); ++az)
    for (std::uint32_t i = 0; i < scenario_.archive.s3.nodes_per_az; ++i) {
      s3_.push_back(std::make_unique<archive::S3Node>(network_, node_name(scenario_.azs[az].name, "s3", i),
                                                      static_cast<sim::AzId>(az), scenario_.archive.s3,
                                                      archive_->kinds, archive_->bucket, archive_->stats));
      archive_->nodes_by_az[az].push_back(s3_.back().get());
    }
  cluster_.archive = archive_.get();
  archive_->bucket.report_to(&cluster_.integrity);
  archive_actor_ = kernel_.register_actor("archive");
  kernel_.after(scenario_.archive.interval, sim::Tag{archive_actor_, archive_->kinds.sample}, [this] { sample_archive(); });
}

void Simulation::build_scrub() {
  if (!scenario_.scrub.enabled) return;
  // Groups made later are split children: their archive starts without the items they inherited.
  const auto first_split_child = static_cast<replication::GroupId>(partitions_.size());
  verifier_ = std::make_unique<verification::ScrubVerifier>(
      network_, node_name(scenario_.azs[0].name, "verifier", 0), 0, scenario_.scrub, archive_.get(), first_split_child,
      cluster_.integrity,
      [this](sim::NodeId node, replication::GroupId group, std::uint64_t serial, verification::Detection how) {
        if (replication::StorageNode* storage = cluster_.node(node)) storage->on_damage_notice(group, serial, how);
      },
      cluster_.bug, scenario_.replication.keep_item_history);
  cluster_.verifier = verifier_.get();
}

void Simulation::sample_archive() {
  std::vector<const replication::Replica*> replicas;
  for (const auto& node : storage_)
    for (const replication::Replica* r : node->replicas()) replicas.push_back(r);
  const std::uint64_t at_risk = archive::sample_lag(*archive_, replicas, scenario_);
  archive_->at_risk_bytes_max = std::max(archive_->at_risk_bytes_max, at_risk);
  archive_->at_risk_bytes_end = at_risk;
  kernel_.after(scenario_.archive.interval, sim::Tag{archive_actor_, archive_->kinds.sample}, [this] { sample_archive(); });
}

void Simulation::build_ops(std::uint32_t first_client_number) {
  if (!scenario_.canaries.enabled && scenario_.alarms.empty() && scenario_.deployments.empty()) return;
  watch_ = std::make_unique<ops::Watch>(kernel_, scenario_);
  for (const auto& client : clients_) client->report_to(watch_.get());
  if (!scenario_.deployments.empty()) build_deployer();
  if (!scenario_.canaries.enabled) return;
  const CanarySpec& c = scenario_.canaries;
  WorkloadSpec w;
  w.table = c.table;
  w.table_index = c.table_index;
  w.rate_per_s = c.rate_per_az;
  w.mix = c.mix;
  canary_samplers_.emplace_back(w.keys, w.table_index, scenario_.tables[w.table_index].items);
  for (std::uint32_t e = 0; e < scenario_.endpoints.size(); ++e) {
    w.endpoint = e;
    canary_workloads_.push_back({w});  // all of them before any canary points at one
  }
  canary_metrics_.emplace(scenario_.azs.size(), scenario_.tables.size(), scenario_.duration);
  canary_timeline_.emplace(scenario_.tables.size());
  std::uint32_t number = first_client_number;
  for (std::uint32_t e = 0; e < scenario_.endpoints.size(); ++e)
    for (std::size_t a = 0; a < scenario_.azs.size(); ++a) {
      // A canary calls its own AZ's routers of its endpoint.
      if (scenario_.routers_of(e, static_cast<std::uint32_t>(a)) == 0) continue;
      clients_.push_back(std::make_unique<Client>(network_, node_name(scenario_.azs[a].name, "canary", e),
                                                  static_cast<sim::AzId>(a), number++, scenario_,
                                                  ClientKind{"canary", &canary_workloads_[e], &c.client, true}, kinds_,
                                                  router_list_, *canary_metrics_, *canary_timeline_, record_history_ ? &history_ : nullptr, 1.0,
                                                  canary_samplers_));
      clients_.back()->report_to(watch_.get());
    }
}

void Simulation::build_membership() {
  const MembershipSpec& spec = scenario_.membership;
  if (!spec.enabled) return;
  membership_ = std::make_unique<control::MembershipService>(kernel_, spec);
  control::MembershipService& m = *membership_;
  for (std::uint32_t i = 0; i < spec.cells; ++i) {
    const auto az = static_cast<sim::AzId>(i % scenario_.azs.size());
    m.cells.push_back(std::make_unique<control::MembershipCell>(
        network_, node_name(scenario_.azs[az].name, "cell", i / static_cast<std::uint32_t>(scenario_.azs.size())), az, spec,
        m.kinds, m.stats));
  }
  for (std::size_t n = 0; n < storage_.size(); ++n) {
    m.agents.push_back(std::make_unique<control::MembershipAgent>(*storage_[n], m, *m.cells[n % m.cells.size()]));
    storage_[n]->attach_membership(m.agents.back().get());
    m.agents.back()->begin();
  }
}

ops::Deployable Simulation::deployable(Router& router) {
  Router* r = &router;
  return ops::Deployable{r, &r->build(), [r] { r->set_in_service(false); }, {}, [r] { r->set_in_service(true); }, {}};
}

void Simulation::build_deployer() {
  std::vector<std::vector<ops::Deployable>> fleets(DeploymentSpec::kRoles);
  for (const auto& node : storage_) {
    replication::StorageNode* storage = node.get();
    fleets[static_cast<std::size_t>(DeploymentSpec::Role::storage)].push_back(
        ops::Deployable{storage, &storage->build(), [storage] { storage->drain(); },
                        [storage] { return storage->drained(); }, [storage] { storage->undrain(); },
                        [storage](const BuildSpec* build) { return storage->reads_logs(build); }});
  }
  for (const auto& node : routers_) fleets[static_cast<std::size_t>(DeploymentSpec::Role::router)].push_back(deployable(*node));
  // MemDS and GAC nodes just restart: a MemDS node copies the map from a peer before it answers
  // again, and a GAC server starts with no router's demand.
  for (const auto& node : memds_)
    fleets[static_cast<std::size_t>(DeploymentSpec::Role::memds)].push_back(ops::Deployable{node.get(), &node->build(), {}, {}, {}, {}});
  for (const auto& node : gac_servers_)
    fleets[static_cast<std::size_t>(DeploymentSpec::Role::gac)].push_back(ops::Deployable{node.get(), &node->build(), {}, {}, {}, {}});
  for (const DeploymentSpec& d : scenario_.deployments)
    cluster_.log_formats_vary |= d.build.reads_format != 1 || d.build.writes_format != 1;
  deployer_ = std::make_unique<ops::Deployer>(kernel_, faults_, scenario_, std::move(fleets), *watch_);
}

void Simulation::build_admission() {
  bool provisioned = false;
  for (const TableSpec& t : scenario_.tables) provisioned |= t.capacity.mode == TableCapacity::Mode::provisioned;
  if (!provisioned) return;
  if (scenario_.admission.mode == AdmissionSpec::Mode::gac) {
    gac_kinds_.emplace(kernel_);
    for (std::uint32_t i = 0; i < scenario_.admission.gac.servers; ++i) {
      const std::size_t az = i % scenario_.azs.size();
      gac_servers_.push_back(std::make_unique<admission::GacServer>(
          network_, node_name(scenario_.azs[az].name, "gac", i / static_cast<std::uint32_t>(scenario_.azs.size())),
          static_cast<sim::AzId>(az), scenario_));
      gac_ring_.add(gac_servers_.back().get());
    }
    for (const auto& router : routers_) {
      router->enable_gac(*gac_kinds_, gac_ring_);
      router->warm_gac(routers_.size());
    }
  }
  if (scenario_.admission.mode == AdmissionSpec::Mode::adaptive) {
    std::vector<std::vector<std::uint32_t>> groups(scenario_.tables.size());
    for (replication::GroupId g = 0; g < partitions_.size(); ++g) groups[partitions_.partition(g).table].push_back(g);
    adaptive_ = std::make_unique<admission::AdaptiveController>(network_, node_name(scenario_.azs[0].name, "adaptive", 0),
                                                                0, scenario_, cluster_.shares, autoadmin_->view(),
                                                                std::move(groups));
    adaptive_->start();
  }
}

void Simulation::build_partitioning() {
  if (!scenario_.partitioning.enabled) return;
  splitter_ = std::make_unique<partitioning::SplitController>(network_, node_name(scenario_.azs[0].name, "splitter", 0), 0,
                                                              scenario_, cluster_, autoadmin_->view());
  cluster_.on_split = [this](const sim::Node& from, replication::GroupId parent, replication::GroupId child,
                             std::uint64_t low, std::uint64_t high) {
    if (cluster_.directory.exists(child)) return;
    const sim::Time now = kernel_.now();
    const std::uint32_t table = cluster_.directory.table_of(parent);
    splitter_->completed(parent, child, low, high);
    partitions_.split(parent, child, low);
    const replication::Membership members = cluster_.directory.membership(parent);  // a copy: add_group may grow
    monitor_->group_created(child, members, parent);
    // No leader yet: the child's first serving leader sets it, and that change is published.
    cluster_.directory.add_group(child, table, members, replication::kNoNode, low, high);
    cluster_.directory.narrow(parent, low - 1);
    cluster_.health.add_group_at(child, now, cluster_.health.group(parent).healthy_members, false);
    cluster_.shares.add_partition(child);
    const admission::Share share = cluster_.shares.after_split(table, cluster_.shares.get(parent));
    cluster_.shares.set(parent, share);
    cluster_.shares.set(child, share);
    if (cluster_.ledger.tracked(parent)) cluster_.ledger.track(child, table, workload_end());
    if (adaptive_) adaptive_->add_partition(table, child);
    if (cluster_.publish) {
      cluster_.publish(from, parent);
      cluster_.publish(from, child);
    }
  };
  splitter_->start();
}

void Simulation::build_balancing() {
  if (!scenario_.balancing.enabled) return;
  balancer_ = std::make_unique<partitioning::Balancer>(network_, node_name(scenario_.azs[0].name, "balancer", 0), 0,
                                                       scenario_, cluster_, *autoadmin_);
  cluster_.on_move = [this](replication::GroupId group, sim::NodeId from, sim::NodeId to, replication::MoveStep step) {
    balancer_->moved(group, from, to, step);
  };
  balancer_->start();
}

void Simulation::add_routers(std::uint32_t count) {
  std::vector<std::size_t> azs;
  for (std::size_t a = 0; a < scenario_.azs.size(); ++a)
    if (scenario_.azs[a].routers > 0) azs.push_back(a);
  SIM_ASSERT(!azs.empty());
  std::vector<std::uint32_t> per_az(scenario_.azs.size(), 0);
  for (const auto& router : routers_) ++per_az[router->az()];
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t az = azs[i % azs.size()];
    routers_.push_back(std::make_unique<Router>(network_, node_name(scenario_.azs[az].name, "router", per_az[az]++),
                                                static_cast<sim::AzId>(az), 0, scenario_, kinds_, cluster_,
                                                routing_kinds_, fleet_, timeline_));
    if (gac_kinds_) routers_.back()->enable_gac(*gac_kinds_, gac_ring_);  // cold: no grant yet
    router_list_.push_back(routers_.back().get());  // clients see it from their next request on
    // Deployments that start from now on ship to it too.
    if (deployer_) deployer_->add(DeploymentSpec::Role::router, deployable(*routers_.back()));
  }
}

std::vector<sim::Node*> Simulation::placement(std::string_view role, std::string_view table_name, std::uint64_t key) const {
  std::uint32_t table = 0;
  while (table < scenario_.tables.size() && scenario_.tables[table].name != table_name) ++table;
  SIM_ASSERT_OP(table, <, scenario_.tables.size());
  const replication::GroupId group = partitions_.partition_of(table, key);
  const replication::Membership& members = cluster_.directory.membership(group);
  // The leader is the member whose replica leads under the highest ballot right now.
  sim::NodeId leader = replication::kNoNode;
  replication::Ballot best;
  for (sim::NodeId member : members.nodes) {
    const replication::Replica* replica = member == replication::kNoNode ? nullptr : cluster_.node(member)->find(group);
    if (replica != nullptr && replica->v.role == replication::Role::leader && replica->v.leader_ballot > best) {
      best = replica->v.leader_ballot;
      leader = member;
    }
  }
  // With no leader, the first member stands for it.
  const sim::NodeId stand_in = leader == replication::kNoNode ? members.nodes[0] : leader;
  if (role == "leader_of") return {cluster_.node(stand_in)};
  std::vector<sim::Node*> followers;
  for (sim::NodeId member : members.nodes)
    if (member != (role == "follower_of" ? leader : stand_in) && member != replication::kNoNode)
      followers.push_back(cluster_.node(member));
  if (role == "follower_of") followers.resize(std::min<std::size_t>(followers.size(), 1));
  return followers;
}

RunOutcome Simulation::run() {
  // After the workload stops, operations still in flight get their full retry budget.
  const sim::Time drained = workload_end() + scenario_.client.operation_time_max() + sim::seconds(1);
  RunOutcome outcome;
  try {
    outcome.status = kernel_.run_until(drained);
    if (!outcome.complete()) return outcome;
    // Then every fault ends and the groups get time to catch up and heal before the checkers
    // read the replicas.
    if (deployer_) deployer_->finish();  // what runs which build when the workload ends
    faults_.end_all();
    outcome.status = kernel_.run_until(drained + scenario_.replication.final_heal);
  } catch (const monitors::SafetyViolation&) {
    // The event that broke the rule was cut short: nothing after it is trustworthy.
    outcome.status = sim::RunStatus::stopped;
    outcome.safety_violation = true;
    cluster_.health.settle(kernel_.now());
    return outcome;
  } catch (const sim::OutOfEventSlots&) {
    // A resource of the simulator, not of the service, ran out: the run ends here, judged as
    // incomplete.
    outcome.status = sim::RunStatus::out_of_slots;
    cluster_.health.settle(kernel_.now());
    return outcome;
  }
  cluster_.health.settle(kernel_.now());
  if (outcome.complete()) {
    std::vector<replication::GroupId> groups;
    for (replication::GroupId g = 0; g < cluster_.directory.size(); ++g)
      if (cluster_.directory.exists(g)) groups.push_back(g);
    monitor_->at_end(groups);
  }
  return outcome;
}

monitors::World Simulation::monitor_world() {
  monitors::World world;
  world.replica = [this](sim::NodeId node, replication::GroupId group) -> const replication::Replica* {
    const replication::StorageNode* storage = cluster_.node(node);
    return storage == nullptr ? nullptr : storage->find(group);
  };
  world.nodes.name = [this](sim::NodeId node) { return network_.node(node).name(); };
  world.nodes.az = [this](sim::NodeId node) { return network_.node(node).az(); };
  world.nodes.powered = [this](sim::NodeId node) { return network_.node(node).powered(); };
  world.all_replicas = [this] {
    std::vector<monitors::PlacedReplica> all;
    std::size_t count = 0;
    for (const auto& node : storage_) count += node->replica_count();
    all.reserve(count);  // a region's three million, without the copies of doubling
    sim::NodeId previous = 0;
    for (const auto& node : storage_) {
      SIM_ASSERT(all.empty() || node->id() > previous);
      previous = node->id();
      for (const replication::Replica* replica : node->replicas()) all.push_back({node->id(), replica});
    }
    // By group, then node: a node holds one replica of a group (StorageNode::host asserts it), and storage nodes' ids grow in the
    // order of storage_, so this is the order a stable sort by group gives, sorted in place
    // (a stable sort's buffer would be another copy of the whole list).
    std::sort(all.begin(), all.end(), [](const monitors::PlacedReplica& a, const monitors::PlacedReplica& b) {
      return std::pair(a.replica->group, a.node) < std::pair(b.replica->group, b.node);
    });
    return all;
  };
  world.true_time = [this](sim::NodeId node, sim::Time local) {
    return network_.node(node).clock().true_time_of(local, kernel_.now());
  };
  world.granted = [this](sim::NodeId grantor, sim::NodeId grantee) {
    const replication::StorageNode* storage = cluster_.node(grantor);
    return storage == nullptr ? sim::Time::zero() : storage->lease_granted_to(grantee);
  };
  return world;
}

void Simulation::set_tracer(sim::Tracer* tracer) {
  kernel_.set_tracer(tracer);
  if (tracer != nullptr) tracer->set_counter_source([this](const sim::Tracer::CounterEmit& emit) { sample_counters(emit); });
}

void Simulation::sample_counters(const sim::Tracer::CounterEmit& emit) const {
  for (const auto& node : storage_) {
    emit(node->name(), "request queue", static_cast<double>(node->request_queue_depth()));
    if (archive_ == nullptr) continue;
    std::uint64_t bytes = 0;
    for (const replication::Replica* r : node->replicas()) bytes += archive::unarchived_bytes(*archive_, *r, scenario_);
    emit(node->name(), "unarchived bytes", static_cast<double>(bytes));
  }
  for (const auto& server : memds_) emit(server->name(), "lookup queue", static_cast<double>(server->depth()));
  for (const auto& server : metadata_) emit(server->name(), "lookup queue", static_cast<double>(server->depth()));
}

std::size_t Simulation::operations_in_flight() const {
  std::size_t total = 0;
  for (const auto& client : clients_) total += client->operations_in_flight();
  return total;
}

std::size_t Simulation::replica_count() const {
  std::size_t total = 0;
  for (const auto& node : storage_) total += node->replica_count();
  return total;
}

FinalState Simulation::final_state() const {
  FinalState state;
  state.write_quorum = replication::Membership::quorum();
  state.newest_only = !scenario_.replication.keep_item_history;
  static_assert(replication::Membership::kSize <= StorageMembers::kMax);
  std::size_t replicas = 0;
  for (const auto& node : storage_) replicas += node->replica_count();
  state.replicas.reserve(replicas);  // a region's three million, without the copies of doubling
  for (const auto& node : storage_)
    for (const replication::Replica* replica : node->replicas()) {
      FinalReplica out;
      out.group = replica->group;
      out.node = node->id();
      out.storage = replica->d.storage;
      const replication::Membership& membership = replica->d.membership;
      out.membership_epoch = membership.epoch;
      for (std::size_t i = 0; i < replication::Membership::kSize; ++i)
        if (membership.nodes[i] != replication::kNoNode && membership.is_storage(i))
          out.storage_members.push_back(membership.nodes[i]);
      // The replica's items come in key order (one table per replica): each goes in at the end.
      out.items.reserve(replica->d.items.size());
      for (const auto& [key, versions] : replica->d.items) out.append(replica->table, key, versions);
      state.replicas.push_back(std::move(out));
    }
  std::sort(state.replicas.begin(), state.replicas.end(),
            [](const FinalReplica& a, const FinalReplica& b) { return std::tie(a.group, a.node) < std::tie(b.group, b.node); });
  return state;
}

}  // namespace models
