// `ddbsim sweep`: many seeds of one scenario in parallel on an asio::thread_pool.
#include "models/scenario_loader.h"
#include "reports/report.h"
#include "sim/config/json_reader.h"
#include "tools/commands.h"
#include "tools/interrupt_watcher.h"
#include "tools/run_one.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
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

  struct Result {
    bool ran = false;
    bool complete = false;
    bool passed = false;
    std::uint64_t digest = 0;
    std::string failed_checks;
  };
  std::vector<Result> results(count);
  std::mutex mutex;
  std::uint64_t done = 0, failing = 0;
  std::optional<std::string> write_error;

  {
    boost::asio::thread_pool pool(options.jobs);
    for (std::uint64_t i = 0; i < count; ++i) {
      boost::asio::post(pool, [&, i] {
        if (watcher.interrupted()) return;
        const std::uint64_t seed = options.first_seed + i;
        // Each simulation has its own kernel, streams and network; the scenario is read-only.
        const SeedRun run = run_seed(scenario, seed, nullptr, &watcher.flag());
        Result result{true, run.complete, run.passed, run.digest, {}};
        for (const reports::Check& check : run.checks)
          if (!check.passed) result.failed_checks += (result.failed_checks.empty() ? "" : "; ") + check.name + " (" + check.detail + ")";
        std::lock_guard lock(mutex);
        if (!options.out_dir.empty() && run.complete) {
          try {
            write_outputs(fmt::format("{}/seed-{}", options.out_dir, seed), run,
                          reproduce_command(options.scenario, seed));
          } catch (const std::exception& error) {
            write_error = error.what();
          }
        }
        results[i] = result;
        if (!run.complete) return;
        ++done;
        if (!run.passed) {
          ++failing;
          fmt::print(stderr, "{}FAIL seed {}: {}\n  reproduce: {}\n", terminal ? "\r\033[K" : "", seed,
                     result.failed_checks, reproduce_command(options.scenario, seed));
        }
        if (terminal) fmt::print(stderr, "\r\033[K[{}/{}] {} failing", done, count, failing);
      });
    }
    pool.join();
  }
  if (terminal) fmt::print(stderr, "\r\033[K");

  std::uint64_t ran = 0, passed = 0;
  for (const Result& r : results) {
    if (!r.ran || !r.complete) continue;
    ++ran;
    passed += r.passed ? 1 : 0;
  }
  fmt::print("sweep {} seeds {}..{}: {} run, {} passed, {} failed{}\n", scenario.name, options.first_seed,
             options.last_seed, ran, passed, ran - passed,
             watcher.interrupted() ? fmt::format(", {} not run (interrupted)", count - ran) : "");
  for (std::uint64_t i = 0; i < count; ++i)
    if (results[i].ran && results[i].complete)
      fmt::print("  seed {:<6} {}  digest {:016x}\n", options.first_seed + i, results[i].passed ? "pass" : "FAIL",
                 results[i].digest);
  if (write_error) {
    fmt::print(stderr, "ddbsim: cannot write reports: {}\n", *write_error);
    return kExitBadInput;
  }
  if (watcher.interrupted()) return kExitInterrupted;
  return ran == passed ? kExitPassed : kExitFailed;
}

}  // namespace tools
