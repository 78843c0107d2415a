// One seed: build, run, report; then the files.
#include "tools/run_one.h"

#include "ddbsim_version.h"

#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "reports/html_report.h"
#include "sim/config/json_reader.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#ifndef DDBSIM_BUILD_TYPE
#define DDBSIM_BUILD_TYPE "unknown"
#endif

namespace tools {

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  // A temporary of this process's own: two processes writing one file (a seed run twice) never
  // write into each other's.
  static std::atomic<std::uint64_t> counter{0};
  const std::filesystem::path temporary = fmt::format("{}.partial.{}.{}", path.string(), getpid(), counter++);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
    out << content;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  std::filesystem::rename(temporary, path);
}

namespace {

std::uint64_t peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss);
}

std::string compiler_name() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("gcc ") + __VERSION__;
#else
  return "unknown";
#endif
}

}  // namespace

std::optional<models::Scenario> load_checked_scenario(const std::string& file) {
  try {
    models::Scenario scenario = models::load_scenario(file);
    reports::validate_expectations(scenario);
    return scenario;
  } catch (const sim::config::InputError& error) {
    fmt::print(stderr, "ddbsim: {}\n", error.what());
    return std::nullopt;
  }
}

namespace {
double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void watch(models::Simulation& simulation, const std::string& name, const ProgressFn& progress) {
  if (!progress) return;
  const sim::Time end = simulation.workload_end();
  simulation.kernel().set_progress(
      [&progress, name, end](sim::Time reached, std::uint64_t events) { progress(name, reached, end, events); });
}
}  // namespace

ProgressFn ProgressLine::callback() {
  return [this](const std::string& run, sim::Time reached, sim::Time end, std::uint64_t events) {
    const double now = wall_seconds();
    if (started_ < 0) started_ = now;
    if (last_ >= 0 && now - last_ < 0.5) return;
    last_ = now;
    const double elapsed = now - started_;
    const double done = end.nanos() > 0 ? std::min(1.0, static_cast<double>(reached.nanos()) / static_cast<double>(end.nanos())) : 1.0;
    std::string left = "-";
    if (done > 0.01 && done < 1.0) left = fmt::format("about {:.0f} s left", elapsed * (1.0 - done) / done);
    else if (done >= 1.0) left = "healing";
    fmt::print(stderr, "\r\033[K{}: {:.0f} of {:.0f} s simulated, {:.2f}M events/s, {}", run,
               static_cast<double>(reached.nanos()) / 1e9, static_cast<double>(end.nanos()) / 1e9,
               elapsed > 0 ? static_cast<double>(events) / elapsed / 1e6 : 0.0, left);
    std::fflush(stderr);
    shown_ = true;
  };
}

void ProgressLine::clear() {
  if (shown_) fmt::print(stderr, "\r\033[K");
  shown_ = false;
}

SeedRun run_seed(const models::Scenario& scenario, std::uint64_t seed, sim::Tracer* tracer,
                 const std::atomic<bool>* interrupt, models::TestHooks hooks, const ProgressFn& progress) {
  SeedRun result;
  result.seed = seed;
  const auto started = std::chrono::steady_clock::now();
  {
    models::Simulation simulation(scenario, seed, hooks);
    result.setup_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    simulation.set_tracer(tracer);
    simulation.set_interrupt_flag(interrupt);
    watch(simulation, "base run", progress);
    const models::RunOutcome outcome = simulation.run();
    result.report = reports::build_report(simulation, outcome);
    // A run a safety monitor stopped is over and judged (it fails); only an interrupted one is not.
    result.complete = outcome.complete() || outcome.safety_violation;
    result.out_of_slots = outcome.status == sim::RunStatus::out_of_slots;
    result.events = simulation.kernel().events_dispatched();
    result.digest = simulation.kernel().digest();
    for (const nlohmann::json& entry : simulation.faults().drawn()) result.drawn_faults.push_back(reports::Json::parse(entry.dump()));
  }
  // Each variant runs the same seed with its settings changed (the trace covers the base run).
  for (const models::Variant& variant : scenario.variants) {
    if (!result.complete) break;
    models::Simulation simulation(*variant.scenario, seed, hooks);
    simulation.set_interrupt_flag(interrupt);
    watch(simulation, "variant " + variant.name, progress);
    const models::RunOutcome outcome = simulation.run();
    reports::attach_variant(result.report, variant.name, reports::build_report(simulation, outcome));
    result.complete = result.complete && (outcome.complete() || outcome.safety_violation);
    result.out_of_slots = result.out_of_slots || outcome.status == sim::RunStatus::out_of_slots;
    result.events += simulation.kernel().events_dispatched();
  }
  if (!result.complete) result.report["complete"] = false;
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.checks = reports::evaluate_checks(result.report, scenario);
  reports::attach_checks(result.report, result.checks);
  result.passed = result.complete && reports::all_passed(result.checks);
  return result;
}

void write_outputs(const std::string& dir, const SeedRun& run, const std::string& command_line) {
  const std::filesystem::path base(dir);
  std::filesystem::create_directories(base);
  write_file_atomically(base / "report.json", run.report.dump(2) + "\n");
  write_file_atomically(base / "report.txt", reports::render_text(run.report));
  write_file_atomically(base / "report.html", reports::render_html(run.report));
  // Wall-clock figures live here, never in report.json, which must not vary between runs.
  reports::Json info;
  info["command"] = command_line;
  info["seed"] = run.seed;
  info["complete"] = run.complete;
  info["wall_s"] = run.wall_s;
  info["setup_wall_s"] = run.setup_wall_s;  // building the simulation (placing groups), before the first event
  info["sim_end_s"] = run.report["sim_end_s"];
  info["events"] = run.events;
  info["events_per_s"] = run.wall_s > 0 ? static_cast<double>(run.events) / run.wall_s : 0.0;
  const std::uint64_t rss_kib = peak_rss_kib();
  info["peak_rss_kib"] = rss_kib;
  // Benchmark figures: simulated client operations per wall second, and memory per replica.
  const std::uint64_t operations = run.report["operations"]["finished"].get<std::uint64_t>();
  info["operations"] = operations;
  info["operations_per_wall_s"] = run.wall_s > 0 ? static_cast<double>(operations) / run.wall_s : 0.0;
  const std::uint64_t replicas = run.report["replication"]["replicas"].get<std::uint64_t>();
  info["replicas"] = replicas;
  info["peak_rss_bytes_per_replica"] = replicas == 0 ? 0.0 : static_cast<double>(rss_kib) * 1024.0 / static_cast<double>(replicas);
  info["ddbsim_version"] = DDBSIM_VERSION;
  info["commit"] = DDBSIM_COMMIT;
  info["compiler"] = compiler_name();
  info["build_type"] = DDBSIM_BUILD_TYPE;
  write_file_atomically(base / "run.json", info.dump(2) + "\n");
}

std::string version_line() { return fmt::format("ddbsim {} (commit {})", DDBSIM_VERSION, DDBSIM_COMMIT); }

namespace {
std::string& program_path() {
  static std::string path = "ddbsim";
  return path;
}
}  // namespace

void set_program_path(std::string path) {
  if (!path.empty()) program_path() = std::move(path);
}

std::string reproduce_command(const std::string& scenario_file, std::uint64_t seed) {
  return fmt::format("{} run {} --seed {}", program_path(), scenario_file, seed);
}

void check_writable_dir(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw std::runtime_error(fmt::format("cannot create {}: {}", dir, error.message()));
  const std::filesystem::path probe = std::filesystem::path(dir) / ".ddbsim-write-check";
  {
    std::ofstream out(probe, std::ios::binary | std::ios::trunc);
    if (!out || !(out << "ok") || !out.flush()) throw std::runtime_error(fmt::format("cannot write in {}", dir));
  }
  std::filesystem::remove(probe, error);
}

}  // namespace tools
