// Tests of models/ops/deployer: waves and their sizes, bakes, rollback on an alarm and at a set
// time, crashes of a bad build, and the storage drain against a plain restart, each in a small run.
#include "models/ops/deployer.h"
#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "reports/report.h"

#include <catch2/catch.hpp>

#include <string>

using reports::Json;

namespace {

// Three AZs; `routers` routers and two storage nodes in each; customers without retries.
std::string scenario_with(const std::string& deployments, const std::string& extra = "", int routers = 4,
                          const std::string& duration = "30m") {
  return R"({"name": "d", "duration": ")" + duration + R"(",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 2, "routers": )" + std::to_string(routers) + R"(, "clients": 1},
                         {"name": "az2", "storage_nodes": 2, "routers": )" + std::to_string(routers) + R"(, "clients": 1},
                         {"name": "az3", "storage_nodes": 2, "routers": )" + std::to_string(routers) + R"(, "clients": 1}]},
    "client": {"max_attempts": 1},
    "tables": [{"name": "t", "partitions": 6, "items": 1000}],
    "workload": [{"table": "t", "rate": 60, "mix": {"get_strong": 0.5, "put": 0.5}}],
    "canaries": {"rate": 10},
    "alarms": [{"name": "canaries", "metric": "canary.availability", "threshold": 0.99, "datapoints": 2, "evaluation_periods": 3}],
    )" + extra + R"("deployments": [)" + deployments + "]}";
}

Json run(const std::string& text) {
  const models::Scenario scenario = models::parse_scenario(text, "d.json");
  models::Simulation simulation(scenario, 1);
  return reports::build_report(simulation, simulation.run());
}

}  // namespace

TEST_CASE("Deployments: each wave brings the fleet up to its share (rounded up, one node more at least), then bakes",
          "[ops]") {
  // 12 routers: 1% is 1 router, 40% is 5 (4 more), 100% the other 7.
  const Json r = run(scenario_with(
      R"({"name": "v2", "at": "1m", "role": "router", "build": {"name": "v2"}, "waves": [0.01, 0.4, 1], "bake": "3m",
          "restart": {"time": "10s"}})"));
  const Json& d = r["deployments"][0];
  REQUIRE(d["waves"].size() == 3);
  CHECK(d["waves"][0]["nodes"] == 1);
  CHECK(d["waves"][1]["nodes"] == 4);
  CHECK(d["waves"][2]["nodes"] == 7);
  // One router at a time: each is drained for a client's attempt timeout, then down for 10 s.
  const double drain = r["resolved_scenario"]["client"]["attempt_timeout"].get<std::string>() == "1s" ? 1.0 : -1.0;
  REQUIRE(drain > 0);
  CHECK(d["waves"][0]["start_s"] == 60.0);
  CHECK(d["waves"][0]["end_s"].get<double>() == Approx(60 + drain + 10));
  CHECK(d["waves"][1]["start_s"].get<double>() == Approx(60 + drain + 10 + 180));  // after the bake
  CHECK(d["waves"][1]["end_s"].get<double>() == Approx(d["waves"][1]["start_s"].get<double>() + 4 * (drain + 10)));
  CHECK(d["completed_s"].get<double>() == Approx(d["waves"][2]["end_s"].get<double>() + 180));
  CHECK(d["restarts"] == 12);
  CHECK(d["nodes_on_build_at_end"] == 12);
  CHECK(d["rolled_back"] == false);
  // A good build, drained routers: the customers lose nothing, and no alarm fires.
  CHECK(d["impact"]["failed_requests"] == 0);
  CHECK(d["detected"] == false);
}

TEST_CASE("Deployments: waves by AZ take one AZ each", "[ops]") {
  const Json r = run(scenario_with(
      R"({"name": "v2", "at": "1m", "role": "storage", "build": {"name": "v2"}, "waves": "az", "bake": "1m",
          "restart": {"time": "2s"}})"));
  const Json& d = r["deployments"][0];
  REQUIRE(d["waves"].size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(d["waves"][i]["az"] == "az" + std::to_string(i + 1));
    CHECK(d["waves"][i]["nodes"] == 2);
  }
  CHECK(d["nodes_on_build_at_end"] == 6);
  CHECK(d["drains_timed_out"] == 0);
}

TEST_CASE("Deployments: a bad build is rolled back when its alarm fires, and the later waves never start", "[ops]") {
  const Json r = run(scenario_with(
      R"({"name": "v2", "at": "2m", "role": "router", "build": {"name": "v2", "error_rate": 1.0}, "waves": [0.25, 1],
          "bake": "10m", "restart": {"time": "10s", "at_once": 3}, "rollback": {"alarms": ["canaries"], "at_once": 3}})"));
  const Json& d = r["deployments"][0];
  CHECK(d["rolled_back"] == true);
  CHECK(d["rollback"]["reason"] == "canaries");
  CHECK(d["waves_started"] == 1);
  CHECK(d["waves"][0]["nodes"] == 3);
  CHECK(d["nodes_on_build_at_end"] == 0);
  CHECK(d["detected"] == true);
  CHECK(d["time_to_detect_s"].get<double>() <= 180);
  // Three routers then three again: the rollback restarts exactly the ones on the build.
  CHECK(d["restarts"] == 6);
  CHECK(d["build_errors"].get<std::uint64_t>() > 0);
  CHECK(d["impact"]["failed_requests"].get<std::uint64_t>() > 0);
  // Nothing fails once the rollback is over.
  const double back = d["rollback"]["end_s"].get<double>();
  for (const Json& m : r["canaries"]["by_az"]["az1"]["minutes"])
    if (m["t_s"].get<double>() >= back + 60) CHECK(m["availability"] == 1.0);
}

TEST_CASE("Deployments: a deliberate rollback at a set time, and a crashing build's crashes", "[ops]") {
  const Json r = run(scenario_with(
      R"({"name": "v2", "at": "1m", "role": "storage", "build": {"name": "v2", "crashes_per_hour": 30}, "bake": "0s",
          "restart": {"time": "2s"}, "rollback": {"at": "20m"}})"));
  const Json& d = r["deployments"][0];
  CHECK(d["rolled_back"] == true);
  CHECK(d["rollback"]["reason"] == "scheduled");
  CHECK(d["rollback"]["start_s"] == 1200.0);
  CHECK(d["nodes_on_build_at_end"] == 0);
  // Six nodes at 30 crashes an hour for about 19 minutes: dozens of crashes.
  CHECK(d["crashes"].get<std::uint64_t>() >= 20);
  CHECK(d["crashes"].get<std::uint64_t>() <= 110);
}

TEST_CASE("Deployments: a drained storage node hands its groups off, so none waits out a lease, a plain restart does not",
          "[ops]") {
  const auto leaderless = [](bool drain) {
    const Json r = run(scenario_with(
        std::string(R"({"name": "v2", "at": "1m", "role": "storage", "build": {"name": "v2"}, "bake": "1m",
                       "restart": {"time": "2s", "drain": )") + (drain ? "true" : "false") + "}}",
        "", 4, "15m"));
    CHECK(r["deployments"][0]["restarts"] == 6);
    return r["replication"]["leaderless_s"]["total"].get<double>();
  };
  const double drained = leaderless(true);
  const double plain = leaderless(false);
  CHECK(drained < 0.5);
  CHECK(plain > 6 * 2.0);  // each group led by a restarted node waits out an election and a lease
}

TEST_CASE("Deployments: a log format shipped writer-first breaks old readers and its rollback, read-write breaks nothing",
          "[ops]") {
  const std::string v2 = R"("log_format": {"reads": 2, "writes": 2})";
  const Json writer_first = run(scenario_with(
      R"({"name": "v2", "at": "1m", "role": "storage", "build": {"name": "v2", )" + v2 +
          R"(}, "waves": "az", "bake": "2m", "restart": {"time": "2s"}, "rollback": {"at": "15m"}})",
      "", 2, "20m"));
  const Json& w = writer_first["deployments"][0];
  CHECK(writer_first["replication"]["parse_errors"].get<std::uint64_t>() > 0);
  CHECK(w["waves_started"] == 3);
  CHECK(w["failed_starts"] == 1);  // the first node rolled back cannot read its log, and the pipeline halts
  CHECK(w["halted_s"].get<double>() >= 900);
  CHECK(w["rollback"]["end_s"].is_null());
  CHECK(w["nodes_on_build_at_end"] == 6);  // the node that failed to start goes back on v2 for the final heal

  const Json read_write = run(scenario_with(
      R"({"name": "v2-read", "at": "1m", "role": "storage", "build": {"name": "v2-read", "log_format": {"reads": 2}},
          "waves": "az", "bake": "1m", "restart": {"time": "2s"}},
         {"name": "v2", "at": "6m", "role": "storage", "build": {"name": "v2", )" + v2 +
          R"(}, "waves": "az", "bake": "1m", "restart": {"time": "2s"}, "rollback": {"at": "15m"}})",
      "", 2, "20m"));
  CHECK(read_write["replication"]["parse_errors"] == 0);
  for (const Json& d : read_write["deployments"]) {
    CHECK(d["failed_starts"] == 0);
    CHECK(d["halted_s"].is_null());
  }
  const Json& writers = read_write["deployments"][1];
  CHECK(writers["rolled_back"] == true);
  CHECK_FALSE(writers["rollback"]["end_s"].is_null());
  CHECK(writers["nodes_on_build_at_end"] == 0);
  CHECK(read_write["deployments"][0]["nodes_on_build_at_end"] == 6);  // back on the readers' build
}

TEST_CASE("Deployments: two deployments of one role at once restart each node in turn, a failed start included",
          "[ops]") {
  // v2 writes format 2; its rollback fails on its first node, which stays down. Then two
  // deployments start together: v3 (reads it) and v1-again (cannot). Review finding: two power
  // cycles of one held node released its hold twice.
  const Json r = run(scenario_with(
      R"({"name": "v2", "at": "1m", "role": "storage", "build": {"name": "v2", "log_format": {"reads": 2, "writes": 2}},
          "waves": "az", "bake": "0s", "restart": {"time": "2s"}, "rollback": {"at": "4m"}},
         {"name": "v3", "at": "6m", "role": "storage", "build": {"name": "v3", "log_format": {"reads": 2, "writes": 2}},
          "waves": "az", "bake": "0s", "restart": {"time": "3s"}},
         {"name": "old", "at": "6m", "role": "storage", "build": {"name": "old"},
          "waves": "az", "bake": "0s", "restart": {"time": "5s"}})",
      "", 2, "15m"));
  CHECK(r["complete"] == true);
  CHECK(r["deployments"][0]["failed_starts"] == 1);
  CHECK(r["deployments"][1]["restarts"] == 6);  // v3 reads every log: it starts everywhere
  CHECK(r["deployments"][2]["failed_starts"] == 1);  // the old build cannot, and halts at its first node
}

TEST_CASE("Deployments: the router fleet holds every endpoint's routers", "[ops]") {
  std::string text = scenario_with(
      R"({"name": "v2", "at": "1m", "role": "router", "build": {"name": "v2"}, "waves": [1], "restart": {"time": "2s"}})",
      "", 2, "10m");
  const std::string azs_end = R"("clients": 1}]},)";
  text.replace(text.find(azs_end), azs_end.size(), R"("clients": 1}], "endpoints": [{"name": "p", "routers_per_az": 1}]},)");
  const Json r = run(text);
  const Json& d = r["deployments"][0];
  CHECK(d["fleet"] == 9);
  CHECK(d["restarts"] == 9);
  CHECK(d["nodes_on_build_at_end"] == 9);
}

TEST_CASE("Deployments: MemDS and GAC fleets take builds too, whose errors fail lookups and grants", "[ops]") {
  SECTION("MemDS: a build failing every lookup, one AZ at a time; routers ask other nodes") {
    // Routers look routes up again after storage nodes restart; a power-off makes them.
    const Json r = run(scenario_with(
        R"({"name": "m2", "at": "1m", "role": "memds", "build": {"name": "m2", "error_rate": 0.5}, "waves": "az",
            "bake": "1m", "restart": {"time": "5s"}})",
        R"("faults": {"timeline": [{"at": "6m", "kind": "power_off", "node": "az1/storage0", "duration": "30s"}]},)", 4, "10m"));
    const Json& d = r["deployments"][0];
    CHECK(d["fleet"] == 6);  // two per AZ
    CHECK(d["restarts"] == 6);
    CHECK(d["nodes_on_build_at_end"] == 6);
    CHECK(d["build_errors"].get<std::uint64_t>() > 0);
  }
  SECTION("GAC: a build refusing every grant; routers fail open, metered only by partition buckets") {
    const auto gac_run = [](double error_rate, const char* extra_latency = "0s") {
      std::string text = scenario_with(
          R"({"name": "g2", "at": "2m", "role": "gac", "build": {"name": "g2", "error_rate": )" + std::to_string(error_rate) +
              R"(, "extra_latency": ")" + extra_latency + R"("}, "waves": [1], "restart": {"time": "2s"}})",
          R"("admission": {"mode": "gac"},)", 2, "6m");
      const std::string table = R"("items": 1000})";
      text.replace(text.find(table), table.size(), R"("items": 1000, "capacity": {"mode": "provisioned", "rcu": 5000, "wcu": 5000}})");
      return run(text);
    };
    const Json bad = gac_run(1.0);
    const Json good = gac_run(0.0);
    const Json& d = bad["deployments"][0];
    CHECK(d["fleet"] == 3);
    CHECK(d["restarts"] == 3);
    CHECK(d["build_errors"].get<std::uint64_t>() > 0);
    CHECK(good["deployments"][0]["build_errors"] == 0);
    // No grant after the deployment: the routers stop metering the table as a whole.
    const Json& g = bad["capacity"]["gac"];
    CHECK(g["grant_failures"].get<std::uint64_t>() >= d["build_errors"].get<std::uint64_t>());
    CHECK(g["router_unmetered"].get<std::uint64_t>() > 10 * good["capacity"]["gac"]["router_unmetered"].get<std::uint64_t>());
    // A build answering after the routers' 50 ms timeout: grants fail without a build error.
    const Json slow = gac_run(0.0, "80ms");
    CHECK(slow["deployments"][0]["build_errors"] == 0);
    CHECK(slow["capacity"]["gac"]["grant_failures"].get<std::uint64_t>() > 10 * good["capacity"]["gac"]["grant_failures"].get<std::uint64_t>() + 10);
  }
}

TEST_CASE("Deployments: a router build with a bad configuration fails requests until its alarm rolls it back", "[ops]") {
  // A storage timeout shorter than any storage round trip: every forwarded request times out.
  const Json r = run(scenario_with(
      R"({"name": "v2", "at": "1m", "role": "router", "build": {"name": "v2", "config": {"storage_timeout": "100us"}},
          "waves": [0.5, 1], "bake": "5m", "restart": {"time": "5s"}, "rollback": {"alarms": ["canaries"]}})",
      "", 2, "20m"));
  const Json& d = r["deployments"][0];
  CHECK(r["resolved_scenario"]["deployments"][0]["build"]["config"]["storage_timeout"] == "100us");
  CHECK(d["impact"]["failed_requests"].get<std::uint64_t>() > 0);
  CHECK(d["detected"] == true);
  CHECK(d["rolled_back"] == true);
  CHECK(d["waves"].size() == 1);  // caught while the first wave baked
  CHECK(d["nodes_on_build_at_end"] == 0);
}

TEST_CASE("Deployments: routers added while a router deployment runs are not its to ship", "[ops]") {
  // Found by review: the waves indexed the grown fleet past the deployment's order (a crash).
  const Json r = run(scenario_with(
      R"({"name": "v2", "at": "1m", "role": "router", "build": {"name": "v2"}, "waves": [0.5, 1], "bake": "1m",
          "restart": {"time": "10s"}})",
      R"("faults": {"timeline": [{"at": "70s", "kind": "add_nodes", "role": "router", "count": 3}]},)", 2, "8m"));
  const Json& d = r["deployments"][0];
  CHECK(d["fleet"] == 6);
  CHECK(d["restarts"] == 6);
  CHECK(d["nodes_on_build_at_end"] == 6);
}

TEST_CASE("Deployments: a MemDS fleet restarted all at once reloads from the metadata table", "[ops]") {
  // Found by review: with no peer holding a map, every node waited for one forever.
  const Json r = run(scenario_with(
      R"({"name": "m2", "at": "1m", "role": "memds", "build": {"name": "m2"}, "restart": {"time": "10s", "at_once": 100}})", "",
      2, "5m"));
  CHECK(r["deployments"][0]["restarts"] == 6);
  const Json& timeline = r["timeline"];
  REQUIRE(timeline.size() >= 4);
  // Routers keep asking MemDS (constant work); from the third minute on it answers them all again.
  for (std::size_t m = 2; m < timeline.size(); ++m) {
    INFO("minute " << m);
    CHECK(timeline[m]["memds_rps"].get<double>() > 0);
    CHECK(timeline[m]["memds_rejected"].get<double>() == 0);
  }
}
