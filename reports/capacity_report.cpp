// Building the capacity section from the admission ledger.
#include "reports/capacity_report.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace reports {

namespace {

using Json = nlohmann::ordered_json;
using models::admission::AdmissionTotals;
using models::admission::kMicro;
using models::admission::MicroUnits;

double round_to(double value, double scale) { return std::round(value * scale) / scale; }
double units(MicroUnits micro) { return round_to(static_cast<double>(micro) / kMicro, 1e2); }
// Micro-units consumed over a minute, as units per second.
double per_second(MicroUnits micro) { return round_to(static_cast<double>(micro) / 60.0 / kMicro, 1e2); }
Json seconds_or_null(const std::optional<sim::Time>& t) {
  if (!t) return nullptr;
  return static_cast<double>(t->nanos() / 1'000'000) / 1000.0;
}
double ratio(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : round_to(static_cast<double>(part) / static_cast<double>(whole), 1e6);
}
// Where a hash sits in the hash space, as a fraction.
double fraction(std::uint64_t hash) { return round_to(std::ldexp(static_cast<double>(hash), -64), 1e6); }

void put_totals(Json& out, const AdmissionTotals& t) {
  out["admitted"] = t.admitted;
  out["throttled"] = t.throttled;
  out["throttled_ratio"] = ratio(t.throttled, t.admitted + t.throttled);
  out["served_from_burst"] = t.from_burst;
  out["consumed_rcu"] = units(t.read);
  out["consumed_wcu"] = units(t.write);
}

std::optional<sim::Time> earliest(std::optional<sim::Time> a, std::optional<sim::Time> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}
std::optional<sim::Time> latest(std::optional<sim::Time> a, std::optional<sim::Time> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

}  // namespace

Json capacity(const models::Simulation& simulation) {
  const models::Scenario& scenario = simulation.scenario();
  const auto& ledger = simulation.cluster().ledger;
  const models::PartitionMap& map = simulation.partitions();
  Json out;
  out["admission"] = models::admission_mode_name(scenario.admission.mode);
  Json tables = Json::array();
  for (std::uint32_t t = 0; t < scenario.tables.size(); ++t) {
    const models::TableSpec& spec = scenario.tables[t];
    if (!spec.metered()) continue;
    AdmissionTotals table_totals;
    std::optional<sim::Time> first, last;
    std::vector<AdmissionTotals> table_minutes;
    Json partitions = Json::array();
    for (std::uint32_t g = 0; g < ledger.size(); ++g) {
      if (!ledger.tracked(g) || ledger.table_of(g) != t) continue;
      const auto& minutes = ledger.minutes(g);
      MicroUnits peak_read = 0, peak_write = 0;
      Json rows = Json::array();
      for (std::size_t i = 0; i < minutes.size(); ++i) {
        const auto& m = minutes[i];
        peak_read = std::max(peak_read, m.share_read);
        peak_write = std::max(peak_write, m.share_write);
        rows.push_back({{"minute", i},
                        {"rcu", per_second(m.totals.read)},
                        {"wcu", per_second(m.totals.write)},
                        {"throttled", m.totals.throttled},
                        {"share_rcu", units(m.share_read)},
                        {"share_wcu", units(m.share_write)},
                        {"burst_rcu", m.burst_read < 0 ? Json(nullptr) : Json(units(m.burst_read))},
                        {"burst_wcu", m.burst_write < 0 ? Json(nullptr) : Json(units(m.burst_write))}});
        if (table_minutes.size() <= i) table_minutes.resize(i + 1);
        table_minutes[i].add(m.totals);
      }
      const models::Partition& p = map.partition(g);
      Json partition{{"group", g}, {"hash_from", fraction(p.hash_low)}, {"hash_to", fraction(p.hash_high)}};
      put_totals(partition, ledger.totals(g));
      partition["first_throttle_s"] = seconds_or_null(ledger.first_throttle(g));
      partition["last_throttle_s"] = seconds_or_null(ledger.last_throttle(g));
      partition["peak_share_rcu"] = units(peak_read);
      partition["peak_share_wcu"] = units(peak_write);
      std::uint64_t moves = 0;  // finished moves of this partition to another node
      if (const auto* balancer = simulation.balancer())
        for (const auto& r : balancer->records()) moves += r.group == g && r.serving ? 1 : 0;
      partition["moves"] = moves;
      partition["minutes"] = rows;
      partitions.push_back(partition);
      table_totals.add(ledger.totals(g));
      first = earliest(first, ledger.first_throttle(g));
      last = latest(last, ledger.last_throttle(g));
    }
    const bool on_demand = spec.capacity.mode == models::TableCapacity::Mode::on_demand;
    Json table{{"name", spec.name},
               {"mode", on_demand ? "on_demand" : "provisioned"},
               {"provisioned_rcu", on_demand ? Json(nullptr) : Json(spec.capacity.rcu)},
               {"provisioned_wcu", on_demand ? Json(nullptr) : Json(spec.capacity.wcu)},
               {"partitions_at_end", partitions.size()}};
    put_totals(table, table_totals);
    table["first_throttle_s"] = seconds_or_null(first);
    table["last_throttle_s"] = seconds_or_null(last);
    Json rows = Json::array();
    for (std::size_t i = 0; i < table_minutes.size(); ++i)
      rows.push_back({{"minute", i},
                      {"rcu", per_second(table_minutes[i].read)},
                      {"wcu", per_second(table_minutes[i].write)},
                      {"throttled", table_minutes[i].throttled}});
    table["minutes"] = rows;
    table["partitions"] = partitions;
    tables.push_back(table);
  }
  out["tables"] = tables;
  if (const auto* splitter = simulation.splitter()) {
    const auto& s = splitter->stats();
    Json records = Json::array();
    Json first_point = nullptr;  // where the first completed split cut, as a fraction of the hash space
    for (const auto& r : splitter->records())
      if (r.done && first_point.is_null()) first_point = fraction(map.partition(r.child).hash_low);
    for (const auto& r : splitter->records())
      records.push_back({{"parent", r.parent},
                         {"child", r.child},
                         {"reason", r.for_heat ? "heat" : "size"},
                         {"decided_s", seconds_or_null(r.decided)},
                         {"completed_s", r.done ? seconds_or_null(r.completed) : Json(nullptr)}});
    out["splits"] = {{"for_size", s.for_size},
                     {"for_heat", s.for_heat},
                     {"completed", s.completed},
                     {"skipped_single_item", s.skipped_single_item},
                     {"skipped_sequential", s.skipped_sequential},
                     {"requests", s.requests},
                     {"first_point", first_point},
                     {"list", records}};
  }
  if (const auto* balancer = simulation.balancer()) {
    const auto& s = balancer->stats();
    auto name = [&](sim::NodeId id) { return simulation.network().node(id).name(); };
    auto load = [](std::uint32_t per_mille) { return round_to(per_mille / 1000.0, 1e3); };
    Json records = Json::array();
    std::optional<double> longest_gap;  // from the old leader's step-down to the new one serving
    for (const auto& r : balancer->records()) {
      Json gap = nullptr;
      if (r.handed_off && r.serving) {
        const double ms = static_cast<double>((*r.serving - *r.handed_off).nanos() / 1000) / 1000.0;
        gap = ms;
        longest_gap = std::max(longest_gap.value_or(0.0), ms);
      }
      records.push_back({{"group", r.group},
                         {"from", name(r.from)},
                         {"to", name(r.to)},
                         {"decided_s", seconds_or_null(r.decided)},
                         {"handed_off_s", seconds_or_null(r.handed_off)},
                         {"serving_s", seconds_or_null(r.serving)},
                         {"leaderless_ms", gap},
                         {"abandoned", r.abandoned},
                         {"from_load", load(r.from_load)},
                         {"to_load", load(r.to_load)},
                         {"partition_load", load(r.group_load)}});
    }
    Json nodes = Json::array();
    const auto& loads = balancer->loads();
    for (sim::NodeId id = 0; id < loads.size(); ++id) {
      if (loads[id].empty()) continue;
      Json checks = Json::array();
      std::uint32_t peak = 0;
      for (std::uint32_t l : loads[id]) {
        checks.push_back(load(l));
        peak = std::max(peak, l);
      }
      nodes.push_back({{"node", name(id)}, {"peak_load", load(peak)}, {"loads", checks}});
    }
    const auto& all = balancer->records();
    out["moves"] = {{"decided", s.decided},
                    {"handed_off", s.handed_off},
                    {"completed", s.completed},
                    {"abandoned", s.abandoned},
                    {"no_room", s.no_room},
                    {"first_decided_s", all.empty() ? Json(nullptr) : seconds_or_null(all.front().decided)},
                    {"first_from_load", all.empty() ? Json(nullptr) : Json(load(all.front().from_load))},
                    {"longest_leaderless_ms", longest_gap ? Json(*longest_gap) : Json(nullptr)},
                    {"list", records}};
    out["node_loads"] = {{"interval_s", static_cast<double>(scenario.balancing.interval.nanos() / 1'000'000) / 1000.0},
                         {"threshold", scenario.balancing.threshold},
                         {"last_over_threshold_s", seconds_or_null(balancer->last_hot())},
                         {"nodes", nodes}};
  }
  if (const auto* controller = simulation.adaptive_controller())
    out["adaptive"] = {{"boosts", controller->stats().boosts}, {"cutbacks", controller->stats().cutbacks}};
  if (!simulation.gac_servers().empty()) {
    std::uint64_t requests = 0, grants = 0, failures = 0, admitted = 0, throttled = 0, unmetered = 0;
    for (const auto& router : simulation.routers())
      if (const auto* gac = router->gac()) {
        requests += gac->stats().requests;
        grants += gac->stats().grants;
        failures += gac->stats().failures;
        admitted += gac->stats().admitted;
        throttled += gac->stats().throttled;
        unmetered += gac->stats().unmetered;
      }
    std::uint64_t over = 0;
    for (const auto& server : simulation.gac_servers()) over += server->stats().grants_over_rate;
    out["gac"] = {{"servers", simulation.gac_servers().size()},
                  {"grant_requests", requests},
                  {"grants", grants},
                  {"grant_failures", failures},
                  {"grants_while_over_rate", over},
                  {"router_admitted", admitted},
                  {"router_throttled", throttled},
                  {"router_unmetered", unmetered}};
  }
  return out;
}

}  // namespace reports
