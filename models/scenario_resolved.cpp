// The scenario as the report records it: every setting with its default filled in.
#include "models/scenario_resolved.h"

#include "sim/config/distribution_reader.h"
#include "sim/config/units.h"

namespace models {

using sim::config::format_duration;
using sim::config::format_size_bytes;
using sim::config::write_duration_distribution;

nlohmann::json resolved_json(const Scenario& s) {
  nlohmann::json out;
  out["name"] = s.name;
  out["description"] = s.description;
  out["seed"] = s.seed;
  out["duration"] = format_duration(s.duration);
  nlohmann::json azs = nlohmann::json::array();
  for (const AzSpec& az : s.azs)
    azs.push_back({{"name", az.name}, {"storage_nodes", az.storage_nodes}, {"routers", az.routers}, {"clients", az.clients}});
  out["topology"] = {{"azs", azs}};
  if (s.endpoints.size() > 1) {  // none beside the regional one: the file as it was before endpoints
    nlohmann::json endpoints = nlohmann::json::array();
    for (std::size_t e = 1; e < s.endpoints.size(); ++e)
      endpoints.push_back({{"name", s.endpoints[e].name}, {"routers_per_az", s.endpoints[e].routers_per_az}});
    out["topology"]["endpoints"] = endpoints;
  }
  for (const auto& [key, link_class] :
       {std::pair{"same_az", sim::LinkClass::same_az}, std::pair{"cross_az", sim::LinkClass::cross_az},
        std::pair{"client_router", sim::LinkClass::client_router}})
    out["network"][key] = {{"latency", write_duration_distribution(s.network.link(link_class).latency)},
                           {"loss", s.network.link(link_class).loss_probability}};
  out["storage"] = {{"read_service", write_duration_distribution(s.storage.read_service)},
                    {"write_service", write_duration_distribution(s.storage.write_service)},
                    {"workers", s.storage.workers},
                    {"queue_limit", s.storage.queue_limit},
                    {"page_checksums", s.storage.page_checksums}};
  out["router"] = {{"processing", write_duration_distribution(s.router.processing)},
                   {"storage_timeout", format_duration(s.router.storage_timeout)}};
  out["client"] = {{"attempt_timeout", format_duration(s.client.attempt_timeout)},
                   {"max_attempts", s.client.max_attempts},
                   {"backoff_base", format_duration(s.client.backoff_base)},
                   {"backoff_max", format_duration(s.client.backoff_max)},
                   {"suspect_router_for", format_duration(s.client.suspect_router_for)}};
  const ReplicationSpec& r = s.replication;
  out["replication"] = {{"heartbeat_interval", format_duration(r.heartbeat_interval)},
                        {"missed_heartbeats", r.missed_heartbeats},
                        {"lease", format_duration(r.lease)},
                        {"confirm_with_peers", r.confirm_with_peers},
                        {"log_replicas", r.log_replicas},
                        {"wal_persist", write_duration_distribution(r.wal_persist)},
                        {"wal_tail", format_size_bytes(r.wal_tail_bytes)},
                        {"copy_rate", format_size_bytes(r.copy_bytes_per_s)},
                        {"log_entries_kept", r.log_entries_kept},
                        {"final_heal", format_duration(r.final_heal)},
                        {"keep_item_history", r.keep_item_history},
                        {"clock_drift_bound_ppm", r.clock_drift_bound_ppm}};
  if (s.clocks.any() || s.clocks.beyond_bound)
    out["clocks"] = {{"skew", format_duration(s.clocks.skew)}, {"drift_ppm", s.clocks.drift_ppm},
                     {"beyond_bound", s.clocks.beyond_bound}};
  if (s.partitioning.enabled)
    out["partitioning"] = {{"size_limit", format_size_bytes(s.partitioning.size_limit)},
                           {"split_for_heat", s.partitioning.split_for_heat},
                           {"heat_threshold", s.partitioning.heat_threshold},
                           {"split_point", s.partitioning.split_point == PartitioningSpec::SplitPoint::observed ? "observed" : "midpoint"},
                           {"check_interval", format_duration(s.partitioning.check_interval)},
                           {"split_duration", format_duration(s.partitioning.split_duration)}};
  if (s.balancing.enabled)
    out["balancing"] = {{"interval", format_duration(s.balancing.interval)},
                        {"threshold", s.balancing.threshold},
                        {"cooldown", format_duration(s.balancing.cooldown)}};
  out["control"] = {{"report_interval", format_duration(s.control.report_interval)},
                    {"silence", format_duration(s.control.silence)}};
  out["routing"] = {{"cache", s.routing.cache == RoutingSpec::Cache::memds ? "memds" : "legacy"},
                    {"cache_ttl", format_duration(s.routing.cache_ttl)},
                    {"lookup_timeout", format_duration(s.routing.lookup_timeout)}};
  out["admission"] = {{"mode", admission_mode_name(s.admission.mode)},
                      {"burst_window", format_duration(s.admission.burst_window)},
                      {"node_rcu", s.admission.node_rcu},
                      {"node_wcu", s.admission.node_wcu},
                      {"partition_rcu", s.admission.partition_rcu},
                      {"partition_wcu", s.admission.partition_wcu},
                      {"adaptive", {{"interval", format_duration(s.admission.adaptive.interval)},
                                    {"boost", s.admission.adaptive.boost}}},
                      {"gac", {{"servers", s.admission.gac.servers},
                               {"refill_interval", format_duration(s.admission.gac.refill_interval)},
                               {"grant_lifetime", format_duration(s.admission.gac.grant_lifetime)},
                               {"timeout", format_duration(s.admission.gac.timeout)}}}};
  auto service = [](const ServiceSpec& spec) {
    return nlohmann::json{{"workers", spec.workers}, {"queue_limit", spec.queue_limit},
                          {"service", write_duration_distribution(spec.service)}};
  };
  out["metadata"] = service(s.metadata);
  out["metadata"]["nodes"] = s.metadata.nodes;
  out["metadata"]["table_fetch_per_partition"] = format_duration(s.metadata.table_fetch_per_partition);
  out["memds"] = service(s.memds);
  out["memds"]["nodes_per_az"] = s.memds.nodes_per_az;
  if (s.archive.enabled) {
    out["archive"] = {{"interval", format_duration(s.archive.interval)}, {"segment", format_size_bytes(s.archive.segment_bytes)}};
    out["archive"]["s3"] = service(s.archive.s3);
    out["archive"]["s3"]["nodes_per_az"] = s.archive.s3.nodes_per_az;
    out["archive"]["s3"]["timeout"] = format_duration(s.archive.s3.timeout);
    out["archive"]["s3"]["transfer_rate"] = format_size_bytes(s.archive.s3.transfer_bytes_per_s);
  }
  if (s.scrub.enabled)
    out["scrub"] = {{"interval", format_duration(s.scrub.interval)},
                    {"reference", s.scrub.reference},
                    {"compare_timeout", format_duration(s.scrub.compare_timeout)},
                    {"reference_timeout", format_duration(s.scrub.reference_timeout)}};
  nlohmann::json tables = nlohmann::json::array();
  for (const TableSpec& t : s.tables)
    tables.push_back({{"name", t.name}, {"partitions", t.partitions}, {"items", t.items},
                      {"item_size", format_size_bytes(t.item_bytes)}, {"size", format_size_bytes(t.size_bytes)},
                      {"capacity", t.capacity.mode == TableCapacity::Mode::unlimited   ? nlohmann::json{{"mode", "unlimited"}}
                                   : t.capacity.mode == TableCapacity::Mode::on_demand ? nlohmann::json{{"mode", "on_demand"}}
                                                                                        : nlohmann::json{{"mode", "provisioned"},
                                                                                                         {"rcu", t.capacity.rcu},
                                                                                                         {"wcu", t.capacity.wcu}}}});
  out["tables"] = tables;
  nlohmann::json workload = nlohmann::json::array();
  for (const WorkloadSpec& w : s.workload) {
    nlohmann::json mix;
    for (std::size_t i = 0; i < kOperationCount; ++i) mix[operation_name(static_cast<Operation>(i))] = w.mix[i];
    const char* shapes[] = {"uniform", "zipf", "hot_set", "sequential"};
    nlohmann::json keys = {{"dist", shapes[static_cast<std::size_t>(w.keys.shape)]}};
    if (w.keys.shape == KeyDistribution::Shape::zipf) keys["exponent"] = w.keys.zipf_exponent;
    if (w.keys.shape == KeyDistribution::Shape::hot_set) {
      keys["hot_fraction"] = w.keys.hot_fraction;
      keys["share"] = w.keys.hot_share;
    }
    if (w.keys.restricted()) keys["within"] = {{"from", w.keys.within_from}, {"to", w.keys.within_to}};
    workload.push_back({{"table", w.table}, {"mix", mix}, {"keys", keys}, {"start", format_duration(w.start)}});
    if (w.phases.empty()) {
      workload.back()["rate"] = w.rate_per_s;
    } else {
      nlohmann::json phases = nlohmann::json::array();
      for (const Phase& p : w.phases)
        phases.push_back({{"duration", format_duration(p.duration)}, {p.ramp ? "ramp_to" : "rate", p.rate_per_s}});
      workload.back()["phases"] = phases;
    }
    if (w.end) workload.back()["end"] = format_duration(*w.end);
    if (s.endpoints.size() > 1) workload.back()["endpoint"] = s.endpoints[w.endpoint].name;
  }
  out["workload"] = workload;
  if (s.canaries.enabled) {
    nlohmann::json mix;
    for (std::size_t i = 0; i < kOperationCount; ++i) mix[operation_name(static_cast<Operation>(i))] = s.canaries.mix[i];
    out["canaries"] = {{"table", s.canaries.table}, {"rate", s.canaries.rate_per_az}, {"mix", mix},
                       {"client", {{"max_attempts", s.canaries.client.max_attempts},
                                   {"attempt_timeout", format_duration(s.canaries.client.attempt_timeout)}}}};
  }
  for (const AlarmSpec& a : s.alarms) {
    nlohmann::json alarm{{"name", a.name}, {"metric", a.metric}, {"period", format_duration(a.period)},
                         {"datapoints", a.datapoints}, {"evaluation_periods", a.evaluation_periods}};
    if (a.latency()) alarm["threshold"] = format_duration(Duration::from_nanos(static_cast<std::int64_t>(a.threshold)));
    else alarm["threshold"] = a.threshold;
    if (a.az) alarm["az"] = s.azs[*a.az].name;
    if (a.table) alarm["table"] = s.tables[*a.table].name;
    if (a.endpoint) alarm["endpoint"] = s.endpoints[*a.endpoint].name;
    out["alarms"].push_back(alarm);
  }
  if (s.membership.enabled) {
    const MembershipSpec& m = s.membership;
    out["membership"] = {{"cells", m.cells}, {"workers", m.workers}, {"queue_limit", m.queue_limit}, {"size", m.size},
                         {"base", format_duration(m.base)}, {"per_member", format_duration(m.per_member)},
                         {"timeout", format_duration(m.timeout)}, {"retry", format_duration(m.retry)},
                         {"refresh", format_duration(m.refresh)}};
    if (m.shed_from) out["membership"]["shed_from"] = format_duration(*m.shed_from);
  }
  for (const DeploymentSpec& d : s.deployments) {
    nlohmann::json deployment{{"name", d.name}, {"at", format_duration(d.at)}, {"role", role_name(d.role)}};
    deployment["build"] = {{"name", d.build.name}, {"error_rate", d.build.error_rate},
                           {"extra_latency", format_duration(d.build.extra_latency)},
                           {"crashes_per_hour", d.build.crashes_per_hour},
                           {"log_format", {{"reads", d.build.reads_format}, {"writes", d.build.writes_format}}}};
    if (d.build.storage_timeout) deployment["build"]["config"] = {{"storage_timeout", format_duration(*d.build.storage_timeout)}};
    if (d.by_az()) deployment["waves"] = "az";
    else deployment["waves"] = d.waves;
    deployment["bake"] = format_duration(d.bake);
    deployment["restart"] = {{"time", format_duration(d.restart_time)}, {"drain", d.drain}, {"at_once", d.at_once}};
    nlohmann::json rollback{{"alarms", nlohmann::json::array()}, {"at_once", d.rollback_at_once}};
    for (std::uint32_t a : d.rollback_alarms) rollback["alarms"].push_back(s.alarms[a].name);
    if (d.rollback_at) rollback["at"] = format_duration(*d.rollback_at);
    deployment["rollback"] = rollback;
    out["deployments"].push_back(deployment);
  }
  nlohmann::json faults = nlohmann::json::array();
  for (const auto& fault : s.faults) faults.push_back(fault->resolved());
  out["faults"] = faults;
  nlohmann::json expect = nlohmann::json::array();
  for (const ExpectSpec& e : s.expect)
    expect.push_back({{"name", e.name}, {"metric", e.metric}, {"op", e.op}, {"value", e.value}});
  for (std::size_t i = 0; i < s.expect.size(); ++i)
    if (!s.expect[i].relative_to.empty()) expect[i]["relative_to"] = s.expect[i].relative_to;
  out["expect"] = expect;
  if (!s.variants.empty()) {
    nlohmann::json variants = nlohmann::json::object();
    for (const Variant& v : s.variants) variants[v.name] = v.overrides;
    out["variants"] = variants;
  }
  return out;
}

}  // namespace models
