// Tests of sim/faults.h: the builtin injectors, their parsing and the chaos scheduler.
#include "sim/faults.h"

#include <catch2/catch.hpp>

#include <memory>
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
