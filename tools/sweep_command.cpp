// `ddbsim sweep`: many seeds of one scenario in parallel on an asio::thread_pool.
#include "models/scenario_loader.h"
#include "reports/report.h"
#include "sim/config/json_reader.h"
#include "tools/commands.h"
#include "tools/interrupt_watcher.h"
#include "tools/run_one.h"
#include "tools/sweep_records.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>

namespace tools {

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_seed_range(const std::string& text) {
  auto parse_number = [](const std::string& s) -> std::optional<std::uint64_t> {
    if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoull(s);
  };
  const auto dots = text.find("..");
  if (dots == std::string::npos) {
    auto single = parse_number(text);
    if (!single) return std::nullopt;
    return std::pair{*single, *single};
  }
  auto first = parse_number(text.substr(0, dots));
  auto last = parse_number(text.substr(dots + 2));
  if (!first || !last || *last < *first) return std::nullopt;
  return std::pair{*first, *last};
}

int sweep_command(const SweepOptions& options) {
  const std::optional<models::Scenario> loaded = load_checked_scenario(options.scenario);
  if (!loaded) return kExitBadInput;
  const models::Scenario& scenario = *loaded;
  const std::uint64_t count = options.last_seed - options.first_seed + 1;
  const bool terminal = isatty(fileno(stderr)) != 0;
  InterruptWatcher watcher;

  if (!options.out_dir.empty()) {
    try {
      check_writable_dir(options.out_dir);  // now, not after the whole sweep
      // Records already there (a sweep resumed, or another shard's) must be of this scenario.
      const reports::Json there = summarize(read_seed_records(options.out_dir));
      if (!there["scenario"].is_null() &&
          (there["scenario"]["name"] != scenario.name || there["scenario"]["sha256"] != scenario.sha256))
        throw std::runtime_error(fmt::format("{} holds records of another scenario ({}, sha256 {})", options.out_dir,
                                             there["scenario"]["name"].dump(), there["scenario"]["sha256"].dump()));
    } catch (const std::exception& error) {
      fmt::print(stderr, "ddbsim: --out: {}\n", error.what());
      return kExitBadInput;
    }
  }

  struct Result {
    bool complete = false;  // false: Ctrl-C stopped it in flight
    bool passed = false;
    std::uint64_t digest = 0;
    std::string failed_checks;
    bool recorded_before = false;  // --out held its record: not run again
  };
  // Only the seeds that ran, by seed: a range of a billion seeds costs nothing up front.
  std::map<std::uint64_t, Result> results;
  std::mutex mutex;
  std::atomic<std::uint64_t> next{0};
  std::atomic<bool> stop{false};
  std::uint64_t done = 0, failing = 0, skipped = 0;
  std::optional<std::string> write_error;

  {
    boost::asio::thread_pool pool(options.jobs);
    for (unsigned worker = 0; worker < options.jobs; ++worker) {
      boost::asio::post(pool, [&] {
        while (!watcher.interrupted() && !stop) {
          const std::uint64_t i = next++;
          if (i >= count) return;
          const std::uint64_t seed = options.first_seed + i;
          if (!options.out_dir.empty()) {
            // Resuming: a seed with a record is judged already.
            std::optional<reports::Json> record;
            try {
              record = read_seed_record(options.out_dir, scenario, seed);
            } catch (const std::exception& error) {
              std::lock_guard lock(mutex);
              write_error = error.what();
              stop = true;  // the directory is not what this sweep can trust
              return;
            }
            if (record) {
              Result result{true, (*record)["verdict"] == "pass", std::stoull((*record)["digest"].get<std::string>(), nullptr, 16), {}, true};
              for (const reports::Json& f : (*record)["failed_checks"])
                result.failed_checks += (result.failed_checks.empty() ? "" : "; ") + f["name"].get<std::string>() + " (" +
                                        f["detail"].get<std::string>() + ")";
              std::lock_guard lock(mutex);
              results[seed] = result;
              ++done;
              ++skipped;
              failing += result.passed ? 0 : 1;
              continue;
            }
          }
          // Each simulation has its own kernel, streams and network; the scenario is read-only.
          const SeedRun run = run_seed(scenario, seed, nullptr, &watcher.flag());
          // A seed that outgrew the simulator stopped by itself: a failing verdict, not Ctrl-C.
          Result result{run.complete || run.out_of_slots, run.passed, run.digest, {}};
          for (const reports::Check& check : run.checks)
            if (!check.passed) result.failed_checks += (result.failed_checks.empty() ? "" : "; ") + check.name + " (" + check.detail + ")";
          std::lock_guard lock(mutex);
          if (!options.out_dir.empty() && run.complete) {
            try {
              // A failing seed's whole reports too, to look into; a passing seed's record only.
              if (!run.passed)
                write_outputs(fmt::format("{}/seed-{}", options.out_dir, seed), run,
                              reproduce_command(options.scenario, seed));
              write_seed_record(options.out_dir, seed_record(scenario, run, reproduce_command(options.scenario, seed)));
            } catch (const std::exception& error) {
              write_error = error.what();
            }
          }
          results[seed] = result;
          if (!result.complete) return;
          ++done;
          if (!run.passed) {
            ++failing;
            fmt::print(stderr, "{}FAIL seed {}: {}\n  reproduce: {}\n", terminal ? "\r\033[K" : "", seed,
                       result.failed_checks, reproduce_command(options.scenario, seed));
          }
          // On a terminal one line that updates; in a log (CI) a line per seed, so a long sweep is
          // never silent.
          if (terminal) fmt::print(stderr, "\r\033[K[{}/{}] {} failing", done, count, failing);
          else fmt::print(stderr, "[{}/{}] seed {} {}\n", done, count, seed, run.passed ? "pass" : "FAIL");
        }
      });
    }
    pool.join();
  }
  if (terminal) fmt::print(stderr, "\r\033[K");

  std::uint64_t ran = 0, passed = 0;
  std::vector<std::uint64_t> in_flight;
  for (const auto& [seed, r] : results) {
    if (!r.complete) {
      in_flight.push_back(seed);
      continue;
    }
    ++ran;
    passed += r.passed ? 1 : 0;
  }
  fmt::print("sweep {} seeds {}..{}: {} run, {} passed, {} failed{}{}\n", scenario.name, options.first_seed,
             options.last_seed, ran, passed, ran - passed,
             skipped > 0 ? fmt::format(" ({} recorded in {} before: not run again)", skipped, options.out_dir) : "",
             watcher.interrupted() && !write_error ? fmt::format(", {} not run (interrupted)", count - ran) : "");
  for (const auto& [seed, r] : results)
    if (r.complete) fmt::print("  seed {:<6} {}  digest {:016x}\n", seed, r.passed ? "pass" : "FAIL", r.digest);
  // Ctrl-C stopped these half-way: no verdict, but the user learns which they were.
  for (std::uint64_t seed : in_flight)
    fmt::print("  seed {:<6} interrupted in flight (run it again: {})\n", seed, reproduce_command(options.scenario, seed));
  if (write_error) {
    fmt::print(stderr, "ddbsim: --out: {}\n", *write_error);
    return kExitBadInput;
  }
  if (!options.out_dir.empty()) {
    // The summary of every record in the directory: this sweep's seeds and any recorded before.
    try {
      write_summary(options.out_dir, summarize(read_seed_records(options.out_dir)));
    } catch (const std::exception& error) {
      fmt::print(stderr, "ddbsim: --out: {}\n", error.what());
      // Two digests for one seed is a finding (the runs were not deterministic), not bad input.
      return std::string(error.what()).find("two digests") != std::string::npos ? kExitFailed : kExitBadInput;
    }
  }
  if (watcher.interrupted()) return kExitInterrupted;
  return ran == passed ? kExitPassed : kExitFailed;
}

}  // namespace tools
