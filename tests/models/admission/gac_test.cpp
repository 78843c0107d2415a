// Tests of global admission control: the grant rule, the ring, ephemeral server state, and the
// router side's metering (grants, expiry, failing open, asking early).
#include "models/admission/gac.h"
#include "models/admission/gac_client.h"
#include "models/scenario_loader.h"
#include "tests/models/admission/table_of_four.h"
#include "models/simulation.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace models;
using namespace models::admission;

namespace {

// One table of 400 WCU / 1200 RCU, GAC refilling every 2 s with 6 s grants.
Scenario gac_scenario() { return test_support::table_of_four(R"({"mode": "gac"})", "1m"); }

struct Host : sim::Node {
  Host(sim::Network& net, std::string name) : sim::Node(net, std::move(name), 0, "router") {}
};

// A kernel, a network, GAC servers and router stand-ins that call them.
struct Bench {
  explicit Bench(const Scenario& s, std::size_t servers = 1) : scenario(s), kernel(1), net(kernel, sim::NetworkConfig{}), kinds(kernel) {
    net.add_az("az1");
    for (std::size_t i = 0; i < servers; ++i) {
      gac.push_back(std::make_unique<GacServer>(net, fmt::format("gac{}", i), 0, scenario));
      ring.add(gac.back().get());
    }
  }
  // `router` reports `write_demand` units a second for table 0; returns the grant.
  GacGrant ask(Host& router, MicroUnits write_demand, std::size_t server = 0) {
    GacGrant out;
    sim::async_call<GacGrant>(
        router, gac[server]->id(), kinds.request, kinds.grant, sim::millis(50),
        [&, write_demand](sim::Reply<GacGrant> reply) {
          gac[server]->request(GacRequest{0, 0, write_demand}, std::move(reply));
        },
        [&](sim::error_code error, GacGrant grant) {
          if (!error) out = grant;
        });
    kernel.run_until(kernel.now() + sim::millis(10));
    return out;
  }
  // Moves virtual time forward by `d` (an idle kernel does not move by itself).
  void advance(sim::Duration d) {
    gac[0]->after(d, kinds.refill, [] {});
    kernel.run_until(kernel.now() + d);
  }
  const Scenario& scenario;
  sim::Kernel kernel;
  sim::Network net;
  GacKinds kinds;
  GacRing ring;
  std::vector<std::unique_ptr<GacServer>> gac;
};

constexpr MicroUnits units(std::int64_t n) { return n * kMicro; }

}  // namespace

TEST_CASE("GAC: under the table's rate each router gets its demand plus an equal part of what is left", "[gac]") {
  const Scenario scenario = gac_scenario();
  Bench bench(scenario);
  Host a(bench.net, "a"), b(bench.net, "b");
  // Alone: 100 asked of 400, so a gets 100 + 300.
  CHECK(bench.ask(a, units(100)).write_rate == units(400));
  // b joins with 200: 300 of 400 asked, 100 spare split two ways.
  CHECK(bench.ask(b, units(200)).write_rate == units(250));
  CHECK(bench.ask(a, units(100)).write_rate == units(150));
  CHECK(bench.gac[0]->clients_of(0) == 2);
}

TEST_CASE("GAC: over the table's rate the rate is split in proportion to demand, never more in total", "[gac]") {
  const Scenario scenario = gac_scenario();
  Bench bench(scenario);
  Host a(bench.net, "a"), b(bench.net, "b");
  bench.ask(a, units(300));
  const GacGrant to_b = bench.ask(b, units(500));  // 800 asked of 400
  const GacGrant to_a = bench.ask(a, units(300));
  CHECK(to_b.write_rate == units(250));
  CHECK(to_a.write_rate == units(150));
  CHECK(to_a.write_rate + to_b.write_rate == units(400));
  CHECK(bench.gac[0]->stats().grants_over_rate >= 2);
}

TEST_CASE("GAC: routers that stop reporting stop counting after three intervals", "[gac]") {
  const Scenario scenario = gac_scenario();
  Bench bench(scenario);
  Host a(bench.net, "a"), b(bench.net, "b");
  bench.ask(a, units(300));
  bench.ask(b, units(300));
  bench.advance(sim::seconds(7));
  CHECK(bench.ask(a, units(300)).write_rate == units(400));  // b is forgotten: a alone
  CHECK(bench.gac[0]->clients_of(0) == 1);
}

TEST_CASE("GAC: a server's state is ephemeral, a restarted server rebuilds it from reports", "[gac]") {
  const Scenario scenario = gac_scenario();
  Bench bench(scenario);
  Host a(bench.net, "a"), b(bench.net, "b");
  bench.ask(a, units(300));
  bench.ask(b, units(300));
  bench.gac[0]->power_off();
  bench.gac[0]->power_on();
  CHECK(bench.gac[0]->clients_of(0) == 0);
  // The first report after the restart is all it knows: it grants the whole rate once...
  CHECK(bench.ask(a, units(300)).write_rate == units(400));
  // ...and the next report restores the split.
  CHECK(bench.ask(b, units(300)).write_rate == units(200));
}

TEST_CASE("GAC ring: a table has one owner, skipping it moves to the next server, the same for everyone", "[gac]") {
  const Scenario scenario = gac_scenario();
  Bench bench(scenario, 3);
  std::array<std::size_t, 3> owned{};
  for (std::uint32_t table = 0; table < 300; ++table) {
    GacServer* owner = bench.ring.owner(table);
    REQUIRE(owner != nullptr);
    for (std::size_t i = 0; i < 3; ++i) owned[i] += owner == bench.gac[i].get();
    GacServer* next = bench.ring.owner(table, [&](sim::NodeId id) { return id == owner->id(); });
    REQUIRE(next != nullptr);
    CHECK(next != owner);
    CHECK(bench.ring.owner(table, [&](sim::NodeId id) { return id == owner->id(); }) == next);
  }
  for (std::size_t count : owned) CHECK(count > 40);  // spread: every server owns a fair part
  CHECK(bench.ring.owner(0, [](sim::NodeId) { return true; }) == nullptr);
}

TEST_CASE("GAC client: spends its grant, throttles when dry, asks early, and fails open without a grant", "[gac]") {
  const Scenario scenario = gac_scenario();
  Bench bench(scenario);
  Host router(bench.net, "router");
  GacClient client(router, scenario, bench.kinds, bench.ring);
  // Cold: no grant yet, so the first request is admitted unmetered and a grant is asked for.
  CHECK(client.admit(0, Operation::put, 1024));
  CHECK(client.stats().unmetered == 1);
  CHECK(client.stats().requests == 1);
  bench.kernel.run_until(bench.kernel.now() + sim::millis(10));
  REQUIRE(client.stats().grants == 1);
  // It reported 0 demand over no time, so it holds the whole 400 a second: 2 s worth, 800.
  int admitted = 0;
  while (client.admit(0, Operation::put, 1024) && admitted < 10'000) ++admitted;
  CHECK(admitted == 800);
  CHECK(client.stats().throttled == 1);
  CHECK(client.stats().requests == 1);  // dry, but it asked moments ago
  // A quarter interval later 600 ms have refilled 240 units; running dry again asks early.
  router.after(sim::millis(600), bench.kinds.refill, [] {});
  bench.kernel.run_until(bench.kernel.now() + sim::millis(600));
  admitted = 0;
  while (client.admit(0, Operation::put, 1024) && admitted < 10'000) ++admitted;
  CHECK(admitted == 240);
  CHECK(client.stats().throttled == 2);
  CHECK(client.stats().requests == 2);
  // The grant expires 6 s later without refills if the server is gone: then it fails open.
  bench.gac[0]->power_off();
  router.after(sim::seconds(7), bench.kinds.refill, [] {});
  bench.kernel.run_until(bench.kernel.now() + sim::seconds(7));
  CHECK(client.admit(0, Operation::put, 1024));
  CHECK(client.stats().unmetered >= 2);
  CHECK(client.stats().failures >= 1);
}

TEST_CASE("GAC in a region: the hot partition of E3 does not throttle while the table is under its rate", "[gac]") {
  Scenario scenario = load_scenario(std::string(DDBSIM_SOURCE_DIR) + "/scenarios/hot_partition.json");
  // The gac variant of the shipped scenario.
  const Variant* variant = nullptr;
  for (const Variant& v : scenario.variants)
    if (v.name == "gac") variant = &v;
  REQUIRE(variant != nullptr);
  const Scenario& gac = *variant->scenario;
  REQUIRE(gac.admission.mode == AdmissionSpec::Mode::gac);
  Simulation simulation(gac, 1);
  simulation.run();
  std::uint64_t throttled = 0, grants = 0;
  for (const auto& router : simulation.routers()) {
    throttled += router->gac()->stats().throttled;
    grants += router->gac()->stats().grants;
  }
  CHECK(throttled == 0);
  CHECK(grants > 1000);
  CHECK(simulation.cluster().ledger.totals(3).throttled == 0);
  CHECK(simulation.cluster().ledger.totals(3).admitted > 100'000);
}
