// The control plane's view of the fleet holds what nodes reported and nothing else: deltas add
// up in any order, absolute figures come from the newest report, and a silent node drops out
// of the placement list.
#include "models/control/fleet_view.h"

#include <catch2/catch.hpp>

using namespace models;
using namespace models::control;

namespace {

sim::Time at(std::int64_t seconds) { return sim::Time::zero() + sim::seconds(seconds); }

NodeReport report(std::int64_t sent_s, std::uint32_t replicas, admission::MicroUnits write,
                  std::vector<std::pair<std::uint32_t, admission::AdmissionTotals>> groups = {},
                  std::vector<std::pair<std::uint32_t, std::uint64_t>> sizes = {}) {
  NodeReport r;
  r.sent = at(sent_s);
  r.replicas = replicas;
  r.consumed_write = write;
  r.groups = std::move(groups);
  r.sizes = std::move(sizes);
  return r;
}

admission::AdmissionTotals writes(admission::MicroUnits units) {
  admission::AdmissionTotals t;
  t.write = units;
  return t;
}

}  // namespace

TEST_CASE("FleetView: deltas add up whatever order reports arrive in, counts and sizes come from the newest",
          "[control]") {
  FleetView view;
  view.add_node(3, 1, 10, at(0));
  view.add_groups(2);
  // The report sent at 2 s overtakes the one sent at 1 s.
  view.on_report(3, report(2, 12, 50, {{1, writes(40)}}, {{1, 7}}), at(2));
  view.on_report(3, report(1, 11, 30, {{1, writes(20)}}, {{1, 5}}), at(2));
  CHECK(view.consumed(3).second == 80);
  CHECK(view.totals(1).write == 60);
  CHECK(view.replicas(3) == 12);  // not the late report's 11
  CHECK(view.items(1) == 7);      // nor its 5
  CHECK(view.charged_by(1) == 3);
  CHECK(view.totals(0).write == 0);
  CHECK(view.charged_by(0) == kNobody);
  CHECK(view.reports() == 2);
}

TEST_CASE("FleetView: the node whose newest report charged a partition is the one that leads it", "[control]") {
  FleetView view;
  view.add_node(1, 0, 0, at(0));
  view.add_node(2, 0, 0, at(0));
  view.on_report(1, report(5, 1, 0, {{0, writes(10)}}), at(5));
  view.on_report(2, report(6, 1, 0, {{0, writes(10)}}), at(6));  // leadership moved to node 2
  CHECK(view.charged_by(0) == 2);
  view.on_report(1, report(4, 1, 0, {{0, writes(10)}}), at(7));  // an old report of node 1, late
  CHECK(view.charged_by(0) == 2);
  CHECK(view.totals(0).write == 30);
}

TEST_CASE("FleetView: a node silent for longer than `silence` leaves the placement list", "[control]") {
  FleetView view;
  view.add_node(0, 0, 5, at(0));
  view.add_node(1, 1, 6, at(0));
  view.on_report(0, report(9, 4, 0), at(9));
  const sim::Duration silence = sim::seconds(3);
  CHECK(view.alive(1, at(3), silence));
  CHECK_FALSE(view.alive(1, at(4), silence));
  CHECK_FALSE(view.alive(7, at(0), silence));  // never known
  const PlacementListPtr list = view.placement(at(10), silence);
  REQUIRE(list->nodes.size() == 1);
  CHECK(list->nodes[0].node == 0);
  CHECK(list->nodes[0].replicas == 4);
  CHECK(list->made == at(10));
}
