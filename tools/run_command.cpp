// `ddbsim run` and `ddbsim validate`.
#include "models/scenario_loader.h"
#include "reports/report.h"
#include "sim/config/json_reader.h"
#include "tools/commands.h"
#include "tools/interrupt_watcher.h"
#include "tools/run_one.h"
#include "sim/config/units.h"
#include "tools/perfetto_trace.h"
#include "tools/trace_file.h"

#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <limits>
#include <memory>

namespace tools {

namespace {
std::string command_line(const RunOptions& o, std::uint64_t seed) {
  std::string line = fmt::format("ddbsim run {} --seed {}", o.scenario, seed);
  if (!o.out_dir.empty()) line += " --out " + o.out_dir;
  if (!o.trace_file.empty()) line += " --trace " + o.trace_file;
  return line;
}
}  // namespace

int run_command(const RunOptions& options) {
  const std::optional<models::Scenario> loaded = load_checked_scenario(options.scenario);
  if (!loaded) return kExitBadInput;
  const models::Scenario& scenario = *loaded;
  const std::uint64_t seed = options.seed.value_or(scenario.seed);
  // With --format json, stdout and stderr together are the report alone on success (so
  // `> f 2>&1` is JSON): the seed, the files written and the verdicts are in it.
  const bool json = options.format == "json";
  if (!json) {
    fmt::print(stderr, "seed {}\n", seed);
    std::fflush(stderr);
  }

  const std::string dir = options.out_dir.empty() ? fmt::format("out/{}/seed-{}", scenario.name, seed) : options.out_dir;
  try {
    check_writable_dir(dir);  // now, not after the whole run
  } catch (const std::exception& error) {
    fmt::print(stderr, "ddbsim: --out: {}\n", error.what());
    return kExitBadInput;
  }

  std::unique_ptr<TraceWriter> trace;
  if (!options.trace_file.empty()) {
    try {
      if (options.trace_format == "perfetto") {
        sim::Time from = sim::Time::zero(), to = sim::Time::from_nanos(std::numeric_limits<std::int64_t>::max());
        if (!options.trace_window.empty()) {
          const auto dots = options.trace_window.find("..");
          const auto a = dots == std::string::npos ? std::nullopt : sim::config::parse_duration(options.trace_window.substr(0, dots), nullptr);
          const auto b = dots == std::string::npos ? std::nullopt : sim::config::parse_duration(options.trace_window.substr(dots + 2), nullptr);
          if (!a || !b || *b <= *a) {
            fmt::print(stderr, "ddbsim: --trace-window: expected A..B with durations A < B such as 10m..12m, found \"{}\"\n", options.trace_window);
            return kExitBadInput;
          }
          from = sim::Time::zero() + *a;
          to = sim::Time::zero() + *b;
        }
        trace = std::make_unique<PerfettoTrace>(options.trace_file, from, to);
      } else {
        if (!options.trace_window.empty()) {
          fmt::print(stderr, "ddbsim: --trace-window: only with --trace-format perfetto\n");
          return kExitBadInput;
        }
        trace = std::make_unique<TraceFile>(options.trace_file);
      }
    } catch (const std::exception& error) {
      fmt::print(stderr, "ddbsim: {}\n", error.what());
      return kExitBadInput;
    }
  }
  InterruptWatcher watcher;
  // Long runs are not silent on a terminal: a progress line, gone before the report prints.
  ProgressLine progress;
  const bool show_progress = !json && isatty(fileno(stderr)) != 0;
  const SeedRun run = run_seed(scenario, seed, trace.get(), &watcher.flag(), {},
                               show_progress ? progress.callback() : ProgressFn{});
  progress.clear();
  if (trace) trace->finish(run.events, run.digest);

  try {
    write_outputs(dir, run, command_line(options, seed));
  } catch (const std::exception& error) {
    fmt::print(stderr, "ddbsim: cannot write the report to {}: {}\n", dir, error.what());
    return kExitBadInput;
  }
  if (json) fmt::print("{}\n", run.report.dump(2));
  else fmt::print("{}", reports::render_text(run.report));
  std::fflush(stdout);  // before anything on stderr: captured together, they must not interleave
  if (!json)
    fmt::print(stderr, "wrote {}/report.json, report.txt, run.json ({:.2f} s wall, {:.2f}M events/s)\n", dir,
               run.wall_s, run.wall_s > 0 ? static_cast<double>(run.events) / run.wall_s / 1e6 : 0.0);

  if (run.out_of_slots) {
    fmt::print(stderr,
               "ddbsim: the run stopped at {} s: more events were pending at once than the simulator holds; the "
               "report is partial (\"complete\": false). Lower the request rate or the timeouts.\n",
               run.report["sim_end_s"].dump());
    return kExitBadInput;
  }
  if (!run.complete) {
    fmt::print(stderr, "ddbsim: interrupted: the report is partial (\"complete\": false)\n");
    return kExitInterrupted;
  }
  if (!run.passed) {
    if (!json)
      fmt::print(stderr, "ddbsim: a check failed; reproduce with: {}\n", reproduce_command(options.scenario, seed));
    return kExitFailed;
  }
  return kExitPassed;
}

int validate_command(const std::vector<std::string>& scenarios) {
  int exit_code = kExitPassed;
  for (const std::string& file : scenarios) {
    try {
      // `ddbsim validate scenarios/*.json` also meets the schema that describes scenarios: a
      // document that says it follows JSON Schema's meta-schema and defines properties, with
      // none of a scenario's sections. (A scenario that merely points at json-schema.org is
      // still a scenario, and judged as one.)
      const nlohmann::json document = sim::config::load_json_file(file);
      const bool meta = document.contains("$schema") && document["$schema"].is_string() &&
                        document["$schema"].get<std::string>().find("json-schema.org") != std::string::npos;
      const bool defines = document.contains("properties") || document.contains("$defs");
      const bool scenario_like = document.contains("topology") || document.contains("workload") ||
                                 document.contains("tables") || document.contains("duration");
      if (meta && defines && !scenario_like) {
        fmt::print("{}: skipped (a JSON Schema, not a scenario)\n", file);
        continue;
      }
      const models::Scenario scenario = models::load_scenario(file);
      reports::validate_expectations(scenario);
      fmt::print("{}: ok ({})\n", file, scenario.name);
    } catch (const sim::config::InputError& error) {
      fmt::print(stderr, "ddbsim: {}\n", error.what());
      exit_code = kExitBadInput;
    }
  }
  return exit_code;
}

}  // namespace tools
