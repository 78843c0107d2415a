// Running one seed of a scenario and writing its files: shared by `run` and `sweep`.
#pragma once

#include "models/scenario.h"
#include "models/simulation.h"
#include "reports/report.h"
#include "sim/kernel.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tools {

struct SeedRun {
  std::uint64_t seed = 0;
  reports::Json report;                 // with checks attached
  std::vector<reports::Check> checks;
  bool complete = false;                // not interrupted: the run ended and was judged
  bool out_of_slots = false;            // stopped: the simulator could not hold the pending events
  bool passed = false;
  std::uint64_t events = 0;
  std::uint64_t digest = 0;
  double wall_s = 0.0;
  double setup_wall_s = 0.0;  // of the base run's simulation, before its first event
  // The base run's random faults as timeline entries (FaultContext::drawn), in the order they fired.
  std::vector<reports::Json> drawn_faults;
};

// Loads a scenario and checks its expectations against the report it will produce; on bad
// input prints the one-line error and returns nothing (the caller exits 2).
std::optional<models::Scenario> load_checked_scenario(const std::string& file);

// REQUIRES: the scenario has been validated (validate_expectations).
// Where a run stands, for a progress line: which run (the base or a variant), the virtual time
// reached and its end, the events so far.
using ProgressFn = std::function<void(const std::string& run, sim::Time reached, sim::Time end, std::uint64_t events)>;

// `hooks` plant a bug (tests only; the command line never passes any).
SeedRun run_seed(const models::Scenario& scenario, std::uint64_t seed, sim::Tracer* tracer,
                 const std::atomic<bool>* interrupt, models::TestHooks hooks = {}, const ProgressFn& progress = {});

// A progress line on a terminal (stderr), at most twice a wall second: virtual time reached,
// events per wall second, and an estimate of the wall time left. `clear()` removes it.
class ProgressLine {
 public:
  ProgressFn callback();
  void clear();

 private:
  double started_ = -1, last_ = -1;
  bool shown_ = false;
};

// Writes `content` to a temporary file beside `path`, then renames it over `path`: a reader sees
// the old file or the whole new one. Throws std::runtime_error on I/O failure.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

// Writes DIR/report.json, DIR/report.txt and DIR/run.json, each through a temporary file and a
// rename, so no reader ever sees half a report. Throws std::runtime_error on I/O failure.
void write_outputs(const std::string& dir, const SeedRun& run, const std::string& command_line);

// "ddbsim <version> (commit <git commit>)", as --version prints it.
std::string version_line();

// The one command that reproduces a seed's run, with the program as it was invoked (main sets
// it from argv[0]; "ddbsim" until then).
std::string reproduce_command(const std::string& scenario_file, std::uint64_t seed);
void set_program_path(std::string path);

// Makes `dir` and proves a file can be written there, before a long run rather than after it.
// Throws std::runtime_error naming why not.
void check_writable_dir(const std::string& dir);

}  // namespace tools
