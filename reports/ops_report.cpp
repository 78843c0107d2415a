// The canaries, alarms and deployments sections.
#include "reports/ops_report.h"

#include <algorithm>
#include <optional>

namespace reports {

using Json = nlohmann::ordered_json;

namespace {

double seconds_of(sim::Time t) { return static_cast<double>((t - sim::Time::zero()).nanos() / 1'000'000) / 1000.0; }
double seconds(sim::Duration d) { return static_cast<double>(d.nanos() / 1'000'000) / 1000.0; }
double ms_of_us(std::uint32_t us) { return static_cast<double>(us) / 1000.0; }

// The value at rank ceil(q * n) of sorted values (q in [0, 1]).
std::uint32_t percentile(const std::vector<std::uint32_t>& sorted, double q) {
  auto rank = static_cast<std::size_t>(q * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Json latency_summary(std::vector<std::uint32_t> us) {
  if (us.empty()) return nullptr;
  std::sort(us.begin(), us.end());
  return {{"p50", ms_of_us(percentile(us, 0.5))}, {"p99", ms_of_us(percentile(us, 0.99))}, {"max", ms_of_us(us.back())}};
}

Json ratio(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? Json(nullptr) : Json(static_cast<double>(part) / static_cast<double>(whole));
}

// A fault's window: from a start record to its end record (same kind and target; else the next
// unmatched end of its kind), or to the end of the run.
struct Window {
  std::string kind, target;
  sim::Time start, end;
  bool ended = false;
};

std::vector<Window> fault_windows(const std::vector<sim::FaultRecord>& records, sim::Time horizon) {
  std::vector<Window> out;
  std::vector<bool> used(records.size(), false);
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].phase != "start") continue;
    Window w{records[i].kind, records[i].target, records[i].time, horizon, false};
    std::optional<std::size_t> end;
    for (std::size_t j = i + 1; j < records.size() && !end; ++j)
      if (!used[j] && records[j].phase == "end" && records[j].kind == w.kind && records[j].target == w.target) end = j;
    for (std::size_t j = i + 1; j < records.size() && !end; ++j)
      if (!used[j] && records[j].phase == "end" && records[j].kind == w.kind) end = j;
    if (end) {
      used[*end] = true;
      w.end = records[*end].time;
      w.ended = true;
    }
    out.push_back(w);
  }
  return out;
}

// What one or more canaries saw (their minutes pooled): overall and per minute.
Json canary_summary(const std::vector<const std::vector<models::ops::CanaryMinute>*>& series) {
  std::size_t length = 0;
  for (const auto* minutes : series) length = std::max(length, minutes->size());
  std::uint64_t requests = 0, succeeded = 0;
  std::vector<std::uint32_t> all;
  Json per_minute = Json::array();
  std::optional<std::pair<std::size_t, double>> worst;
  for (std::size_t m = 0; m < length; ++m) {
    models::ops::CanaryMinute cm;
    for (const auto* minutes : series) {
      if (m >= minutes->size()) continue;
      cm.requests += (*minutes)[m].requests;
      cm.succeeded += (*minutes)[m].succeeded;
      cm.latency_us.insert(cm.latency_us.end(), (*minutes)[m].latency_us.begin(), (*minutes)[m].latency_us.end());
    }
    requests += cm.requests;
    succeeded += cm.succeeded;
    all.insert(all.end(), cm.latency_us.begin(), cm.latency_us.end());
    std::sort(cm.latency_us.begin(), cm.latency_us.end());
    const Json availability = ratio(cm.succeeded, cm.requests);
    if (!availability.is_null() && (!worst || availability.get<double>() < worst->second))
      worst = std::pair{m, availability.get<double>()};
    const std::vector<std::uint32_t>& sorted = cm.latency_us;
    per_minute.push_back({{"t_s", static_cast<double>(m * 60)},
                          {"requests", cm.requests},
                          {"availability", availability},
                          {"p50_ms", sorted.empty() ? Json(nullptr) : Json(ms_of_us(percentile(sorted, 0.5)))},
                          {"p99_ms", sorted.empty() ? Json(nullptr) : Json(ms_of_us(percentile(sorted, 0.99)))}});
  }
  return {{"requests", requests},
          {"succeeded", succeeded},
          {"availability", ratio(succeeded, requests)},
          {"latency_ms", latency_summary(std::move(all))},
          {"worst_minute", worst ? Json{{"t_s", static_cast<double>(worst->first * 60)}, {"availability", worst->second}}
                                 : Json(nullptr)},
          {"minutes", per_minute}};
}

}  // namespace

Json canaries(const models::Simulation& simulation) {
  const models::Scenario& scenario = simulation.scenario();
  if (!scenario.canaries.enabled || simulation.watch() == nullptr) return nullptr;
  const models::CanarySpec& c = scenario.canaries;
  const models::ops::Watch& watch = *simulation.watch();
  Json out{{"table", c.table}, {"rate_per_az", c.rate_per_az}, {"max_attempts", c.client.max_attempts}};
  const auto endpoints = static_cast<std::uint32_t>(scenario.endpoints.size());
  // By AZ: every endpoint's canary of the AZ together. By endpoint (only when the scenario has
  // more than the regional one): each canary apart.
  Json by_az = Json::object();
  Json by_endpoint = Json::object();
  for (std::uint32_t a = 0; a < scenario.azs.size(); ++a) {
    std::vector<const std::vector<models::ops::CanaryMinute>*> series;
    for (std::uint32_t e = 0; e < endpoints; ++e)
      if (scenario.routers_of(e, a) > 0) series.push_back(&watch.canary_minutes(e, static_cast<sim::AzId>(a)));
    if (!series.empty()) by_az[scenario.azs[a].name] = canary_summary(series);
  }
  out["by_az"] = by_az;
  if (endpoints == 1) return out;
  for (std::uint32_t e = 0; e < endpoints; ++e) {
    Json per_az = Json::object();
    for (std::uint32_t a = 0; a < scenario.azs.size(); ++a)
      if (scenario.routers_of(e, a) > 0)
        per_az[scenario.azs[a].name] = canary_summary({&watch.canary_minutes(e, static_cast<sim::AzId>(a))});
    by_endpoint[scenario.endpoints[e].name] = per_az;
  }
  out["by_endpoint"] = by_endpoint;
  return out;
}

Json alarms(const models::Simulation& simulation) {
  const models::Scenario& scenario = simulation.scenario();
  if (scenario.alarms.empty() || simulation.watch() == nullptr) return nullptr;
  Json by_name = Json::object();
  const std::vector<models::ops::AlarmTrack>& tracks = simulation.watch()->alarms();
  for (const models::ops::AlarmTrack& t : tracks) {
    const models::AlarmSpec& a = t.spec();
    const auto value = [&a](const std::optional<double>& v) {
      if (!v) return Json(nullptr);
      return a.latency() ? Json(*v / 1e6) : Json(*v);
    };
    Json transitions = Json::array();
    std::optional<double> first;
    sim::Duration in_alarm = sim::Duration::zero();
    sim::Time since = sim::Time::zero();  // of the current ALARM state
    for (const models::ops::Transition& x : t.transitions()) {
      transitions.push_back({{"t_s", seconds_of(x.time)}, {"state", x.alarm ? "ALARM" : "OK"}, {"value", value(x.value)}});
      if (x.alarm && !first) first = seconds_of(x.time);
      if (x.alarm) since = x.time;
      else in_alarm = in_alarm + (x.time - since);
    }
    if (t.in_alarm()) in_alarm = in_alarm + (sim::Time::zero() + scenario.duration - since);
    std::uint64_t breaching = 0, missing = 0;
    for (const models::ops::Datapoint& d : t.datapoints()) {
      breaching += d.breaching ? 1 : 0;
      missing += d.value ? 0 : 1;
    }
    Json entry{{"metric", a.metric},
               {"az", a.az ? Json(scenario.azs[*a.az].name) : Json(nullptr)},
               {"table", a.table ? Json(scenario.tables[*a.table].name) : Json(nullptr)},
               {"endpoint", a.endpoint ? Json(scenario.endpoints[*a.endpoint].name) : Json(nullptr)}};
    if (a.latency()) entry["threshold_ms"] = a.threshold / 1e6;
    else entry["threshold"] = a.threshold;
    entry["period_s"] = seconds(a.period);
    entry["datapoints"] = a.datapoints;
    entry["evaluation_periods"] = a.evaluation_periods;
    entry["fired"] = first.has_value();
    entry["first_alarm_s"] = first ? Json(*first) : Json(nullptr);
    entry["time_in_alarm_s"] = seconds(in_alarm);
    entry["state_at_end"] = t.in_alarm() ? "ALARM" : "OK";
    entry["datapoints_evaluated"] = t.datapoints().size();
    entry["datapoints_breaching"] = breaching;
    entry["datapoints_missing"] = missing;
    entry["transitions"] = transitions;
    by_name[a.name] = entry;
  }
  // Which alarms each fault set off: a move to ALARM during the fault or within one evaluation
  // window (period x evaluation periods) after it ended.
  Json faults = Json::array();
  std::uint64_t detected = 0;
  const sim::Time horizon = sim::Time::zero() + scenario.duration;
  for (const Window& w : fault_windows(simulation.faults().records(), horizon)) {
    Json by = Json::array();
    std::optional<double> first;
    for (const models::ops::AlarmTrack& t : tracks) {
      const sim::Time until = w.end + t.spec().period * static_cast<std::int64_t>(t.spec().evaluation_periods);
      for (const models::ops::Transition& x : t.transitions())
        if (x.alarm && x.time >= w.start && x.time <= until) {
          const double after = seconds(x.time - w.start);
          by.push_back({{"alarm", t.spec().name}, {"after_s", after}});
          if (!first || after < *first) first = after;
          break;
        }
    }
    detected += by.empty() ? 0 : 1;
    faults.push_back({{"kind", w.kind},
                      {"target", w.target},
                      {"start_s", seconds_of(w.start)},
                      {"end_s", w.ended ? Json(seconds_of(w.end)) : Json(nullptr)},
                      {"detected", !by.empty()},
                      {"time_to_detect_s", first ? Json(*first) : Json(nullptr)},
                      {"alarms", by}});
  }
  Json out;
  out["by_name"] = by_name;
  out["faults_total"] = faults.size();
  out["faults_detected"] = detected;
  out["faults_undetected"] = faults.size() - detected;
  out["faults"] = faults;
  return out;
}

namespace {

// The first move to ALARM of every alarm in [from, until], in alarm order, and the earliest.
Json alarms_between(const models::Simulation& simulation, sim::Time from, sim::Time until, std::optional<double>& first) {
  Json by = Json::array();
  if (simulation.watch() == nullptr) return by;
  for (const models::ops::AlarmTrack& t : simulation.watch()->alarms())
    for (const models::ops::Transition& x : t.transitions())
      if (x.alarm && x.time >= from && x.time <= until) {
        const double after = seconds(x.time - from);
        by.push_back({{"alarm", t.spec().name}, {"after_s", after}});
        if (!first || after < *first) first = after;
        break;
      }
  return by;
}

Json impact(const models::ops::Watch& watch, sim::Time from, sim::Time to) {
  const auto [requests, failed] = watch.customers_between(from, to);
  return {{"requests", requests}, {"failed_requests", failed}, {"availability", ratio(requests - failed, requests)},
          {"error_minutes", watch.error_minutes(from, to)}};
}

}  // namespace

Json deployments(const models::Simulation& simulation) {
  const models::ops::Deployer* deployer = simulation.deployer();
  if (deployer == nullptr) return nullptr;
  const models::ops::Watch& watch = *simulation.watch();
  const models::Scenario& scenario = simulation.scenario();
  const sim::Time horizon = sim::Time::zero() + scenario.duration;
  const auto opt_seconds = [](const std::optional<sim::Time>& t) { return t ? Json(seconds_of(*t)) : Json(nullptr); };
  Json out = Json::array();
  for (const models::ops::DeploymentRecord& r : deployer->records()) {
    const models::DeploymentSpec& spec = *r.spec;
    const std::uint64_t build_errors = deployer->build_errors(spec.role);
    const sim::Time start = sim::Time::zero() + spec.at;
    // The deployment's window: to the end of its rollback; not rolled back, its build runs on to
    // the end of the run and answers for all of it.
    const sim::Time end = std::min(horizon, r.rollback_end ? *r.rollback_end : horizon);
    Json waves = Json::array();
    for (std::size_t i = 0; i < r.waves.size(); ++i) {
      const models::ops::WaveRecord& w = r.waves[i];
      // A wave answers for the time until the next wave or the rollback starts.
      sim::Time until = i + 1 < r.waves.size() ? r.waves[i + 1].start : r.rollback_start ? *r.rollback_start : end;
      until = std::min(until, horizon);
      Json wave{{"wave", i + 1}, {"share", w.share}};
      if (!w.az.empty()) wave["az"] = w.az;
      wave["nodes"] = w.nodes.size();
      wave["start_s"] = seconds_of(w.start);
      wave["end_s"] = opt_seconds(w.end);
      wave["window_end_s"] = seconds_of(until);
      wave.update(impact(watch, w.start, until));
      waves.push_back(wave);
    }
    // Every alarm that went off from the deployment's start (after_s from then); the time to
    // detect counts from its first node on the build, and is null for an alarm before that.
    std::optional<double> first;
    Json by = alarms_between(simulation, start, end, first);
    Json time_to_detect = nullptr;
    if (first && r.first_on_build && start + sim::Duration::from_nanos(static_cast<std::int64_t>(*first * 1e9)) >= *r.first_on_build)
      time_to_detect = *first - seconds(*r.first_on_build - start);
    // The same keys whether or not it rolled back (null figures when not), so expectations can
    // name them.
    Json rollback{{"reason", r.rollback_start ? Json(r.rollback_reason) : Json(nullptr)},
                  {"start_s", opt_seconds(r.rollback_start)},
                  {"end_s", opt_seconds(r.rollback_end)},
                  {"duration_s", r.rollback_start && r.rollback_end ? Json(seconds(*r.rollback_end - *r.rollback_start)) : Json(nullptr)},
                  {"requests", nullptr}, {"failed_requests", nullptr}, {"availability", nullptr}, {"error_minutes", nullptr}};
    if (r.rollback_start && *r.rollback_start < horizon)
      rollback.update(impact(watch, *r.rollback_start, std::min(horizon, r.rollback_end ? *r.rollback_end : horizon)));
    Json entry{{"name", spec.name}, {"role", models::role_name(spec.role)}, {"build", spec.build.name}, {"fleet", r.fleet},
               {"start_s", seconds_of(start)}, {"first_on_build_s", opt_seconds(r.first_on_build)},
               {"waves_planned", spec.by_az() ? Json("az") : Json(spec.waves)}, {"waves_started", waves.size()}, {"waves", waves},
               {"detected", !by.empty()}, {"time_to_detect_s", time_to_detect}, {"alarms", by},
               {"rolled_back", r.rollback_start.has_value()}, {"rollback", rollback},
               {"completed_s", opt_seconds(r.completed)}, {"end_s", seconds_of(end)},
               {"restarts", r.restarts}, {"crashes", r.crashes}, {"drains_timed_out", r.drains_timed_out}, {"failed_starts", r.failed_starts}, {"halted_s", opt_seconds(r.halted)},
               {"nodes_on_build_at_end", r.on_build_at_end}, {"build_errors", build_errors}};
    entry["impact"] = impact(watch, start, end);
    out.push_back(entry);
  }
  return out;
}

Json membership(const models::Simulation& simulation) {
  const models::control::MembershipService* m = simulation.membership();
  if (m == nullptr) return nullptr;
  const models::MembershipSpec& spec = m->spec;
  const models::control::MembershipStats& s = m->stats;
  const sim::Time horizon = sim::Time::zero() + simulation.scenario().duration;
  // Nodes out of service over the workload: its integral, its peak, every minute's end.
  const auto& changes = s.out_of_service;
  std::uint32_t out = 0, peak = 0;
  double node_seconds = 0.0;
  sim::Time since = sim::Time::zero();
  std::size_t next = 0;
  Json minutes = Json::array();
  const auto advance = [&](sim::Time until) {
    for (; next < changes.size() && changes[next].first <= until; ++next) {
      node_seconds += out * seconds(changes[next].first - since);
      since = changes[next].first;
      out = changes[next].second;
      peak = std::max(peak, out);
    }
  };
  for (sim::Time t = sim::Time::zero() + sim::minutes(1); t <= horizon; t = t + sim::minutes(1)) {
    advance(t);
    const auto minute = static_cast<std::size_t>((t - sim::Time::zero()) / sim::minutes(1)) - 1;
    minutes.push_back({{"t_s", seconds_of(t - sim::minutes(1))},
                       {"fetches_served", minute < s.served_by_minute.size() ? s.served_by_minute[minute] : 0},
                       {"out_of_service_at_end", out}});
  }
  advance(horizon);
  node_seconds += out * seconds(horizon - since);
  std::optional<sim::Time> blip;
  for (const sim::FaultRecord& r : simulation.faults().records())
    if (r.kind == "membership_blip" && r.phase == "start") {
      blip = r.time;
      break;
    }
  // The first time after the first blip that no node was out of service again (0 if none left
  // service); null if some still were at the end of the workload without having all come back.
  Json recovered = nullptr;
  if (blip) {
    bool rose = false;
    for (const auto& [t, n] : changes) {
      if (t < *blip || t > horizon) continue;
      if (n > 0) rose = true;
      if (n == 0 && rose) {
        recovered = seconds(t - *blip);
        break;
      }
    }
    if (!rose) recovered = 0.0;
  }
  return {{"cells", spec.cells}, {"workers", spec.workers}, {"size", spec.size},
          {"service_ms", static_cast<double>(spec.service().nanos() / 1000) / 1000.0},
          {"capacity_per_s", static_cast<double>(spec.cells * spec.workers) / (static_cast<double>(spec.service().nanos()) / 1e9)},
          {"timeout_s", seconds(spec.timeout)}, {"retry_s", seconds(spec.retry)}, {"refresh_s", seconds(spec.refresh)},
          {"shed_from_s", spec.shed_from ? Json(seconds(*spec.shed_from)) : Json(nullptr)},
          {"fetches", s.fetches}, {"served", s.served}, {"timed_out", s.timed_out}, {"rejected", s.rejected},
          {"shed", s.shed}, {"left_service", s.left_service},
          {"out_of_service", {{"max", peak}, {"at_end", out}, {"node_seconds", node_seconds}}},
          {"first_blip_s", blip ? Json(seconds_of(*blip)) : Json(nullptr)},
          // After the first blip: how long until no node was out of service for want of a
          // membership; null if that never happened before the end of the workload.
          {"recovered_after_s", recovered},
          {"minutes", minutes}};
}

}  // namespace reports
