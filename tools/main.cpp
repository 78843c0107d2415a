// The ddbsim command line: run, validate, sweep, merge, blame, shrink, bench phold. Arguments are parsed by CLI11;
// a usage mistake prints one line of usage and exits 2.
#include "tools/blame.h"
#include "tools/commands.h"
#include "tools/region_bench.h"
#include "tools/run_one.h"
#include "tools/shrink.h"
#include "tools/sweep_records.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>

namespace {

constexpr const char* kUsage =
    "usage: ddbsim run SCENARIO.json [--seed N] [--out DIR] [--trace FILE [--trace-format jsonl|perfetto]\n"
    "                  [--trace-window A..B]] [--format text|json]\n"
    "       ddbsim validate SCENARIO.json...\n"
    "       ddbsim sweep SCENARIO.json --seeds A..B [--jobs N] [--out DIR]\n"
    "       ddbsim merge DIR... --out DIR\n"
    "       ddbsim blame SCENARIO.json [--seed N] [--jobs N] [--out DIR] [--format text|json]\n"
    "       ddbsim shrink SCENARIO.json [--seed N] [--jobs N] [--budget SECONDS] [--out DIR]\n"
    "       ddbsim bench phold [--lps N --pop P --remote R --mean-us M --events E --seed S]\n"
    "       ddbsim bench region [--groups N --per-node R --cell-nodes K --items-per-group I --without-history\n"
    "                    --rate Q --idle S --busy S --seed S --format text|json]\n";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ddbsim: a deterministic simulator of a DynamoDB-style service", "ddbsim"};
  app.require_subcommand(1);
  app.set_version_flag("--version", tools::version_line());

  tools::RunOptions run;
  std::uint64_t run_seed = 0;
  CLI::App* run_cmd = app.add_subcommand("run", "run one scenario with one seed");
  run_cmd->add_option("scenario", run.scenario, "scenario JSON file")->required();
  // Checked as text first: CLI11 would otherwise wrap "-4" around to a huge unsigned seed.
  CLI::Option* seed_option =
      run_cmd->add_option("--seed", run_seed, "seed (overrides the scenario's)")->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--out", run.out_dir, "directory for report.json, report.txt, run.json");
  run_cmd->add_option("--trace", run.trace_file, "write every event to FILE (a .gz name compresses a perfetto trace)");
  run_cmd->add_option("--trace-format", run.trace_format, "jsonl (one JSON line per event) or perfetto (Chrome JSON for ui.perfetto.dev)")
      ->check(CLI::IsMember({"jsonl", "perfetto"}));
  run_cmd->add_option("--trace-window", run.trace_window, "perfetto: only virtual time A..B, e.g. 10m..12m");
  run_cmd->add_option("--format", run.format, "what to print: text or json")
      ->check(CLI::IsMember({"text", "json"}));

  std::vector<std::string> validate_files;
  CLI::App* validate_cmd = app.add_subcommand("validate", "check scenario files without running them");
  validate_cmd->add_option("scenarios", validate_files, "scenario JSON files")->required();

  tools::SweepOptions sweep;
  std::string seeds_text;
  CLI::App* sweep_cmd = app.add_subcommand("sweep", "run many seeds of one scenario");
  sweep_cmd->add_option("scenario", sweep.scenario, "scenario JSON file")->required();
  sweep_cmd->add_option("--seeds", seeds_text, "seeds A..B (inclusive)")->required();
  sweep_cmd->add_option("--jobs", sweep.jobs, "simulations in parallel")->check(CLI::Range(1u, 256u));
  sweep_cmd->add_option("--out", sweep.out_dir,
                        "record each seed in DIR/seeds/N.json (seeds recorded there already are not run again), a failing "
                        "seed's reports in DIR/seed-N, and DIR/summary.json");

  std::vector<std::string> merge_dirs;
  std::string merge_out;
  CLI::App* merge_cmd = app.add_subcommand("merge", "merge the records of sweeps (shards of one sweep) into one directory");
  merge_cmd->add_option("dirs", merge_dirs, "sweep directories (each with seeds/)")->required();
  merge_cmd->add_option("--out", merge_out, "directory for the merged seeds/ and summary.json")->required();

  // blame and shrink: a scenario, a seed that overrides its own, jobs, an output directory.
  const auto seeded_command = [&app](const char* name, const char* about, std::string& scenario, std::uint64_t& seed,
                                     CLI::Option*& seed_flag, unsigned& jobs, std::string& out, const char* out_about) {
    CLI::App* command = app.add_subcommand(name, about);
    command->add_option("scenario", scenario, "scenario JSON file")->required();
    seed_flag = command->add_option("--seed", seed, "seed (overrides the scenario's)")->check(CLI::NonNegativeNumber);
    command->add_option("--jobs", jobs, "simulations in parallel")->check(CLI::Range(1u, 256u));
    command->add_option("--out", out, out_about);
    return command;
  };
  tools::BlameOptions blame;
  std::uint64_t blame_seed = 0;
  CLI::Option* blame_seed_option = nullptr;
  CLI::App* blame_cmd = seeded_command("blame", "each fault's share of the availability and latency lost", blame.scenario,
                                       blame_seed, blame_seed_option, blame.jobs, blame.out_dir,
                                       "directory for blame.json (default out/<scenario>/seed-<seed>)");
  blame_cmd->add_option("--format", blame.format, "what to print: text or json")->check(CLI::IsMember({"text", "json"}));

  tools::ShrinkOptions shrink;
  std::uint64_t shrink_seed = 0;
  CLI::Option* shrink_seed_option = nullptr;
  CLI::App* shrink_cmd = seeded_command("shrink", "a failing seed as a minimal scenario that fails the same way", shrink.scenario,
                                        shrink_seed, shrink_seed_option, shrink.jobs, shrink.out_dir,
                                        "directory for minimal.json (default out/<scenario>/shrink-seed-<seed>)");
  shrink_cmd->add_option("--budget", shrink.budget_s, "wall seconds to spend (default 600)")->check(CLI::Range(1.0, 1e7));

  tools::PholdParams phold;
  CLI::App* bench_cmd = app.add_subcommand("bench", "benchmarks of the kernel");
  bench_cmd->require_subcommand(1);
  CLI::App* phold_cmd = bench_cmd->add_subcommand("phold", "PHOLD on the kernel, comparable with ns-3");
  phold_cmd->add_option("--lps", phold.lps, "logical processes")->check(CLI::Range(1u, 1u << 24));
  phold_cmd->add_option("--pop", phold.population, "pending events per LP")->check(CLI::Range(1u, 1u << 16));
  phold_cmd->add_option("--remote", phold.remote, "probability of a remote event")->check(CLI::Range(0.0, 1.0));
  phold_cmd->add_option("--mean-us", phold.mean_us, "mean exponential delay, us")->check(CLI::Range(0.0, 1e9));
  phold_cmd->add_option("--events", phold.events, "events to process")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  phold_cmd->add_option("--seed", phold.seed, "seed")->check(CLI::NonNegativeNumber);

  tools::RegionBenchOptions region;
  CLI::App* region_cmd = bench_cmd->add_subcommand("region", "a region of N groups built in code: setup, background cost, speed, memory");
  region_cmd->add_option("--groups", region.groups, "replication groups (3 replicas each)")->check(CLI::Range(std::uint64_t{30}, std::uint64_t{100'000'000}));
  region_cmd->add_option("--per-node", region.per_node, "replicas per storage node (default 1000)")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}));
  region_cmd->add_option("--cell-nodes", region.cell_nodes, "placement cells of this many nodes per AZ (default: none)")->check(CLI::Range(std::uint64_t{0}, std::uint64_t{100'000}));
  region_cmd->add_option("--items-per-group", region.items_per_group, "items per partition: the key space (default 20)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}));
  region_cmd->add_flag("--without-history", region.without_history,
                       "the clients keep no history for the checkers (the simulator's own memory; nothing is judged)");
  region_cmd->add_option("--rate", region.rate, "requests per second in the busy part (default 6000)")->check(CLI::Range(0.0, 1e8));
  region_cmd->add_option("--idle", region.idle_s, "simulated seconds without requests (default 30)")->check(CLI::Range(1.0, 86400.0));
  region_cmd->add_option("--busy", region.busy_s, "simulated seconds under load (default 30)")->check(CLI::Range(1.0, 86400.0));
  region_cmd->add_option("--seed", region.seed, "seed")->check(CLI::NonNegativeNumber);
  region_cmd->add_option("--format", region.format, "text or json")->check(CLI::IsMember({"text", "json"}));

  if (argc > 0) tools::set_program_path(argv[0]);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    fmt::print(stderr, "ddbsim: {}\n{}", error.what(), kUsage);
    return tools::kExitBadInput;
  }

  try {
    if (*run_cmd) {
      if (*seed_option) run.seed = run_seed;
      return tools::run_command(run);
    }
    if (*validate_cmd) return tools::validate_command(validate_files);
    if (*sweep_cmd) {
      const auto range = tools::parse_seed_range(seeds_text);
      if (!range) {
        fmt::print(stderr, "ddbsim: --seeds: expected A..B with A <= B, found \"{}\"\n{}", seeds_text, kUsage);
        return tools::kExitBadInput;
      }
      if (range->second - range->first >= tools::kMostSeedsPerSweep) {
        fmt::print(stderr, "ddbsim: --seeds: expected at most {} seeds in one sweep, found \"{}\"\n{}",
                   tools::kMostSeedsPerSweep, seeds_text, kUsage);
        return tools::kExitBadInput;
      }
      sweep.first_seed = range->first;
      sweep.last_seed = range->second;
      return tools::sweep_command(sweep);
    }
    if (*merge_cmd) return tools::merge_command(merge_dirs, merge_out);
    if (*shrink_cmd) {
      if (*shrink_seed_option) shrink.seed = shrink_seed;
      return tools::shrink_command(shrink);
    }
    if (*blame_cmd) {
      if (*blame_seed_option) blame.seed = blame_seed;
      return tools::blame_command(blame);
    }
    if (*phold_cmd) return tools::bench_phold_command(phold);
    if (*region_cmd) return tools::bench_region_command(region);
  } catch (const std::exception& error) {
    // A bug, not bad input: say so plainly rather than with a stack trace.
    fmt::print(stderr, "ddbsim: internal error: {}\n", error.what());
    return 3;
  }
  fmt::print(stderr, "{}", kUsage);
  return tools::kExitBadInput;
}
