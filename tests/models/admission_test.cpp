// Tests of the admission building blocks: exact token buckets and capacity units.
#include "models/admission/capacity.h"
#include "models/admission/token_bucket.h"
#include "reports/report.h"

#include <catch2/catch.hpp>

using namespace models::admission;
using sim::Time;

namespace {
Time at_ms(std::int64_t ms) { return Time::zero() + sim::millis(ms); }
Time at_ns(std::int64_t ns) { return Time::from_nanos(ns); }
}  // namespace

TEST_CASE("TokenBucket: refills at its rate, exactly, and never beyond its capacity", "[admission]") {
  TokenBucket bucket(100 * kMicro, 1000 * kMicro, 0, Time::zero());  // 100 units/s, holds 1000
  CHECK(bucket.tokens(at_ms(10)) == 1 * kMicro);
  CHECK(bucket.tokens(at_ms(1000)) == 100 * kMicro);
  CHECK(bucket.tokens(at_ms(9999)) == 999'900'000);
  CHECK(bucket.tokens(at_ms(10'000)) == 1000 * kMicro);
  CHECK(bucket.tokens(at_ms(60'000)) == 1000 * kMicro);  // capped
}

TEST_CASE("TokenBucket: fractions of a token carry over between refills, never lost or invented", "[admission]") {
  // 3 micro-units per second: a refill every 100 ms adds 0.3 micro-units, so the sum must
  // still be exactly 3 per second however it is sliced.
  TokenBucket bucket(3, kMicro, 0, Time::zero());
  for (int i = 1; i <= 100; ++i) bucket.refill(at_ms(100 * i));
  CHECK(bucket.tokens(at_ms(10'000)) == 30);
  // And sliced into nanoseconds.
  TokenBucket fine(1'000'000'000, 10 * kMicro, 0, Time::zero());  // one micro-unit per ns... 1000 units/s
  for (std::int64_t ns = 1; ns <= 1000; ++ns) fine.refill(at_ns(ns));
  CHECK(fine.tokens(at_ns(1000)) == 1000);
}

TEST_CASE("TokenBucket: consuming needs the whole cost, charging may run into debt", "[admission]") {
  TokenBucket bucket(kMicro, 5 * kMicro, 2 * kMicro, Time::zero());
  CHECK(bucket.try_consume(2 * kMicro, Time::zero()));
  CHECK_FALSE(bucket.try_consume(1, Time::zero()));
  CHECK(bucket.try_consume(kMicro / 2, at_ms(500)));  // half a second refilled half a unit
  bucket.charge(3 * kMicro, at_ms(500));
  CHECK(bucket.tokens(at_ms(500)) == -3 * kMicro);
  CHECK(bucket.tokens(at_ms(3500)) == 0);  // debt is repaid by refill before anything is admitted
  CHECK_FALSE(bucket.try_consume(1, at_ms(3500)));
}

TEST_CASE("TokenBucket: a new rate applies from now on, and a smaller capacity trims the tokens", "[admission]") {
  TokenBucket bucket(10 * kMicro, 100 * kMicro, 0, Time::zero());
  bucket.set_rate(20 * kMicro, at_ms(1000));
  CHECK(bucket.tokens(at_ms(2000)) == 30 * kMicro);
  bucket.set_capacity(25 * kMicro, at_ms(2000));
  CHECK(bucket.tokens(at_ms(2000)) == 25 * kMicro);
  CHECK(bucket.capacity() == 25 * kMicro);
}

TEST_CASE("TokenBucket: a zero rate never refills and an empty bucket admits nothing", "[admission]") {
  TokenBucket bucket(0, 10 * kMicro, 0, Time::zero());
  CHECK(bucket.tokens(at_ms(1'000'000)) == 0);
  CHECK_FALSE(bucket.try_consume(1, at_ms(1'000'000)));
  CHECK(bucket.try_consume(0, at_ms(1'000'000)));
}

TEST_CASE("Capacity units: 4 KB read units (half for eventual reads), 1 KB write units, rounded up", "[admission]") {
  using models::Operation;
  CHECK(capacity_units(Operation::get_strong, 1) == kMicro);
  CHECK(capacity_units(Operation::get_strong, 4096) == kMicro);
  CHECK(capacity_units(Operation::get_strong, 4097) == 2 * kMicro);
  CHECK(capacity_units(Operation::get_eventual, 4096) == kMicro / 2);
  CHECK(capacity_units(Operation::get_eventual, 10 * 1024) == 3 * kMicro / 2);
  CHECK(capacity_units(Operation::put, 1024) == kMicro);
  CHECK(capacity_units(Operation::put, 1025) == 2 * kMicro);
  CHECK(capacity_units(Operation::put, 400 * 1024) == 400 * kMicro);
}

// ---- Admission in small simulations ----------------------------------------------------------

#include "models/scenario_loader.h"
#include "models/simulation.h"

#include <fmt/format.h>

namespace {

// One partition of 150 RCU, idle for 5 minutes, then 200 strong reads of 1 KB a second (no
// client retries, so demand stays exactly the offered load).
models::Scenario idle_then_200_reads(const char* mode) {
  return models::parse_scenario(fmt::format(R"({{
    "name": "burst", "duration": "30m",
    "topology": {{"azs": [{{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 1}},
                          {{"name": "az2", "storage_nodes": 1, "routers": 0, "clients": 0}},
                          {{"name": "az3", "storage_nodes": 1, "routers": 0, "clients": 0}}]}},
    "admission": {{"mode": "{}"}},
    "client": {{"max_attempts": 1}},
    "replication": {{"keep_item_history": false}},
    "tables": [{{"name": "t", "partitions": 1, "items": 1000, "item_size": "1KB",
                 "capacity": {{"mode": "provisioned", "rcu": 150, "wcu": 10}}}}],
    "workload": [{{"table": "t", "rate": 200, "start": "5m", "mix": {{"get_strong": 1}}}}]
  }})", mode),
                                "burst.json");
}

double served_per_second(const models::Simulation& s, std::size_t minute) {
  return static_cast<double>(s.timeline().minutes().at(minute).client_succeeded) / 60.0;
}

}  // namespace

TEST_CASE("Burst: 5 idle minutes of 150 RCU pay for 200 RCU for 900 s, then throttling down to 150", "[admission]") {
  const models::Scenario scenario = idle_then_200_reads("burst");
  models::Simulation simulation(scenario, 1);
  simulation.run();
  // 300 s x 150 = 45,000 saved units; the extra 50 a second lasts 900 s: minutes 5 to 19.
  for (std::size_t minute : {6u, 10u, 15u, 18u}) {
    INFO("minute " << minute);
    CHECK(served_per_second(simulation, minute) == Approx(200).epsilon(0.05));
    const auto& m = simulation.timeline().minutes()[minute];
    CHECK(m.client_requests - m.client_succeeded < m.client_requests / 100);
  }
  for (std::size_t minute : {22u, 25u, 28u}) {
    INFO("minute " << minute);
    CHECK(served_per_second(simulation, minute) == Approx(150).epsilon(0.02));
  }
  CHECK(simulation.storage_nodes().front()->admission().admitted_from_burst > 40'000);
}

TEST_CASE("Static shares: no saved capacity, the excess is throttled from the start", "[admission]") {
  const models::Scenario scenario = idle_then_200_reads("static");
  models::Simulation simulation(scenario, 1);
  simulation.run();
  for (std::size_t minute : {6u, 15u, 25u}) {
    INFO("minute " << minute);
    CHECK(served_per_second(simulation, minute) == Approx(150).epsilon(0.02));
  }
  std::uint64_t from_burst = 0;
  for (const auto& node : simulation.storage_nodes()) from_burst += node->admission().admitted_from_burst;
  CHECK(from_burst == 0);
}

TEST_CASE("Throttling is its own outcome: counted apart, left out of availability", "[admission]") {
  const models::Scenario scenario = idle_then_200_reads("static");
  models::Simulation simulation(scenario, 2);
  const models::RunOutcome outcome = simulation.run();
  const reports::Json report = reports::build_report(simulation, outcome);
  CHECK(report["errors"]["throttled"].get<std::uint64_t>() > 50'000);
  CHECK(report["errors"]["unavailable"] == 0);
  CHECK(report["availability"]["read"]["throttled"] == report["errors"]["throttled"]);
  CHECK(report["availability"]["read"]["ratio"].get<double>() == 1.0);
}
