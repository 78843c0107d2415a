// `--trace-format perfetto`: the file follows the Chrome trace event format's rules (what
// ui.perfetto.dev and chrome://tracing need to open it), requests are traced from client through
// router to storage, the window and gzip hold, and tracing never changes the run.
#include "models/scenario_loader.h"
#include "tools/perfetto_trace.h"
#include "tools/run_one.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_plain(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string read_gzip(const fs::path& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  REQUIRE(gz != nullptr);
  std::string text;
  char buffer[1 << 16];
  int n;
  while ((n = gzread(gz, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
  gzclose(gz);
  return text;
}

struct Traced {
  tools::SeedRun run;
  json trace;
};

Traced traced_run(const models::Scenario& scenario, const fs::path& file, sim::Time from, sim::Time to) {
  tools::PerfettoTrace tracer(file.string(), from, to);
  Traced out{tools::run_seed(scenario, scenario.seed, &tracer, nullptr), {}};
  tracer.finish(out.run.events, out.run.digest);
  const std::string text = file.extension() == ".gz" ? read_gzip(file) : read_plain(file);
  out.trace = json::parse(text);  // throws, and fails the test, if it is not JSON
  return out;
}

// The trace event format's rules, as its specification states them; what a viewer needs.
// Returns the events by phase.
std::map<std::string, std::vector<json>> check_format(const json& trace, double from_us, double to_us) {
  REQUIRE(trace.is_object());
  REQUIRE(trace.contains("traceEvents"));
  REQUIRE(trace["traceEvents"].is_array());
  CHECK(trace["displayTimeUnit"] == "ns");
  std::map<std::string, std::vector<json>> by_phase;
  std::set<std::int64_t> named;  // pids with a process_name
  std::set<std::int64_t> used;
  for (const json& e : trace["traceEvents"]) {
    REQUIRE(e.is_object());
    REQUIRE(e.contains("ph"));
    REQUIRE(e["ph"].is_string());
    REQUIRE(e.contains("pid"));
    REQUIRE(e["pid"].is_number_integer());
    const std::string ph = e["ph"];
    by_phase[ph].push_back(e);
    if (ph == "M") {
      REQUIRE(e["args"].is_object());
      if (e["name"] == "process_name") {
        CHECK(e["args"]["name"].is_string());
        CHECK(named.insert(e["pid"].get<std::int64_t>()).second);  // named once
      } else if (e["name"] == "process_sort_index") {
        CHECK(e["args"]["sort_index"].is_number_integer());
      } else {
        CHECK(e["name"] == "process_labels");
      }
      continue;
    }
    used.insert(e["pid"].get<std::int64_t>());
    REQUIRE(e.contains("ts"));
    REQUIRE(e["ts"].is_number());
    const double ts = e["ts"];
    CHECK(ts >= from_us);
    CHECK(ts <= to_us);
    REQUIRE(e.contains("name"));
    CHECK(e["name"].is_string());
    if (ph == "X") {
      CHECK(e["dur"].is_number());
      CHECK(e["dur"].get<double>() >= 0);
      CHECK(e["tid"].is_number_integer());
    } else if (ph == "C") {
      REQUIRE(e["args"].is_object());
      CHECK(!e["args"].empty());
      for (const auto& [series, value] : e["args"].items()) CHECK(value.is_number());
    } else if (ph == "s" || ph == "f" || ph == "b" || ph == "e") {
      CHECK(e.contains("id"));
      CHECK(e["cat"].is_string());
      CHECK(e["tid"].is_number_integer());
    } else {
      FAIL("unexpected phase " << ph);
    }
  }
  for (std::int64_t pid : used) {
    INFO("pid " << pid);
    CHECK(named.count(pid) == 1);
  }
  // Flow arrows: one start and one binding end per id, not before the start.
  std::map<std::string, json> starts;
  for (const json& s : by_phase["s"]) CHECK(starts.emplace(s["id"].dump(), s).second);
  std::set<std::string> finished;
  for (const json& f : by_phase["f"]) {
    const std::string id = f["id"].dump();
    INFO("flow " << id);
    REQUIRE(starts.count(id) == 1);
    CHECK(finished.insert(id).second);
    CHECK(f["bp"] == "e");
    CHECK(f["cat"] == starts[id]["cat"]);
    CHECK(f["ts"].get<double>() >= starts[id]["ts"].get<double>());
  }
  CHECK(finished.size() == starts.size());
  // Async slices: every begin ends once, on its process, not before it began.
  std::map<std::string, json> begins;
  for (const json& b : by_phase["b"]) CHECK(begins.emplace(b["cat"].dump() + b["id"].dump(), b).second);
  std::set<std::string> ended;
  for (const json& e : by_phase["e"]) {
    const std::string key = e["cat"].dump() + e["id"].dump();
    INFO("async " << key);
    REQUIRE(begins.count(key) == 1);
    CHECK(ended.insert(key).second);
    CHECK(e["pid"] == begins[key]["pid"]);
    CHECK(e["ts"].get<double>() >= begins[key]["ts"].get<double>());
  }
  CHECK(ended.size() == begins.size());
  return by_phase;
}

std::map<std::int64_t, std::string> process_names(const json& trace) {
  std::map<std::int64_t, std::string> names;
  for (const json& e : trace["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "process_name") names[e["pid"]] = e["args"]["name"];
  return names;
}

}  // namespace

TEST_CASE("Perfetto trace: a whole run follows the trace event format and shows requests end to end",
          "[perfetto]") {
  const models::Scenario scenario = models::load_scenario(std::string(DDBSIM_SOURCE_DIR) + "/tests/scenarios/tiny.json");
  const fs::path dir = fs::temp_directory_path() / "ddbsim_perfetto_test";
  fs::create_directories(dir);
  const Traced traced = traced_run(scenario, dir / "trace.json", sim::Time::zero(),
                                   sim::Time::from_nanos(std::numeric_limits<std::int64_t>::max()));
  auto by_phase = check_format(traced.trace, 0, 1e18);

  // Tracing changes nothing: the run's report and digest are those of an untraced run.
  const tools::SeedRun plain = tools::run_seed(scenario, scenario.seed, nullptr, nullptr);
  CHECK(plain.digest == traced.run.digest);
  CHECK(plain.report.dump() == traced.run.report.dump());

  // Every dispatched event is a slice, and the file says how many and the digest.
  CHECK(by_phase["X"].size() == traced.run.events);
  CHECK(traced.trace["otherData"]["events"] == traced.run.events);
  CHECK(!by_phase["s"].empty());

  // A process per node, sorted by AZ and then role.
  const auto names = process_names(traced.trace);
  std::map<std::int64_t, std::int64_t> sort_index;
  for (const json& m : by_phase["M"])
    if (m["name"] == "process_sort_index") sort_index[m["pid"]] = m["args"]["sort_index"];
  std::int64_t client1 = -1, router1 = -1, storage1 = -1, router2 = -1;
  for (const auto& [pid, name] : names) {
    if (name == "az1/client0") client1 = sort_index[pid];
    if (name == "az1/router0") router1 = sort_index[pid];
    if (name == "az1/storage0") storage1 = sort_index[pid];
    if (name == "az2/router0") router2 = sort_index[pid];
  }
  CHECK(client1 < router1);
  CHECK(router1 < storage1);
  CHECK(storage1 < router2);

  // Requests: async slices at a client, and some request's events reach a router and a storage
  // node, joined by arrows.
  CHECK(by_phase["b"].size() > 1000);  // about 3,000 arrivals in the minute
  std::map<std::int64_t, std::set<std::string>> roles_of_request;
  for (const json& x : by_phase["X"])
    if (x["args"].contains("request")) {
      const std::string name = names.at(x["pid"]);
      roles_of_request[x["args"]["request"]].insert(name.substr(name.find('/') + 1, name.find_last_not_of("0123456789") - name.find('/')));
    }
  std::size_t end_to_end = 0;
  for (const auto& [id, roles] : roles_of_request)
    end_to_end += roles.count("client") && roles.count("router") && roles.count("memds") && roles.count("storage");
  CHECK(end_to_end > 1000);

  // The power-off is one fault slice, 10 s long.
  std::vector<json> faults;
  for (const json& b : by_phase["b"])
    if (b["cat"] == "fault") faults.push_back(b);
  REQUIRE(faults.size() == 1);
  for (const json& e : by_phase["e"])
    if (e["cat"] == "fault") CHECK(e["ts"].get<double>() - faults[0]["ts"].get<double>() == Approx(10e6));

  // Counters: pending events, and each storage node's request queue.
  std::set<std::string> counters;
  for (const json& c : by_phase["C"]) counters.insert(names.count(c["pid"]) ? names.at(c["pid"]) + " " + c["name"].get<std::string>() : c["name"].get<std::string>());
  CHECK(counters.count("simulator pending events") == 1);
  CHECK(counters.count("az1/storage0 request queue") == 1);
  CHECK(counters.count("az1/memds0 lookup queue") == 1);
  fs::remove_all(dir);
}

TEST_CASE("Perfetto trace: a window keeps only its stretch, gzip holds the same trace, archives add unarchived bytes",
          "[perfetto]") {
  models::Scenario scenario = models::parse_scenario(
      R"({"name": "archived", "seed": 4, "duration": "40s",
          "topology": {"azs": [{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 1},
                               {"name": "az2", "storage_nodes": 1, "routers": 1, "clients": 0},
                               {"name": "az3", "storage_nodes": 1, "routers": 1, "clients": 0}]},
          "archive": {"interval": "5s", "segment": "1MB"},
          "tables": [{"name": "t", "partitions": 2, "items": 500, "item_size": "4KB"}],
          "workload": [{"table": "t", "rate": 100, "mix": {"get_strong": 0.2, "put": 0.8}}]})",
      "archived.json");
  const fs::path dir = fs::temp_directory_path() / "ddbsim_perfetto_window_test";
  fs::create_directories(dir);
  const sim::Time from = sim::Time::zero() + sim::seconds(10), to = sim::Time::zero() + sim::seconds(12);
  const Traced plain = traced_run(scenario, dir / "window.json", from, to);
  const Traced gz = traced_run(scenario, dir / "window.json.gz", from, to);
  CHECK(plain.trace == gz.trace);
  const auto by_phase = check_format(plain.trace, 10e6, 12e6);
  // Only about 2 s of 40: a twentieth of the events, give or take.
  CHECK(by_phase.at("X").size() > plain.run.events / 40);
  CHECK(by_phase.at("X").size() < plain.run.events / 10);
  // Arrows whose sender is outside the window are left out: every arrow starts inside.
  for (const json& s : by_phase.at("s")) CHECK(s["ts"].get<double>() >= 10e6);
  bool unarchived = false;
  for (const json& c : by_phase.at("C"))
    unarchived |= c["name"] == "unarchived bytes" && c["args"]["value"].get<double>() > 0;
  CHECK(unarchived);
  CHECK(fs::file_size(dir / "window.json.gz") * 4 < fs::file_size(dir / "window.json"));
  fs::remove_all(dir);
}
