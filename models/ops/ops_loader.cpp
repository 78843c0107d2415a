// Reading `canaries`, `alarms` and `deployments`.
#include "models/ops/ops_loader.h"

#include "models/scenario_sections.h"
#include "sim/config/units.h"

#include <fmt/format.h>

#include <set>

namespace models::ops {

using sim::config::Node;
using sim::config::ObjectReader;

void read_canaries(const Node& node, Scenario& scenario) {
  ObjectReader object = node.object();
  CanarySpec& c = scenario.canaries;
  c.enabled = true;
  c.table_index = 0;
  if (auto n = object.optional("table")) c.table_index = sections::find_table(scenario, *n);
  c.table = scenario.tables[c.table_index].name;
  if (auto n = object.optional("rate")) c.rate_per_az = n->number_in(0.0, 10'000.0, false);
  c.mix[static_cast<std::size_t>(Operation::get_strong)] = 0.5;
  c.mix[static_cast<std::size_t>(Operation::put)] = 0.5;
  if (auto n = object.optional("mix")) c.mix = sections::read_mix(*n);
  c.client.max_attempts = 1;  // a canary reports every attempt
  if (auto n = object.optional("client")) sections::read_client(*n, c.client);
  object.finish();
}

void read_alarms(const Node& node, Scenario& scenario) {
  std::set<std::string> names;
  for (const Node& entry_node : node.array()) {
    ObjectReader entry = entry_node.object();
    AlarmSpec a;
    a.name = sections::read_unique_name(entry, names, "an alarm name", "alarm");
    const Node metric = entry.required("metric");
    a.metric = metric.one_of({"canary.availability", "canary.latency_p50", "canary.latency_p99", "client.availability",
                              "client.latency_p50", "client.latency_p99"});
    a.source = a.metric.starts_with("canary.") ? AlarmSpec::Source::canaries : AlarmSpec::Source::customers;
    const std::string statistic = a.metric.substr(a.metric.find('.') + 1);
    a.statistic = statistic == "availability" ? AlarmSpec::Statistic::availability
                  : statistic == "latency_p50" ? AlarmSpec::Statistic::latency_p50
                                               : AlarmSpec::Statistic::latency_p99;
    if (a.source == AlarmSpec::Source::canaries && !scenario.canaries.enabled)
      metric.fail("a client.* metric, or a \"canaries\" section (the canaries measure canary.*)", "\"" + a.metric + "\"");
    if (auto n = entry.optional("az")) a.az = sections::find_az(scenario, *n);
    if (auto n = entry.optional("endpoint")) a.endpoint = sections::find_endpoint(scenario, *n);
    if (a.source == AlarmSpec::Source::canaries && a.az) {
      // A canary runs where its endpoint has routers: an alarm on none would read nothing, ever.
      bool canary = false;
      for (std::uint32_t e = 0; e < scenario.endpoints.size(); ++e)
        canary = canary || ((!a.endpoint || *a.endpoint == e) && scenario.routers_of(e, *a.az) > 0);
      if (!canary)
        entry.required("az").fail(a.endpoint ? "an AZ where the endpoint has routers (a canary runs there)"
                                             : "an AZ with routers (a canary runs there)",
                                  "\"" + scenario.azs[*a.az].name + "\", which has none");
    }
    if (auto n = entry.optional("table")) {
      a.table = sections::find_table(scenario, *n);
      if (a.source == AlarmSpec::Source::canaries && *a.table != scenario.canaries.table_index)
        n->fail("the canaries' table (\"" + scenario.canaries.table + "\"), or no table", "\"" + n->string() + "\"");
    }
    const Node threshold = entry.required("threshold");
    if (a.latency()) a.threshold = static_cast<double>(sections::read_delay(threshold).nanos());
    else a.threshold = threshold.probability();
    if (auto n = entry.optional("period")) a.period = sections::read_delay(*n);
    if (a.period > scenario.duration)
      entry.required("period").fail("a period no longer than the run (" + sim::config::format_duration(scenario.duration) + ")",
                                    "\"" + sim::config::format_duration(a.period) + "\"");
    if (auto n = entry.optional("evaluation_periods")) a.evaluation_periods = static_cast<std::uint32_t>(n->uint64_in(1, 1000));
    if (auto n = entry.optional("datapoints")) {
      a.datapoints = static_cast<std::uint32_t>(n->uint64_in(1, 1000));
      if (a.datapoints > a.evaluation_periods)
        n->fail(fmt::format("at most \"evaluation_periods\" ({}) datapoints", a.evaluation_periods),
                fmt::format("{}", a.datapoints));
    } else {
      a.datapoints = std::min(a.datapoints, a.evaluation_periods);
    }
    entry.finish();
    scenario.alarms.push_back(std::move(a));
  }
}

namespace {

BuildSpec read_build(const Node& node) {
  ObjectReader object = node.object();
  BuildSpec b;
  b.name = sections::read_name(object.required("name"), "a build name");
  if (auto n = object.optional("error_rate")) b.error_rate = n->probability();
  if (auto n = object.optional("extra_latency")) b.extra_latency = sections::read_delay(*n, true);
  if (auto n = object.optional("crashes_per_hour")) {
    b.crashes_per_hour = n->number_in(0.0, 3600.0);
    if (b.crashes_per_hour > 0.0 && b.crashes_per_hour < 0.001)
      n->fail("0, or 0.001 to 3600 crashes an hour", fmt::format("{}", b.crashes_per_hour));
  }
  if (auto n = object.optional("log_format")) {
    ObjectReader format = n->object();
    if (auto r = format.optional("reads")) b.reads_format = static_cast<std::uint8_t>(r->uint64_in(1, 255));
    if (auto w = format.optional("writes")) {
      b.writes_format = static_cast<std::uint8_t>(w->uint64_in(1, 255));
      if (b.writes_format > b.reads_format)
        w->fail(fmt::format("a format the build reads too (at most \"reads\", {})", b.reads_format), fmt::format("{}", b.writes_format));
    }
    format.finish();
  }
  if (auto n = object.optional("config")) {
    ObjectReader config = n->object();
    if (auto t = config.optional("storage_timeout")) b.storage_timeout = sections::read_delay(*t);
    config.finish();
  }
  object.finish();
  return b;
}

std::uint32_t fleet_size(const Scenario& scenario, DeploymentSpec::Role role) {
  std::uint32_t n = 0;
  switch (role) {
    case DeploymentSpec::Role::storage:
      for (const AzSpec& az : scenario.azs) n += az.storage_nodes;
      return n;
    case DeploymentSpec::Role::router: return static_cast<std::uint32_t>(scenario.router_places().size());
    case DeploymentSpec::Role::memds: return scenario.memds.nodes_per_az * static_cast<std::uint32_t>(scenario.azs.size());
    case DeploymentSpec::Role::gac: {
      bool provisioned = false;
      for (const TableSpec& t : scenario.tables) provisioned |= t.capacity.mode == TableCapacity::Mode::provisioned;
      return provisioned && scenario.admission.mode == AdmissionSpec::Mode::gac ? scenario.admission.gac.servers : 0;
    }
  }
  SIM_UNREACHABLE();
}

std::vector<double> read_waves(const Node& node) {
  if (node.json().is_string()) {
    node.one_of({"az"});
    return {};
  }
  std::vector<double> waves;
  for (const Node& wave : node.array(1)) {
    const double share = wave.number_in(0.0, 1.0, false);
    if (!waves.empty() && share <= waves.back())
      wave.fail(fmt::format("a share of the fleet larger than the wave before ({})", waves.back()), fmt::format("{}", share));
    waves.push_back(share);
  }
  if (waves.back() != 1.0)
    node.fail("waves ending with the whole fleet (1)", fmt::format("a last wave of {}", waves.back()));
  return waves;
}

}  // namespace

void read_deployments(const Node& node, Scenario& scenario) {
  std::set<std::string> names;
  for (const Node& entry_node : node.array()) {
    ObjectReader entry = entry_node.object();
    DeploymentSpec d;
    d.name = sections::read_unique_name(entry, names, "a deployment name", "deployment");
    const Node at = entry.required("at");
    d.at = at.duration_allow_zero();
    if (d.at >= scenario.duration)
      at.fail("a time before the end of the run (" + sim::config::format_duration(scenario.duration) + ")",
              "\"" + sim::config::format_duration(d.at) + "\"");
    const Node role = entry.required("role");
    const std::string role_text = role.one_of({"storage", "router", "memds", "gac"});
    for (std::size_t r = 0; r < DeploymentSpec::kRoles; ++r)
      if (role_text == role_name(static_cast<DeploymentSpec::Role>(r))) d.role = static_cast<DeploymentSpec::Role>(r);
    if (fleet_size(scenario, d.role) == 0)
      role.fail(d.role == DeploymentSpec::Role::gac ? "a role with nodes (GAC servers run for provisioned tables with admission mode \"gac\")"
                                                    : "a role with nodes in \"topology\"",
                "\"" + role.string() + "\", which has none");
    const Node build = entry.required("build");
    d.build = read_build(build);
    if (d.role != DeploymentSpec::Role::storage && (d.build.reads_format != 1 || d.build.writes_format != 1))
      build.fail(fmt::format("no \"log_format\" for a {} build (only storage nodes read and write the log)", role_name(d.role)),
                 "a \"log_format\" on a " + std::string(role_name(d.role)) + " build");
    if (d.role != DeploymentSpec::Role::router && d.build.storage_timeout)
      build.fail(fmt::format("no \"config\" for a {} build (a router's storage_timeout is the only setting a build changes)", role_name(d.role)),
                 "a \"config\" on a " + std::string(role_name(d.role)) + " build");
    if (auto n = entry.optional("waves")) d.waves = read_waves(*n);
    else d.waves = {1.0};
    if (auto n = entry.optional("bake")) d.bake = n->duration_allow_zero();
    if (auto n = entry.optional("restart")) {
      ObjectReader restart = n->object();
      if (auto t = restart.optional("time")) d.restart_time = sections::read_delay(*t);
      if (auto h = restart.optional("drain")) d.drain = h->boolean();
      if (auto a = restart.optional("at_once")) d.at_once = static_cast<std::uint32_t>(a->uint64_in(1, 100'000));
      restart.finish();
    }
    if (auto n = entry.optional("rollback")) {
      ObjectReader rollback = n->object();
      if (auto a = rollback.optional("alarms")) {
        for (const Node& alarm : a->array(1)) {
          const std::string wanted = alarm.non_empty_string();
          std::uint32_t found = 0;
          while (found < scenario.alarms.size() && scenario.alarms[found].name != wanted) ++found;
          if (found == scenario.alarms.size()) alarm.fail("the name of an alarm in \"alarms\"", "\"" + wanted + "\"");
          d.rollback_alarms.push_back(found);
        }
      }
      if (auto t = rollback.optional("at")) {
        d.rollback_at = t->duration();
        if (*d.rollback_at <= d.at || *d.rollback_at >= scenario.duration)
          t->fail("a time after the deployment starts and before the end of the run", "\"" + t->string() + "\"");
      }
      if (auto a = rollback.optional("at_once")) d.rollback_at_once = static_cast<std::uint32_t>(a->uint64_in(1, 100'000));
      rollback.finish();
    }
    entry.finish();
    scenario.deployments.push_back(std::move(d));
  }
}

}  // namespace models::ops
