// `ddbsim blame`: the table's arithmetic, and a run where one fault plainly costs the most.
#include "tools/blame.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

using reports::Json;

namespace {

tools::RunCost cost(std::uint64_t requests, std::uint64_t failed, double p99) {
  tools::RunCost c;
  c.requests = requests;
  c.failed = failed;
  c.unavailability = static_cast<double>(failed) / static_cast<double>(requests);
  c.p99_ms = {{"put", p99}, {"get_eventual", nullptr}};
  return c;
}

}  // namespace

TEST_CASE("Blame: each fault's share is what removing it gives back, over what all the faults lost", "[blame]") {
  // 10% failed with both faults, 0 with none; 3% without the first, 9% without the second.
  const Json t = tools::blame_table(cost(1000, 100, 50), cost(1000, 0, 10), {Json{{"kind", "a"}}, Json{{"kind", "b"}}},
                                    {cost(1000, 30, 12), cost(1000, 90, 45)});
  CHECK(t["unavailability_lost"].get<double>() == Approx(0.1));
  CHECK(t["faults"][0]["share"].get<double>() == Approx(0.7));
  CHECK(t["faults"][1]["share"].get<double>() == Approx(0.1));
  CHECK(t["interaction"].get<double>() == Approx(0.2));  // lost only with both
  CHECK(t["faults"][0]["p99_regained_ms"]["put"].get<double>() == Approx(38));
  CHECK(t["faults"][0]["p99_regained_ms"]["get_eventual"].is_null());  // no figure, not a zero
  CHECK(t["p99_excess_ms"]["put"].get<double>() == Approx(40));
  // Faults that lost nothing have no shares: null, never a made-up 0 or 100%.
  const Json none = tools::blame_table(cost(1000, 0, 10), cost(1000, 0, 10), {Json{{"kind", "a"}}}, {cost(1000, 0, 10)});
  CHECK(none["faults"][0]["share"].is_null());
  CHECK(none["interaction"].is_null());
}

namespace {

Json blame_json(const std::string& scenario) {
  const std::string command = std::string(DDBSIM_BINARY) + " blame " + DDBSIM_SOURCE_DIR + "/tests/scenarios/" + scenario +
                              " --jobs 2 --format json --out /tmp/ddbsim-blame-test 2>/dev/null";
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
  const int status = pclose(pipe);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return Json::parse(out);
}

}  // namespace

TEST_CASE("Blame: an AZ outage carries the loss, a router power-off with a spare beside it almost none", "[blame]") {
  const Json r = blame_json("blame.json");
  CHECK(r["unavailability_lost"].get<double>() > 0.001);
  REQUIRE(r["faults"].size() == 2);
  CHECK(r["faults"][0]["fault"]["kind"] == "az_outage");
  CHECK(r["faults"][0]["share"].get<double>() > 0.8);
  CHECK(std::abs(r["faults"][1]["share"].get<double>()) < 0.2);
  // Without any fault the same traffic loses nothing.
  CHECK(r["with_no_fault"]["failed"] == 0);
  CHECK(r["with_no_fault"]["requests"] == r["with_all_faults"]["requests"]);
}

TEST_CASE("Blame: random power-offs are blamed episode by episode", "[blame]") {
  const Json r = blame_json("blame_chaos.json");
  REQUIRE(r.contains("random_faults_made_explicit"));
  const auto episodes = r["random_faults_made_explicit"]["episodes"].get<std::size_t>();
  CHECK(episodes >= 3);
  REQUIRE(r["faults"].size() == episodes);
  for (const Json& f : r["faults"]) {
    CHECK(f["fault"]["kind"] == "power_off");
    CHECK(f["fault"].contains("node"));
    CHECK(f["fault"].contains("at"));
  }
  // The explicit episodes cost what the random entry cost on this seed.
  const double random = r["random_faults_made_explicit"]["unavailability_with_random_entries"].get<double>();
  CHECK(random > 0.001);
  CHECK(r["with_all_faults"]["unavailability"].get<double>() == Approx(random).epsilon(0.1));
  // The shares and the interaction account for the whole loss.
  double shares = r["interaction"].get<double>();
  for (const Json& f : r["faults"]) shares += f["share"].get<double>();
  CHECK(shares == Approx(1.0));
}
