// Tests of adaptive capacity: the controller boosts throttled partitions out of the table's
// unused rate, after its interval, and cuts boosts back when the table over-consumes.
#include "models/admission/adaptive_controller.h"
#include "models/scenario_loader.h"
#include "tests/models/admission/table_of_four.h"

#include <catch2/catch.hpp>

using namespace models;
using namespace models::admission;

namespace {

Scenario four_partitions() {
  return test_support::table_of_four(R"({"mode": "adaptive", "adaptive": {"interval": "1m", "boost": 1}})", "10m");
}

struct Bench {
  explicit Bench(const Scenario& s) : scenario(s), kernel(1), net(kernel, sim::NetworkConfig{}), shares(s) {
    net.add_az("az1");
    for (std::uint32_t g = 0; g < 4; ++g) {
      shares.add_partition(g);
      shares.set(g, shares.base(0, 4));
    }
    view.add_node(kReporter, 0, 4, kernel.now());
    view.add_groups(4);
    controller = std::make_unique<AdaptiveController>(net, "adaptive", 0, scenario, shares, view,
                                                      std::vector<std::vector<std::uint32_t>>{{0, 1, 2, 3}});
    controller->start();
  }
  // Over the next minute: `per_second` write units consumed and `throttled_per_second` turned
  // away on partition g, as a storage node reports them to autoadmin.
  void minute_of(std::uint32_t g, std::int64_t per_second, std::int64_t throttled_per_second) {
    control::NodeReport report;
    report.sent = kernel.now();
    AdmissionTotals totals;
    totals.write = 60 * per_second * kMicro;
    totals.throttled_write = 60 * throttled_per_second * kMicro;
    report.groups.emplace_back(g, totals);
    view.on_report(kReporter, report, kernel.now());
  }
  static constexpr sim::NodeId kReporter = 7;
  const Scenario& scenario;
  sim::Kernel kernel;
  sim::Network net;
  Shares shares;
  control::FleetView view;
  std::unique_ptr<AdaptiveController> controller;
};

MicroUnits write_share(const Bench& b, std::uint32_t g) { return b.shares.get(g).write; }

}  // namespace

TEST_CASE("Adaptive: a partition throttling under an under-used table gets its turned-away rate", "[adaptive]") {
  const Scenario scenario = four_partitions();
  Bench bench(scenario);
  REQUIRE(write_share(bench, 3) == 100 * kMicro);
  for (std::uint32_t g = 0; g < 3; ++g) bench.minute_of(g, 50, 0);
  bench.minute_of(3, 100, 50);  // the table consumed 250 of 400; partition 3 turned 50 away
  // Nothing changes before the controller's interval ends.
  bench.kernel.run_until(sim::Time::zero() + sim::seconds(59));
  CHECK(write_share(bench, 3) == 100 * kMicro);
  bench.kernel.run_until(sim::Time::zero() + sim::seconds(61));
  CHECK(write_share(bench, 3) == 150 * kMicro);
  CHECK(write_share(bench, 0) == 100 * kMicro);
  CHECK(bench.controller->stats().boosts == 1);
}

TEST_CASE("Adaptive: boosts come only out of the table's unused rate, and never pass the partition ceiling", "[adaptive]") {
  const Scenario scenario = four_partitions();
  Bench bench(scenario);
  for (std::uint32_t g = 0; g < 3; ++g) bench.minute_of(g, 100, 0);
  bench.minute_of(3, 80, 500);  // 380 of 400 consumed: only 20 to give
  bench.kernel.run_until(sim::Time::zero() + sim::seconds(61));
  CHECK(write_share(bench, 3) == 120 * kMicro);
}

TEST_CASE("Adaptive: a table consuming more than provisioned gets boosts cut back, not below the even split", "[adaptive]") {
  const Scenario scenario = four_partitions();
  Bench bench(scenario);
  for (std::uint32_t g = 0; g < 3; ++g) bench.minute_of(g, 50, 0);
  bench.minute_of(3, 100, 200);
  bench.kernel.run_until(sim::Time::zero() + sim::seconds(61));
  REQUIRE(write_share(bench, 3) == 250 * kMicro);  // 150 unused, all of it to partition 3
  // Next minute the table takes 480 (the others woke up): 80 too many, taken from the boost.
  for (std::uint32_t g = 0; g < 3; ++g) bench.minute_of(g, 100, 0);
  bench.minute_of(3, 180, 0);
  bench.kernel.run_until(sim::Time::zero() + sim::seconds(121));
  CHECK(write_share(bench, 3) == 170 * kMicro);
  CHECK(bench.controller->stats().cutbacks == 1);
  // Far over: cut to the even split and no further.
  for (std::uint32_t g = 0; g < 4; ++g) bench.minute_of(g, 300, 0);
  bench.kernel.run_until(sim::Time::zero() + sim::seconds(181));
  CHECK(write_share(bench, 3) == 100 * kMicro);
}
