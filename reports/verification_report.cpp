// The verification section.
#include "reports/verification_report.h"

#include <algorithm>

namespace reports {

using Json = nlohmann::ordered_json;
namespace v = models::verification;

namespace {

double seconds(sim::Duration d) { return static_cast<double>(d.nanos() / 1'000'000) / 1000.0; }

// p50 and max of some durations in seconds; null when there are none.
Json spread(std::vector<double> values) {
  if (values.empty()) return {{"count", 0}, {"p50", nullptr}, {"max", nullptr}};
  std::sort(values.begin(), values.end());
  return {{"count", values.size()}, {"p50", values[(values.size() - 1) / 2]}, {"max", values.back()}};
}

}  // namespace

bool reports_verification(const models::Scenario& scenario) {
  if (scenario.scrub.enabled) return true;
  return std::any_of(scenario.faults.begin(), scenario.faults.end(), [](const auto& fault) {
    const std::string kind = fault->resolved().value("kind", "");
    return kind == "bit_rot" || kind == "buggy_build";
  });
}

Json verification(const models::Simulation& simulation) {
  const models::Scenario& scenario = simulation.scenario();
  const v::Stats& s = simulation.integrity();
  Json out;
  out["page_checksums"] = scenario.storage.page_checksums;
  std::uint64_t rot = 0, buggy = 0, log_rot = 0, archive_rot = 0, detected = 0, overwritten = 0;
  std::vector<double> to_detection;
  for (const v::Corruption& c : s.corruptions) {
    switch (c.kind) {
      case v::Corruption::Kind::bit_rot: ++rot; break;
      case v::Corruption::Kind::buggy_value: ++buggy; break;
      case v::Corruption::Kind::log_rot: ++log_rot; break;
      case v::Corruption::Kind::archive_rot: ++archive_rot; break;
    }
    overwritten += c.overwritten ? 1 : 0;
    if (!c.detected) continue;
    ++detected;
    to_detection.push_back(seconds(c.detected_at - c.time));
  }
  out["corruptions"] = {{"injected", s.corruptions.size()},
                        {"bit_rot", rot},
                        {"buggy_values", buggy},
                        {"log_rot", log_rot},
                        {"archive_rot", archive_rot},
                        {"detected", detected},
                        {"overwritten_unseen", overwritten},
                        {"undetected", s.corruptions.size() - detected - overwritten}};
  out["time_to_detection_s"] = spread(std::move(to_detection));
  out["reads_refused"] = s.reads_refused;
  out["log_entries"] = {{"repairs_asked", s.entry_repairs_asked},
                        {"repaired_from_a_peer", s.entries_repaired},
                        {"found_in_the_archive", s.entries_found_archived},
                        {"rotten_messages_dropped", s.rotten_entries_dropped}};
  Json found_by{{v::detection_name(v::Detection::page_checksum), 0},
                {v::detection_name(v::Detection::scrub_replicas), 0},
                {v::detection_name(v::Detection::scrub_reference), 0},
                {v::detection_name(v::Detection::log_checksum), 0}};
  std::vector<double> to_repair;
  Json damages = Json::array();
  for (const v::Damage& d : s.damages) {
    found_by[v::detection_name(d.how)] = found_by[v::detection_name(d.how)].get<std::uint64_t>() + 1;
    if (d.repaired) to_repair.push_back(seconds(d.repaired_at - d.time));
    if (damages.size() < 20)
      damages.push_back({{"t_s", seconds(d.time - sim::Time::zero())},
                         {"group", d.group},
                         {"node", simulation.network().node(d.node).name()},
                         {"found_by", v::detection_name(d.how)},
                         {"repaired_after_s", d.repaired ? Json(seconds(d.repaired_at - d.time)) : Json(nullptr)}});
  }
  out["damaged_replicas"] = s.damages.size();
  out["found_by"] = found_by;
  out["repaired"] = to_repair.size();
  out["time_to_repair_s"] = spread(std::move(to_repair));
  const v::ScrubStats& sc = s.scrub;
  out["scrub"] = {{"enabled", scenario.scrub.enabled},
                  {"interval_s", scenario.scrub.enabled ? Json(seconds(scenario.scrub.interval)) : Json(nullptr)},
                  {"reference", scenario.scrub.enabled && scenario.scrub.reference},
                  {"markers", sc.markers},
                  {"digests", sc.digests},
                  {"compared", sc.compared},
                  {"incomplete", sc.incomplete},
                  {"reference_compared", sc.reference_compared},
                  {"reference_unavailable", sc.reference_unavailable},
                  {"reference_corrupt", sc.reference_corrupt},
                  {"undecided", sc.undecided}};
  out["mismatches"] = {{"replica_vs_replica", sc.replica_vs_replica},
                       {"replica_vs_reference", sc.replica_vs_reference},
                       {"missed_by_three_way", sc.missed_by_three_way},
                       {"archive_vs_log", simulation.archive() == nullptr ? 0 : simulation.archive()->stats.mismatches.size()}};
  Json alarms = Json::array();
  for (const v::Alarm& a : s.alarms)
    if (alarms.size() < 20)
      alarms.push_back({{"t_s", seconds(a.time - sim::Time::zero())},
                        {"group", a.group},
                        {"why", a.why()}});
  out["archive_entries_repaired"] = simulation.archive() == nullptr ? 0 : simulation.archive()->stats.rot_repaired;
  out["alarm_count"] = s.alarms.size();
  out["alarms"] = alarms;
  out["damages"] = damages;
  return out;
}

}  // namespace reports
