// The archive section.
#include "reports/archive_report.h"

namespace reports {

using Json = nlohmann::ordered_json;

Json archive(const models::Simulation& simulation) {
  const models::archive::ArchiveService& a = *simulation.archive();
  const models::archive::ArchiveStats& s = a.stats;
  Json out;
  out["uploads"] = s.uploads;
  out["segments_archived"] = s.appended;
  out["bytes_archived"] = s.bytes_appended;
  out["slots_verified"] = s.slots_verified;
  out["s3_errors"] = {{"timeouts", s.timeouts}, {"busy", s.busy}, {"gaps", s.gaps}};
  Json lag{{"samples", a.lag_bytes.count()}};
  for (const auto& [name, per_million] : {std::pair{"p50", 500'000u}, std::pair{"p99", 990'000u}})
    lag[name] = a.lag_bytes.count() == 0 ? Json(nullptr) : Json(a.lag_bytes.percentile(per_million));
  lag["max"] = a.lag_bytes.count() == 0 ? Json(nullptr) : Json(a.lag_bytes.max());
  out["unarchived_bytes_per_replica"] = lag;
  const bool sampled = a.lag_bytes.count() > 0;
  out["data_at_risk_bytes"] = {{"max", sampled ? Json(a.at_risk_bytes_max) : Json(nullptr)},
                               {"at_end", sampled ? Json(a.at_risk_bytes_end) : Json(nullptr)}};
  Json mismatches = Json::array();
  for (const models::archive::Mismatch& m : s.mismatches)
    mismatches.push_back({{"time_s", static_cast<double>(m.time.nanos() / 1'000'000) / 1000.0},
                          {"group", m.group},
                          {"slot", m.slot},
                          {"node", simulation.network().node(m.node).name()}});
  out["archive_vs_log_mismatches"] = s.mismatches.size();
  out["mismatches"] = mismatches;
  return out;
}

}  // namespace reports
