// The canaries and alarms sections.
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

}  // namespace

Json canaries(const models::Simulation& simulation) {
  const models::Scenario& scenario = simulation.scenario();
  if (!scenario.canaries.enabled || simulation.watch() == nullptr) return nullptr;
  const models::CanarySpec& c = scenario.canaries;
  Json out{{"table", c.table}, {"rate_per_az", c.rate_per_az}, {"max_attempts", c.client.max_attempts}};
  Json by_az = Json::object();
  const auto& series = simulation.watch()->canary_minutes();
  for (const auto& client : simulation.clients()) {
    if (client->role() != "canary") continue;
    const std::vector<models::ops::CanaryMinute>& minutes = series[client->az()];
    std::uint64_t requests = 0, succeeded = 0;
    std::vector<std::uint32_t> all;
    Json per_minute = Json::array();
    std::optional<std::pair<std::size_t, double>> worst;
    for (std::size_t m = 0; m < minutes.size(); ++m) {
      const models::ops::CanaryMinute& cm = minutes[m];
      requests += cm.requests;
      succeeded += cm.succeeded;
      all.insert(all.end(), cm.latency_us.begin(), cm.latency_us.end());
      std::vector<std::uint32_t> sorted = cm.latency_us;
      std::sort(sorted.begin(), sorted.end());
      const Json availability = ratio(cm.succeeded, cm.requests);
      if (!availability.is_null() && (!worst || availability.get<double>() < worst->second))
        worst = std::pair{m, availability.get<double>()};
      per_minute.push_back({{"t_s", static_cast<double>(m * 60)},
                            {"requests", cm.requests},
                            {"availability", availability},
                            {"p50_ms", sorted.empty() ? Json(nullptr) : Json(ms_of_us(percentile(sorted, 0.5)))},
                            {"p99_ms", sorted.empty() ? Json(nullptr) : Json(ms_of_us(percentile(sorted, 0.99)))}});
    }
    const std::string& az = scenario.azs[client->az()].name;
    by_az[az] = {{"requests", requests},
                 {"succeeded", succeeded},
                 {"availability", ratio(succeeded, requests)},
                 {"latency_ms", latency_summary(std::move(all))},
                 {"worst_minute", worst ? Json{{"t_s", static_cast<double>(worst->first * 60)}, {"availability", worst->second}}
                                        : Json(nullptr)},
                 {"minutes", per_minute}};
  }
  out["by_az"] = by_az;
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
               {"table", a.table ? Json(scenario.tables[*a.table].name) : Json(nullptr)}};
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

}  // namespace reports
