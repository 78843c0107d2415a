// Building report.json from recorded metrics (reports/checks.cpp judges it).
#include "reports/report.h"

#include "reports/archive_report.h"
#include "reports/verification_report.h"
#include "reports/ops_report.h"
#include "reports/checkers/restore.h"
#include "reports/capacity_report.h"
#include "reports/checkers/durability.h"
#include "reports/checkers/integrity.h"
#include "reports/checkers/linearizability.h"
#include "reports/checkers/staleness.h"

#include "sim/config/json_reader.h"
#include "sim/config/units.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <cmath>

namespace reports {

namespace {

using models::ClientMetrics;
using models::OutcomeCounts;

// Fixed precision keeps reports readable; the values are computed exactly before rounding.
double round_to(double value, double scale) { return std::round(value * scale) / scale; }

// Availability as DynamoDB counts it: throttled requests are the caller's (a 400, retried),
// so they are shown apart and left out of the ratio.
Json ratio_json(const OutcomeCounts& counts) {
  const std::uint64_t throttled = counts.by_outcome[static_cast<std::size_t>(models::Outcome::throttled)];
  const std::uint64_t counted = counts.requests - throttled;
  Json out;
  out["requests"] = counts.requests;
  out["succeeded"] = counts.succeeded();
  out["throttled"] = throttled;
  if (counted == 0) out["ratio"] = nullptr;
  else out["ratio"] = round_to(static_cast<double>(counts.succeeded()) / static_cast<double>(counted), 1e6);
  return out;
}

double millis_of(std::uint64_t nanos) {
  return static_cast<double>((nanos + 500) / 1000) / 1000.0;  // to the microsecond
}

double seconds_of(sim::Time t) { return static_cast<double>(t.nanos() / 1'000'000) / 1000.0; }

std::string hex64(std::uint64_t value) { return fmt::format("{:016x}", value); }

Json read_write(const OutcomeCounts& read, const OutcomeCounts& write) {
  Json out;
  out["read"] = ratio_json(read);
  out["write"] = ratio_json(write);
  return out;
}

Json availability(const models::Simulation& simulation) {
  const ClientMetrics& m = simulation.metrics();
  const models::Scenario& scenario = simulation.scenario();
  OutcomeCounts read, write;
  std::vector<OutcomeCounts> az_read(m.az_count()), az_write(m.az_count());
  std::vector<OutcomeCounts> table_read(m.table_count()), table_write(m.table_count());
  std::vector<OutcomeCounts> window_read(m.window_count()), window_write(m.window_count());
  for (std::size_t w = 0; w < m.window_count(); ++w)
    for (std::size_t a = 0; a < m.az_count(); ++a)
      for (std::size_t t = 0; t < m.table_count(); ++t) {
        const OutcomeCounts& r = m.cell(w, a, t, false);
        const OutcomeCounts& x = m.cell(w, a, t, true);
        read.add(r), write.add(x);
        az_read[a].add(r), az_write[a].add(x);
        table_read[t].add(r), table_write[t].add(x);
        window_read[w].add(r), window_write[w].add(x);
      }
  Json out;
  out["read"] = ratio_json(read);
  out["write"] = ratio_json(write);
  Json by_az = Json::object();
  for (std::size_t a = 0; a < m.az_count(); ++a) by_az[scenario.azs[a].name] = read_write(az_read[a], az_write[a]);
  out["by_az"] = by_az;
  Json by_table = Json::object();
  for (std::size_t t = 0; t < m.table_count(); ++t)
    by_table[scenario.tables[t].name] = read_write(table_read[t], table_write[t]);
  out["by_table"] = by_table;
  auto by_operation = [&m](std::size_t first_window, std::size_t end_window) {
    Json ops = Json::object();
    for (std::size_t i = 0; i < models::kOperationCount; ++i) {
      OutcomeCounts sum;
      for (std::size_t w = first_window; w < end_window; ++w) sum.add(m.by_operation(w, static_cast<models::Operation>(i)));
      ops[models::operation_name(static_cast<models::Operation>(i))] = ratio_json(sum);
    }
    return ops;
  };
  out["by_operation"] = by_operation(0, m.window_count());
  Json windows = Json::array();
  for (std::size_t w = 0; w < m.window_count(); ++w) {
    const sim::Duration start = ClientMetrics::kWindow * static_cast<std::int64_t>(w);
    const sim::Duration end = std::min(start + ClientMetrics::kWindow, scenario.duration);
    Json window;
    window["start_s"] = start.nanos() / 1'000'000'000;
    window["end_s"] = end.nanos() / 1'000'000'000;
    window["read"] = ratio_json(window_read[w]);
    window["write"] = ratio_json(window_write[w]);
    window["by_operation"] = by_operation(w, w + 1);
    windows.push_back(window);
  }
  out["windows"] = windows;
  return out;
}

Json latency(const ClientMetrics& m) {
  Json out = Json::object();
  for (std::size_t i = 0; i < models::kOperationCount; ++i) {
    const auto op = static_cast<models::Operation>(i);
    const sim::LogLinearHistogram& h = m.latency(op);
    Json entry;
    entry["count"] = h.count();
    for (const auto& [name, per_million] : {std::pair{"p50", 500'000u}, std::pair{"p90", 900'000u},
                                            std::pair{"p99", 990'000u}, std::pair{"p999", 999'000u}}) {
      if (h.count() == 0) entry[name] = nullptr;
      else entry[name] = millis_of(h.percentile(per_million));
    }
    if (h.count() == 0) entry["max"] = nullptr;
    else entry["max"] = millis_of(h.max());
    out[models::operation_name(op)] = entry;
  }
  return out;
}

Json errors(const ClientMetrics& m) {
  OutcomeCounts total;
  for (std::size_t w = 0; w < m.window_count(); ++w)
    for (std::size_t a = 0; a < m.az_count(); ++a)
      for (std::size_t t = 0; t < m.table_count(); ++t)
        for (bool write : {false, true}) total.add(m.cell(w, a, t, write));
  Json out;
  for (auto outcome : {models::Outcome::throttled, models::Outcome::unavailable, models::Outcome::timeout})
    out[models::outcome_name(outcome)] = total.by_outcome[static_cast<std::size_t>(outcome)];
  return out;
}

Json network(const sim::NetworkStats& s) {
  Json out;
  out["sent"] = s.sent;
  out["delivered"] = s.delivered;
  out["dropped_receiver_down"] = s.dropped_receiver_down;
  out["dropped_sender_down"] = s.dropped_sender_down;
  out["dropped_by_fault"] = s.dropped_by_rule;
  out["dropped_by_loss"] = s.dropped_by_loss;
  out["dropped_corrupt"] = s.dropped_corrupt;
  out["held_by_pause"] = s.held_by_pause;  // answers a worker finished while its node was paused
  return out;
}

double seconds_of_ns(std::int64_t ns) { return static_cast<double>(ns / 1'000'000) / 1000.0; }

Json duration_summary(const std::vector<std::int64_t>& per_group_ns) {
  std::int64_t total = 0, most = 0;
  std::uint64_t affected = 0;
  for (std::int64_t ns : per_group_ns) {
    total += ns;
    most = std::max(most, ns);
    affected += ns > 0 ? 1 : 0;
  }
  return {{"total", seconds_of_ns(total)}, {"max_group", seconds_of_ns(most)}, {"groups_affected", affected}};
}

Json seconds_histogram(const sim::LogLinearHistogram& h) {
  Json out{{"count", h.count()}};
  for (const auto& [name, per_million] : {std::pair{"p50", 500'000u}, std::pair{"p99", 990'000u}}) {
    if (h.count() == 0) out[name] = nullptr;
    else out[name] = seconds_of_ns(static_cast<std::int64_t>(h.percentile(per_million)));
  }
  if (h.count() == 0) out["max"] = nullptr;
  else out["max"] = seconds_of_ns(static_cast<std::int64_t>(h.max()));
  return out;
}

Json replication(const models::Simulation& simulation) {
  const models::replication::Cluster& cluster = simulation.cluster();
  const models::replication::GroupHealth& health = cluster.health;
  std::vector<std::int64_t> leaderless, two_copies, no_quorum;
  std::uint64_t started = 0, won = 0, lost_quorum = 0;
  std::size_t groups = 0;
  for (std::uint32_t g = 0; g < health.size(); ++g) {
    const models::replication::GroupRecord& r = health.group(g);
    if (!r.active) continue;  // an id reserved for a split that did not happen
    ++groups;
    leaderless.push_back(r.leaderless_ns);
    two_copies.push_back(r.two_copies_ns);
    no_quorum.push_back(r.no_quorum_ns);
    started += r.elections_started;
    won += r.elections_won;
    lost_quorum += r.times_lost_quorum;
  }
  Json out;
  out["groups"] = groups;
  out["replicas"] = simulation.replica_count();
  out["elections"] = {{"started", started}, {"won", won}};
  out["leaderless_s"] = duration_summary(leaderless);
  out["two_copies_s"] = duration_summary(two_copies);
  out["no_write_quorum_s"] = duration_summary(no_quorum);
  out["write_quorum_losses"] = lost_quorum;
  // Only where a deployment ships another log format: messages lost to parse errors.
  if (simulation.cluster().log_formats_vary) out["parse_errors"] = simulation.cluster().parse_errors;
  out["healing"] = {{"log_replica_s", seconds_histogram(health.log_replica_heal_ns())},
                    {"storage_replica_s", seconds_histogram(health.storage_heal_ns())}};
  out["membership_changes"] = cluster.directory.changes();
  std::uint64_t refused = 0;
  for (const auto& node : simulation.storage_nodes()) refused += node->stats().builds_refused;
  out["builds_refused"] = refused;
  // The groups that suffered most, so a reader can go and look at them in the trace.
  std::vector<std::uint32_t> order(health.size());
  for (std::uint32_t g = 0; g < order.size(); ++g) order[g] = g;
  auto badness = [&](std::uint32_t g) {
    const auto& r = health.group(g);
    return r.no_quorum_ns * 4 + r.leaderless_ns * 2 + r.two_copies_ns;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return badness(a) > badness(b); });
  Json worst = Json::array();
  for (std::size_t i = 0; i < order.size() && i < 5 && badness(order[i]) > 0; ++i) {
    const auto& r = health.group(order[i]);
    worst.push_back({{"group", order[i]},
                     {"table", simulation.scenario().tables[cluster.directory.table_of(order[i])].name},
                     {"leaderless_s", seconds_of_ns(r.leaderless_ns)},
                     {"two_copies_s", seconds_of_ns(r.two_copies_ns)},
                     {"no_write_quorum_s", seconds_of_ns(r.no_quorum_ns)},
                     {"elections_won", r.elections_won}});
  }
  out["worst_groups"] = worst;
  return out;
}

double per_second(std::uint64_t count) { return round_to(static_cast<double>(count) / 60.0, 1e3); }

// A ratio, or null when there is nothing to divide: no requests is no data, never 100%.
Json ratio_or_null(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return nullptr;
  return round_to(static_cast<double>(part) / static_cast<double>(whole), 1e6);
}

// Per workload minute: what clients saw, and the load on routes and route servers.
Json timeline(const models::Simulation& simulation) {
  const models::Timeline& t = simulation.timeline();
  const std::size_t workload_minutes =
      static_cast<std::size_t>((simulation.scenario().duration + models::Timeline::kMinute - sim::nanos(1)) / models::Timeline::kMinute);
  Json out = Json::array();
  models::MinuteCounts empty;  // a minute nothing was recorded in (or a run not started yet)
  empty.table_requests.assign(t.tables(), 0);
  empty.table_succeeded.assign(t.tables(), 0);
  for (std::size_t i = 0; i < workload_minutes; ++i) {
    const models::MinuteCounts& m = i < t.minutes().size() ? t.minutes()[i] : empty;
    Json tables = Json::object();
    for (std::size_t k = 0; k < t.tables(); ++k)
      tables[simulation.scenario().tables[k].name] = ratio_or_null(m.table_succeeded[k], m.table_requests[k]);
    Json latency = Json::object();  // of the successes begun in the minute
    for (std::size_t o = 0; o < models::kOperationCount; ++o) {
      const models::MinuteLatency& h = m.latency[o];
      if (simulation.metrics().latency(static_cast<models::Operation>(o)).count() == 0) continue;  // not in the workload
      latency[models::operation_name(static_cast<models::Operation>(o))] = {
          {"count", h.count()},
          {"p50", h.count() == 0 ? Json(nullptr) : Json(millis_of(h.p50()))},
          {"p99", h.count() == 0 ? Json(nullptr) : Json(millis_of(h.p99()))}};
    }
    const auto& health = simulation.cluster().health.minutes();
    const models::replication::GroupHealth::Minute r = i < health.size() ? health[i] : models::replication::GroupHealth::Minute{};
    out.push_back({{"minute", i},
                   {"client_rps", per_second(m.client_requests)},
                   {"availability", ratio_or_null(m.client_succeeded, m.client_requests)},
                   {"availability_by_table", tables},
                   {"latency_ms", latency},
                   {"replication", {{"leaderless_s", seconds_of_ns(r.leaderless_ns)},
                                    {"two_copies_s", seconds_of_ns(r.two_copies_ns)},
                                    {"no_write_quorum_s", seconds_of_ns(r.no_quorum_ns)}}},
                   {"metadata_rps", per_second(m.metadata_requests)},
                   {"metadata_rejected", m.metadata_rejected},
                   {"metadata_queue_max", m.metadata_depth_max},
                   {"memds_rps", per_second(m.memds_requests)},
                   {"memds_rejected", m.memds_rejected},
                   {"memds_queue_max", m.memds_depth_max},
                   {"cache_hit_ratio", ratio_or_null(m.route_hits, m.route_lookups)},
                   {"misroutes", m.misroutes}});
  }
  return out;
}

// Load before the first fault and its peak after; and whether clients recovered.
Json routing(const models::Simulation& simulation, const Json& minutes) {
  const models::Scenario& scenario = simulation.scenario();
  std::optional<double> trigger_s;
  for (const sim::FaultRecord& record : simulation.faults().records())
    if (record.phase == "start") {
      trigger_s = seconds_of(record.time);
      break;
    }
  const std::size_t trigger_minute = trigger_s ? static_cast<std::size_t>(*trigger_s / 60.0) : minutes.size();
  auto load = [&](const char* key) {
    double before = 0.0, peak = 0.0;
    std::size_t counted = 0;
    for (std::size_t i = 0; i < minutes.size(); ++i) {
      const double rps = minutes[i][key].get<double>();
      if (i < trigger_minute) {
        before += rps;
        ++counted;
      } else {
        peak = std::max(peak, rps);
      }
    }
    before = counted == 0 ? 0.0 : round_to(before / static_cast<double>(counted), 1e3);
    Json out{{"before", before}, {"peak_after", peak}};
    out["peak_over_before"] = before > 0.0 ? Json(round_to(peak / before, 1e3)) : Json(nullptr);
    return out;
  };
  std::uint64_t lookups = 0, hits = 0, misroutes = 0, repeated = 0, no_route = 0;
  for (const auto& router : simulation.routers()) {
    lookups += router->cache_stats().lookups;
    hits += router->cache_stats().hits;
    misroutes += router->stats().misroutes;
    repeated += router->stats().misroutes_repeated;
    no_route += router->stats().no_route;
  }
  Json out;
  out["cache"] = scenario.routing.cache == models::RoutingSpec::Cache::memds ? "memds" : "legacy";
  out["routers"] = simulation.routers().size();
  out["lookups"] = lookups;
  out["cache_hit_ratio"] = ratio_or_null(hits, lookups);
  out["misroutes"] = misroutes;
  out["misroutes_repeated"] = repeated;
  out["lookups_failed"] = no_route;
  out["metadata_rps"] = load("metadata_rps");
  out["memds_rps"] = load("memds_rps");
  // Recovered: from some minute on, every minute's availability is at least 99%.
  Json recovery{{"trigger_s", trigger_s ? Json(*trigger_s) : Json(nullptr)}};
  std::optional<std::size_t> from;
  for (std::size_t i = minutes.size(); i-- > trigger_minute;) {
    const Json& availability = minutes[i]["availability"];
    if (availability.is_null()) continue;  // no requests that minute: no evidence either way
    if (availability.get<double>() < 0.99) break;
    from = i;
  }
  recovery["recovered"] = !trigger_s || from.has_value();
  if (trigger_s && from) recovery["recovered_after_s"] = std::max(0.0, static_cast<double>(*from) * 60.0 - *trigger_s);
  else recovery["recovered_after_s"] = trigger_s ? Json(nullptr) : Json(0.0);
  out["recovery"] = recovery;
  return out;
}

struct Verdicts {
  checkers::DurabilityVerdict durability;
  checkers::ConsistencyVerdict linearizability;
  checkers::StalenessReport staleness;
  checkers::IntegrityVerdict integrity;
  std::optional<checkers::RestoreVerdict> restore;  // archiving on
};

// Every group's archived log, with the most its replicas applied (for the restore checker).
std::vector<checkers::ArchivedGroup> archived_groups(const models::Simulation& simulation) {
  const models::archive::ArchiveService& a = *simulation.archive();
  std::map<std::uint32_t, checkers::ArchivedGroup> groups;
  for (const auto& node : simulation.storage_nodes())
    for (const models::replication::Replica* r : node->replicas()) {
      checkers::ArchivedGroup& g = groups[r->group];
      g.group = r->group;
      g.table = r->table;
      g.applied = std::max(g.applied, r->d.applied);
      g.entries = &a.bucket.entries(r->group);
    }
  std::vector<checkers::ArchivedGroup> out;
  for (const auto& [group, g] : groups) out.push_back(g);
  return out;
}

Verdicts judge(const models::Simulation& simulation) {
  const models::PartitionMap& partitions = simulation.partitions();
  return Verdicts{
      checkers::check_durability(simulation.history(), simulation.final_state(),
                                 [&partitions](std::uint32_t table, std::uint64_t key) { return partitions.partition_of(table, key); }),
      checkers::check_linearizable(simulation.history()), checkers::measure_staleness(simulation.history()),
      checkers::check_integrity(simulation.history()),
      simulation.archive() == nullptr
          ? std::nullopt
          : std::optional(checkers::check_restore(archived_groups(simulation), simulation.history(), simulation.final_state()))};
}

Json first_examples(const std::vector<std::string>& examples) {
  Json out = Json::array();
  for (std::size_t i = 0; i < examples.size() && i < 3; ++i) out.push_back(examples[i]);
  return out;
}

Json consistency(const Verdicts& v) {
  Json out;
  out["durability"] = {{"acknowledged_writes", v.durability.acknowledged_writes},
                       {"lost_writes", v.durability.lost_writes},
                       {"unhealed_groups", v.durability.unhealed_groups.size()},
                       {"passed", v.durability.passed},
                       {"examples", first_examples(v.durability.examples)}};
  Json by_rule = Json::object();
  for (std::size_t i = 0; i < v.linearizability.violations_by_rule.size(); ++i)
    by_rule[checkers::rule_name(static_cast<checkers::ConsistencyRule>(i))] = v.linearizability.violations_by_rule[i];
  out["linearizability"] = {{"operations", v.linearizability.operations},
                            {"keys", v.linearizability.keys},
                            {"violations", v.linearizability.violations},
                            {"by_rule", by_rule},
                            {"passed", v.linearizability.passed},
                            {"examples", first_examples(v.linearizability.examples)}};
  const checkers::IntegrityVerdict& i = v.integrity;
  out["integrity"] = {{"reads", i.reads},
                      {"corrupted_reads", i.corrupted_reads},
                      {"keys", i.keys},
                      {"first_s", i.corrupted_reads == 0 ? Json(nullptr) : Json(seconds_of(i.first))},
                      {"last_s", i.corrupted_reads == 0 ? Json(nullptr) : Json(seconds_of(i.last))},
                      {"passed", i.passed},
                      {"examples", first_examples(i.examples)}};
  if (v.restore) {
    const checkers::RestoreVerdict& r = *v.restore;
    out["restore"] = {{"judged", r.judged},
                      {"groups_behind", r.groups_behind},
                      {"entries_replayed", r.entries_replayed},
                      {"corrupt_entries", r.corrupt_entries},
                      {"acknowledged_writes", r.acknowledged_writes},
                      {"missing_writes", r.missing_writes},
                      {"state_compared", r.state_compared},
                      {"keys_compared", r.keys_compared},
                      {"state_mismatches", r.state_mismatches},
                      {"passed", r.passed},
                      {"examples", first_examples(r.examples)}};
  }
  const checkers::StalenessReport& s = v.staleness;
  Json behind{{"p50", nullptr}, {"p99", nullptr}, {"max", nullptr}};
  if (s.time_behind_ns.count() > 0) {
    behind["p50"] = millis_of(s.time_behind_ns.percentile(500'000));
    behind["p99"] = millis_of(s.time_behind_ns.percentile(990'000));
    behind["max"] = millis_of(s.time_behind_ns.max());
  }
  out["eventual_reads"] = {{"reads", s.reads},
                           {"stale", s.stale_reads},
                           {"stale_ratio", s.reads == 0 ? Json(nullptr) : Json(round_to(static_cast<double>(s.stale_reads) / static_cast<double>(s.reads), 1e6))},
                           {"time_behind_ms", behind},
                           {"versions_behind_max", s.versions_behind_max}};
  return out;
}

// Each safety monitor's verdict: how often it checked its rule, how often the rule broke, and
// the first break (the run stops there).
Json monitors(const models::monitors::SafetyMonitor& monitor) {
  using models::monitors::Invariant;
  Json out;
  for (std::size_t i = 0; i < models::monitors::kInvariantCount; ++i) {
    const auto invariant = static_cast<Invariant>(i);
    const models::monitors::InvariantVerdict& v = monitor.verdict(invariant);
    Json entry{{"rule", models::monitors::invariant_rule(invariant)},
               {"checked", v.checked},
               {"violations", v.violations},
               {"passed", v.passed()}};
    if (v.first) {
      entry["first"] = {{"group", v.first->group}, {"t_s", seconds_of(v.first->at)}, {"detail", v.first->detail}};
    }
    out[std::string(models::monitors::invariant_name(invariant))] = entry;
  }
  return out;
}

const char* status_name(sim::RunStatus status) {
  switch (status) {
    case sim::RunStatus::drained: return "finished";
    case sim::RunStatus::time_limit: return "finished";
    case sim::RunStatus::stopped: return "stopped";
    case sim::RunStatus::interrupted: return "interrupted";
    case sim::RunStatus::out_of_slots: return "stopped: more events pending at once than the simulator holds";
  }
  return "?";
}

}  // namespace

Json build_report(const models::Simulation& simulation, const models::RunOutcome& outcome) {
  const models::Scenario& scenario = simulation.scenario();
  const sim::Kernel& kernel = simulation.kernel();
  Json report;
  report["format"] = "ddbsim-report/1";
  report["complete"] = outcome.complete();
  report["status"] = outcome.safety_violation ? "stopped by a safety violation" : status_name(outcome.status);
  report["seed"] = simulation.seed();
  report["scenario"] = {{"name", scenario.name}, {"sha256", scenario.sha256}};
  report["sim_duration_s"] = static_cast<double>(scenario.duration.nanos() / 1'000'000) / 1000.0;
  report["sim_end_s"] = seconds_of(kernel.now());
  report["events"] = kernel.events_dispatched();
  report["trace_digest"] = hex64(kernel.digest());
  report["final_rng_draw"] = hex64(kernel.final_draw());
  report["availability"] = availability(simulation);
  report["latency_ms"] = latency(simulation.metrics());
  report["errors"] = errors(simulation.metrics());
  std::uint64_t abandoned = 0;
  for (const auto& client : simulation.clients()) abandoned += client->operations_abandoned();
  const ClientMetrics& m = simulation.metrics();
  report["operations"] = {{"finished", m.operations()},
                          {"attempts", m.attempts()},
                          {"retries", m.attempts() - m.operations()},
                          {"in_flight_at_end", simulation.operations_in_flight()},
                          {"abandoned_by_client_power_loss", abandoned}};
  report["network"] = network(simulation.network().stats());
  report["replication"] = replication(simulation);
  {
    // What the control plane decided from; everything else in this report is measured by the
    // simulator itself, which no decision inside the model reads.
    const models::control::Autoadmin& autoadmin = simulation.autoadmin();
    report["control"] = {{"decisions_from", "node reports and placement lists (models/control)"},
                         {"figures_from", "the simulator's own measurements"},
                         {"node_reports_received", autoadmin.view().reports()},
                         {"placement_lists_sent", autoadmin.lists_sent()}};
  }
  report["timeline"] = timeline(simulation);
  report["routing"] = routing(simulation, report["timeline"]);
  report["capacity"] = capacity(simulation);
  if (simulation.archive() != nullptr) report["archive"] = archive(simulation);
  if (reports_verification(simulation.scenario())) report["verification"] = verification(simulation);
  if (Json c = canaries(simulation); !c.is_null()) report["canaries"] = std::move(c);
  if (Json a = alarms(simulation); !a.is_null()) report["alarms"] = std::move(a);
  if (Json d = deployments(simulation); !d.is_null()) report["deployments"] = std::move(d);
  if (Json ms = membership(simulation); !ms.is_null()) report["membership"] = std::move(ms);
  report["monitors"] = monitors(simulation.monitor());
  if (outcome.complete())
    report["consistency"] = consistency(judge(simulation));
  Json faults = Json::array();
  for (const sim::FaultRecord& record : simulation.faults().records())
    faults.push_back({{"t_s", seconds_of(record.time)}, {"kind", record.kind},
                      {"target", record.target}, {"phase", record.phase}});
  report["faults"] = faults;
  report["resolved_scenario"] = Json::parse(scenario.resolved.dump());
  return report;
}

}  // namespace reports
