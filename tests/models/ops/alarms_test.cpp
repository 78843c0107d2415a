// Tests of models/ops: alarm datapoints and M-of-N states (hand-fed), and canaries and alarms end
// to end in a small run.
#include "models/ops/alarms.h"
#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "reports/report.h"

#include <catch2/catch.hpp>

using namespace models;
using reports::Json;

namespace {

AlarmSpec availability_alarm(std::uint32_t m, std::uint32_t n) {
  AlarmSpec a;
  a.name = "a";
  a.metric = "canary.availability";
  a.threshold = 0.99;
  a.period = sim::minutes(1);
  a.datapoints = m;
  a.evaluation_periods = n;
  return a;
}

sim::Time minute(std::int64_t m) { return sim::Time::zero() + sim::minutes(m); }

// `ok` of `total` operations finishing in minute m (at m:30).
void feed(ops::AlarmTrack& t, std::int64_t m, int ok, int total) {
  for (int i = 0; i < total; ++i) t.observe(minute(m) + sim::seconds(30), i < ok, sim::millis(5));
}

}  // namespace

TEST_CASE("Alarms: ALARM once M of the last N datapoints breach, OK once fewer do", "[ops]") {
  const AlarmSpec spec = availability_alarm(2, 3);
  ops::AlarmTrack t(spec);
  feed(t, 0, 100, 100);
  t.evaluate(minute(1));
  feed(t, 1, 90, 100);  // breaches: 1 of 3
  t.evaluate(minute(2));
  CHECK_FALSE(t.in_alarm());
  feed(t, 2, 100, 100);
  t.evaluate(minute(3));
  CHECK_FALSE(t.in_alarm());
  feed(t, 3, 50, 100);  // breaches: minutes 1 and 3 of the last three
  t.evaluate(minute(4));
  CHECK(t.in_alarm());
  REQUIRE(t.transitions().size() == 1);
  CHECK(t.transitions()[0].time == minute(4));
  CHECK(*t.transitions()[0].value == Approx(0.5));
  feed(t, 4, 100, 100);  // minutes 2..4: one breach
  t.evaluate(minute(5));
  CHECK_FALSE(t.in_alarm());
  REQUIRE(t.transitions().size() == 2);
  CHECK_FALSE(t.transitions()[1].alarm);
}

TEST_CASE("Alarms: a period without operations is missing data and breaches nothing", "[ops]") {
  const AlarmSpec spec = availability_alarm(1, 1);
  ops::AlarmTrack t(spec);
  t.evaluate(minute(1));
  REQUIRE(t.datapoints().size() == 1);
  CHECK_FALSE(t.datapoints()[0].value.has_value());
  CHECK_FALSE(t.datapoints()[0].breaching);
  CHECK_FALSE(t.in_alarm());
  // An operation finishing exactly at a period's end belongs to the next period.
  t.observe(minute(2), false, sim::millis(1));
  t.evaluate(minute(2));
  CHECK_FALSE(t.datapoints()[1].value.has_value());
  t.evaluate(minute(3));
  CHECK(*t.datapoints()[2].value == 0.0);
  CHECK(t.in_alarm());
}

TEST_CASE("Alarms: a latency alarm breaches above its threshold, from successes only", "[ops]") {
  AlarmSpec spec = availability_alarm(1, 1);
  spec.metric = "canary.latency_p99";
  spec.statistic = AlarmSpec::Statistic::latency_p99;
  spec.threshold = static_cast<double>(sim::millis(100).nanos());
  ops::AlarmTrack t(spec);
  for (int i = 0; i < 99; ++i) t.observe(minute(0) + sim::seconds(1), true, sim::millis(10));
  t.observe(minute(0) + sim::seconds(2), false, sim::seconds(1));  // a failure: not a latency
  t.evaluate(minute(1));
  CHECK_FALSE(t.in_alarm());
  for (int i = 0; i < 10; ++i) t.observe(minute(1) + sim::seconds(1), true, sim::millis(500));
  t.evaluate(minute(2));
  CHECK(t.in_alarm());
  CHECK(*t.datapoints()[1].value >= 500e6 * 0.99);
}

TEST_CASE("Alarms: an alarm watches only its source, endpoint, AZ and table", "[ops]") {
  AlarmSpec spec = availability_alarm(1, 1);
  spec.az = 1;
  ops::AlarmTrack t(spec);
  CHECK(t.watches(true, 0, 1, 0));
  CHECK(t.watches(true, 2, 1, 0));         // any endpoint's
  CHECK_FALSE(t.watches(false, 0, 1, 0));  // a customer's operation
  CHECK_FALSE(t.watches(true, 0, 0, 0));   // another AZ's canary
  spec.endpoint = 2;
  spec.table = 0;
  CHECK(t.watches(true, 2, 1, 0));
  CHECK_FALSE(t.watches(true, 0, 1, 0));   // another endpoint's canary
  CHECK_FALSE(t.watches(true, 2, 1, 1));   // another table
}

TEST_CASE("Canaries and alarms: a canary per AZ is counted apart from customers, and an AZ outage fires its alarm",
          "[ops]") {
  const std::string text = R"({"name": "c", "duration": "12m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az3", "storage_nodes": 1, "routers": 1, "clients": 1}]},
    "tables": [{"name": "t", "partitions": 2, "items": 500}],
    "workload": [{"table": "t", "rate": 50, "mix": {"get_eventual": 0.5, "put": 0.5}}],
    "canaries": {"rate": 4},
    "alarms": [{"name": "az2_canary", "metric": "canary.availability", "az": "az2", "threshold": 0.99, "datapoints": 2, "evaluation_periods": 3}],
    "faults": {"timeline": [{"at": "4m", "kind": "az_outage", "az": "az2", "clients": false, "duration": "4m"}]}})";
  const models::Scenario scenario = models::parse_scenario(text, "c.json");
  models::Simulation simulation(scenario, 1);
  const Json r = reports::build_report(simulation, simulation.run());
  const Json& c = r["canaries"]["by_az"];
  REQUIRE(c.size() == 3);
  // About 4 a second for 12 minutes in each AZ.
  CHECK(c["az1"]["requests"].get<double>() == Approx(4 * 720).epsilon(0.1));
  CHECK(c["az2"]["availability"].get<double>() < 0.9);  // its routers are down: no retries
  CHECK(c["az2"]["minutes"][5]["availability"].get<double>() < 0.5);
  const Json& a = r["alarms"]["by_name"]["az2_canary"];
  CHECK(a["fired"] == true);
  CHECK(a["first_alarm_s"].get<double>() >= 240 + 60);  // two breaching one-minute datapoints
  CHECK(a["first_alarm_s"].get<double>() <= 240 + 180);
  CHECK(r["alarms"]["faults"][0]["detected"] == true);
  // The customers' availability holds only customers' operations.
  std::uint64_t customer_requests = r["availability"]["read"]["requests"].get<std::uint64_t>() +
                                    r["availability"]["write"]["requests"].get<std::uint64_t>();
  CHECK(static_cast<double>(customer_requests) == Approx(50 * 720).epsilon(0.1));
}
