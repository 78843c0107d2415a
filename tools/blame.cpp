// Blame: runs without each fault, and each fault's share of the availability and latency lost.
#include "tools/blame.h"

#include "models/simulation.h"
#include "models/scenario_loader.h"
#include "sim/config/json_reader.h"
#include "tools/commands.h"
#include "tools/drawn_faults.h"
#include "tools/run_one.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <mutex>

namespace tools {

using reports::Json;

RunCost run_cost(const Json& report) {
  RunCost cost;
  const Json& a = report["availability"];
  for (const char* kind : {"read", "write"}) {
    const auto requests = a[kind]["requests"].get<std::uint64_t>();
    const auto succeeded = a[kind]["succeeded"].get<std::uint64_t>();
    cost.requests += requests;
    cost.failed += requests - succeeded;
  }
  cost.unavailability = cost.requests == 0 ? 0.0 : static_cast<double>(cost.failed) / static_cast<double>(cost.requests);
  cost.p99_ms = Json::object();
  for (const auto& [op, figures] : report["latency_ms"].items()) cost.p99_ms[op] = figures["p99"];
  return cost;
}

namespace {

Json difference(const Json& a, const Json& b) {
  return a.is_null() || b.is_null() ? Json(nullptr) : Json(a.get<double>() - b.get<double>());
}

}  // namespace

Json blame_table(const RunCost& all, const RunCost& none, const std::vector<Json>& faults, const std::vector<RunCost>& without) {
  SIM_ASSERT_OP(faults.size(), ==, without.size());
  const double lost = all.unavailability - none.unavailability;
  Json out;
  out["with_all_faults"] = {{"requests", all.requests}, {"failed", all.failed}, {"unavailability", all.unavailability}, {"p99_ms", all.p99_ms}};
  out["with_no_fault"] = {{"requests", none.requests}, {"failed", none.failed}, {"unavailability", none.unavailability}, {"p99_ms", none.p99_ms}};
  out["unavailability_lost"] = lost;
  Json excess = Json::object();
  for (const auto& [op, p99] : all.p99_ms.items()) excess[op] = difference(p99, none.p99_ms[op]);
  out["p99_excess_ms"] = excess;
  Json list = Json::array();
  double explained = 0.0;
  for (std::size_t i = 0; i < faults.size(); ++i) {
    // What removing the fault gives back: its marginal cost with every other fault present.
    const double regained = all.unavailability - without[i].unavailability;
    explained += regained;
    Json latency = Json::object();
    for (const auto& [op, p99] : all.p99_ms.items()) latency[op] = difference(p99, without[i].p99_ms[op]);
    list.push_back({{"fault", faults[i]},
                    {"unavailability_regained", regained},
                    // A share only when the faults lost something: no figure beats a made-up one.
                    {"share", lost > 0.0 ? Json(regained / lost) : Json(nullptr)},
                    {"failed_without_it", without[i].failed},
                    {"p99_regained_ms", latency}});
  }
  out["faults"] = list;
  out["interaction"] = lost > 0.0 ? Json((lost - explained) / lost) : Json(nullptr);
  return out;
}

std::string blame_text(const Json& table) {
  std::string out = fmt::format("Unavailability {:.6f} with every fault, {:.6f} with none: the faults lost {:.6f}\n",
                                table["with_all_faults"]["unavailability"].get<double>(),
                                table["with_no_fault"]["unavailability"].get<double>(), table["unavailability_lost"].get<double>());
  const auto percent = [](const Json& share) { return share.is_null() ? std::string("-") : fmt::format("{:.1f}%", 100.0 * share.get<double>()); };
  for (const Json& f : table["faults"]) {
    std::string what = f["fault"].value("kind", std::string("fault"));
    for (const char* key : {"node", "az", "at", "start"})
      if (f["fault"].contains(key)) what += fmt::format(" {}={}", key, f["fault"][key].is_string() ? f["fault"][key].get<std::string>() : f["fault"][key].dump());
    std::string latency;
    for (const auto& [op, ms] : f["p99_regained_ms"].items())
      if (!ms.is_null()) latency += fmt::format(" {} {:+.1f}", op, ms.get<double>());
    out += fmt::format("  {:>7} of the loss  {}  (p99 ms regained without it:{})\n", percent(f["share"]), what,
                       latency.empty() ? " -" : latency);
  }
  out += fmt::format("  {:>7} interaction (lost only together, or hidden by each other)\n", percent(table["interaction"]));
  return out;
}

int blame_command(const BlameOptions& options) {
  const std::optional<models::Scenario> loaded = load_checked_scenario(options.scenario);
  if (!loaded) return kExitBadInput;
  models::Scenario base = *loaded;
  base.variants.clear();  // blame judges the base run
  const std::uint64_t seed = options.seed.value_or(base.seed);
  // Random faults are blamed episode by episode: the seed's draws become timeline entries (the
  // same faults at the same times on the same targets), and the run with the random entries
  // themselves is shown beside the explicit one.
  std::optional<RunCost> random_form;
  std::size_t episodes = 0;
  {
    const Json document = Json::parse(sim::config::read_text_file(options.scenario));
    if (has_random_faults(document)) {
      const SeedRun drawn = run_seed(base, seed, nullptr, nullptr);
      if (!drawn.complete) {
        fmt::print(stderr, "ddbsim: blame: the run did not finish (see `{}`): no blame without whole runs\n",
                   reproduce_command(options.scenario, seed));
        return kExitFailed;
      }
      random_form = run_cost(drawn.report);
      episodes = drawn.drawn_faults.size();
      base = models::parse_scenario(with_drawn_faults(document, drawn.drawn_faults).dump(), options.scenario);
      base.variants.clear();
      if (options.format != "json")
        fmt::print(stderr, "the random faults drew {} episodes on seed {}: each is blamed as a fault of its own\n", episodes, seed);
    }
  }
  const std::string dir = options.out_dir.empty() ? fmt::format("out/{}/seed-{}", base.name, seed) : options.out_dir;
  try {
    check_writable_dir(dir);
  } catch (const std::exception& error) {
    fmt::print(stderr, "ddbsim: --out: {}\n", error.what());
    return kExitBadInput;
  }
  if (base.faults.empty()) {
    fmt::print(stderr, "ddbsim: blame: {} has no faults to blame\n", options.scenario);
    return kExitBadInput;
  }
  // Run 0: every fault; 1: none; 2 + i: all but fault i.
  std::vector<models::Scenario> runs(base.faults.size() + 2, base);
  runs[1].faults.clear();
  for (std::size_t i = 0; i < base.faults.size(); ++i) runs[2 + i].faults.erase(runs[2 + i].faults.begin() + static_cast<std::ptrdiff_t>(i));
  std::vector<RunCost> costs(runs.size());
  std::vector<bool> complete(runs.size(), false);
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  {
    boost::asio::thread_pool pool(options.jobs);
    for (unsigned w = 0; w < options.jobs; ++w)
      boost::asio::post(pool, [&] {
        for (std::size_t r = next++; r < runs.size(); r = next++) {
          models::Simulation simulation(runs[r], seed);
          const models::RunOutcome outcome = simulation.run();
          const Json report = reports::build_report(simulation, outcome);
          std::lock_guard lock(mutex);
          costs[r] = run_cost(report);
          complete[r] = outcome.complete();
          if (options.format != "json")
            fmt::print(stderr, "[{}/{}] {}\n", std::count(complete.begin(), complete.end(), true), runs.size(),
                       r == 0 ? "every fault" : r == 1 ? "no fault" : fmt::format("without fault {}", r - 2));
        }
      });
    pool.join();
  }
  for (std::size_t r = 0; r < runs.size(); ++r)
    if (!complete[r]) {
      // A run a safety monitor stopped, or that outgrew the simulator: its figures cover part of it.
      fmt::print(stderr, "ddbsim: blame: the run {} did not finish (see `{}`): no blame without whole runs\n",
                 r == 0 ? "with every fault" : r == 1 ? "with no fault" : fmt::format("without fault {}", r - 2),
                 reproduce_command(options.scenario, seed));
      return kExitFailed;
    }
  std::vector<Json> faults;
  for (const auto& fault : base.faults) faults.push_back(fault->resolved());
  Json table = blame_table(costs[0], costs[1], faults, std::vector<RunCost>(costs.begin() + 2, costs.end()));
  Json out{{"scenario", {{"name", loaded->name}, {"sha256", loaded->sha256}}}, {"seed", seed}};
  if (random_form)
    out["random_faults_made_explicit"] = {{"episodes", episodes},
                                          {"unavailability_with_random_entries", random_form->unavailability},
                                          {"failed_with_random_entries", random_form->failed}};
  out.update(table);
  try {
    write_file_atomically(std::filesystem::path(dir) / "blame.json", out.dump(2) + "\n");
  } catch (const std::exception& error) {
    fmt::print(stderr, "ddbsim: --out: {}\n", error.what());
    return kExitBadInput;
  }
  if (options.format == "json") fmt::print("{}\n", out.dump(2));
  else {
    if (random_form)
      fmt::print("Random faults made explicit: {} episodes; with the random entries themselves, unavailability {:.6f} ({} failed)\n",
                 episodes, random_form->unavailability, random_form->failed);
    fmt::print("{}wrote {}/blame.json\n", blame_text(table), dir);
  }
  return kExitPassed;
}

}  // namespace tools
