// Tests of sim/faults.h: the builtin injectors, their parsing and the chaos scheduler.
#include "sim/faults.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <set>
#include <utility>
#include <string>
#include <vector>

using namespace sim;

namespace {

struct Host : Node {
  Host(Network& net, std::string name, AzId az, std::string role, bool client = false)
      : Node(net, std::move(name), az, std::move(role), client) {}
  int received = 0;
};

// Three AZs with two storage nodes, a router and a client each.
struct World {
  Kernel kernel{1};
  Network net{kernel, NetworkConfig{}};
  std::vector<std::unique_ptr<Host>> hosts;
  TopologyNames names;
  FaultContext context{kernel, net};
  FaultRegistry registry = FaultRegistry::with_builtin_faults();

  World() {
    for (const char* az : {"az1", "az2", "az3"}) {
      const AzId id = net.add_az(az);
      names.azs.push_back(az);
      for (const char* role : {"storage0", "storage1", "router0", "client0"}) {
        const std::string name = std::string(az) + "/" + role;
        const std::string r = std::string(role).substr(0, std::string(role).size() - 1);
        hosts.push_back(std::make_unique<Host>(net, name, id, r, r == "client"));
        names.nodes.push_back({name, az, r, r == "client"});
      }
    }
  }
  std::unique_ptr<Fault> parse(const std::string& text) {
    const nlohmann::json doc = nlohmann::json::parse(text);
    return registry.parse(config::root(doc, "test.json"), FaultParseContext{names, hours(1)});
  }
  void schedule(const std::string& text) { parse(text)->schedule(context); }
  Host& host(const std::string& name) { return static_cast<Host&>(*net.find_node(name)); }
  std::vector<std::string> powered_off() const {
    std::vector<std::string> off;
    for (const auto& h : hosts)
      if (!h->powered()) off.push_back(h->name());
    return off;
  }
};

std::string parse_error(World& w, const std::string& text) {
  try {
    w.parse(text);
  } catch (const config::InputError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("Faults: power_off takes one node down for its duration", "[faults]") {
  World w;
  w.schedule(R"({"kind": "power_off", "at": "1m", "node": "az2/storage1", "duration": "30s"})");
  w.kernel.run_until(Time::zero() + seconds(59));
  CHECK(w.powered_off().empty());
  w.kernel.run_until(Time::zero() + seconds(61));
  CHECK(w.powered_off() == std::vector<std::string>{"az2/storage1"});
  w.kernel.run_until(Time::zero() + seconds(91));
  CHECK(w.powered_off().empty());
  REQUIRE(w.context.records().size() == 2);
  CHECK(w.context.records()[0].phase == "start");
  CHECK(w.context.records()[1].time == Time::zero() + seconds(90));
}

TEST_CASE("Faults: an AZ outage affects exactly that AZ's service nodes", "[faults]") {
  World w;
  w.schedule(R"({"kind": "az_outage", "at": "10s", "az": "az3", "duration": "10m"})");
  w.kernel.run_until(Time::zero() + seconds(11));
  CHECK(w.powered_off() == std::vector<std::string>{"az3/storage0", "az3/storage1", "az3/router0"});
  w.kernel.run();
  CHECK(w.powered_off().empty());
}

TEST_CASE("Faults: an AZ outage can take the AZ's clients down too", "[faults]") {
  World w;
  w.schedule(R"({"kind": "az_outage", "at": "10s", "az": "az1", "clients": true})");
  w.kernel.run();
  CHECK(w.powered_off().size() == 4);
}

TEST_CASE("Faults: overlapping faults keep a node down until the last one ends", "[faults]") {
  World w;
  w.schedule(R"({"kind": "power_off", "at": "1m", "node": "az1/storage0", "duration": "2m"})");
  w.schedule(R"({"kind": "az_outage", "at": "2m", "az": "az1", "duration": "5m"})");
  w.kernel.run_until(Time::zero() + minutes(4));
  CHECK_FALSE(w.host("az1/storage0").powered());  // the power_off ended, the outage holds it
  w.kernel.run();
  CHECK(w.host("az1/storage0").powered());
}

TEST_CASE("Faults: a partition between AZs drops messages across it for its window", "[faults]") {
  World w;
  w.schedule(R"({"kind": "partition", "at": "1s", "duration": "1s", "between": ["az1", ["az2", "az3/router0"]]})");
  auto send = [&](const char* from, const char* to) {
    Host& target = w.host(to);
    w.net.send(w.host(from), target.id(), 0, [&target] { ++target.received; });
  };
  w.kernel.run_until(Time::zero() + millis(1500));
  send("az1/storage0", "az2/storage0");
  send("az1/storage0", "az3/router0");
  send("az1/storage0", "az3/storage0");
  send("az2/storage0", "az1/storage1");
  w.kernel.run_until(Time::zero() + millis(1900));
  CHECK(w.host("az2/storage0").received == 0);
  CHECK(w.host("az3/router0").received == 0);
  CHECK(w.host("az3/storage0").received == 1);
  CHECK(w.host("az1/storage1").received == 0);
  w.kernel.run();
  send("az1/storage0", "az2/storage0");
  w.kernel.run();
  CHECK(w.host("az2/storage0").received == 1);
}

TEST_CASE("Faults: a gray link drops one direction between two nodes", "[faults]") {
  World w;
  w.schedule(R"({"kind": "gray_link", "at": "0s", "from": "az1/router0", "to": "az1/storage0"})");
  w.kernel.run();
  Host& router = w.host("az1/router0");
  Host& storage = w.host("az1/storage0");
  w.net.send(router, storage.id(), 0, [&] { ++storage.received; });
  w.net.send(storage, router.id(), 0, [&] { ++router.received; });
  w.kernel.run();
  CHECK(storage.received == 0);
  CHECK(router.received == 1);
}

TEST_CASE("Faults: injected latency on an AZ delays its traffic for the window", "[faults]") {
  World w;
  w.schedule(R"({"kind": "latency", "at": "0s", "duration": "1m", "extra": "40ms", "az": "az2"})");
  w.kernel.run_until(Time::zero() + seconds(1));
  Host& target = w.host("az2/storage0");
  std::int64_t arrived = 0;
  w.net.send(w.host("az1/storage0"), target.id(), 0, [&] { arrived = w.kernel.now().nanos(); });
  w.kernel.run_until(Time::zero() + seconds(2));
  CHECK(arrived == seconds(1).nanos() + millis(40).nanos() + micros(500).nanos());
}

TEST_CASE("Faults: random power-offs hit only the role, never more than max_down at once", "[faults]") {
  World w;
  w.schedule(R"({"kind": "random_power_off", "per_hour": 120, "role": "storage",
                 "down": {"dist": "uniform", "min": "30s", "max": "90s"}, "max_down": 1})");
  std::size_t most_down = 0;
  for (int second = 0; second < 3600; ++second) {
    w.kernel.run_until(Time::zero() + seconds(second));
    const auto off = w.powered_off();
    most_down = std::max(most_down, off.size());
    for (const std::string& name : off) CHECK(name.find("storage") != std::string::npos);
  }
  CHECK(most_down == 1);
  std::size_t starts = 0, skipped = 0;
  for (const FaultRecord& r : w.context.records()) {
    starts += r.phase == "start";
    skipped += r.phase == "skipped";
  }
  CHECK(starts > 40);  // about 120 arrivals, many skipped while a node is down
  CHECK(skipped > 0);
}

TEST_CASE("Faults: bad entries are rejected with their JSON path", "[faults]") {
  World w;
  CHECK(parse_error(w, R"({"kind": "power_off", "at": "1m", "node": "az9/storage0"})") ==
        "test.json: $.node: expected the name of a service node such as \"az1/storage0\", found \"az9/storage0\", "
        "which is not a node of this topology");
  CHECK(parse_error(w, R"({"kind": "az_outage", "at": "1m", "az": "az7"})") ==
        "test.json: $.az: expected the name of an AZ (one of az1,az2,az3), found \"az7\", which is not an AZ of this "
        "topology");
  CHECK(parse_error(w, R"({"kind": "meteor", "at": "1m"})").find("$.kind: expected a fault kind") != std::string::npos);
  CHECK(parse_error(w, R"({"kind": "power_off", "at": "2h", "node": "az1/storage0"})") ==
        "test.json: $.at: expected a time before the end of the scenario (1h), found \"2h\"");
  CHECK(parse_error(w, R"({"kind": "power_off", "at": "1m", "node": "az1/storage0", "colour": "red"})")
            .find("found unknown key \"colour\"") != std::string::npos);
  CHECK(parse_error(w, R"({"kind": "power_off", "at": "1m", "node": "az1/storage0", "duration": "0s"})")
            .find("$.duration: expected a positive duration") != std::string::npos);
  CHECK(parse_error(w, R"({"kind": "random_power_off", "per_hour": 1, "role": "dragon",
                          "down": {"dist": "constant", "value": "1m"}})") ==
        "test.json: $.role: expected a node role present in the topology, found \"dragon\"");
}

namespace {

// Sends one message along every ordered pair of service nodes and returns the pairs that got through.
std::set<std::pair<std::string, std::string>> reachable(World& w) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& from : w.hosts)
    for (const auto& to : w.hosts) {
      if (from->is_client() || to->is_client() || from == to) continue;
      w.net.send(*from, to->id(), 0, [&out, a = from->name(), b = to->name()] { out.emplace(a, b); });
    }
  w.kernel.run_until(w.kernel.now() + seconds(1));
  return out;
}

}  // namespace

TEST_CASE("Faults: partition shapes cut the links they name", "[faults]") {
  World w;
  SECTION("isolate a node: it reaches nobody and nobody reaches it") {
    w.schedule(R"({"kind": "partition", "at": "0s", "shape": "isolate", "target": "az1/storage0"})");
    w.kernel.run_until(Time::zero() + millis(1));
    const auto through = reachable(w);
    for (const auto& [from, to] : through) CHECK((from != "az1/storage0" && to != "az1/storage0"));
    CHECK(through.size() == 8 * 7);  // the other 8 service nodes still reach each other
  }
  SECTION("one way: the isolated node still hears, but nothing it sends arrives") {
    w.schedule(R"({"kind": "partition", "at": "0s", "shape": "isolate", "target": "az1/storage0", "one_way": true})");
    w.kernel.run_until(Time::zero() + millis(1));
    const auto through = reachable(w);
    CHECK(through.count({"az2/storage0", "az1/storage0"}) == 1);
    CHECK(through.count({"az1/storage0", "az2/storage0"}) == 0);
  }
  SECTION("a bridge: two AZs cannot reach each other, the third reaches both") {
    w.schedule(R"({"kind": "partition", "at": "0s", "shape": "bridge", "bridge": "az2"})");
    w.kernel.run_until(Time::zero() + millis(1));
    const auto through = reachable(w);
    CHECK(through.count({"az1/storage0", "az3/storage0"}) == 0);
    CHECK(through.count({"az3/router0", "az1/storage1"}) == 0);
    CHECK(through.count({"az1/storage0", "az2/storage0"}) == 1);
    CHECK(through.count({"az2/storage1", "az3/storage0"}) == 1);
  }
  SECTION("majority/minority: the storage nodes split 2 against 4, routers reach all") {
    w.schedule(R"({"kind": "partition", "at": "0s", "shape": "majority_minority"})");
    w.kernel.run_until(Time::zero() + millis(1));
    const auto through = reachable(w);
    int cut = 0;
    for (const auto& from : w.hosts)
      for (const auto& to : w.hosts)
        if (from->role() == "storage" && to->role() == "storage" && from != to)
          cut += through.count({from->name(), to->name()}) == 0 ? 1 : 0;
    CHECK(cut == 2 * 2 * 4);  // both directions between 2 and 4 nodes
    CHECK(through.count({"az1/router0", "az3/storage1"}) == 1);
    REQUIRE(w.context.records().size() == 1);
    CHECK(w.context.records()[0].target.find(" <-> ") != std::string::npos);
  }
}

TEST_CASE("Faults: a pause freezes a node's deliveries until it resumes", "[faults]") {
  World w;
  w.schedule(R"({"kind": "pause", "at": "10s", "duration": "5s", "node": "az1/storage0"})");
  w.kernel.run_until(Time::zero() + seconds(11));
  Host& victim = w.host("az1/storage0");
  std::int64_t arrived = 0;
  w.net.send(w.host("az2/storage0"), victim.id(), 0, [&] { arrived = w.kernel.now().nanos(); });
  w.kernel.run_until(Time::zero() + seconds(14));
  CHECK(arrived == 0);
  CHECK(victim.powered());
  w.kernel.run_until(Time::zero() + seconds(16));
  CHECK(arrived == seconds(15).nanos());
  CHECK(parse_error(w, R"({"kind": "pause", "at": "10s", "node": "az1/storage0"})").find("\"duration\"") != std::string::npos);
}

TEST_CASE("Faults: loss, duplicate and latency with jitter parse and act on the named links", "[faults]") {
  World w;
  w.schedule(R"({"kind": "loss", "at": "0s", "duration": "10s", "probability": 1.0, "node": "az1/storage0"})");
  w.schedule(R"({"kind": "duplicate", "at": "0s", "duration": "10s", "probability": 1.0, "az": "az3"})");
  w.kernel.run_until(Time::zero() + millis(1));
  const auto through = reachable(w);
  CHECK(through.count({"az1/storage0", "az2/storage0"}) == 0);
  CHECK(through.count({"az2/storage0", "az1/storage0"}) == 0);  // a node's links, both ways
  CHECK(through.count({"az2/storage0", "az3/storage0"}) == 1);
  CHECK(w.net.stats().duplicated > 0);
  CHECK(parse_error(w, R"({"kind": "loss", "at": "0s", "probability": 0})").find("probability") != std::string::npos);
  CHECK(parse_error(w, R"({"kind": "latency", "at": "0s", "extra": "0s"})").find("jitter") != std::string::npos);
}

TEST_CASE("Faults: a corrupted message fails its checksum and is dropped, counted apart from losses", "[faults]") {
  World w;
  w.schedule(R"({"kind": "corrupt", "at": "0s", "duration": "10s", "probability": 1.0, "az": "az2"})");
  w.kernel.run_until(Time::zero() + millis(1));
  const auto through = reachable(w);
  CHECK(through.count({"az1/storage0", "az2/storage0"}) == 0);
  CHECK(through.count({"az2/storage0", "az3/storage0"}) == 0);
  CHECK(through.count({"az1/storage0", "az3/storage0"}) == 1);
  CHECK(w.net.stats().dropped_corrupt > 0);
  CHECK(w.net.stats().dropped_by_loss == 0);
  CHECK(w.net.stats().dropped_by_rule == 0);
  CHECK(parse_error(w, R"({"kind": "corrupt", "at": "0s", "probability": 1.5})").find("probability") != std::string::npos);
}

TEST_CASE("Faults: random_partition draws shapes and never runs more than max_active at once", "[faults]") {
  World w;
  w.schedule(R"({"kind": "random_partition", "per_hour": 600, "duration": ["5s", "20s"], "max_active": 1,
                 "shapes": ["isolate_node", "isolate_az", "majority_minority", "bridge", "one_way"]})");
  w.kernel.run_until(Time::zero() + hours(1));
  int starts = 0, ends = 0, skipped = 0, open = 0, most = 0;
  for (const FaultRecord& r : w.context.records()) {
    starts += r.phase == "start";
    ends += r.phase == "end";
    skipped += r.phase == "skipped";
    open += r.phase == "start" ? 1 : r.phase == "end" ? -1 : 0;
    most = std::max(most, open);
  }
  CHECK(starts > 150);  // arrivals every 6 s, each busy for 12.5 s on average
  CHECK(skipped > 0);
  CHECK(most == 1);
  CHECK(starts - ends <= 1);
}

TEST_CASE("Faults: a swarm draws each kind from its own streams: adding a kind changes no other", "[faults]") {
  const auto records_of = [](const std::string& kinds, std::uint64_t seed) {
    World w;  // for the names
    const nlohmann::json doc = nlohmann::json::parse(R"({"enabled": 1.0, "kinds": )" + kinds + "}");
    Kernel fresh{seed};
    Network net{fresh, NetworkConfig{}};
    std::vector<std::unique_ptr<Host>> hosts;
    for (const char* az : {"az1", "az2", "az3"}) {
      const AzId id = net.add_az(az);
      for (int i = 0; i < 2; ++i)
        hosts.push_back(std::make_unique<Host>(net, std::string(az) + "/storage" + std::to_string(i), id, "storage"));
    }
    FaultContext context{fresh, net};
    FaultRegistry::parse_swarm(config::root(doc, "swarm.json"), FaultParseContext{w.names, hours(1)})->schedule(context);
    fresh.run_until(Time::zero() + hours(1));
    std::vector<std::string> out;
    for (const FaultRecord& r : context.records())
      if (r.kind == "pause") out.push_back(std::to_string(r.time.nanos()) + " " + r.target + " " + r.phase);
    return out;
  };
  const std::string pause = R"("pause": {"per_hour": [10, 60], "duration": ["1s", "10s"]})";
  const std::string loss = R"("loss": {"per_hour": 30, "duration": "5s", "probability": [0.1, 0.5]})";
  for (std::uint64_t seed : {1, 2, 3}) {
    const auto alone = records_of("{" + pause + "}", seed);
    CHECK(!alone.empty());
    CHECK(records_of("{" + pause + ", " + loss + "}", seed) == alone);
  }
  CHECK(records_of("{" + pause + "}", 1) != records_of("{" + pause + "}", 2));
}

TEST_CASE("Faults: swarm and random_* entries are checked against the topology", "[faults]") {
  World w;
  const auto swarm_error = [&](const std::string& text) {
    try {
      FaultRegistry::parse_swarm(config::root(nlohmann::json::parse(text), "s.json"), FaultParseContext{w.names, hours(1)});
    } catch (const config::InputError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(swarm_error(R"({"kinds": {"meteor": {"per_hour": 1, "duration": "1s"}}})").find("meteor") != std::string::npos);
  CHECK(swarm_error(R"({"kinds": {}})").find("at least one") != std::string::npos);
  CHECK(swarm_error(R"({"kinds": {"loss": {"per_hour": [5, 1], "duration": "1s", "probability": 0.1}}})").find("min <= max") !=
        std::string::npos);
  CHECK(swarm_error(R"({"kinds": {"pause": {"per_hour": 1, "duration": "1s", "role": "dragon"}}})").find("dragon") !=
        std::string::npos);
  CHECK(parse_error(w, R"({"kind": "random_latency", "per_hour": 1, "duration": "1s"})").find("extra") != std::string::npos);
}

TEST_CASE("Faults: clock_drift changes a node's rate for its window, within the bound unless an experiment", "[faults]") {
  World w;
  const auto parse_with_bound = [&](const std::string& text) {
    const nlohmann::json doc = nlohmann::json::parse(text);
    return w.registry.parse(config::root(doc, "test.json"), FaultParseContext{w.names, hours(1), 200});
  };
  parse_with_bound(R"({"kind": "clock_drift", "at": "10s", "duration": "10s", "node": "az1/storage0", "ppm": 150})")
      ->schedule(w.context);
  w.kernel.run_until(Time::zero() + seconds(15));
  CHECK(w.host("az1/storage0").clock().rate_ppm() == 150);
  CHECK(w.host("az1/storage0").local_now() == Time::zero() + seconds(15) + micros(750));
  w.kernel.run_until(Time::zero() + seconds(25));
  CHECK(w.host("az1/storage0").clock().rate_ppm() == 0);
  std::string error;
  try {
    parse_with_bound(R"({"kind": "clock_drift", "at": "10s", "node": "az1/storage0", "ppm": -5000})");
  } catch (const config::InputError& e) {
    error = e.what();
  }
  CHECK(error.find("beyond_bound") != std::string::npos);
  CHECK_NOTHROW(parse_with_bound(R"({"kind": "clock_drift", "at": "10s", "node": "az1/storage0", "ppm": -5000, "beyond_bound": true})"));
}
