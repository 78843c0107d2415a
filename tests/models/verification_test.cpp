// Tests of continuous verification end to end (models/verification, models/replication/integrity):
// small runs with bit rot or a buggy build, judged from the report's verification section and
// the checkers, as a user would read them.
#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "reports/report.h"

#include <catch2/catch.hpp>

using reports::Json;

namespace {

// Three storage nodes a zone, one partition, items written for 1 minute then read; the fault
// and the settings under test are spliced in.
std::string scenario_text(const std::string& settings, const std::string& faults) {
  return R"({"name": "v", "duration": "8m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 2, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 2, "routers": 0, "clients": 0},
                         {"name": "az3", "storage_nodes": 2, "routers": 0, "clients": 0}]},
    "replication": {"keep_item_history": false},
    "tables": [{"name": "t", "partitions": 2, "items": 200}],
    "workload": [{"table": "t", "rate": 40, "mix": {"put": 1}, "end": "1m"},
                 {"table": "t", "rate": 40, "mix": {"get_strong": 0.5, "get_eventual": 0.5}, "start": "1m"}],
    )" + settings + R"(,
    "faults": {"timeline": [)" + faults + "]}}";
}

Json run(const std::string& text) {
  const models::Scenario scenario = models::parse_scenario(text, "v.json");
  models::Simulation simulation(scenario, 1);
  return reports::build_report(simulation, simulation.run());
}

const std::string kRot = R"({"at": "90s", "kind": "bit_rot", "node": {"leader_of": {"table": "t", "key": 0}}, "items": 10})";

}  // namespace

TEST_CASE("Verification: without page checksums rot is served until the scrub outvotes the replica and heals it",
          "[verification]") {
  const Json r = run(scenario_text(R"("storage": {"page_checksums": false}, "archive": {"interval": "10s"},
                                      "scrub": {"interval": "3m"})", kRot));
  const Json& v = r["verification"];
  CHECK(v["corruptions"]["bit_rot"] == 10);
  CHECK(v["corruptions"]["undetected"] == 0);
  CHECK(v["found_by"]["scrub_replicas"].get<int>() >= 1);
  CHECK(v["found_by"]["page_checksum"] == 0);
  CHECK(v["damaged_replicas"] == v["repaired"]);
  // Found by the first round after the rot (3 minutes in, spread over 3% of the interval), once
  // the archive reached the marker and the reference confirmed the vote (two 10 s intervals).
  CHECK(v["time_to_detection_s"]["max"].get<double>() <= 180 - 90 + 0.03 * 180 + 20);
  CHECK(r["consistency"]["integrity"]["corrupted_reads"].get<int>() > 0);
  CHECK(r["consistency"]["integrity"]["last_s"].get<double>() <= 180 + 0.03 * 180 + 21);  // none after the repair
  CHECK(r["monitors"]["convergence"]["passed"].get<bool>());
  CHECK(r["consistency"]["restore"]["passed"].get<bool>());
}

TEST_CASE("Verification: with page checksums a rotten item is refused at its first read, never served",
          "[verification]") {
  const Json r = run(scenario_text(R"("archive": {"interval": "10s"})", kRot));
  const Json& v = r["verification"];
  CHECK(r["consistency"]["integrity"]["corrupted_reads"] == 0);
  CHECK(v["reads_refused"].get<int>() >= 1);
  CHECK(v["found_by"]["page_checksum"].get<int>() >= 1);
  CHECK(v["damaged_replicas"] == v["repaired"]);
  CHECK(r["monitors"]["convergence"]["passed"].get<bool>());
  CHECK(v["scrub"]["enabled"] == false);
}

TEST_CASE("Verification: without scrub or page checksums rot is never found and the replicas diverge",
          "[verification]") {
  const Json r = run(scenario_text(R"("storage": {"page_checksums": false})", kRot));
  CHECK(r["verification"]["corruptions"]["detected"] == 0);
  CHECK(r["verification"]["time_to_detection_s"]["p50"].is_null());
  CHECK_FALSE(r["consistency"]["integrity"]["passed"].get<bool>());
  CHECK_FALSE(r["monitors"]["convergence"]["passed"].get<bool>());
}

TEST_CASE("Verification: a bug every replica shares is seen only by the reference replica, which raises an alarm",
          "[verification]") {
  const std::string bug = R"({"at": "10s", "kind": "buggy_build", "node": "every_storage_node", "probability": 0.05, "duration": "40s"})";
  const Json r = run(scenario_text(R"("archive": {"interval": "10s"}, "scrub": {"interval": "2m"})", bug));
  const Json& v = r["verification"];
  CHECK(v["corruptions"]["buggy_values"].get<int>() > 0);
  CHECK(v["mismatches"]["missed_by_three_way"].get<int>() >= 1);
  CHECK(v["alarm_count"].get<int>() >= 1);
  CHECK(v["found_by"]["scrub_reference"] == 0);  // no replica matches the reference: none to rebuild from

  // Without the reference the scrub sees nothing at all.
  const Json blind = run(scenario_text(R"("archive": {"interval": "10s"}, "scrub": {"interval": "2m", "reference": false})", bug));
  CHECK(blind["verification"]["mismatches"]["replica_vs_reference"] == 0);
  CHECK(blind["verification"]["alarm_count"] == 0);
  CHECK(blind["verification"]["corruptions"]["detected"] == 0);
}

TEST_CASE("Verification: a bug on the leader's propose path reaches the log and the archive: only the checkers see it",
          "[verification]") {
  const std::string bug = R"({"at": "10s", "kind": "buggy_build", "node": "every_storage_node", "path": "propose", "probability": 0.05, "duration": "40s"})";
  const Json r = run(scenario_text(R"("archive": {"interval": "10s"}, "scrub": {"interval": "2m"})", bug));
  CHECK(r["verification"]["corruptions"]["buggy_values"].get<int>() > 0);
  CHECK(r["verification"]["corruptions"]["detected"] == 0);
  CHECK(r["verification"]["mismatches"]["replica_vs_reference"] == 0);
  CHECK(r["verification"]["scrub"]["reference_compared"].get<int>() > 0);
  CHECK_FALSE(r["consistency"]["integrity"]["passed"].get<bool>());
  CHECK_FALSE(r["consistency"]["restore"]["passed"].get<bool>());  // acknowledged writes the archive lacks
}

TEST_CASE("Verification: rot is never copied into a new replica, and two rotten copies do not outvote a good one",
          "[verification]") {
  // The leader's items rot while nothing reads them; a follower dies and is healed from the
  // leader. With page checksums the copy reads every page, finds the rot and copies nothing: the
  // leader is damaged, hands off, and the healthy replica heals both seats. (A review found
  // acknowledged writes lost here when the copy spread the rot and the scrub's vote then removed
  // the one good replica.)
  const std::string text = R"({"name": "v", "duration": "40m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 2, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 2, "routers": 1, "clients": 1},
                         {"name": "az3", "storage_nodes": 2, "routers": 1, "clients": 1}]},
    "archive": {"interval": "10s"}, "scrub": {"interval": "15m"},
    "tables": [{"name": "orders", "partitions": 1, "items": 600, "item_size": "1KB"}],
    "workload": [{"table": "orders", "rate": 20, "mix": {"put": 1.0}, "end": "5m"}],
    "faults": {"timeline": [
      {"at": "6m", "kind": "bit_rot", "node": {"leader_of": {"table": "orders", "key": 0}}, "items": 50},
      {"at": "7m", "kind": "power_off", "node": {"follower_of": {"table": "orders", "key": 0}}, "duration": "10m"}]}})";
  for (const char* checksums : {"true", "false"}) {
    INFO("page checksums " << checksums);
    std::string variant = text;
    variant.replace(variant.find(R"("archive")"), 0, std::string(R"("storage": {"page_checksums": )") + checksums + "}, ");
    const Json r = run(variant);
    CHECK(r["consistency"]["durability"]["passed"].get<bool>());
    CHECK(r["consistency"]["restore"]["passed"].get<bool>());
    CHECK(r["monitors"]["convergence"]["passed"].get<bool>());
    CHECK(r["verification"]["corruptions"]["undetected"] == 0);
    CHECK(r["verification"]["damaged_replicas"] == r["verification"]["repaired"]);
  }
}

TEST_CASE("Verification: a group whose every replica is damaged still gets a leader, and raises an alarm",
          "[verification]") {
  const std::string rot_everywhere =
      R"({"at": "90s", "kind": "bit_rot", "node": "az1/storage0", "items": 40},
         {"at": "90s", "kind": "bit_rot", "node": "az2/storage0", "items": 40},
         {"at": "90s", "kind": "bit_rot", "node": "az3/storage0", "items": 40},
         {"at": "90s", "kind": "bit_rot", "node": "az1/storage1", "items": 40},
         {"at": "90s", "kind": "bit_rot", "node": "az2/storage1", "items": 40},
         {"at": "90s", "kind": "bit_rot", "node": "az3/storage1", "items": 40})";
  const Json r = run(scenario_text(R"("archive": {"interval": "10s"})", rot_everywhere));
  const Json& v = r["verification"];
  CHECK(v["alarm_count"].get<int>() >= 1);
  CHECK(v["alarms"][0]["why"] == "a damaged replica leads: no healthy one came forward");
  // Pages that check out are still served: reads do not all fail.
  CHECK(r["timeline"].back()["availability"].get<double>() > 0.3);
  CHECK(r["consistency"]["integrity"]["corrupted_reads"] == 0);
}

TEST_CASE("Verification: rot a newer write hid in an item's history is found by the copy, not spread by it",
          "[verification]") {
  // The leader's rot is overwritten before any read (every version is kept), a follower dies and
  // is healed from the leader, and the scrub has no reference: the copy must read every version,
  // or two rotten copies would outvote the good replica and acknowledged writes would be lost (a
  // review's schedule).
  const Json r = run(R"({"name": "v", "duration": "40m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 2, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 2, "routers": 1, "clients": 1},
                         {"name": "az3", "storage_nodes": 2, "routers": 1, "clients": 1}]},
    "archive": {"interval": "10s"}, "scrub": {"interval": "15m", "reference": false},
    "tables": [{"name": "orders", "partitions": 1, "items": 600, "item_size": "1KB"}],
    "workload": [{"table": "orders", "rate": 40, "mix": {"put": 1.0}, "end": "10m"}],
    "faults": {"timeline": [
      {"at": "6m", "kind": "bit_rot", "node": {"leader_of": {"table": "orders", "key": 0}}, "items": 5},
      {"at": "9m", "kind": "power_off", "node": {"follower_of": {"table": "orders", "key": 0}}, "duration": "10m"}]}})");
  CHECK(r["consistency"]["durability"]["passed"].get<bool>());
  CHECK(r["monitors"]["convergence"]["passed"].get<bool>());
  CHECK(r["verification"]["found_by"]["page_checksum"].get<int>() >= 1);
  CHECK(r["verification"]["corruptions"]["undetected"] == 0);
}

TEST_CASE("Verification: a damaged replica leading as a last resort serves no read it cannot check", "[verification]") {
  // One storage node a zone (no replacement target): the scrub condemns az2's replica, then the
  // leader dies and the healthy follower pauses, so the damaged one leads for a while. Without
  // page checksums it cannot tell its bad pages: it must refuse reads, not serve rot (a review's
  // schedule); the alarm says a damaged replica leads.
  const Json r = run(R"({"name": "v", "duration": "12m",
    "topology": {"azs": [{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az2", "storage_nodes": 1, "routers": 1, "clients": 1},
                         {"name": "az3", "storage_nodes": 1, "routers": 1, "clients": 1}]},
    "storage": {"page_checksums": false}, "archive": {"interval": "10s"}, "scrub": {"interval": "3m"},
    "tables": [{"name": "orders", "partitions": 1, "items": 200, "item_size": "1KB"}],
    "workload": [{"table": "orders", "rate": 40, "mix": {"put": 1.0}, "end": "1m"},
                 {"table": "orders", "rate": 40, "mix": {"put": 0.02, "get_strong": 0.98}, "start": "1m"}],
    "faults": {"timeline": [
      {"at": "90s", "kind": "bit_rot", "node": "az2/storage0", "items": 40},
      {"at": "5m", "kind": "power_off", "node": "az1/storage0", "duration": "2m"},
      {"at": "5m", "kind": "pause", "node": "az3/storage0", "duration": "20s"}]}})");
  // Strong reads go to the leader only, which before the power-off was a healthy one: nothing
  // rotten may be served once the damaged replica leads (from 5 minutes on).
  const Json& integrity = r["consistency"]["integrity"];
  if (integrity["corrupted_reads"].get<int>() > 0) CHECK(integrity["last_s"].get<double>() < 300);
  bool damaged_leader_alarm = false;
  for (const Json& alarm : r["verification"]["alarms"])
    damaged_leader_alarm = damaged_leader_alarm || alarm["why"] == "a damaged replica leads: no healthy one came forward";
  CHECK(damaged_leader_alarm);
}

TEST_CASE("Verification: a rotten log entry is found when its segment is sealed and repaired from a peer, nothing wrong is served",
          "[verification]") {
  // Rot during the writes: the newest applied entries are not archived yet (archived every 30 s).
  const Json r = run(scenario_text(R"("archive": {"interval": "30s"})",
                                   R"({"at": "50s", "kind": "bit_rot", "target": "log",
                                       "node": {"leader_of": {"table": "t", "key": 0}}, "items": 20})"));
  const Json& v = r["verification"];
  CHECK(v["corruptions"]["log_rot"].get<int>() >= 1);
  // Found when read; the rest (archived before they rotted) still sit unread in the kept log.
  CHECK(v["corruptions"]["detected"].get<int>() >= 1);
  CHECK(v["log_entries"]["repairs_asked"].get<int>() >= 1);
  CHECK(v["log_entries"]["repaired_from_a_peer"].get<int>() + v["log_entries"]["found_in_the_archive"].get<int>() ==
        v["log_entries"]["repairs_asked"].get<int>());
  CHECK(v["damaged_replicas"] == 0);  // a peer had every entry: no replica is replaced
  CHECK(r["archive"]["archive_vs_log_mismatches"] == 0);  // never uploaded
  CHECK(r["consistency"]["integrity"]["passed"].get<bool>());
  CHECK(r["consistency"]["restore"]["passed"].get<bool>());
  CHECK(r["monitors"]["convergence"]["passed"].get<bool>());
}

TEST_CASE("Verification: rot in the archive harms no replica, and a restore finds it and fails", "[verification]") {
  const Json r = run(scenario_text(R"("archive": {"interval": "10s"})", R"({"at": "3m", "kind": "bit_rot", "target": "archive", "items": 2})"));
  const Json& v = r["verification"];
  CHECK(v["corruptions"]["archive_rot"] == 2);
  CHECK(v["damaged_replicas"] == 0);
  CHECK(r["consistency"]["restore"]["corrupt_entries"].get<int>() >= 1);
  CHECK_FALSE(r["consistency"]["restore"]["passed"].get<bool>());
  CHECK(r["consistency"]["integrity"]["passed"].get<bool>());
  CHECK(r["consistency"]["durability"]["passed"].get<bool>());
}

TEST_CASE("Verification: the scrub's reference replay finds rot in archived entries it has not replayed, raises an alarm, and the majority judges",
          "[verification]") {
  // The archive rots before the first scrub marker (3 minutes): the reference has replayed nothing yet.
  const Json r = run(scenario_text(R"("archive": {"interval": "10s"}, "scrub": {"interval": "3m"})",
                                   R"({"at": "100s", "kind": "bit_rot", "target": "archive", "items": 1})"));
  const Json& v = r["verification"];
  CHECK(v["corruptions"]["detected"] == 1);
  CHECK(v["time_to_detection_s"]["max"].get<double>() <= 180 - 100 + 0.03 * 180 + 20);
  CHECK(v["scrub"]["reference_corrupt"].get<int>() >= 1);
  REQUIRE(v["alarm_count"] == 1);
  CHECK(v["alarms"][0]["why"] == "an archived log entry fails its checksum: the archive cannot restore the group");
  CHECK(v["damaged_replicas"] == 0);
}
