// `ddbsim bench region --groups N`: a region of N replication groups (3N replicas, about
// --per-node replicas on each storage node, three AZs) built in code and run once: idle first
// (the background cost of keeping it alive: heartbeats, leases, failure detection), then under
// a steady load. Reports the setup time, the background events and wall time per simulated
// second, simulated requests per wall second, events per request, and bytes of RSS per replica
// (after setup, and the peak of the whole process). Wall-clock figures: a benchmark, never a test.
#pragma once

#include "reports/report.h"

#include <cstdint>
#include <string>

namespace tools {

struct RegionBenchOptions {
  std::uint64_t groups = 100'000;
  std::uint64_t per_node = 1'000;  // replicas per storage node
  std::uint64_t cell_nodes = 0;    // topology.cell_nodes (0: one cell, every node a candidate)
  double rate = 6'000;             // requests per second, whole region, in the busy part
  std::uint64_t items_per_group = 20;  // the key space: items per partition
  bool without_history = false;    // the clients record no history for the checkers (which bench never runs)
  double idle_s = 30;              // simulated seconds with no requests (the first 10 settle)
  double busy_s = 30;              // simulated seconds under load
  std::uint64_t seed = 1;
  std::string format = "text";
};

// The region's scenario document (what `bench region` runs).
reports::Json region_document(const RegionBenchOptions& options);

int bench_region_command(const RegionBenchOptions& options);

}  // namespace tools
