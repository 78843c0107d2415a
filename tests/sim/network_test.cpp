// Tests of sim/network.h and sim/node.h: delivery, power, volatile state, disturbance rules.
#include "sim/network.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace sim;

namespace {

struct Host : Node {
  Host(Network& net, std::string name, AzId az, bool client = false)
      : Node(net, std::move(name), az, client ? "client" : "server", client), memory(*this, 7) {}
  Volatile<int> memory;  // lost at power-off
  int disk = 0;          // kept
  int received = 0;
  std::vector<std::int64_t> arrival_ns;
  int powered_on_hooks = 0;
  void on_power_on() override { ++powered_on_hooks; }
};

NetworkConfig fixed(Duration same, Duration cross, Duration client) {
  NetworkConfig config;
  config.link(LinkClass::same_az).latency = DurationDistribution::constant(same);
  config.link(LinkClass::cross_az).latency = DurationDistribution::constant(cross);
  config.link(LinkClass::client_router).latency = DurationDistribution::constant(client);
  return config;
}

struct World {
  Kernel kernel{1};
  Network net{kernel, fixed(micros(100), micros(500), micros(300))};
  World() {
    net.add_az("az1");
    net.add_az("az2");
    net.add_az("az3");
  }
  void send(Host& from, Host& to) {
    net.send(from, to.id(), 0, [&to, this] {
      ++to.received;
      to.arrival_ns.push_back(kernel.now().nanos());
    });
  }
};

}  // namespace

TEST_CASE("Network: latency follows the link class of the two ends", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az1/b", 0), c(w.net, "az2/c", 1), client(w.net, "az1/client", 0, true);
  w.send(a, b);
  w.send(a, c);
  w.send(client, a);
  w.kernel.run();
  CHECK(b.arrival_ns == std::vector<std::int64_t>{100'000});
  CHECK(c.arrival_ns == std::vector<std::int64_t>{500'000});
  CHECK(a.arrival_ns == std::vector<std::int64_t>{300'000});
  CHECK(w.net.classify(a, c) == LinkClass::cross_az);
}

TEST_CASE("Network: a powered-off node receives nothing and loses its volatile state", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az1/b", 0);
  *b.memory = 99;
  b.disk = 5;
  b.power_off();
  w.send(a, b);
  w.kernel.run();
  CHECK(b.received == 0);
  CHECK(w.net.stats().dropped_receiver_down == 1);
  CHECK(*b.memory == 7);  // back to its initial value
  CHECK(b.disk == 5);     // the disk survives
  b.power_on();
  CHECK(b.powered_on_hooks == 1);
  w.send(a, b);
  w.kernel.run();
  CHECK(b.received == 1);
}

TEST_CASE("Network: a message in flight to a node that powers off is lost", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az1/b", 0);
  w.send(a, b);
  w.kernel.at(Time::zero() + micros(50), {}, [&] { b.power_off(); });
  w.kernel.run();
  CHECK(b.received == 0);
}

TEST_CASE("Network: a power cycle of either end loses the messages in flight", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az1/b", 0), c(w.net, "az1/c", 0);
  w.send(a, b);  // b cycles before it arrives
  w.send(c, a);  // neither end cycles: delivered
  w.send(b, c);  // b's own message dies with b's NIC
  w.kernel.at(Time::zero() + micros(50), {}, [&] {
    b.power_off();
    b.power_on();
  });
  w.kernel.run();
  CHECK(b.received == 0);
  CHECK(c.received == 0);
  CHECK(a.received == 1);
  CHECK(w.net.stats().dropped_receiver_down == 1);
  CHECK(w.net.stats().dropped_sender_down == 1);
  // After the cycle the node sends and receives again.
  w.send(a, b);
  w.send(b, c);
  w.kernel.run();
  CHECK(b.received == 1);
  CHECK(c.received == 1);
}

TEST_CASE("Node: power-off cancels the node's timers, even after power returns", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0);
  int fired = 0;
  a.after(millis(10), 0, [&] { ++fired; });
  a.after(millis(1), 0, [&] { ++fired; });
  w.kernel.run_until(Time::zero() + millis(5));
  a.power_off();
  a.power_on();
  w.kernel.run();
  CHECK(fired == 1);
  CHECK(a.incarnation() == 1);
}

TEST_CASE("Network: a powered-off sender sends nothing", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az1/b", 0);
  a.power_off();
  w.send(a, b);
  w.kernel.run();
  CHECK(b.received == 0);
  CHECK(w.net.stats().dropped_sender_down == 1);
}

TEST_CASE("Network: a partition drops both directions between its sides only", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az2/b", 1), c(w.net, "az3/c", 2);
  LinkRule rule;
  rule.from = NodeSet::of_az(0);
  rule.to = NodeSet::of_az(1);
  rule.drop = true;
  const RuleId id = w.net.add_rule(rule);
  w.send(a, b);
  w.send(b, a);
  w.send(a, c);
  w.send(c, b);
  w.kernel.run();
  CHECK(a.received == 0);
  CHECK(b.received == 1);  // from c
  CHECK(c.received == 1);
  w.net.remove_rule(id);
  w.send(a, b);
  w.kernel.run();
  CHECK(b.received == 2);
}

TEST_CASE("Network: a gray link drops one direction only", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az1/b", 0);
  LinkRule rule;
  rule.from = NodeSet::of_node(a.id());
  rule.to = NodeSet::of_node(b.id());
  rule.symmetric = false;
  rule.drop = true;
  w.net.add_rule(rule);
  w.send(a, b);
  w.send(b, a);
  w.kernel.run();
  CHECK(b.received == 0);
  CHECK(a.received == 1);
}

TEST_CASE("Network: a partition that starts while a message is in flight cuts it", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az2/b", 1);
  w.send(a, b);
  w.kernel.at(Time::zero() + micros(10), {}, [&] {
    LinkRule rule;
    rule.from = NodeSet::of_az(0);
    rule.to = NodeSet::of_az(1);
    rule.drop = true;
    w.net.add_rule(rule);
  });
  w.kernel.run();
  CHECK(b.received == 0);
}

TEST_CASE("Network: injected latency applies to the matching link class only", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az1/b", 0), c(w.net, "az2/c", 1);
  LinkRule rule;
  rule.from = NodeSet::all();
  rule.to = NodeSet::all();
  rule.link_class = LinkClass::cross_az;
  rule.extra_latency = millis(20);
  w.net.add_rule(rule);
  w.send(a, b);
  w.send(a, c);
  w.kernel.run();
  CHECK(b.arrival_ns == std::vector<std::int64_t>{100'000});
  CHECK(c.arrival_ns == std::vector<std::int64_t>{20'500'000});
}

TEST_CASE("Network: loss drops about the configured share of messages", "[network]") {
  Kernel kernel(3);
  NetworkConfig config = fixed(micros(100), micros(100), micros(100));
  config.link(LinkClass::same_az).loss_probability = 0.25;
  Network net(kernel, config);
  net.add_az("az1");
  Host a(net, "az1/a", 0), b(net, "az1/b", 0);
  for (int i = 0; i < 20000; ++i) net.send(a, b.id(), 0, [&b] { ++b.received; });
  kernel.run();
  CHECK(b.received == Approx(15000).epsilon(0.03));
  CHECK(net.stats().dropped_by_loss + static_cast<std::uint64_t>(b.received) == 20000);
}

TEST_CASE("Network: nodes are found by name and AZs by name", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0);
  CHECK(w.net.find_node("az1/a") == &a);
  CHECK(w.net.find_node("nope") == nullptr);
  CHECK(w.net.find_az("az2") == AzId{1});
  CHECK_FALSE(w.net.find_az("az9").has_value());
}
