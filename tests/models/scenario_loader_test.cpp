// Tests of models/scenario_loader.*: every file in tests/scenarios/broken/ (each a copy of
// tests/scenarios/small.json with one mistake) is one InputError at its JSON path; valid files load.
#include "models/scenario_loader.h"
#include "reports/report.h"
#include "sim/config/json_reader.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>

using Catch::Matchers::Contains;
using sim::config::InputError;

namespace {

const std::string kSource = DDBSIM_SOURCE_DIR;
const std::string kBroken = kSource + "/tests/scenarios/broken/";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// What `ddbsim validate` does with a file: load it, then check its expectations.
std::optional<InputError> rejection_of(const std::string& path) {
  try {
    const models::Scenario scenario = models::load_scenario(path);
    reports::validate_expectations(scenario);
  } catch (const InputError& error) {
    return error;
  }
  return std::nullopt;
}

// The same for a file of tests/scenarios/broken/, which must be rejected.
InputError broken(const std::string& name) {
  std::optional<InputError> error = rejection_of(kBroken + name);
  INFO(name);
  REQUIRE(error.has_value());
  CHECK(error->file == kBroken + name);
  return *error;
}

std::optional<InputError> text_rejection(const std::string& text) {
  try {
    (void)models::parse_scenario(text, "text.json");
  } catch (const InputError& error) {
    return error;
  }
  return std::nullopt;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string repeated(const std::string& text, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

// Every broken file and the JSON path its one mistake is reported at. A file added to the
// directory without a line here fails the test below.
const std::map<std::string, std::string> kBrokenFiles = {
    {"attempt_timeout_overflows_time.json", "$.client.attempt_timeout"},
    {"backoff_base_over_default_max.json", "$.client.backoff_base"},
    {"bad_distribution.json", "$.network.same_az.latency.dist"},
    {"cell_nodes_zero.json", "$.topology.cell_nodes"},
    {"chaos_starts_after_end.json", "$.faults.chaos[0].start"},
    {"duplicate_az.json", "$.topology.azs[1].name"},
    {"duplicate_key.json", "$.seed"},
    {"duration_without_unit.json", "$.duration"},
    {"empty.json", "$"},
    {"empty_topology.json", "$.topology.azs"},
    {"expect_index_too_large.json", "$.expect[0].metric"},
    {"expect_unknown_metric.json", "$.expect[0].metric"},
    {"storage_in_two_azs.json", "$.topology.azs"},
    {"fault_after_end.json", "$.faults.timeline[1].at"},
    {"fault_duration_overflows_time.json", "$.faults.timeline[0].duration"},
    {"fault_powers_off_a_client.json", "$.faults.timeline[0].node"},
    {"fault_unknown_az.json", "$.faults.timeline[1].az"},
    {"fault_unknown_kind.json", "$.faults.timeline[0].kind"},
    {"s3_fault_without_archive.json", "$.faults.timeline[2]"},
    {"scrub_reference_without_archive.json", "$.scrub.reference"},
    {"bit_rot_on_a_router.json", "$.faults.timeline[2].node"},
    {"archive_rot_on_a_node.json", "$.faults.timeline[2].node"},
    {"canary_alarm_without_canaries.json", "$.alarms[0].metric"},
    {"deploy_waves_not_increasing.json", "$.deployments[0].waves[1]"},
    {"deploy_waves_not_whole_fleet.json", "$.deployments[0].waves"},
    {"deploy_rollback_unknown_alarm.json", "$.deployments[0].rollback.alarms[0]"},
    {"deploy_rollback_before_start.json", "$.deployments[0].rollback.at"},
    {"deploy_after_end.json", "$.deployments[0].at"},
    {"deploy_gac_without_gac.json", "$.deployments[0].role"},
    {"canary_alarm_in_az_without_routers.json", "$.alarms[0].az"},
    {"deploy_config_on_storage.json", "$.deployments[0].build"},
    {"endpoint_named_regional.json", "$.topology.endpoints[1].name"},
    {"workload_unknown_endpoint.json", "$.workload[0].endpoint"},
    {"alarm_unknown_endpoint.json", "$.alarms[0].endpoint"},
    {"deploy_unknown_role.json", "$.deployments[0].role"},
    {"deploy_writes_unreadable_format.json", "$.deployments[0].build.log_format.writes"},
    {"deploy_log_format_on_router.json", "$.deployments[0].build"},
    {"membership_blip_without_membership.json", "$.faults.timeline[3]"},
    {"expect_unknown_check.json", "$.expect[1].check"},
    {"fault_unknown_node.json", "$.faults.timeline[0].node"},
    {"item_too_large.json", "$.tables[0].item_size"},
    {"latency_overflows_time.json", "$.network.same_az.latency.value"},
    {"loss_one.json", "$.network.same_az.loss"},
    {"missing_duration.json", "$"},
    {"mix_not_one.json", "$.workload[0].mix"},
    {"name_with_slash.json", "$.name"},
    {"negative_duration.json", "$.duration"},
    {"nested_too_deep.json", "$.description" + repeated("[0]", 63)},
    {"no_storage_nodes.json", "$.topology.azs"},
    {"not_json.json", "$"},
    {"only_whitespace.json", "$"},
    {"overflow_duration.json", "$.faults.timeline[0].duration"},
    {"overflow_items.json", "$.tables[0].items"},
    {"overflow_rate_exponent.json", "$"},
    {"overflow_seed.json", "$.seed"},
    {"overflow_storage_nodes.json", "$.topology.azs[0].storage_nodes"},
    {"seed_fraction.json", "$.seed"},
    {"seed_negative.json", "$.seed"},
    {"seed_string.json", "$.seed"},
    {"top_level_array.json", "$"},
    {"trailing_garbage.json", "$"},
    {"truncated.json", "$"},
    {"unknown_duration_unit.json", "$.duration"},
    {"unknown_key.json", "$.client.max_attemps"},
    {"unknown_table_in_workload.json", "$.workload[0].table"},
    {"wrong_type_partitions_string.json", "$.tables[0].partitions"},
    {"wrong_type_topology_array.json", "$.topology"},
    {"zero_fault_duration.json", "$.faults.timeline[0].duration"},
    {"zero_partitions.json", "$.tables[0].partitions"},
    {"rate_and_phases.json", "$.workload[0].phases"},
    {"phase_rate_and_ramp.json", "$.workload[0].phases[1].ramp_to"},
    {"within_reversed.json", "$.workload[0].keys.within.to"},
    {"within_too_few_keys.json", "$.workload[0].keys.within"},
    {"hot_set_without_share.json", "$.workload[0].keys"},
    {"admission_unknown_mode.json", "$.admission.mode"},
    {"gac_lifetime_below_interval.json", "$.admission.gac.grant_lifetime"},
    {"adaptive_unknown_key.json", "$.admission.adaptive.intervall"},
    {"partitioning_unknown_key.json", "$.partitioning.split_for_hot"},
    {"heat_threshold_zero.json", "$.partitioning.heat_threshold"},
    {"on_demand_with_wcu.json", "$.tables[0].capacity.wcu"},
    {"balancing_unknown_key.json", "$.balancing.treshold"},
    {"balancing_threshold_above_one.json", "$.balancing.threshold"},
    {"workload_starts_after_end.json", "$.workload[0].start"},
    {"name_with_nul.json", "$.name"},
    {"relative_to_several_values.json", "$.expect[0].relative_to"},
    {"workload_too_large.json", "$.workload"},
};

}  // namespace

// ---- Every broken file, at once ------------------------------------------------------------------

TEST_CASE("Scenario files: every broken file is listed, and rejected with one line at its JSON path", "[scenario]") {
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(kBroken)) on_disk.insert(entry.path().filename().string());
  std::set<std::string> listed;
  for (const auto& [name, path] : kBrokenFiles) listed.insert(name);
  CHECK(on_disk == listed);

  for (const auto& [name, path] : kBrokenFiles) {
    const InputError error = broken(name);
    INFO(error.what());
    CHECK(error.path == path);
    CHECK(std::string(error.what()) ==
          kBroken + name + ": " + path + ": expected " + error.expected + ", found " + error.found);
    CHECK(std::string(error.what()).find('\n') == std::string::npos);
    CHECK_FALSE(error.expected.empty());
    CHECK_FALSE(error.found.empty());
  }
}

TEST_CASE("Scenario files: the valid file every broken file copies loads and passes its expectations", "[scenario]") {
  CHECK_FALSE(rejection_of(kSource + "/tests/scenarios/small.json").has_value());
}

// ---- The file as a whole -------------------------------------------------------------------------

TEST_CASE("Scenario files: a missing file is rejected at $ as no such file", "[scenario]") {
  const std::string path = kBroken + "does_not_exist.json";
  const std::optional<InputError> error = rejection_of(path);
  REQUIRE(error.has_value());
  CHECK(std::string(error->what()) == path + ": $: expected a readable scenario file, found no such file");
}

TEST_CASE("Scenario files: a directory is rejected at $ as a directory", "[scenario]") {
  const std::optional<InputError> error = rejection_of(kBroken);
  REQUIRE(error.has_value());
  CHECK(error->path == "$");
  CHECK(error->found == "a directory");
}

TEST_CASE("Scenario files: a file without read permission is rejected at $", "[scenario]") {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("ddbsim_unreadable_" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream out(path, std::ios::binary);
    out << read_file(kSource + "/tests/scenarios/small.json");
  }
  std::filesystem::permissions(path, std::filesystem::perms::none);
  const std::optional<InputError> error = rejection_of(path.string());
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::remove(path);
  if (::geteuid() == 0) {
    WARN("running as root, which reads a file of mode 000 anyway: the unreadable-file check is skipped");
    return;
  }
  REQUIRE(error.has_value());
  CHECK(std::string(error->what()) ==
        path.string() + ": $: expected a readable scenario file, found a file without read permission");
}

TEST_CASE("Scenario files: an empty file or one of only whitespace is rejected at $", "[scenario]") {
  CHECK(std::string(broken("empty.json").what()) ==
        kBroken + "empty.json: $: expected a JSON object, found an empty file");
  CHECK(broken("only_whitespace.json").found == "a file with only whitespace");
}

TEST_CASE("Scenario files: text that is not JSON is a syntax error with its line and column", "[scenario]") {
  const InputError error = broken("not_json.json");
  CHECK(error.expected == "valid JSON");
  CHECK_THAT(error.found, Contains("a syntax error at line 1, column"));
}

TEST_CASE("Scenario files: a truncated file is a syntax error where the text stops", "[scenario]") {
  CHECK(std::string(broken("truncated.json").what()) ==
        kBroken + "truncated.json: $: expected valid JSON, found a syntax error at line 21, column 19 "
                  "(invalid string: missing closing quote)");
}

TEST_CASE("Scenario files: text after the end of the JSON value is rejected with where it starts", "[scenario]") {
  const InputError error = broken("trailing_garbage.json");
  CHECK(error.expected == "valid JSON");
  CHECK(error.found == "more text after the end of the JSON value at line 33, column 1");
}

TEST_CASE("Scenario files: a top level that is not an object is rejected at $", "[scenario]") {
  const InputError error = broken("top_level_array.json");
  CHECK(error.expected == "a JSON object at the top level");
  CHECK(error.found == "an array of 1 element");
}

TEST_CASE("Scenario files: a key written twice in one object is rejected at the second", "[scenario]") {
  const InputError error = broken("duplicate_key.json");
  CHECK(error.expected == "each key at most once per object");
  CHECK(error.found == "the key \"seed\" a second time");
}

TEST_CASE("Scenario files: arrays nested deeper than 64 are rejected where the 65th level opens", "[scenario]") {
  const InputError error = broken("nested_too_deep.json");
  CHECK(error.expected == "arrays and objects nested at most 64 deep");
  CHECK(error.found == "an array at depth 65");
}

TEST_CASE("Scenario files: a million nested arrays are rejected quickly, not with all memory", "[scenario]") {
  const std::optional<InputError> error =
      text_rejection("{\"name\": " + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}");
  REQUIRE(error.has_value());
  CHECK(error->path == "$.name" + repeated("[0]", 63));
}

// ---- Types, keys and names -------------------------------------------------------------------------

TEST_CASE("Scenario files: a value of the wrong type is rejected at its path, saying what it is", "[scenario]") {
  const InputError partitions = broken("wrong_type_partitions_string.json");
  CHECK(partitions.expected == "an integer from 1 to 1000000");
  CHECK(partitions.found == "\"4\"");
  const InputError topology = broken("wrong_type_topology_array.json");
  CHECK(topology.expected == "an object");
  CHECK(topology.found == "an array of 3 elements");
}

TEST_CASE("Scenario files: an unknown key is rejected at its path, listing the keys allowed there", "[scenario]") {
  CHECK(std::string(broken("unknown_key.json").what()) ==
        kBroken + "unknown_key.json: $.client.max_attemps: expected one of the keys attempt_timeout, backoff_base, "
                  "backoff_max, max_attempts, suspect_router_for, found unknown key \"max_attemps\"");
}

TEST_CASE("Scenario files: a missing required key is rejected at the object that lacks it", "[scenario]") {
  const InputError error = broken("missing_duration.json");
  CHECK(error.expected == "key \"duration\"");
  CHECK(error.found == "nothing (the key is missing)");
}

TEST_CASE("Scenario files: a scenario name with a slash is rejected", "[scenario]") {
  const InputError error = broken("name_with_slash.json");
  CHECK_THAT(error.expected, Contains("letters, digits, '-' and '_'"));
  CHECK(error.found == "\"small/v2\"");
}

// ---- Durations -----------------------------------------------------------------------------------

TEST_CASE("Scenario files: a negative duration is rejected because of its sign", "[scenario]") {
  CHECK(std::string(broken("negative_duration.json").what()) ==
        kBroken + "negative_duration.json: $.duration: expected a positive duration such as \"250us\" or \"5m\", "
                  "found \"-1m\" (a sign is not allowed)");
}

TEST_CASE("Scenario files: a zero fault duration is rejected as zero", "[scenario]") {
  const InputError error = broken("zero_fault_duration.json");
  CHECK_THAT(error.expected, Contains("a positive duration"));
  CHECK(error.found == "\"0s\" (a zero duration)");
}

TEST_CASE("Scenario files: a duration with an unknown unit is rejected, listing the units", "[scenario]") {
  const InputError error = broken("unknown_duration_unit.json");
  CHECK_THAT(error.found, Contains("unknown unit \"min\""));
  CHECK_THAT(error.found, Contains("ns, us, ms, s, m, h"));
  CHECK(broken("duration_without_unit.json").found == "60 (a number without a unit)");
}

// ---- Numbers that overflow -----------------------------------------------------------------------

TEST_CASE("Scenario files: integers beyond 64 bits and beyond their field are rejected, not wrapped", "[scenario]") {
  const InputError items = broken("overflow_items.json");
  CHECK(items.expected == "an integer from 1 to 1099511627776");
  CHECK(items.found == "a number too large for a 64-bit integer");
  const InputError nodes = broken("overflow_storage_nodes.json");
  CHECK(nodes.expected == "an integer from 0 to 100000");
  CHECK(nodes.found == "4294967298");
}

TEST_CASE("Scenario files: a number beyond double range is a syntax error naming it", "[scenario]") {
  CHECK_THAT(broken("overflow_rate_exponent.json").found, Contains("number overflow parsing '1e400'"));
}

TEST_CASE("Scenario files: durations beyond int64 nanoseconds, or that would overflow a run, are rejected", "[scenario]") {
  CHECK_THAT(broken("overflow_duration.json").found, Contains("\"9999999999999h\" (too large"));
  const InputError fault = broken("fault_duration_overflows_time.json");
  CHECK_THAT(fault.expected, Contains("at most 8760h"));
  CHECK(fault.found == "\"9223372036s\"");
  const InputError client = broken("attempt_timeout_overflows_time.json");
  CHECK(client.expected == "a positive duration of at most 720h");
  CHECK(client.found == "\"2000000h\"");
}

// ---- Seeds ---------------------------------------------------------------------------------------

TEST_CASE("Scenario files: a seed that is not a non-negative integer is rejected at $.seed", "[scenario]") {
  CHECK(std::string(broken("seed_negative.json").what()) ==
        kBroken + "seed_negative.json: $.seed: expected a non-negative integer, found a negative number (-7)");
  CHECK(broken("seed_fraction.json").found == "a number with a fraction (7.5)");
  CHECK(broken("seed_string.json").found == "\"7\"");
  CHECK(broken("overflow_seed.json").found == "a number too large for a 64-bit integer");
}

// ---- Topology, tables, workload, network ---------------------------------------------------------

TEST_CASE("Scenario files: an empty topology or one without storage nodes is rejected", "[scenario]") {
  const InputError empty = broken("empty_topology.json");
  CHECK(empty.expected == "an array with at least 1 element");
  CHECK(empty.found == "an empty array");
  CHECK(broken("no_storage_nodes.json").expected == "at least one storage node in the topology");
  CHECK(broken("duplicate_az.json").found == "\"az1\" again");
}

TEST_CASE("Scenario files: a workload mix that does not sum to 1 is rejected at the mix", "[scenario]") {
  CHECK(std::string(broken("mix_not_one.json").what()) ==
        kBroken + "mix_not_one.json: $.workload[0].mix: expected operation shares (get_strong, get_eventual, put) "
                  "that sum to 1, found shares that sum to 1.25");
}

TEST_CASE("Scenario files: a workload naming an unknown table is rejected, listing the tables", "[scenario]") {
  const InputError error = broken("unknown_table_in_workload.json");
  CHECK_THAT(error.expected, Contains("(orders)"));
  CHECK(error.found == "\"order\"");
}

TEST_CASE("Scenario files: zero partitions and items over 400KB are rejected", "[scenario]") {
  const InputError partitions = broken("zero_partitions.json");
  CHECK(partitions.expected == "an integer from 1 to 1000000");
  CHECK(partitions.found == "0");
  const InputError item = broken("item_too_large.json");
  CHECK(item.expected == "an item size from 1B to 400KB");
  CHECK(item.found == "\"401KB\"");
}

TEST_CASE("Scenario files: an unknown distribution and a loss of 1 are rejected", "[scenario]") {
  const InputError distribution = broken("bad_distribution.json");
  CHECK_THAT(distribution.expected, Contains("\"lognormal\""));
  CHECK(distribution.found == "\"normal\"");
  const InputError loss = broken("loss_one.json");
  CHECK(loss.expected == "a loss probability below 1");
  CHECK(loss.found == "1");
}

// ---- Faults and expectations ---------------------------------------------------------------------

TEST_CASE("Scenario files: a fault naming an unknown node is rejected at its JSON path", "[scenario]") {
  CHECK(std::string(broken("fault_unknown_node.json").what()) ==
        kBroken + "fault_unknown_node.json: $.faults.timeline[0].node: expected the name of a service node such as "
                  "\"az1/storage0\", found \"az2/storage2\", which is not a node of this topology");
}

TEST_CASE("Scenario files: a power-off naming a client says it is a client, not that it does not exist", "[scenario]") {
  CHECK(broken("fault_powers_off_a_client.json").found == "\"az2/client0\", which is a client, not a service node");
}

TEST_CASE("Scenario files: a fault naming an unknown AZ is rejected, listing the AZs", "[scenario]") {
  const InputError error = broken("fault_unknown_az.json");
  CHECK(error.expected == "the name of an AZ (one of az1,az2,az3)");
  CHECK_THAT(error.found, Contains("\"az4\""));
}

TEST_CASE("Scenario files: an unknown fault kind is rejected, listing the kinds", "[scenario]") {
  const InputError error = broken("fault_unknown_kind.json");
  CHECK_THAT(error.expected, Contains("power_off"));
  CHECK_THAT(error.expected, Contains("random_power_off"));
  CHECK(error.found == "\"reboot\"");
}

TEST_CASE("Scenario files: a fault or chaos starting at or after the end of the scenario is rejected", "[scenario]") {
  const InputError timeline = broken("fault_after_end.json");
  CHECK(timeline.expected == "a time before the end of the scenario (1m)");
  CHECK(timeline.found == "\"1m\"");
  const InputError chaos = broken("chaos_starts_after_end.json");
  CHECK(chaos.expected == "a time before the end of the scenario (1m)");
  CHECK(chaos.found == "\"2m\"");
}

TEST_CASE("Scenario files: an expectation on a metric report.json lacks is rejected at its metric", "[scenario]") {
  const std::string name = "expect_unknown_metric.json";
  CHECK_NOTHROW(models::load_scenario(kBroken + name));  // only validate_expectations knows the report
  CHECK(std::string(broken(name).what()) ==
        kBroken + name + ": $.expect[0].metric: expected a numeric metric of report.json such as "
                         "\"availability.read.ratio\", \"availability.windows[*].write.ratio\" or "
                         "\"latency_ms.get_strong.p99\", found \"availability.reads.ratio\"");
}

// ---- Valid scenarios -----------------------------------------------------------------------------

TEST_CASE("Scenario files: quickstart loads with every default filled in and its fault resolved", "[scenario]") {
  const models::Scenario scenario = models::load_scenario(kSource + "/scenarios/quickstart.json");
  CHECK(scenario.name == "quickstart");
  CHECK(scenario.seed == 1);
  CHECK(scenario.duration == sim::minutes(15));
  CHECK(scenario.azs.size() == 3);
  CHECK(scenario.client.max_attempts == 4);
  CHECK(scenario.storage.workers == 8);
  CHECK(scenario.resolved["client"]["max_attempts"] == 4);
  CHECK(scenario.resolved["storage"]["workers"] == 8);
  CHECK(scenario.resolved["router"]["storage_timeout"] == "500ms");
  CHECK(scenario.resolved["duration"] == "15m");
  REQUIRE(scenario.resolved["faults"].size() == 1);
  CHECK(scenario.resolved["faults"][0] ==
        nlohmann::json{{"kind", "power_off"}, {"node", "az2/storage1"}, {"at", "5m"}, {"duration", "2m"}});
  CHECK(scenario.expect.size() == 4);
  CHECK_NOTHROW(reports::validate_expectations(scenario));
}

TEST_CASE("Scenario files: sha256 is of the file's bytes and changes when one byte does", "[scenario]") {
  const std::string path = kSource + "/scenarios/quickstart.json";
  const std::string text = read_file(path);
  const models::Scenario loaded = models::load_scenario(path);
  CHECK(loaded.sha256.size() == 64);
  CHECK(std::all_of(loaded.sha256.begin(), loaded.sha256.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'); }));
  CHECK(models::parse_scenario(text, "in-memory.json").sha256 == loaded.sha256);

  // One more space between two keys: the same scenario, a different file.
  const models::Scenario spaced = models::parse_scenario(replaced(text, "\"seed\": 1", "\"seed\":  1"), "spaced.json");
  CHECK(spaced.sha256.size() == 64);
  CHECK(spaced.sha256 != loaded.sha256);
  CHECK(spaced.resolved == loaded.resolved);
}

TEST_CASE("Scenario files: the seed defaults to 1", "[scenario]") {
  const std::string text = read_file(kSource + "/tests/scenarios/small.json");
  const models::Scenario scenario = models::parse_scenario(replaced(text, "  \"seed\": 7,\n", ""), "no-seed.json");
  CHECK(scenario.seed == 1);
  CHECK(scenario.resolved["seed"] == 1);
}

TEST_CASE("Scenario files: every shipped scenario loads and passes validate_expectations", "[scenario]") {
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kSource + "/scenarios")) {
    if (!entry.is_regular_file() || entry.path().filename() == "scenario.schema.json") continue;
    const std::optional<InputError> error = rejection_of(entry.path().string());
    if (error) FAIL_CHECK(error->what());
    ++checked;
  }
  CHECK(checked >= 1);
}
