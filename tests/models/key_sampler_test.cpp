// Tests of workload shapes: key distributions (uniform, Zipf, hot sets, hash-space slices) and
// rate phases (steps, idle stretches, ramps).
#include "models/key_sampler.h"
#include "models/partition_map.h"
#include "models/scenario_loader.h"
#include "models/simulation.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <map>

using namespace models;

namespace {
double hash_fraction(std::uint32_t table, std::uint64_t key) { return std::ldexp(static_cast<double>(key_hash(table, key)), -64); }
}  // namespace

TEST_CASE("KeySampler: uniform and Zipf draw exactly what sim::Zipf draws", "[workload]") {
  KeyDistribution zipf;
  zipf.shape = KeyDistribution::Shape::zipf;
  zipf.zipf_exponent = 0.99;
  const KeySampler sampler(zipf, 0, 1000);
  const sim::Zipf reference(1000, 0.99);
  sim::Rng a(7), b(7);
  for (int i = 0; i < 1000; ++i) CHECK(sampler.sample(a) == reference.sample(b));
}

TEST_CASE("KeySampler: a slice of the hash space yields only keys hashing into it, all of them", "[workload]") {
  KeyDistribution keys;
  keys.within_from = 0.75;
  keys.within_to = 1.0;
  const KeySampler sampler(keys, 3, 20'000);
  std::uint64_t expected = 0;
  for (std::uint64_t key = 0; key < 20'000; ++key) expected += hash_fraction(3, key) >= 0.75;
  CHECK(sampler.key_count() == expected);
  CHECK(expected == Approx(5000).epsilon(0.05));
  sim::Rng rng(1);
  std::map<std::uint64_t, int> seen;
  for (int i = 0; i < 100'000; ++i) {
    const std::uint64_t key = sampler.sample(rng);
    REQUIRE(hash_fraction(3, key) >= 0.75);
    ++seen[key];
  }
  CHECK(seen.size() > expected * 99 / 100);  // uniform over the slice: nearly every key drawn
}

TEST_CASE("KeySampler: a hot set takes its share of draws on its fraction of the keys", "[workload]") {
  KeyDistribution keys;
  keys.shape = KeyDistribution::Shape::hot_set;
  keys.hot_fraction = 0.1;
  keys.hot_share = 0.8;
  const KeySampler sampler(keys, 0, 10'000);
  CHECK(sampler.hot_count() == 1000);
  sim::Rng rng(1);
  int hot = 0;
  const int draws = 200'000;
  for (int i = 0; i < draws; ++i) hot += sampler.sample(rng) < 1000;
  CHECK(static_cast<double>(hot) / draws == Approx(0.8).epsilon(0.01));
}

TEST_CASE("Phases: steps hold their rate, ramps move linearly from the previous rate, the last rate holds", "[workload]") {
  WorkloadSpec w;
  w.phases = {Phase{sim::minutes(5), 0.0, false}, Phase{sim::minutes(10), 100.0, false},
              Phase{sim::minutes(10), 300.0, true}};
  CHECK(w.rate_at(sim::minutes(1)) == 0.0);
  CHECK(w.rate_at(sim::minutes(5)) == 100.0);
  CHECK(w.rate_at(sim::minutes(15)) == 100.0);
  CHECK(w.rate_at(sim::minutes(20)) == Approx(200.0));
  CHECK(w.rate_at(sim::minutes(40)) == 300.0);
  CHECK(w.peak_rate() == 300.0);
}

TEST_CASE("Phases: clients offer each phase's rate, idle stretches included", "[workload]") {
  const Scenario scenario = parse_scenario(R"({
    "name": "phases", "duration": "12m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 2},
                         {"name": "az2", "storage_nodes": 1, "routers": 0, "clients": 0},
                         {"name": "az3", "storage_nodes": 1, "routers": 0, "clients": 0}]},
    "replication": {"keep_item_history": false},
    "tables": [{"name": "t", "partitions": 2, "items": 1000}],
    "workload": [{"table": "t", "mix": {"get_strong": 1}, "start": "1m",
                  "phases": [{"duration": "2m", "rate": 50}, {"duration": "2m", "rate": 0},
                             {"duration": "4m", "ramp_to": 200}, {"duration": "3m", "rate": 200}]}]
  })", "phases.json");
  Simulation simulation(scenario, 1);
  simulation.run();
  auto per_second = [&](std::size_t minute) {
    return static_cast<double>(simulation.timeline().minutes().at(minute).client_requests) / 60.0;
  };
  CHECK(per_second(0) == 0.0);                          // before start
  CHECK(per_second(1) == Approx(50).epsilon(0.1));      // step
  CHECK(per_second(2) == Approx(50).epsilon(0.1));
  CHECK(per_second(3) == 0.0);                          // idle
  CHECK(per_second(4) == 0.0);
  CHECK(per_second(5) == Approx(25).epsilon(0.2));      // ramp 0 -> 200 over 4 minutes: mean 25 in its first minute
  CHECK(per_second(8) == Approx(175).epsilon(0.05));    // and 175 in its last
  CHECK(per_second(10) == Approx(200).epsilon(0.05));   // hold
}
