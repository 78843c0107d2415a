// Tests of sim/network.h and sim/node.h: delivery, power, volatile state, disturbance rules.
#include "sim/network.h"

#include <catch2/catch.hpp>

#include <algorithm>
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

namespace {
// A node that spends 40 us on every message of kind 3 before its handler runs.
struct Worker : Host {
  Worker(Network& net, std::string name, AzId az) : Host(net, std::move(name), az) { declare_inbound_work(); }
  Duration inbound_work_delay(KindId kind) override { return kind == 3 ? micros(40) : Duration::zero(); }
};
}  // namespace

TEST_CASE("Network: a receiver's inbound work is added to the flight, and dies with its power", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0);
  Worker b(w.net, "az1/b", 0);
  const auto send = [&](KindId kind) {
    w.net.send(a, b.id(), kind, [&] {
      ++b.received;
      b.arrival_ns.push_back(w.kernel.now().nanos());
    });
  };
  send(3);  // 100 us on the wire, 40 us of work: the handler runs once, at 140 us
  send(0);  // no work for this kind
  w.kernel.run();
  CHECK(b.arrival_ns == std::vector<std::int64_t>{100'000, 140'000});
  CHECK(w.kernel.events_dispatched() == 2);
  // On the node's clock: a clock running at half speed doubles the work in true time.
  b.clock().set_rate(w.kernel.now(), -500'000);  // half speed
  const std::int64_t sent = w.kernel.now().nanos();
  send(3);
  w.kernel.run();
  CHECK(b.arrival_ns.back() - sent == 180'000);
  b.clock().set_rate(w.kernel.now(), 0);
  // A power cycle after arrival but before the work is done loses the message, as it would
  // have lost the work.
  send(3);
  const Time cycle = w.kernel.now() + micros(120);
  w.kernel.at(cycle, {}, [&] {
    b.power_off();
    b.power_on();
  });
  w.kernel.run();
  CHECK(b.received == 3);
  CHECK(w.net.stats().dropped_receiver_down == 1);
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

TEST_CASE("Network: a loss rule drops about its share of the matching messages only", "[network]") {
  World w;
  Host a(w.net, "a", 0), b(w.net, "b", 1), c(w.net, "c", 2);
  LinkRule rule;
  rule.from = NodeSet::of_node(a.id());
  rule.to = NodeSet::of_node(b.id());
  rule.loss = 0.3;
  w.net.add_rule(rule);
  for (int i = 0; i < 4000; ++i) {
    w.send(a, b);
    w.send(a, c);
  }
  w.kernel.run();
  CHECK(c.received == 4000);
  CHECK(b.received > 4000 * 0.65);
  CHECK(b.received < 4000 * 0.75);
  CHECK(w.net.stats().dropped_by_rule == static_cast<std::uint64_t>(4000 - b.received));
}

TEST_CASE("Network: a duplicate rule delivers copies, each on a latency of its own", "[network]") {
  Kernel kernel{3};
  NetworkConfig config;
  config.link(LinkClass::cross_az).latency = DurationDistribution::uniform(millis(1), millis(9));
  Network net(kernel, config);
  net.add_az("az1");
  net.add_az("az2");
  Host a(net, "a", 0), b(net, "b", 1);
  LinkRule rule;
  rule.from = NodeSet::all();
  rule.to = NodeSet::all();
  rule.duplicate = 1.0;
  net.add_rule(rule);
  std::vector<int> seen;
  for (int i = 0; i < 50; ++i) net.send(a, b.id(), 0, [&seen, i] { seen.push_back(i); });
  kernel.run();
  CHECK(seen.size() == 100);
  CHECK(net.stats().duplicated == 50);
  for (int i = 0; i < 50; ++i) CHECK(std::count(seen.begin(), seen.end(), i) == 2);
}

TEST_CASE("Network: jitter reorders messages, a spike delays only what is sent during it", "[network]") {
  World w;
  Host a(w.net, "a", 0), b(w.net, "b", 1);
  LinkRule rule;
  rule.from = NodeSet::all();
  rule.to = NodeSet::all();
  rule.extra_latency = seconds(2);
  rule.jitter = seconds(1);
  const RuleId id = w.net.add_rule(rule);
  std::vector<int> order;
  for (int i = 0; i < 20; ++i) w.net.send(a, b.id(), 0, [&order, i] { order.push_back(i); });
  w.kernel.run_until(Time::zero() + millis(10));
  w.net.remove_rule(id);
  w.net.send(a, b.id(), 0, [&order] { order.push_back(99); });  // after the spike: arrives first
  w.kernel.run();
  REQUIRE(order.size() == 21);
  CHECK(order.front() == 99);
  CHECK(!std::is_sorted(order.begin() + 1, order.end()));
}

TEST_CASE("Network: a complement side isolates a node from everyone else, not from itself", "[network]") {
  World w;
  Host a(w.net, "a", 0), b(w.net, "b", 0), c(w.net, "c", 1);
  LinkRule rule;
  rule.from = NodeSet::of_node(a.id());
  rule.to = rule.from.inverted();
  rule.drop = true;
  w.net.add_rule(rule);
  w.send(a, a);
  w.send(a, b);
  w.send(c, a);
  w.send(b, c);
  w.kernel.run();
  CHECK(a.received == 1);
  CHECK(b.received == 0);
  CHECK(c.received == 1);
}

TEST_CASE("Network: a held-back answer leaves at its departure, and dies with its sender's power", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az1/b", 0);
  const auto send_at = [&w, &b](Host& from, Time departs) {
    w.net.send_at(from, departs, b.id(), 0, [&b, &w] { b.arrival_ns.push_back(w.kernel.now().nanos()); });
  };
  send_at(a, Time::zero() + millis(2));  // leaves at 2 ms, arrives 100 us later
  send_at(a, Time::zero());              // a departure now is an ordinary send
  w.kernel.run();
  CHECK(b.arrival_ns == std::vector<std::int64_t>{100'000, 2'100'000});
  CHECK(w.kernel.events_dispatched() == 2);  // one event per answer: its arrival

  // The sender loses power before the answer leaves: it never arrives, even after power returns.
  b.arrival_ns.clear();
  send_at(a, w.kernel.now() + millis(2));
  w.kernel.after(millis(1), Tag{}, [&a] {
    a.power_off();
    a.power_on();
  });
  w.kernel.run();
  CHECK(b.arrival_ns.empty());
}

TEST_CASE("Network: a pause of the sender before a held-back answer leaves delays it by the pause", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az1/b", 0), c(w.net, "az1/c", 0);
  const auto send_at = [&w, &b](Host& from, Time departs) {
    w.net.send_at(from, departs, b.id(), 0, [&b, &w] { b.arrival_ns.push_back(w.kernel.now().nanos()); });
  };
  const Time t0 = Time::zero();
  // a is paused from 1 to 5 ms: work due at 2 and at 7 ms is done 4 ms later (a frozen process
  // does no work); work a starts after the pause is not delayed.
  send_at(a, t0 + millis(2));
  send_at(a, t0 + millis(7));
  w.kernel.after(millis(1), Tag{}, [&w, &a] { w.kernel.pause_actor(a.actor()); });
  w.kernel.after(millis(5), Tag{}, [&w, &a] { w.kernel.resume_actor(a.actor()); });
  w.kernel.after(millis(6), Tag{}, [&send_at, &a, t0] { send_at(a, t0 + millis(8)); });
  // c is still paused when its answer would arrive: it waits for the resume at 30 ms, then
  // leaves 1 ms of work later (due at 11 ms, paused from 10 ms).
  send_at(c, t0 + millis(11));
  w.kernel.after(millis(10), Tag{}, [&w, &c] { w.kernel.pause_actor(c.actor()); });
  w.kernel.after(millis(30), Tag{}, [&w, &c] { w.kernel.resume_actor(c.actor()); });
  w.kernel.run();
  CHECK(b.arrival_ns == std::vector<std::int64_t>{6'100'000, 8'100'000, 11'100'000, 31'100'000});
  CHECK(w.net.stats().held_by_pause == 3);
  CHECK(w.kernel.after_pauses(a.actor(), t0, t0 + millis(2)) == t0 + millis(6));
  CHECK(w.kernel.after_pauses(a.actor(), t0 + millis(5), t0 + millis(7)) == t0 + millis(7));
  CHECK(w.kernel.after_pauses(b.actor(), t0, t0 + millis(2)) == t0 + millis(2));
}

TEST_CASE("Network: a held-back answer to a paused receiver arrives when the receiver resumes, once", "[network]") {
  World w;
  Host a(w.net, "az1/a", 0), b(w.net, "az1/b", 0);
  w.net.send_at(a, Time::zero() + millis(2), b.id(), 0, [&b, &w] { b.arrival_ns.push_back(w.kernel.now().nanos()); });
  w.kernel.pause_actor(b.actor());  // the receiver, until 20 ms
  w.kernel.after(millis(1), Tag{}, [&w, &a] { w.kernel.pause_actor(a.actor()); });
  w.kernel.after(millis(5), Tag{}, [&w, &a] { w.kernel.resume_actor(a.actor()); });
  w.kernel.after(millis(20), Tag{}, [&w, &b] { w.kernel.resume_actor(b.actor()); });
  w.kernel.run();
  // It left at 6 ms and would have arrived at 6.1 ms: the receiver takes it when it resumes,
  // without its wait counted again.
  CHECK(b.arrival_ns == std::vector<std::int64_t>{20'000'000});
}
