// The planted-bug suite (FoundationDB's negative tests): every bug of models/planted_bug.h is
// planted in turn and run on the scenario this table names, seed after seed, until a check fails.
// It must fail within the stated number of seeds, by the named check (or by an assertion, which
// is a check too: both sides of every handoff are asserted), and the same seed without the bug
// must pass, so the catch is the bug's doing. The table of what caught what is printed and
// written to planted_bugs.txt in the working directory.
//
// Each run is a child process: an assertion aborts the child, not the suite. Two run at a time.
#include "models/planted_bug.h"
#include "tools/run_one.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using models::PlantedBug;

struct Row {
  PlantedBug bug;
  const char* area;
  const char* scenario;    // under the source tree
  std::uint64_t seeds;     // it must be caught on one of seeds 1..seeds
  const char* caught_by;   // a failed check whose name contains this, or "assertion"
};

// clang-format off
const Row kTable[] = {
  {PlantedBug::ack_before_quorum,         "commit",       "scenarios/leader_failover.json",  3, "monitor acknowledged_on_quorum"},
  {PlantedBug::accept_lower_ballot,       "acceptor",     "scenarios/nemesis_leases.json",  20, "monitor agreement"},
  {PlantedBug::promise_without_entries,   "acceptor",     "scenarios/nemesis_small.json",   10, "monitor agreement"},
  {PlantedBug::adopt_lowest_ballot,       "recovery",     "scenarios/nemesis_small.json",   20, "monitor agreement"},
  {PlantedBug::skip_lease_wait,           "leases",       "scenarios/nemesis_leases.json",   5, "monitor lease_exclusivity"},
  {PlantedBug::lease_from_ack_arrival,    "leases",       "scenarios/gray_leader.json",      3, "monitor lease"},
  {PlantedBug::strong_read_by_role,       "strong reads", "scenarios/nemesis_small.json",   10, "monitor lease_backed"},
  {PlantedBug::apply_beyond_matched,      "catch-up",     "scenarios/nemesis_small.json",   10, "monitor agreement"},
  {PlantedBug::router_keeps_stale_route,  "routing",      "scenarios/split_point.json",      2, "resolved within one extra hop"},
  {PlantedBug::split_boundary_off_by_one, "splits",       "scenarios/split_point.json",      2, "linearizable"},
  {PlantedBug::handoff_keeps_leading,     "moves",        "scenarios/moves_chaos.json",      3, "monitor lease_exclusivity"},
  {PlantedBug::burst_ignores_node_bucket, "admission",    "scenarios/burst.json",            2, "a node without room cannot burst"},
  {PlantedBug::page_checksum_ignored,     "integrity",    "scenarios/bit_rot.json",          2, "with page checksums no corrupted value is served"},
  {PlantedBug::scrub_skips_reference,     "scrub",        "scenarios/buggy_build.json",      2, "only the reference replica shows it"},
  {PlantedBug::log_checksum_ignored,      "integrity",    "scenarios/log_rot.json",          2, "the archive never differs"},
};
// clang-format on

std::string source_path(const char* relative) { return std::string(DDBSIM_SOURCE_DIR) + "/" + relative; }

// What one run of one seed said: passed, or the names of the checks that failed (or the
// assertion that aborted it).
struct Verdict {
  bool passed = false;
  std::vector<std::string> failed;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One seed in a child process. The child writes the failed checks' names, one per line, to
// `out`; its stderr (an assertion's message) goes to `err`.
pid_t spawn(const models::Scenario& scenario, std::uint64_t seed, PlantedBug bug, const std::string& out,
            const std::string& err) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid != 0) return pid;
  if (std::freopen(err.c_str(), "w", stderr) == nullptr) _exit(3);
  const tools::SeedRun run = tools::run_seed(scenario, seed, nullptr, nullptr, models::TestHooks{bug, false});
  std::FILE* f = std::fopen(out.c_str(), "w");
  if (f == nullptr) _exit(3);
  std::fputs(run.passed ? "passed\n" : "failed\n", f);
  for (const reports::Check& check : run.checks)
    if (!check.passed) std::fprintf(f, "%s\n", check.name.c_str());
  std::fclose(f);
  _exit(0);
}

Verdict read_verdict(int status, const std::string& out, const std::string& err) {
  Verdict v;
  if (WIFSIGNALED(status)) {
    // An assertion: its first line names the rule and where it lives.
    std::string message = slurp(err);
    const auto at = message.find("assertion failed: ");
    message = at == std::string::npos ? fmt::format("signal {}", WTERMSIG(status)) : message.substr(at);
    message = message.substr(0, message.find('\n'));
    v.failed.push_back(message);
    return v;
  }
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  std::istringstream lines(slurp(out));
  std::string line;
  std::getline(lines, line);
  v.passed = line == "passed";
  while (std::getline(lines, line)) v.failed.push_back(line);
  return v;
}

bool names(const Verdict& v, const std::string& caught_by) {
  for (const std::string& f : v.failed)
    if (f.find(caught_by) != std::string::npos) return true;
  return false;
}

// The search for one bug: seeds in order with the bug, then the catching seed without it.
struct Search {
  const Row* row = nullptr;
  const models::Scenario* scenario = nullptr;
  std::uint64_t next_seed = 1;
  std::optional<std::uint64_t> caught_at;
  Verdict caught;
  std::optional<Verdict> control;  // the catching seed without the bug
  bool done = false;
};

}  // namespace

TEST_CASE("Planted bugs: every planted bug is caught by its scenario within its seeds, and that seed passes without it",
          "[planted]") {
  std::map<std::string, models::Scenario> scenarios;
  std::vector<Search> searches;
  for (const Row& row : kTable) {
    if (!scenarios.contains(row.scenario)) {
      std::optional<models::Scenario> s = tools::load_checked_scenario(source_path(row.scenario));
      REQUIRE(s.has_value());
      scenarios.emplace(row.scenario, std::move(*s));
    }
    Search& search = searches.emplace_back();
    search.row = &row;
    search.scenario = &scenarios.at(row.scenario);
  }
  // Every bug of the enum is in the table.
  for (PlantedBug bug : models::kEveryPlantedBug) {
    bool listed = false;
    for (const Row& row : kTable) listed = listed || row.bug == bug;
    CHECK(listed);
  }

  const std::string dir = fmt::format("planted_runs.{}", getpid());
  REQUIRE(std::system(("mkdir -p " + dir).c_str()) == 0);
  struct Job {
    Search* search;
    std::uint64_t seed;
    bool control;
    std::string out, err;
  };
  std::map<pid_t, Job> running;
  std::deque<Search*> waiting;
  for (Search& s : searches) waiting.push_back(&s);
  std::map<Search*, bool> busy;
  const auto start_next = [&] {
    for (auto it = waiting.begin(); it != waiting.end(); ++it) {
      Search* s = *it;
      if (busy[s] || s->done) continue;
      const bool control = s->caught_at.has_value();
      const std::uint64_t seed = control ? *s->caught_at : s->next_seed++;
      Job job{s, seed, control, fmt::format("{}/{}.{}.{}.out", dir, to_string(s->row->bug), seed, control),
              fmt::format("{}/{}.{}.{}.err", dir, to_string(s->row->bug), seed, control)};
      const pid_t pid = spawn(*s->scenario, seed, control ? PlantedBug::none : s->row->bug, job.out, job.err);
      running.emplace(pid, job);
      busy[s] = true;
      // Round robin: the next free slot goes to another bug.
      waiting.erase(it);
      waiting.push_back(s);
      return true;
    }
    return false;
  };
  const int jobs = 2;
  while (true) {
    while (static_cast<int>(running.size()) < jobs && start_next()) {
    }
    if (running.empty()) break;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    REQUIRE(pid > 0);
    const Job job = running.at(pid);
    running.erase(pid);
    Search& s = *job.search;
    busy[&s] = false;
    const Verdict v = read_verdict(status, job.out, job.err);
    if (job.control) {
      s.control = v;
      s.done = true;
    } else if (!v.passed && (names(v, s.row->caught_by) || v.failed.front().starts_with("assertion"))) {
      s.caught_at = job.seed;
      s.caught = v;
    } else if (s.next_seed > s.row->seeds) {
      s.done = true;
    }
  }
  REQUIRE(std::system(("rm -rf " + dir).c_str()) == 0);

  std::string table = fmt::format("{:<26} {:<12} {:<32} {:>6}  {:<10} {}\n", "planted bug", "area", "scenario", "seeds",
                                  "caught at", "caught by (the seed passes without the bug)");
  for (const Search& s : searches) {
    std::string by;
    for (const std::string& f : s.caught.failed) {
      // A monitor's check is named "monitor <invariant>: <rule>": the invariant says enough here.
      const auto monitor = f.find("monitor ");
      const std::string shown = monitor == std::string::npos ? f : f.substr(0, f.find(':', monitor));
      by += (by.empty() ? "" : "; ") + shown;
    }
    if (s.control && !s.control->passed) by += " -- BUT THE SEED FAILS WITHOUT THE BUG";
    table += fmt::format("{:<26} {:<12} {:<32} {:>6}  {:<10} {}\n", to_string(s.row->bug), s.row->area, s.row->scenario,
                         fmt::format("1..{}", s.row->seeds),
                         s.caught_at ? fmt::format("seed {}", *s.caught_at) : "NOT CAUGHT", s.caught_at ? by : "");
  }
  fmt::print("{}", table);
  std::ofstream("planted_bugs.txt") << table;
  for (const Search& s : searches) {
    INFO(to_string(s.row->bug) << " on " << s.row->scenario);
    CHECK(s.caught_at.has_value());
    REQUIRE(s.control.has_value() == s.caught_at.has_value());
    if (s.control) CHECK(s.control->passed);
  }
}
