// Tests of the routing layer: the work queue behind every fleet, the two router cache designs,
// the metadata table's finite capacity, MemDS reloads and stale routes.
#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "models/work_queue.h"
#include "reports/report.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace models;

namespace {

// Three AZs, two storage nodes each, one router and one client per AZ; one table.
std::string region(const std::string& routing, double rate, const std::string& extra = "", const std::string& duration = "2m") {
  return fmt::format(R"({{
    "name": "routing", "duration": "{}",
    "topology": {{"azs": [{{"name": "az1", "storage_nodes": 2, "routers": 1, "clients": 1}},
                          {{"name": "az2", "storage_nodes": 2, "routers": 1, "clients": 1}},
                          {{"name": "az3", "storage_nodes": 2, "routers": 1, "clients": 1}}]}},
    "routing": {},
    "replication": {{"keep_item_history": false}},
    "tables": [{{"name": "t", "partitions": 12, "items": 10000}}],
    "workload": [{{"table": "t", "rate": {}, "mix": {{"get_strong": 0.5, "get_eventual": 0.3, "put": 0.2}}}}]{}
  }})",
                     duration, routing, rate, extra);
}

std::uint64_t total(const Simulation& s, std::uint64_t MinuteCounts::*field) {
  std::uint64_t sum = 0;
  for (const MinuteCounts& m : s.timeline().minutes()) sum += m.*field;
  return sum;
}

struct Host : sim::Node {
  Host(sim::Network& net, std::string name) : sim::Node(net, std::move(name), 0, "host") {}
};

// One node with a work queue whose work records when it ran, in whole milliseconds.
struct QueueWorld {
  struct Work {
    std::vector<std::int64_t>* done;
    sim::Kernel* kernel;
    void operator()() const { done->push_back(kernel->now().nanos() / 1'000'000); }
  };
  sim::Kernel kernel{1};
  sim::Network net{kernel, sim::NetworkConfig{}};
  sim::AzId az = net.add_az("az1");  // before the host, which lives in it
  Host host{net, "host"};
  std::vector<std::int64_t> done_ms;
  WorkQueue<Work> queue;
  QueueWorld(std::uint32_t workers, std::uint32_t limit) : queue(host, 0, workers, limit) {}
  Work work() { return Work{&done_ms, &kernel}; }
};

}  // namespace

TEST_CASE("WorkQueue: serves with a fixed number of workers in arrival order and rejects beyond its limit", "[routing]") {
  sim::Kernel kernel(1);
  sim::Network net(kernel, sim::NetworkConfig{});
  net.add_az("az1");
  Host host(net, "host");
  std::vector<int> done;
  struct Work {
    std::vector<int>* done;
    int id;
    void operator()() const { done->push_back(id); }
  };
  WorkQueue<Work> queue(host, 0, 2, 3);
  for (int i = 0; i < 6; ++i) CHECK(queue.submit(sim::millis(10), Work{&done, i}) == (i < 5));
  CHECK(queue.busy() == 2);
  CHECK(queue.depth() == 3);
  kernel.run_until(sim::Time::zero() + sim::millis(10));
  CHECK(done == std::vector<int>{0, 1});
  kernel.run();
  CHECK(done == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(kernel.now() == sim::Time::zero() + sim::millis(30));
  CHECK(queue.stats().rejected == 1);
  CHECK(queue.stats().depth_max == 3);
}

TEST_CASE("WorkQueue: a reservation is the FIFO finish time of its job, with no event", "[routing]") {
  QueueWorld w(2, 2);
  // Two workers: jobs of 10, 30, 20 and 5 ms finish at 10, 30, 30 (after the first) and 35 ms
  // (after the second); a fifth waits beyond the limit of two and is refused.
  std::vector<std::int64_t> finish_ms;
  for (const int ms : {10, 30, 20, 5, 1}) {
    const std::optional<sim::Duration> done_in = w.queue.reserve(sim::millis(ms));
    finish_ms.push_back(done_in ? done_in->nanos() / 1'000'000 : -1);
  }
  CHECK(finish_ms == std::vector<std::int64_t>{10, 30, 30, 35, -1});
  CHECK(w.kernel.events_pending() == 0);
  CHECK(w.queue.busy() == 2);
  CHECK(w.queue.depth() == 2);
  CHECK(w.queue.stats().rejected == 1);
  // At 10 ms the third job has started: one waits, and a new job gets its place.
  w.kernel.after(sim::millis(10), sim::Tag{}, [] {});
  w.kernel.run();
  CHECK(w.queue.depth() == 1);
  CHECK(w.queue.reserve(sim::millis(1)).value() == sim::millis(21));  // starts at 30 ms, when a worker frees up
}

TEST_CASE("WorkQueue: a pause of its node delays the work in hand by the pause", "[routing]") {
  QueueWorld w(1, 10);
  // One worker, three jobs of 10 ms at 0 (due at 10, 20, 30), the node frozen from 1 to 25 ms:
  // each finishes 24 ms later. A job arriving at 40 ms waits for the third, now due at 54 ms.
  for (int i = 0; i < 3; ++i) CHECK(w.queue.submit(sim::millis(10), w.work()));
  w.kernel.after(sim::millis(1), sim::Tag{}, [&w] { w.kernel.pause_actor(w.host.actor()); });
  w.kernel.after(sim::millis(25), sim::Tag{}, [&w] { w.kernel.resume_actor(w.host.actor()); });
  std::optional<sim::Duration> late;
  w.kernel.after(sim::millis(40), sim::Tag{}, [&] { late = w.queue.reserve(sim::millis(10)); });
  w.kernel.run();
  CHECK(w.done_ms == std::vector<std::int64_t>{34, 44, 54});
  REQUIRE(late.has_value());
  CHECK(*late == sim::millis(24));  // starts at 54, done at 64
}

TEST_CASE("WorkQueue: reservations and submitted work share one FIFO, a power-off empties it", "[routing]") {
  QueueWorld w(1, 5);
  // One worker: a reserved 10 ms job, a submitted 10 ms job behind it, another reservation.
  CHECK(w.queue.reserve(sim::millis(10)).value() == sim::millis(10));
  CHECK(w.queue.submit(sim::millis(10), w.work()));
  CHECK(w.queue.reserve(sim::millis(10)).value() == sim::millis(30));
  w.kernel.run();
  CHECK(w.done_ms == std::vector<std::int64_t>{20});
  // More work at 25 ms (behind the reservation due at 30), then the node loses power at 30 ms:
  // the submitted job never runs, and after power returns a new job starts at once on an idle
  // worker with nothing queued.
  w.kernel.after(sim::millis(5), sim::Tag{}, [&w] {
    CHECK(w.queue.submit(sim::millis(10), w.work()));                    // would finish at 40
    CHECK(w.queue.reserve(sim::millis(10)).value() == sim::millis(25));  // done at 50
  });
  w.kernel.after(sim::millis(10), sim::Tag{}, [&w] {
    w.host.power_off();
    w.queue.clear();
    w.host.power_on();
    CHECK(w.queue.depth() == 0);
    CHECK(w.queue.busy() == 0);
    CHECK(w.queue.reserve(sim::millis(3)).value() == sim::millis(3));
  });
  w.kernel.run();
  CHECK(w.done_ms == std::vector<std::int64_t>{20});
  CHECK(w.queue.stats().accepted == 6);
}

TEST_CASE("Routing: with MemDS every lookup, hit or miss, is also a MemDS request", "[routing]") {
  const Scenario scenario = parse_scenario(region(R"({"cache": "memds"})", 200), "memds.json");
  Simulation simulation(scenario, 1);
  simulation.run();
  const std::uint64_t lookups = total(simulation, &MinuteCounts::route_lookups);
  CHECK(lookups > 20000);
  CHECK(total(simulation, &MinuteCounts::memds_requests) == lookups);
  CHECK(total(simulation, &MinuteCounts::metadata_requests) == 0);
  CHECK(total(simulation, &MinuteCounts::route_hits) == lookups);  // warm from the start, refreshed on use
}

TEST_CASE("Routing: a warm legacy cache costs the metadata table nothing until entries expire", "[routing]") {
  const Scenario scenario = parse_scenario(region(R"({"cache": "legacy", "cache_ttl": "1h"})", 200), "legacy.json");
  Simulation simulation(scenario, 1);
  simulation.run();
  CHECK(total(simulation, &MinuteCounts::route_lookups) > 20000);
  CHECK(total(simulation, &MinuteCounts::metadata_requests) == 0);
  CHECK(total(simulation, &MinuteCounts::memds_requests) == 0);
}

TEST_CASE("Routing: expired legacy entries are refetched once each, however many requests need them", "[routing]") {
  // A 1-minute TTL over 2 minutes: every entry of every router expires about twice. With single
  // flight the refetches are about (routers x partitions) per TTL, not one per request.
  const Scenario scenario = parse_scenario(region(R"({"cache": "legacy", "cache_ttl": "1m"})", 400), "legacy.json");
  Simulation simulation(scenario, 2);
  simulation.run();
  const std::uint64_t metadata = total(simulation, &MinuteCounts::metadata_requests);
  CHECK(metadata >= 3 * 12);
  CHECK(metadata <= 3 * 12 * 4);
  CHECK(total(simulation, &MinuteCounts::route_lookups) > 40000);
}

TEST_CASE("Routing: a cold legacy router asks the metadata table, then a whole-table fetch warms it", "[routing]") {
  const Scenario scenario = parse_scenario(
      region(R"({"cache": "legacy", "cache_ttl": "1h"})", 200,
             R"(, "faults": {"timeline": [{"at": "30s", "kind": "restart", "role": "router", "down": "0s"}]})"),
      "cold.json");
  Simulation simulation(scenario, 3);
  simulation.run();
  const auto& minutes = simulation.timeline().minutes();
  CHECK(minutes[0].metadata_requests > 0);                   // the restart's misses and table fetches
  CHECK(minutes[0].metadata_requests < 3 * (12 + 1) * 2);    // single flight: per router, per group, not per request
  CHECK(minutes[1].metadata_requests == 0);                  // warm again
  CHECK(minutes[1].route_hits == minutes[1].route_lookups);
  CHECK(minutes[1].client_succeeded == minutes[1].client_requests);
}

TEST_CASE("Routing: overload of the metadata table emerges from its queue, never from a script", "[routing]") {
  // One slow worker and a short queue: a cold fleet asks far more than it can serve.
  const Scenario scenario = parse_scenario(
      region(R"({"cache": "legacy", "cache_ttl": "1h", "lookup_timeout": "100ms"})", 400,
             R"(, "metadata": {"nodes": 1, "workers": 1, "queue_limit": 5, "service": {"dist": "constant", "value": "50ms"}},
                "faults": {"timeline": [{"at": "30s", "kind": "restart", "role": "router", "down": "0s"}]})"),
      "overload.json");
  Simulation simulation(scenario, 4);
  simulation.run();
  const MinuteCounts& restart_minute = simulation.timeline().minutes()[0];
  CHECK(restart_minute.metadata_rejected > 0);
  CHECK(restart_minute.metadata_depth_max == 5);
  CHECK(restart_minute.client_succeeded < restart_minute.client_requests);
}

TEST_CASE("Routing: a MemDS node back from a power-off copies the map before it answers", "[routing]") {
  const Scenario scenario = parse_scenario(
      region(R"({"cache": "memds"})", 200,
             R"(, "faults": {"timeline": [{"at": "20s", "kind": "power_off", "node": "az1/memds0", "duration": "10s"},
                                         {"at": "20s", "kind": "power_off", "node": "az1/memds1", "duration": "10s"}]})"),
      "memds_down.json");
  Simulation simulation(scenario, 5);
  simulation.kernel().run_until(sim::Time::zero() + sim::seconds(25));
  CHECK_FALSE(simulation.memds_nodes()[0]->powered());
  simulation.kernel().run_until(sim::Time::zero() + sim::seconds(40));
  // Back, with the whole map: every group has a route again.
  for (const routing::Route& route : simulation.memds_nodes()[0]->routes()) REQUIRE(route.version > 0);
  simulation.run();
  // az1's router fell back to MemDS in other AZs: clients barely noticed.
  const ClientMetrics& m = simulation.metrics();
  std::uint64_t requests = 0, ok = 0;
  for (std::size_t w = 0; w < m.window_count(); ++w)
    for (bool write : {false, true}) {
      requests += m.cell(w, 0, 0, write).requests;
      ok += m.cell(w, 0, 0, write).succeeded();
    }
  CHECK(static_cast<double>(ok) / static_cast<double>(requests) > 0.999);
}

TEST_CASE("Routing: a stale route gets a moved answer, which routers count and follow", "[routing]") {
  // A storage node dies for good; its groups heal onto other nodes. A legacy cache with a long
  // TTL keeps the old member until a replica says "moved".
  const Scenario scenario = parse_scenario(
      region(R"({"cache": "legacy", "cache_ttl": "1h"})", 300,
             R"(, "faults": {"timeline": [{"at": "20s", "kind": "power_off", "node": "az2/storage0", "duration": "20s"}]})",
             "3m"),
      "moved.json");
  Simulation simulation(scenario, 6);
  simulation.run();
  std::uint64_t misroutes = 0;
  for (const auto& router : simulation.routers()) misroutes += router->stats().misroutes;
  CHECK(misroutes > 0);
  CHECK(total(simulation, &MinuteCounts::misroutes) == misroutes);
  // After the moves every minute is fully available again.
  const auto& minutes = simulation.timeline().minutes();
  CHECK(minutes[2].client_succeeded == minutes[2].client_requests);
}

namespace {
// Counts the answers MemDS sends routers, before and after an instant.
struct AnswerCounter : sim::Tracer {
  sim::Time split;
  std::uint64_t before = 0, after = 0;
  void on_event(sim::Time time, std::uint64_t, std::string_view, std::string_view kind, std::string_view) override {
    if (kind == "msg.route_answer") ++(time < split ? before : after);
  }
};
}  // namespace

TEST_CASE("Routing: MemDS answers a cache hit's refresh only with news, and the router keeps it", "[routing]") {
  const Scenario scenario = parse_scenario(region(R"({"cache": "memds"})", 300), "refresh.json");
  Simulation simulation(scenario, 1);
  AnswerCounter answers;
  answers.split = sim::Time::zero() + sim::seconds(60);
  simulation.set_tracer(&answers);
  // A minute in, every MemDS node learns a newer route for group 0 naming another leader.
  const routing::GroupId group = 0;
  routing::Route newer;
  simulation.kernel().at(answers.split, {}, [&] {
    newer = simulation.memds_nodes().front()->routes().at(group);
    ++newer.version;
    for (sim::NodeId member : newer.membership.nodes)
      if (member != replication::kNoNode && member != newer.leader) newer.leader = member;
    for (const auto& memds : simulation.memds_nodes()) const_cast<routing::MemdsNode&>(*memds).publish(newer);
  });
  simulation.run();
  // A warm cache whose routes nothing changed gets no answers (each refresh named what MemDS
  // holds); the published route reaches the routers through the refreshes of their hits.
  CHECK(answers.before == 0);
  CHECK(answers.after >= 1);
  CHECK(total(simulation, &MinuteCounts::memds_requests) == total(simulation, &MinuteCounts::route_lookups));
  int updated = 0;
  for (const auto& router : simulation.routers()) {
    const routing::Route cached = router->cache().route_of(group);
    // The version MemDS published (the leader it named is a made-up one: the replicas' redirects
    // have corrected it since).
    if (cached.version == newer.version) ++updated;
  }
  CHECK(updated == static_cast<int>(simulation.routers().size()));
}
