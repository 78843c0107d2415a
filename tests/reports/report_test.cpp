// Tests of reports/: metric lookup, checks, text rendering and expectation validation.
#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "reports/report.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

using reports::Json;

namespace {
const std::string kSource = DDBSIM_SOURCE_DIR;

std::string tiny_with_expect(const std::string& expect) {
  return R"({"name": "t", "duration": "1m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 1, "routers": 0, "clients": 0},
                         {"name": "az3", "storage_nodes": 1, "routers": 0, "clients": 0}]},
    "tables": [{"name": "t", "partitions": 1, "items": 10}],
    "workload": [{"table": "t", "rate": 10, "mix": {"put": 1}}],
    "expect": [)" + expect + "]}";
}
}  // namespace

TEST_CASE("Metric paths: dotted keys, indexes and wildcards find numbers in a report", "[reports]") {
  const Json report = Json::parse(R"({"a": {"b": 1.5, "list": [{"x": 1}, {"x": 2}, {"x": 3}]}})");
  REQUIRE(reports::lookup_metric(report, "a.b").size() == 1);
  CHECK(reports::lookup_metric(report, "a.b").front()->get<double>() == 1.5);
  CHECK(reports::lookup_metric(report, "a.list[1].x").front()->get<int>() == 2);
  CHECK(reports::lookup_metric(report, "a.list[*].x").size() == 3);
  CHECK(reports::lookup_metric(report, "a.list[9].x").empty());
  CHECK(reports::lookup_metric(report, "a.nope").empty());
  CHECK(reports::lookup_metric(report, "a.b.c").empty());
  CHECK(reports::lookup_metric(report, "a.list[x].x").empty());
}

TEST_CASE("Reports: expectations pass, fail and say why", "[reports]") {
  const models::Scenario scenario = models::parse_scenario(
      tiny_with_expect(R"({"metric": "availability.write.ratio", "op": ">=", "value": 0.99},
                         {"metric": "availability.write.requests", "op": "<", "value": 10},
                         {"name": "all windows", "metric": "availability.windows[*].write.ratio", "op": "==", "value": 1},
                         {"metric": "availability.read.ratio", "op": ">", "value": 0})"),
      "t.json");
  models::Simulation simulation(scenario, 1);
  const models::RunOutcome outcome = simulation.run();
  const Json report = reports::build_report(simulation, outcome);
  const std::vector<reports::Check> checks = reports::evaluate_checks(report, scenario);
  REQUIRE(checks.size() == 15);  // four expectations, then the invariants every run holds
  CHECK(checks[0].passed);
  CHECK(checks[0].name == "availability.write.ratio >= 0.99");
  CHECK_FALSE(checks[1].passed);
  CHECK(checks[1].detail.find("expected < 10") != std::string::npos);
  CHECK(checks[2].passed);
  CHECK(checks[2].detail == "availability.windows[*].write.ratio = 1");  // one window: shown as a value
  CHECK_FALSE(checks[3].passed);  // no reads in this workload: no data is not a pass
  CHECK(checks[3].detail == "availability.read.ratio: no data");
  CHECK(checks[4].name == "the run finished");
  CHECK(checks[4].passed);
  // The six safety monitors, each with its rule and how often it checked it.
  for (std::size_t i = 5; i < 11; ++i) {
    CHECK(checks[i].name.rfind("monitor ", 0) == 0);
    CHECK(checks[i].passed);
  }
  CHECK(checks[5].name.find("lease_exclusivity: at most one replica") != std::string::npos);
  CHECK(checks[9].name.find("convergence") != std::string::npos);
  CHECK(checks[10].name.find("lease_backed: a leader serves") != std::string::npos);
  CHECK(checks[11].name == "every acknowledged write survives on a write quorum");
  CHECK(checks[11].passed);
  CHECK(checks[12].name == "strongly consistent reads and writes are linearizable");
  CHECK(checks[12].passed);
  CHECK(checks[13].id == "integrity");
  CHECK(checks[13].passed);
  CHECK(checks[14].name == "every operation finished before the end");
  CHECK_FALSE(reports::all_passed(checks));
}

TEST_CASE("Reports: the text report lays out the same facts as report.json", "[reports]") {
  const models::Scenario scenario = models::load_scenario(kSource + "/tests/scenarios/tiny.json");
  models::Simulation simulation(scenario, 3);
  const models::RunOutcome outcome = simulation.run();
  Json report = reports::build_report(simulation, outcome);
  reports::attach_checks(report, reports::evaluate_checks(report, scenario));
  const std::string text = reports::render_text(report);
  CHECK(text.find("ddbsim report: tiny  seed 3") == 0);
  CHECK(text.find(report["trace_digest"].get<std::string>()) != std::string::npos);
  CHECK(text.find("00:00-01:00") != std::string::npos);
  CHECK(text.find("power_off         start    az1/storage0") != std::string::npos);
  CHECK(text.find("Result: PASS") != std::string::npos);
  CHECK(report["complete"] == true);
  CHECK(report["resolved_scenario"]["client"]["max_attempts"] == 4);
}

TEST_CASE("Reports: a minute without requests shows no availability, never a perfect one", "[reports]") {
  // The workload starts in the third minute: minutes 0 and 1 have no requests.
  const models::Scenario scenario = models::parse_scenario(R"({"name": "late", "duration": "3m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 1, "routers": 0, "clients": 0},
                         {"name": "az3", "storage_nodes": 1, "routers": 0, "clients": 0}]},
    "tables": [{"name": "t", "partitions": 1, "items": 10}],
    "workload": [{"table": "t", "rate": 10, "start": "2m", "mix": {"put": 1}}],
    "expect": [{"metric": "timeline[*].availability", "op": ">=", "value": 0.99}]})", "late.json");
  models::Simulation simulation(scenario, 1);
  const models::RunOutcome outcome = simulation.run();
  Json report = reports::build_report(simulation, outcome);
  const std::vector<reports::Check> checks = reports::evaluate_checks(report, scenario);
  reports::attach_checks(report, checks);
  const Json& timeline = report["timeline"];
  REQUIRE(timeline.size() == 3);
  CHECK(timeline[0]["availability"].is_null());
  CHECK(timeline[0]["availability_by_table"]["t"].is_null());
  CHECK(timeline[1]["availability"].is_null());
  CHECK(timeline[2]["availability"] == 1.0);
  // An expectation over minutes that include one with no data is not met: "no data".
  REQUIRE_FALSE(checks.empty());
  CHECK_FALSE(checks.front().passed);
  CHECK(checks.front().detail.find("no data") != std::string::npos);
  const std::string text = reports::render_text(report);
  CHECK(text.find("     0.0         -") != std::string::npos);
}

TEST_CASE("Reports: an expectation that an invariant fails makes it an expected failure, and fails if it holds",
          "[reports]") {
  // Items written for 20 s, then read; 5 of them rot on the leader at 30 s, and without page
  // checksums the reads return the rotten values.
  const std::string text = R"({"name": "t", "duration": "1m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 1, "routers": 0, "clients": 0},
                         {"name": "az3", "storage_nodes": 1, "routers": 0, "clients": 0}]},
    "storage": {"page_checksums": false},
    "tables": [{"name": "t", "partitions": 1, "items": 10}],
    "workload": [{"table": "t", "rate": 20, "mix": {"put": 1}, "end": "20s"},
                 {"table": "t", "rate": 50, "mix": {"get_strong": 1}, "start": "20s"}],
    "faults": {"timeline": [{"at": "30s", "kind": "bit_rot", "node": {"leader_of": {"table": "t", "key": 0}}, "items": 5}]},
    "expect": [{"name": "rot is served", "check": "integrity", "passed": false},
               {"check": "durability", "passed": false},
               {"check": "monitor.agreement", "passed": true}]})";
  const models::Scenario scenario = models::parse_scenario(text, "t.json");
  REQUIRE_NOTHROW(reports::validate_expectations(scenario));
  models::Simulation simulation(scenario, 1);
  const Json report = reports::build_report(simulation, simulation.run());
  CHECK(report["consistency"]["integrity"]["corrupted_reads"].get<std::uint64_t>() > 0);
  CHECK(report["verification"]["corruptions"]["bit_rot"] == 5);
  CHECK(report["verification"]["corruptions"]["detected"] == 0);  // no scrub, no page checksums
  CHECK(report["verification"]["time_to_detection_s"]["max"].is_null());  // nothing detected: no figure
  const std::vector<reports::Check> checks = reports::evaluate_checks(report, scenario);
  CHECK(checks[0].name == "rot is served");
  CHECK(checks[0].passed);
  CHECK(checks[0].detail == "integrity failed, expected to fail");
  CHECK_FALSE(checks[1].passed);  // durability held: the expectation that it fails does not
  CHECK(checks[1].detail == "durability held, expected to fail");
  CHECK(checks[2].passed);
  const auto integrity = std::find_if(checks.begin(), checks.end(), [](const reports::Check& c) { return c.id == "integrity"; });
  REQUIRE(integrity != checks.end());
  CHECK(integrity->passed);
  CHECK(integrity->expected_failure);
  Json judged = report;
  reports::attach_checks(judged, checks);
  CHECK_FALSE(judged["passed"].get<bool>());  // the durability expectation failed
  CHECK(reports::render_text(judged).find("XFAIL  every read returns a value some put wrote") != std::string::npos);

  // A check id no run of the scenario has is bad input at its path.
  const models::Scenario unknown = models::parse_scenario(tiny_with_expect(R"({"check": "monitor.nope", "passed": false})"), "t.json");
  try {
    reports::validate_expectations(unknown);
    FAIL("no error");
  } catch (const sim::config::InputError& error) {
    CHECK(error.path == "$.expect[0].check");
    CHECK(error.found == "\"monitor.nope\"");
  }
}

TEST_CASE("Reports: an expectation on a metric the report lacks is bad input at its JSON path", "[reports]") {
  const models::Scenario scenario =
      models::parse_scenario(tiny_with_expect(R"({"metric": "availability.by_az.az9.read.ratio", "op": ">=", "value": 1})"), "t.json");
  try {
    reports::validate_expectations(scenario);
    FAIL("no error");
  } catch (const sim::config::InputError& error) {
    CHECK(error.path == "$.expect[0].metric");
    CHECK(error.found == "\"availability.by_az.az9.read.ratio\"");
  }
}

TEST_CASE("Reports: a run that outgrows the simulator's event slots stops with a partial report, not an assertion",
          "[reports]") {
  // 10,000 requests a second overload three one-worker nodes: work piles up in queues and
  // timeouts, and soon more events are pending than the lowered limit (two chunks of 4,096
  // slots; the real one is 2^24) holds.
  const models::Scenario scenario = models::parse_scenario(R"({"name": "t", "duration": "1m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az3", "storage_nodes": 1, "routers": 1, "clients": 1}]},
    "tables": [{"name": "t", "partitions": 3, "items": 1000}],
    "workload": [{"table": "t", "rate": 10000, "mix": {"put": 0.5, "get_strong": 0.5}}]})",
                                                          "t.json");
  models::TestHooks hooks;
  hooks.event_slot_limit = 8192;
  models::Simulation simulation(scenario, 1, hooks);
  const models::RunOutcome outcome = simulation.run();
  CHECK(outcome.status == sim::RunStatus::out_of_slots);
  CHECK_FALSE(outcome.complete());
  CHECK(simulation.kernel().events_dispatched() > 10'000);  // it ran a while first
  const Json report = reports::build_report(simulation, outcome);
  CHECK(report["complete"] == false);
  CHECK(report["status"] == "stopped: more events pending at once than the simulator holds");
  // Without the lowered limit the same run finishes.
  models::Simulation whole(scenario, 1);
  CHECK(whole.run().complete());
}

namespace {

// What an expectation can name in a report: keys, array lengths, and which leaves are numbers
// (numbers, booleans and null alike) or text. Values themselves do not matter.
Json shape_of(const Json& j) {
  if (j.is_object()) {
    Json out = Json::object();
    for (const auto& [key, value] : j.items()) out[key] = shape_of(value);
    return out;
  }
  if (j.is_array()) {
    Json out = Json::array();
    for (const Json& value : j) out.push_back(shape_of(value));
    return out;
  }
  return j.is_string() ? "text" : "number";
}

}  // namespace

TEST_CASE("Reports: expectations are judged against a one-partition copy with the same metrics as the full scenario",
          "[reports]") {
  // validate must not build a region of a million groups to check a metric's name: the
  // skeleton comes from a copy with one partition per unmetered table. Every shipped scenario's
  // skeleton must have exactly the metrics of its full, unrun report.
  std::vector<std::string> files;
  for (const char* dir : {"/scenarios", "/scenarios/bench", "/scenarios/experiments", "/tests/scenarios"})
    for (const auto& entry : std::filesystem::directory_iterator(kSource + dir))
      if (entry.path().extension() == ".json" && entry.path().filename() != "scenario.schema.json")
        files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() > 20);
  std::size_t reduced = 0;
  for (const std::string& file : files) {
    INFO(file);
    const models::Scenario scenario = models::load_scenario(file);
    Json full;
    {
      models::Simulation unrun(scenario, scenario.seed);
      full = reports::build_report(unrun, models::RunOutcome{});
      for (const models::Variant& variant : scenario.variants) {
        models::Simulation unrun_variant(*variant.scenario, scenario.seed);
        reports::attach_variant(full, variant.name, reports::build_report(unrun_variant, models::RunOutcome{}));
      }
    }
    CHECK(shape_of(reports::report_skeleton(scenario)) == shape_of(full));
    for (std::size_t t = 0; t < scenario.tables.size(); ++t)
      if (reports::report_shape_scenario(scenario).tables[t].partitions < scenario.tables[t].partitions) ++reduced;
  }
  CHECK(reduced > 10);  // the copy is smaller where it matters (the region benchmarks' tables)
}
