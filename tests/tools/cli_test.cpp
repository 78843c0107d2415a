// The ddbsim command line as a user meets it: exit codes 0, 1, 2 and 130, what it prints, and
// the files it writes. Runs the built binary (DDBSIM_BINARY) in a scratch directory.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

struct Result {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

const std::string kSource = DDBSIM_SOURCE_DIR;

Result ddbsim_raw(const std::string& command_line) {
  const std::string command = command_line + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) result.out += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

Result ddbsim(const std::string& arguments) { return ddbsim_raw(std::string(DDBSIM_BINARY) + " " + arguments); }

// The same with a terminal as stderr (util-linux script), as a user at a shell has.
Result ddbsim_in_terminal(const std::string& arguments) {
  return ddbsim_raw("script -qec '" + std::string(DDBSIM_BINARY) + " " + arguments + "' /dev/null");
}

std::string scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("ddbsim-cli-test-" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("Command line: run exits 0 when every check holds and writes the three files", "[cli]") {
  const std::string out = scratch("run");
  const Result r = ddbsim("run " + kSource + "/tests/scenarios/tiny.json --out " + out);
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("seed 3\n", 0) == 0);  // the seed comes first
  CHECK(contains(r.out, "Result: PASS"));
  CHECK(contains(slurp(out + "/report.json"), "\"trace_digest\""));
  CHECK(contains(slurp(out + "/report.txt"), "Availability"));
  CHECK(contains(slurp(out + "/run.json"), "\"events_per_s\""));
  CHECK_FALSE(std::filesystem::exists(out + "/report.json.partial"));
}

TEST_CASE("Command line: --seed overrides the scenario's seed and --format json prints the report alone", "[cli]") {
  const std::string out = scratch("seed");
  const Result r = ddbsim("run " + kSource + "/tests/scenarios/tiny.json --seed 17 --format json --out " + out);
  INFO(r.out);
  CHECK(r.exit_code == 0);
  // stdout and stderr together are one JSON document: the report, nothing before or after.
  CHECK(r.out.rfind("{\n", 0) == 0);
  CHECK(r.out.size() >= 2);
  CHECK(r.out.substr(r.out.size() - 2) == "}\n");
  CHECK(r.out.find("\nwrote ") == std::string::npos);
  CHECK(contains(r.out, "\"seed\": 17"));
}

TEST_CASE("Command line: the text report and the lines on stderr do not interleave when captured together", "[cli]") {
  const std::string out = scratch("interleave");
  const Result r = ddbsim("run " + kSource + "/tests/scenarios/tiny.json --out " + out);
  INFO(r.out);
  CHECK(r.exit_code == 0);
  // The report (longer than one 4 KiB stdio buffer) comes whole, then the "wrote" line.
  const std::string report = slurp(out + "/report.txt");
  REQUIRE(report.size() > 4096);
  const std::size_t at = r.out.find(report);
  CHECK(at != std::string::npos);
  CHECK(r.out.find("wrote ") > at);
}

TEST_CASE("Command line: --version names the version and the commit, and run.json records them", "[cli]") {
  const Result v = ddbsim("--version");
  INFO(v.out);
  CHECK(v.exit_code == 0);
  CHECK(v.out.rfind("ddbsim 0.", 0) == 0);
  CHECK(contains(v.out, "(commit "));
  const std::string out = scratch("version");
  REQUIRE(ddbsim("run " + kSource + "/tests/scenarios/tiny.json --out " + out).exit_code == 0);
  const std::string info = slurp(out + "/run.json");
  CHECK(contains(info, "\"ddbsim_version\""));
  CHECK(contains(info, "\"commit\""));
  // The report itself stays the same whatever build made it.
  CHECK_FALSE(contains(slurp(out + "/report.json"), "\"commit\""));
}

TEST_CASE("Command line: a failed expectation exits 1 and prints the command that reproduces it", "[cli]") {
  const std::string out = scratch("fail");
  const Result r = ddbsim("run " + kSource + "/tests/scenarios/failing_expectation.json --out " + out);
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "FAIL  no request ever fails"));
  CHECK(contains(r.out, "reproduce with: " + std::string(DDBSIM_BINARY) + " run " + kSource +
                            "/tests/scenarios/failing_expectation.json --seed 3"));
}

TEST_CASE("Command line: --trace writes one JSON line per event and the final digest", "[cli]") {
  const std::string out = scratch("trace");
  const Result r = ddbsim("run " + kSource + "/tests/scenarios/tiny.json --trace " + out + ".jsonl --out " + out);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  std::ifstream trace(out + ".jsonl");
  std::string line, last;
  std::size_t lines = 0;
  bool saw_fault = false, saw_message = false;
  while (std::getline(trace, line)) {
    ++lines;
    saw_fault = saw_fault || contains(line, "\"kind\":\"fault.power_off.start\"");
    saw_message = saw_message || contains(line, "\"detail\":\"from az1/client0");
    last = line;
  }
  const std::string report = slurp(out + "/report.json");
  CHECK(saw_fault);
  CHECK(saw_message);
  CHECK(contains(last, "\"end\":true"));
  // The events counted in the report are the trace's lines, less the closing one.
  CHECK(contains(report, "\"events\": " + std::to_string(lines - 1) + ","));
  std::filesystem::remove(out + ".jsonl");
}

TEST_CASE("Command line: bad input and bad usage exit 2 with one clear line", "[cli]") {
  const std::string broken = kSource + "/tests/scenarios/tiny.json";
  const std::array<std::pair<const char*, const char*>, 11> cases{{
      {"run /no/such/file.json", "/no/such/file.json: $: expected a readable scenario file, found no such file"},
      {"run", "scenario is required"},
      {"frobnicate", "usage: ddbsim run"},
      {"run SCENARIO --colour red", "usage: ddbsim run"},
      {"run SCENARIO --seed -4", "usage: ddbsim run"},
      {"run SCENARIO --format yaml", "usage: ddbsim run"},
      {"sweep SCENARIO --seeds 9..2", "--seeds: expected A..B with A <= B, found \"9..2\""},
      {"validate /no/such/file.json", "expected a readable scenario file"},
      {"run SCENARIO --trace /tmp/t.json --trace-format perfetto --trace-window 12m..10m",
       "--trace-window: expected A..B with durations A < B such as 10m..12m, found \"12m..10m\""},
      {"run SCENARIO --trace /tmp/t.json --trace-window 1m..2m", "--trace-window: only with --trace-format perfetto"},
      {"run SCENARIO --trace /tmp/t.json --trace-format chrome", "usage: ddbsim run"},
  }};
  for (const auto& [arguments, message] : cases) {
    std::string line = arguments;
    if (auto at = line.find("SCENARIO"); at != std::string::npos) line.replace(at, 8, broken);
    const Result r = ddbsim(line);
    INFO(line << "\n" << r.out);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.out, message));
    CHECK_FALSE(contains(r.out, "terminate called"));
  }
}

TEST_CASE("Command line: validate accepts every shipped scenario", "[cli]") {
  std::string files;
  for (const auto& entry : std::filesystem::directory_iterator(kSource + "/scenarios"))
    if (entry.path().extension() == ".json" && entry.path().filename() != "scenario.schema.json")
      files += " " + entry.path().string();
  const Result r = ddbsim("validate" + files);
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "quickstart.json: ok"));
}

TEST_CASE("Command line: sweep runs each seed and reports failing seeds with their command", "[cli]") {
  const Result pass = ddbsim("sweep " + kSource + "/tests/scenarios/tiny.json --seeds 1..4 --jobs 2");
  INFO(pass.out);
  CHECK(pass.exit_code == 0);
  CHECK(contains(pass.out, "4 run, 4 passed, 0 failed"));
  const Result fail = ddbsim("sweep " + kSource + "/tests/scenarios/failing_expectation.json --seeds 5..6 --jobs 2");
  INFO(fail.out);
  CHECK(fail.exit_code == 1);
  CHECK(contains(fail.out, "FAIL seed 5"));
  // The reproduce line names the program as it was invoked, not a path it guesses.
  CHECK(contains(fail.out, "reproduce: " + std::string(DDBSIM_BINARY) + " run " + kSource +
                               "/tests/scenarios/failing_expectation.json --seed 6"));
  // Off a terminal (a CI log), every finished seed has its line as it finishes.
  CHECK(contains(pass.out, "] seed 3 pass\n"));
}

TEST_CASE("Command line: a sweep's records resume it, and shards merge into the summary of one sweep", "[cli]") {
  const std::string failing = kSource + "/tests/scenarios/failing_expectation.json";
  const std::string whole = scratch("sweep-whole"), a = scratch("sweep-a"), b = scratch("sweep-b"), merged = scratch("sweep-merged");
  const Result one = ddbsim("sweep " + failing + " --seeds 1..4 --jobs 2 --out " + whole);
  INFO(one.out);
  CHECK(one.exit_code == 1);
  const std::string summary = slurp(whole + "/summary.json");
  CHECK(contains(summary, "\"seeds_run\": 4"));
  CHECK(contains(summary, "\"failed\": 4"));
  // The signature names what failed, never a time or a key.
  CHECK(contains(summary, "\"expect: "));
  CHECK(contains(slurp(whole + "/seeds/3.json"), "\"reproduce\": \"" + std::string(DDBSIM_BINARY) + " run " + failing + " --seed 3\""));
  CHECK(std::filesystem::exists(whole + "/seed-3/report.json"));  // a failing seed's reports too
  // Run again: every seed is recorded, none runs, and the summary is the same.
  const Result again = ddbsim("sweep " + failing + " --seeds 1..4 --out " + whole);
  CHECK(contains(again.out, "(4 recorded in " + whole + " before: not run again)"));
  CHECK(again.exit_code == 1);
  CHECK(slurp(whole + "/summary.json") == summary);
  // Overlapping shards, merged in any order: the same bytes.
  CHECK(ddbsim("sweep " + failing + " --seeds 1..3 --out " + a).exit_code == 1);
  CHECK(ddbsim("sweep " + failing + " --seeds 2..4 --out " + b).exit_code == 1);
  const Result merge = ddbsim("merge " + b + " " + a + " --out " + merged);
  INFO(merge.out);
  CHECK(merge.exit_code == 1);
  CHECK(slurp(merged + "/summary.json") == summary);
  // A record of another scenario in the directory: refused before anything runs.
  const Result other = ddbsim("sweep " + kSource + "/tests/scenarios/tiny.json --seeds 1..2 --out " + whole);
  CHECK(other.exit_code == 2);
  CHECK(contains(other.out, "holds records of another scenario"));
  // One seed with two digests is a finding: merge says so and fails.
  std::string tampered = slurp(a + "/seeds/2.json");
  const auto at = tampered.find("\"digest\": \"") + 11;
  tampered[at] = tampered[at] == '0' ? '1' : '0';
  std::ofstream(a + "/seeds/2.json") << tampered;
  const Result conflict = ddbsim("merge " + a + " " + b + " --out " + scratch("sweep-conflict"));
  CHECK(conflict.exit_code == 1);
  CHECK(contains(conflict.out, "seed 2 has two digests"));
}

TEST_CASE("Command line: mistakes found before the run, not after it", "[cli]") {
  const std::string tiny = kSource + "/tests/scenarios/tiny.json";
  // An --out that cannot be written is refused at once (here: below a regular file).
  const Result out = ddbsim("run " + tiny + " --out /etc/hostname/reports");
  INFO(out.out);
  CHECK(out.exit_code == 2);
  CHECK(contains(out.out, "ddbsim: --out: cannot create /etc/hostname/reports"));
  CHECK_FALSE(contains(out.out, "Result:"));  // nothing ran
  const Result sweep_out = ddbsim("sweep " + tiny + " --seeds 1..2 --out /etc/hostname/reports");
  CHECK(sweep_out.exit_code == 2);
  CHECK(contains(sweep_out.out, "ddbsim: --out: cannot create"));
  // A seed range too large to be meant is bad input, not an internal error.
  const Result seeds = ddbsim("sweep " + tiny + " --seeds 0..9999999999999999999");
  INFO(seeds.out);
  CHECK(seeds.exit_code == 2);
  CHECK(contains(seeds.out, "--seeds: expected at most 1000000000 seeds in one sweep"));
}

TEST_CASE("Command line: validate judges a scenario that names json-schema.org as a scenario", "[cli]") {
  const std::string dir = scratch("validate-schema");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/broken.json")
      << R"({"$schema": "https://json-schema.org/draft/2020-12/schema", "name": "x", "duration": "-1m"})";
  const Result r = ddbsim("validate " + dir + "/broken.json " + kSource + "/scenarios/scenario.schema.json");
  INFO(r.out);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.out, "broken.json: $"));
  CHECK(contains(r.out, "scenario.schema.json: skipped (a JSON Schema, not a scenario)"));
}

TEST_CASE("Command line: a scenario read from a pipe is hashed from the bytes that were parsed", "[cli]") {
  const std::string tiny = kSource + "/tests/scenarios/tiny.json";
  const std::string out = scratch("pipe");
  const Result r = ddbsim("run /dev/stdin --out " + out + " --format json < " + tiny);
  REQUIRE(r.exit_code == 0);
  FILE* pipe = popen(("sha256sum " + tiny).c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 65> hash{};
  REQUIRE(std::fgets(hash.data(), hash.size(), pipe) != nullptr);
  pclose(pipe);
  CHECK(contains(slurp(out + "/report.json"), "\"sha256\": \"" + std::string(hash.data()) + "\""));
}

TEST_CASE("Command line: a sweep's digests do not depend on how many jobs run it", "[cli]") {
  auto digests = [](const std::string& text) { return text.substr(text.find("\n  seed")); };
  const Result one = ddbsim("sweep " + kSource + "/tests/scenarios/tiny.json --seeds 1..3 --jobs 1");
  const Result two = ddbsim("sweep " + kSource + "/tests/scenarios/tiny.json --seeds 1..3 --jobs 2");
  REQUIRE(one.exit_code == 0);
  REQUIRE(two.exit_code == 0);
  CHECK(digests(one.out) == digests(two.out));
}

TEST_CASE("Command line: Ctrl-C stops a run with a partial report marked incomplete", "[cli]") {
  const std::string out = scratch("interrupt");
  // SIGINT arrives while the hour-long chaos scenario is running.
  const std::string command = "sh -c '" + std::string(DDBSIM_BINARY) + " run " + kSource +
                              "/scenarios/power_off_chaos.json --out " + out +
                              " & pid=$!; sleep 0.3; kill -INT $pid; wait $pid; echo exit=$?'";
  const std::string text = ddbsim_raw(command).out;
  INFO(text);
  CHECK(contains(text, "exit=130"));
  CHECK(contains(text, "INCOMPLETE"));
  CHECK(contains(slurp(out + "/report.json"), "\"complete\": false"));
}

TEST_CASE("Command line: Ctrl-C stops a sweep and names the seeds it stopped in flight", "[cli]") {
  // power_off_chaos runs for seconds a seed: SIGINT lands while two seeds run.
  const std::string command = "sh -c '" + std::string(DDBSIM_BINARY) + " sweep " + kSource +
                              "/scenarios/power_off_chaos.json --seeds 1..50 --jobs 2" +
                              " & pid=$!; sleep 0.5; kill -INT $pid; wait $pid; echo exit=$?'";
  const std::string text = ddbsim_raw(command).out;
  INFO(text);
  CHECK(contains(text, "exit=130"));
  CHECK(contains(text, "not run (interrupted)"));
  CHECK(contains(text, "seed 1      interrupted in flight (run it again: "));
  CHECK(contains(text, "seed 2      interrupted in flight"));
}

TEST_CASE("Command line: on a terminal, run shows its progress, and the line is gone before the report", "[cli]") {
  const std::string out = scratch("progress");
  // script(1) gives the run a terminal; quickstart polls its progress hundreds of times.
  const Result r = ddbsim_in_terminal("run " + kSource + "/scenarios/quickstart.json --out " + out);
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "base run: "));
  CHECK(contains(r.out, " s simulated, "));
  CHECK(contains(r.out, "M events/s"));
  CHECK(contains(r.out, "\r\033[K"));  // erased in place
  // Off a terminal nothing of it shows.
  const Result plain = ddbsim("run " + kSource + "/scenarios/quickstart.json --out " + out);
  CHECK_FALSE(contains(plain.out, "s simulated"));
}

TEST_CASE("Command line: bench phold prints its rate on the last line", "[cli]") {
  const Result r = ddbsim("bench phold --lps 64 --pop 4 --events 20000");
  INFO(r.out);
  CHECK(r.exit_code == 0);
  const auto last_line_start = r.out.rfind("events_per_s=");
  CHECK(last_line_start != std::string::npos);
  CHECK(r.out.find('\n', last_line_start) == r.out.size() - 1);
}

TEST_CASE("Command line: bench region builds the region it is asked for and reports every figure", "[cli][bench]") {
  // The figures are wall-clock measurements (benchmarks, not tests); this checks only that the
  // region is the size asked for, the idle and busy parts were measured, and nothing is missing.
  const Result r = ddbsim("bench region --groups 3000 --per-node 300 --idle 12 --busy 6 --rate 600 --format json");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto json = nlohmann::json::parse(r.out);
  CHECK(json["replicas"] == 9000);
  CHECK(json["storage_nodes"] == 30);
  CHECK(json["idle"]["simulated_s"].get<double>() > 1);
  CHECK(json["idle"]["events_per_simulated_s"].get<double>() > 0);
  CHECK(json["busy"]["simulated_s"].get<double>() > 1);
  CHECK(json["busy"]["events_per_request"].get<double>() > 3);
  CHECK(json["operations"].get<double>() > 600 * 4);
  CHECK(json["availability"] == 1.0);
  CHECK(json["peak_rss_bytes_per_replica"].get<double>() > 0);
  CHECK(json["complete"] == true);
}
