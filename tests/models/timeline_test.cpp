// The timeline's per-minute latencies: kept as histograms while a minute's operations may still
// finish, then settled into the figures the reports read, so a long run's memory stays flat.
#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "models/timeline.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace models;

namespace {

sim::Time at_s(std::int64_t s) { return sim::Time::zero() + sim::seconds(s); }

}  // namespace

TEST_CASE("MinuteLatency: the settled figures are those of the histogram it lets go", "[timeline]") {
  MinuteLatency latency;
  sim::SparseLogLinearHistogram reference;
  std::uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 5000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const std::uint64_t ns = 200'000 + x % 30'000'000;  // 0.2 to 30 ms
    latency.record(ns);
    reference.record(ns);
  }
  REQUIRE(latency.count() == 5000);
  const std::uint64_t p50 = latency.p50(), p99 = latency.p99();
  CHECK(p50 == reference.percentile(500'000));
  CHECK(p99 == reference.percentile(990'000));
  latency.settle();
  CHECK(latency.settled());
  CHECK(latency.count() == 5000);
  CHECK(latency.p50() == p50);
  CHECK(latency.p99() == p99);

  MinuteLatency none;
  none.settle();
  CHECK(none.count() == 0);
}

TEST_CASE("Timeline: a minute settles once it is over and none of its operations is open", "[timeline]") {
  Timeline timeline(1);
  timeline.client_began(at_s(10));  // A, minute 0
  timeline.client_began(at_s(30));  // B, minute 0
  timeline.client_finished(at_s(10), 0, Operation::put, true, sim::seconds(30));  // A at 40 s
  timeline.client_began(at_s(70));  // C, minute 1: minute 0 is over but B is open
  CHECK(timeline.settled_minutes() == 0);
  timeline.client_finished(at_s(30), 0, Operation::get_strong, true, sim::seconds(100));  // B at 130 s
  // Minute 0 settles; minute 1 waits for C.
  REQUIRE(timeline.settled_minutes() == 1);
  const MinuteCounts& zero = timeline.minutes()[0];
  CHECK(zero.latency[static_cast<std::size_t>(Operation::put)].settled());
  CHECK(zero.latency[static_cast<std::size_t>(Operation::put)].count() == 1);
  CHECK(zero.latency[static_cast<std::size_t>(Operation::get_strong)].count() == 1);
  CHECK(zero.latency[static_cast<std::size_t>(Operation::get_strong)].p50() >= 99'000'000'000);
  CHECK(zero.client_requests == 2);
  CHECK_FALSE(timeline.minutes()[1].latency[0].settled());
  // C's client loses power: C ends unobserved, and minute 1 settles at the next operation.
  timeline.client_abandoned(at_s(70));
  CHECK(timeline.settled_minutes() == 1);
  timeline.client_began(at_s(150));  // minute 2
  CHECK(timeline.settled_minutes() == 2);
  CHECK(timeline.minutes()[1].client_requests == 0);
  CHECK(timeline.minutes()[1].latency[0].count() == 0);
}

TEST_CASE("Timeline: a run with clients restarting mid-operation settles every minute before its last", "[timeline]") {
  const Scenario scenario = parse_scenario(R"({
    "name": "settle", "duration": "5m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 2},
                         {"name": "az2", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az3", "storage_nodes": 1, "routers": 1, "clients": 1}]},
    "tables": [{"name": "a", "partitions": 2, "items": 1000}],
    "workload": [{"table": "a", "rate": 400, "mix": {"get_strong": 0.5, "get_eventual": 0.2, "put": 0.3}}],
    "faults": {"timeline": [{"at": "90s", "kind": "restart", "role": "client", "down": "5s"},
                            {"at": "150s", "kind": "power_off", "node": "az2/storage0", "duration": "20s"}]}
  })", "settle.json");
  Simulation simulation(scenario, 3);
  simulation.run();
  std::uint64_t abandoned = 0;
  for (const auto& client : simulation.clients()) abandoned += client->operations_abandoned();
  REQUIRE(abandoned > 0);  // the restart caught operations in flight
  const Timeline& timeline = simulation.timeline();
  // The workload's five minutes (and maybe a sixth of route lookups while the run drains): the
  // last operations began in minute 4 and finished after it, so minutes 0 to 3 are settled.
  REQUIRE(timeline.minutes().size() >= 5);
  CHECK(timeline.settled_minutes() >= 4);
  for (std::size_t m = 0; m < timeline.settled_minutes(); ++m) {
    CHECK(timeline.minutes()[m].client_open == 0);
    for (const MinuteLatency& l : timeline.minutes()[m].latency) CHECK(l.settled());
    CHECK(timeline.minutes()[m].latency[static_cast<std::size_t>(Operation::put)].count() > 0);
  }
}
