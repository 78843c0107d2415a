// The region benchmark.
#include "tools/region_bench.h"

#include "models/scenario_loader.h"
#include "models/simulation.h"
#include "tools/commands.h"

#include <fmt/format.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>
#include <vector>

namespace tools {

using reports::Json;

namespace {

constexpr std::uint64_t kTables = 10;

double wall_now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::uint64_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

// CPU seconds this process has used: (user, system). System time at setup is mostly the
// kernel handing out and clearing fresh pages.
std::pair<double, double> cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
}

// Bytes malloc has handed out and not had back (glibc: the arenas' blocks in use plus blocks
// mapped on their own). RSS can exceed it by memory freed but kept by the allocator.
std::uint64_t heap_in_use_bytes() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<std::uint64_t>(info.uordblks) + static_cast<std::uint64_t>(info.hblkhd);
}

struct Sample {
  double sim_s;
  std::uint64_t events;
  double wall;
};

// A stretch [from, to) of simulated time, and the first sample in it and the last before its end.
struct Stretch {
  double from;
  double to;
  std::optional<Sample> first;
  std::optional<Sample> last;
  void see(const Sample& s) {
    if (!first && s.sim_s >= from) first = s;
    if (s.sim_s < to) last = s;
  }
  struct Figures {
    double sim_s = 0, events = 0, wall_s = 0;
  };
  Figures figures() const {
    if (!first || !last || last->sim_s <= first->sim_s) return {};
    return {last->sim_s - first->sim_s, static_cast<double>(last->events - first->events), last->wall - first->wall};
  }
};

}  // namespace

Json region_document(const RegionBenchOptions& o) {
  const std::uint64_t nodes_per_az = std::max<std::uint64_t>(1, (o.groups + o.per_node - 1) / o.per_node);
  Json azs = Json::array();
  for (int a = 1; a <= 3; ++a)
    azs.push_back({{"name", fmt::format("az{}", a)}, {"storage_nodes", nodes_per_az}, {"routers", 3}, {"clients", 4}});
  Json tables = Json::array(), workload = Json::array();
  const std::uint64_t per_table = std::max<std::uint64_t>(1, o.groups / kTables);
  for (std::uint64_t t = 0; t < kTables; ++t) {
    const std::string name = fmt::format("table{:02}", t);
    tables.push_back({{"name", name}, {"partitions", per_table}, {"items", per_table * o.items_per_group}, {"item_size", "1KB"},
                      {"size", fmt::format("{}GB", per_table)}});
    workload.push_back({{"table", name},
                        {"rate", o.rate / kTables},
                        {"start", fmt::format("{}ms", static_cast<std::int64_t>(o.idle_s * 1000))},
                        {"mix", {{"get_strong", 0.4}, {"get_eventual", 0.5}, {"put", 0.1}}},
                        {"keys", {{"dist", "uniform"}}}});
  }
  Json topology{{"azs", azs}};
  if (o.cell_nodes > 0) topology["cell_nodes"] = o.cell_nodes;
  return {{"name", fmt::format("region_{}", o.groups)},
          {"description", "ddbsim bench region: built in code (tools/region_bench.cpp)"},
          {"seed", o.seed},
          {"duration", fmt::format("{}ms", static_cast<std::int64_t>((o.idle_s + o.busy_s) * 1000))},
          {"topology", topology},
          {"network",
           {{"same_az", {{"latency", {{"dist", "lognormal"}, {"median", "250us"}, {"sigma", 0.3}}}}},
            {"cross_az", {{"latency", {{"dist", "lognormal"}, {"median", "900us"}, {"sigma", 0.3}}}}},
            {"client_router", {{"latency", {{"dist", "lognormal"}, {"median", "500us"}, {"sigma", 0.4}}}}}}},
          {"replication", {{"keep_item_history", false}, {"log_entries_kept", 8}, {"final_heal", "1s"}}},
          {"memds", {{"nodes_per_az", 1}}},
          {"tables", tables},
          {"workload", workload}};
}

int bench_region_command(const RegionBenchOptions& o) {
  const Json document = region_document(o);
  const models::Scenario scenario = models::parse_scenario(document.dump(), document["name"].get<std::string>());
  const double started = wall_now();
  const auto [user_before, system_before] = cpu_seconds();
  const std::uint64_t rss_before = rss_bytes();
  models::TestHooks hooks;
  hooks.record_history = !o.without_history;
  models::Simulation simulation(scenario, o.seed, hooks);
  const double setup_s = wall_now() - started;
  const auto [user_setup, system_setup] = cpu_seconds();
  const std::uint64_t rss_setup = rss_bytes();
  // The stretches [from, to) of simulated time measured: each between the progress samples
  // that bound it most closely from inside. Only those samples are kept, so the benchmark's own
  // bookkeeping stays out of the memory it reports.
  Stretch idle_stretch{std::min(10.0, o.idle_s / 3), o.idle_s, {}, {}};
  Stretch busy_stretch{o.idle_s + std::min(5.0, o.busy_s / 6), o.idle_s + o.busy_s, {}, {}};
  const Sample start{0.0, 0, wall_now()};
  idle_stretch.see(start);
  busy_stretch.see(start);
  // RSS and the heap in use when each simulated hour was reached (memory stays flat?)
  std::vector<std::uint64_t> rss_by_hour;
  std::vector<std::uint64_t> heap_by_hour;
  simulation.kernel().set_progress([&](sim::Time reached, std::uint64_t events) {
    const Sample sample{static_cast<double>(reached.nanos()) / 1e9, events, wall_now()};
    idle_stretch.see(sample);
    busy_stretch.see(sample);
    while (reached.nanos() >= static_cast<std::int64_t>(rss_by_hour.size() + 1) * 3'600'000'000'000) {
      rss_by_hour.push_back(rss_bytes());
      heap_by_hour.push_back(heap_in_use_bytes());
    }
  }, 1024);
  const models::RunOutcome outcome = simulation.run();
  const double run_s = wall_now() - start.wall;
  const std::uint64_t peak = peak_rss_bytes();
  const Json report = reports::build_report(simulation, outcome);
  const Stretch::Figures idle = idle_stretch.figures();
  const Stretch::Figures busy = busy_stretch.figures();
  const double replicas = static_cast<double>(simulation.replica_count());
  const auto finished = report["operations"]["finished"].get<std::uint64_t>();
  const auto or_null = [](double value, bool have) { return have ? Json(value) : Json(nullptr); };
  Json out{{"groups", o.groups},
           {"cell_nodes", o.cell_nodes},
           {"history", !o.without_history},
           {"replicas", simulation.replica_count()},
           {"storage_nodes", simulation.storage_nodes().size()},
           {"rate", o.rate},
           {"setup_s", setup_s},
           {"setup_user_s", user_setup - user_before},
           {"setup_system_s", system_setup - system_before},
           {"idle", {{"simulated_s", idle.sim_s},
                     {"events_per_simulated_s", or_null(idle.events / idle.sim_s, idle.sim_s > 0)},
                     {"wall_ms_per_simulated_s", or_null(idle.wall_s * 1000 / idle.sim_s, idle.sim_s > 0)}}},
           {"busy", {{"simulated_s", busy.sim_s},
                     {"requests_per_wall_s", or_null(o.rate * busy.sim_s / busy.wall_s, busy.wall_s > 0)},
                     {"events_per_request", or_null(busy.events / (o.rate * busy.sim_s), busy.sim_s > 0 && o.rate > 0)},
                     // Less the background's events (the idle part's rate): what requests themselves cost.
                     {"events_per_request_net",
                      or_null((busy.events / busy.sim_s - idle.events / idle.sim_s) / o.rate, busy.sim_s > 0 && idle.sim_s > 0 && o.rate > 0)},
                     {"simulated_s_per_wall_s", or_null(busy.sim_s / busy.wall_s, busy.wall_s > 0)}}},
           {"run_wall_s", run_s},
           {"events", simulation.kernel().events_dispatched()},
           {"operations", finished},
           {"availability", report["availability"]["read"]["ratio"]},
           {"rss_bytes_per_replica_after_setup", static_cast<double>(rss_setup - std::min(rss_setup, rss_before)) / replicas},
           {"peak_rss_bytes", peak},
           {"peak_rss_bytes_per_replica", static_cast<double>(peak) / replicas},
           {"rss_bytes_by_simulated_hour", rss_by_hour},
           {"heap_bytes_by_simulated_hour", heap_by_hour},
           {"complete", outcome.complete()}};
  if (o.format == "json") {
    fmt::print("{}\n", out.dump(2));
  } else {
    const auto num = [](const Json& v, const char* f) { return v.is_null() ? std::string("no data") : fmt::format(fmt::runtime(f), v.get<double>()); };
    fmt::print("region: {} groups ({} replicas) on {} storage nodes{}\n", o.groups, simulation.replica_count(), simulation.storage_nodes().size(),
               o.cell_nodes > 0 ? fmt::format(", placement cells of {} nodes per AZ", o.cell_nodes) : std::string());
    fmt::print("  setup                {:.2f} s wall ({:.2f} s user, {:.2f} s system CPU)\n", setup_s, user_setup - user_before,
               system_setup - system_before);
    fmt::print("  idle ({:.0f} simulated s)  {} events and {} ms wall per simulated second\n", idle.sim_s,
               num(out["idle"]["events_per_simulated_s"], "{:.0f}"), num(out["idle"]["wall_ms_per_simulated_s"], "{:.1f}"));
    fmt::print("  busy ({:.0f} simulated s at {:.0f} requests/s)  {} simulated requests per wall second, {} events per request "
               "({} less the background), {} simulated s per wall s\n",
               busy.sim_s, o.rate, num(out["busy"]["requests_per_wall_s"], "{:.0f}"), num(out["busy"]["events_per_request"], "{:.2f}"),
               num(out["busy"]["events_per_request_net"], "{:.2f}"), num(out["busy"]["simulated_s_per_wall_s"], "{:.2f}"));
    fmt::print("  memory               {:.0f} bytes of RSS per replica after setup, {:.0f} peak (whole process, {:.0f} MiB)\n",
               out["rss_bytes_per_replica_after_setup"].get<double>(), out["peak_rss_bytes_per_replica"].get<double>(),
               static_cast<double>(peak) / 1048576.0);
  }
  if (o.format != "json" && !rss_by_hour.empty())
    fmt::print("  memory over time     {:.0f} MiB at simulated hour 1, {:.0f} MiB at hour {} (heap in use {:.0f} and {:.0f} MiB)\n",
               static_cast<double>(rss_by_hour.front()) / 1048576.0, static_cast<double>(rss_by_hour.back()) / 1048576.0,
               rss_by_hour.size(), static_cast<double>(heap_by_hour.front()) / 1048576.0,
               static_cast<double>(heap_by_hour.back()) / 1048576.0);
  return outcome.complete() ? kExitPassed : kExitFailed;
}

}  // namespace tools
