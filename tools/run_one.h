// Running one seed of a scenario and writing its files: shared by `run` and `sweep`.
#pragma once

#include "models/scenario.h"
#include "models/simulation.h"
#include "reports/report.h"
#include "sim/kernel.h"

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace tools {

struct SeedRun {
  std::uint64_t seed = 0;
  reports::Json report;                 // with checks attached
  std::vector<reports::Check> checks;
  bool complete = false;                // not interrupted: the run ended and was judged
  bool passed = false;
  std::uint64_t events = 0;
  std::uint64_t digest = 0;
  double wall_s = 0.0;
  double setup_wall_s = 0.0;  // of the base run's simulation, before its first event
};

// Loads a scenario and checks its expectations against the report it will produce; on bad
// input prints the one-line error and returns nothing (the caller exits 2).
std::optional<models::Scenario> load_checked_scenario(const std::string& file);

// REQUIRES: the scenario has been validated (validate_expectations).
// `hooks` plant a bug (tests only; the command line never passes any).
SeedRun run_seed(const models::Scenario& scenario, std::uint64_t seed, sim::Tracer* tracer,
                 const std::atomic<bool>* interrupt, models::TestHooks hooks = {});

// Writes DIR/report.json, DIR/report.txt and DIR/run.json, each through a temporary file and a
// rename, so no reader ever sees half a report. Throws std::runtime_error on I/O failure.
void write_outputs(const std::string& dir, const SeedRun& run, const std::string& command_line);

// "ddbsim <version> (commit <git commit>)", as --version prints it.
std::string version_line();

// The one command that reproduces a seed's run.
std::string reproduce_command(const std::string& scenario_file, std::uint64_t seed);

}  // namespace tools
