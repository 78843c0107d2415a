// Seed records, summaries and `ddbsim merge`.
#include "tools/sweep_records.h"

#include "tools/commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace tools {

using reports::Json;

namespace {

std::filesystem::path record_path(const std::string& dir, std::uint64_t seed) {
  return std::filesystem::path(dir) / "seeds" / fmt::format("{}.json", seed);
}

Json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  Json out = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded() || !out.is_object() || !out.contains("seed") || !out["seed"].is_number_unsigned() ||
      !out.contains("scenario") || !out.contains("digest") || !out.contains("verdict"))
    throw std::runtime_error(path.string() + " is not a seed record");
  return out;
}

std::string verdict_of(const SeedRun& run) {
  if (run.out_of_slots) return "out_of_slots";
  return run.passed ? "pass" : "fail";
}

}  // namespace

std::vector<std::string> failure_signature(const SeedRun& run) {
  std::vector<std::string> signature;
  for (const reports::Check& check : run.checks)
    if (!check.passed) signature.push_back(check.id.empty() ? "expect: " + check.name : check.id);
  if (run.out_of_slots && signature.empty()) signature.push_back("out_of_slots");
  return signature;
}

Json seed_record(const models::Scenario& scenario, const SeedRun& run, const std::string& reproduce) {
  Json record;
  record["scenario"] = {{"name", scenario.name}, {"sha256", scenario.sha256}};
  record["seed"] = run.seed;
  record["verdict"] = verdict_of(run);
  record["digest"] = fmt::format("{:016x}", run.digest);
  Json failed = Json::array();
  for (const reports::Check& check : run.checks)
    if (!check.passed) failed.push_back({{"name", check.name}, {"detail", check.detail}});
  record["signature"] = failure_signature(run);
  record["failed_checks"] = failed;
  const Json& a = run.report["availability"];
  record["figures"] = {{"read_availability", a["read"]["ratio"]},
                       {"write_availability", a["write"]["ratio"]},
                       {"operations", run.report["operations"]["finished"]},
                       {"events", run.events},
                       {"sim_end_s", run.report["sim_end_s"]}};
  record["reproduce"] = reproduce;
  record["ddbsim"] = version_line();
  return record;
}

void write_seed_record(const std::string& dir, const Json& record) {
  const std::filesystem::path path = record_path(dir, record["seed"].get<std::uint64_t>());
  std::filesystem::create_directories(path.parent_path());
  write_file_atomically(path, record.dump(2) + "\n");
}

std::optional<Json> read_seed_record(const std::string& dir, const models::Scenario& scenario, std::uint64_t seed) {
  const std::filesystem::path path = record_path(dir, seed);
  if (!std::filesystem::exists(path)) return std::nullopt;
  Json record = read_json_file(path);
  if (record["scenario"]["name"] != scenario.name || record["scenario"]["sha256"] != scenario.sha256)
    throw std::runtime_error(fmt::format("{} is a record of another scenario ({}, sha256 {})", path.string(),
                                         record["scenario"]["name"].dump(), record["scenario"]["sha256"].dump()));
  if (record["seed"].get<std::uint64_t>() != seed) throw std::runtime_error(path.string() + " holds another seed");
  return record;
}

std::vector<Json> read_seed_records(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) throw std::runtime_error(dir + " is not a directory");
  std::vector<Json> out;
  const std::filesystem::path seeds = std::filesystem::path(dir) / "seeds";
  if (!std::filesystem::is_directory(seeds)) return out;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(seeds))
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());  // never the directory's order
  for (const auto& file : files) {
    Json record = read_json_file(file);
    if (file.filename().string() != fmt::format("{}.json", record["seed"].get<std::uint64_t>()))
      throw std::runtime_error(file.string() + " holds the record of seed " + record["seed"].dump());
    out.push_back(std::move(record));
  }
  return out;
}

Json summarize(std::vector<Json> records) {
  std::map<std::uint64_t, Json> by_seed;
  for (Json& record : records) {
    if (!by_seed.empty() && by_seed.begin()->second["scenario"] != record["scenario"])
      throw std::runtime_error(fmt::format("records of two scenarios: {} and {}", by_seed.begin()->second["scenario"].dump(),
                                           record["scenario"].dump()));
    const std::uint64_t seed = record["seed"].get<std::uint64_t>();
    const auto [it, inserted] = by_seed.emplace(seed, record);
    if (!inserted && it->second["digest"] != record["digest"])
      throw std::runtime_error(fmt::format("seed {} has two digests, {} ({}) and {} ({}): the runs were not deterministic", seed,
                                           it->second["digest"].get<std::string>(), it->second["ddbsim"].get<std::string>(),
                                           record["digest"].get<std::string>(), record["ddbsim"].get<std::string>()));
  }
  Json summary;
  summary["scenario"] = by_seed.empty() ? Json(nullptr) : by_seed.begin()->second["scenario"];
  std::uint64_t passed = 0;
  Json seeds = Json::array();
  std::map<std::string, std::vector<std::uint64_t>> by_signature;  // the signature's JSON text -> seeds
  for (const auto& [seed, record] : by_seed) {
    const bool pass = record["verdict"] == "pass";
    passed += pass ? 1 : 0;
    seeds.push_back({{"seed", seed}, {"verdict", record["verdict"]}, {"digest", record["digest"]}});
    if (!pass) by_signature[record["signature"].dump()].push_back(seed);
  }
  summary["seeds_run"] = by_seed.size();
  summary["passed"] = passed;
  summary["failed"] = by_seed.size() - passed;
  Json failures = Json::array();
  for (const auto& [signature, list] : by_signature)
    failures.push_back({{"signature", Json::parse(signature)}, {"seeds", list}, {"first_seed", list.front()}});
  // The most common failure first; ties by the first seed that shows it.
  std::stable_sort(failures.begin(), failures.end(), [](const Json& a, const Json& b) {
    return a["seeds"].size() != b["seeds"].size() ? a["seeds"].size() > b["seeds"].size()
                                                  : a["first_seed"].get<std::uint64_t>() < b["first_seed"].get<std::uint64_t>();
  });
  summary["failures"] = failures;
  summary["seeds"] = seeds;
  return summary;
}

namespace {

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;" : std::string(1, c);
  return out;
}

// The sweep's page: every seed with its verdict and digest, failures grouped by signature, and a
// link to a failing seed's report.html where the directory holds it.
std::string summary_html(const std::string& dir, const Json& summary) {
  const std::string name = summary["scenario"].is_null() ? std::string("no seeds") : summary["scenario"]["name"].get<std::string>();
  std::string out = fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ddbsim sweep: {}</title>
<style>body {{ font-family: sans-serif; margin: 2em; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ddd; padding: 3px 8px; }} .pass {{ color: #2a7d2a; }} .fail {{ color: #c0392b; }}</style>
</head><body><h1>Sweep of {}</h1><p>{} seeds: {} passed, {} failed.</p>
)",
                                html_escape(name), html_escape(name), summary["seeds_run"].dump(), summary["passed"].dump(),
                                summary["failed"].dump());
  if (!summary["failures"].empty()) {
    out += "<h2>Failures by signature</h2><table><tr><th>signature</th><th>seeds</th><th>first seed</th></tr>\n";
    for (const Json& f : summary["failures"]) {
      std::string signature;
      for (const Json& x : f["signature"]) signature += (signature.empty() ? "" : "<br>") + html_escape(x.get<std::string>());
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", signature, f["seeds"].size(), f["first_seed"].dump());
    }
    out += "</table>\n";
  }
  out += "<h2>Seeds</h2><table><tr><th>seed</th><th>verdict</th><th>digest</th><th>report</th></tr>\n";
  for (const Json& seed : summary["seeds"]) {
    const std::string report = fmt::format("seed-{}/report.html", seed["seed"].get<std::uint64_t>());
    const bool pass = seed["verdict"] == "pass";
    out += fmt::format("<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>\n", seed["seed"].dump(), pass ? "pass" : "fail",
                       html_escape(seed["verdict"].get<std::string>()), html_escape(seed["digest"].get<std::string>()),
                       std::filesystem::exists(std::filesystem::path(dir) / report) ? fmt::format("<a href=\"{}\">report</a>", report)
                                                                                   : std::string());
  }
  return out + "</table></body></html>\n";
}

}  // namespace

void write_summary(const std::string& dir, const Json& summary) {
  std::filesystem::create_directories(dir);
  write_file_atomically(std::filesystem::path(dir) / "summary.json", summary.dump(2) + "\n");
  write_file_atomically(std::filesystem::path(dir) / "summary.html", summary_html(dir, summary));
}

std::string summary_text(const Json& summary) {
  std::string out = fmt::format("{} seeds: {} passed, {} failed\n",
                                summary["scenario"].is_null() ? std::string("no") : summary["scenario"]["name"].get<std::string>(),
                                summary["passed"].get<std::uint64_t>(), summary["failed"].get<std::uint64_t>());
  for (const Json& f : summary["failures"]) {
    std::string signature;
    for (const Json& s : f["signature"]) signature += (signature.empty() ? "" : ", ") + s.get<std::string>();
    out += fmt::format("  {} seed(s) fail with [{}], first seed {}\n", f["seeds"].size(), signature,
                       f["first_seed"].get<std::uint64_t>());
  }
  return out;
}

int merge_command(const std::vector<std::string>& dirs, const std::string& out_dir) {
  std::vector<Json> records;
  try {
    for (const std::string& dir : dirs)
      for (Json& record : read_seed_records(dir)) records.push_back(std::move(record));
  } catch (const std::exception& error) {
    fmt::print(stderr, "ddbsim: merge: {}\n", error.what());
    return kExitBadInput;
  }
  Json summary;
  try {
    summary = summarize(records);
  } catch (const std::exception& error) {
    // Two digests for one seed is a finding, not a typo: the verdict is "failed".
    fmt::print(stderr, "ddbsim: merge: {}\n", error.what());
    return std::string(error.what()).find("two digests") != std::string::npos ? kExitFailed : kExitBadInput;
  }
  try {
    for (const Json& record : records) write_seed_record(out_dir, record);
    write_summary(out_dir, summary);
  } catch (const std::exception& error) {
    fmt::print(stderr, "ddbsim: merge: --out: {}\n", error.what());
    return kExitBadInput;
  }
  fmt::print("{}", summary_text(summary));
  return summary["failed"].get<std::uint64_t>() == 0 ? kExitPassed : kExitFailed;
}

}  // namespace tools
