// Fault injection: named injectors parsed from a scenario's fault timeline and chaos list, and
// scheduled on the kernel. Each injector says what it may break; the log records what it did.
#pragma once

#include "sim/config/distribution_reader.h"
#include "sim/config/json_reader.h"
#include "sim/distribution.h"
#include "sim/kernel.h"
#include "sim/network.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sim {

// What the fault parsers may name: AZs and nodes (with their role), known before any Node
// exists so a scenario can be validated without building it.
struct TopologyNames {
  struct NodeName {
    std::string name;
    std::string az;
    std::string role;
    bool is_client = false;
  };
  std::vector<std::string> azs;
  std::vector<NodeName> nodes;
  std::vector<std::string> tables;  // for placement targets such as {"leader_of": {"table", "key"}}

  bool has_az(std::string_view az) const;
  const NodeName* find_node(std::string_view name) const;
  bool has_role(std::string_view role) const;
};

struct FaultRecord {
  Time time;
  std::string kind;    // "power_off", "az_outage", ...
  std::string target;  // what it hit, in words
  std::string phase;   // "start", "end" or "skipped"
};

// Shared by every injector of one simulation: who is down and why, and what happened.
class FaultContext {
 public:
  FaultContext(Kernel& kernel, Network& network);
  Kernel& kernel() const { return *kernel_; }
  Network& network() const { return *network_; }
  ActorId actor() const { return actor_; }

  // A node stays off while any fault holds it down, so overlapping faults compose.
  void hold_down(Node& node);
  void release(Node& node);
  std::size_t holds_on(const Node& node) const;
  std::size_t nodes_held_down() const { return held_down_nodes_; }

  // A paused node freezes (its events wait, its state stays) while any fault holds it paused.
  void pause(Node& node);
  void resume(Node& node);
  bool paused(const Node& node) const;

  // Ends every fault at once (the run's final heal): powers every held node back on, resumes
  // every paused one and lifts every network rule. Fault events that fire afterwards change nothing.
  void end_all();
  bool ended() const { return ended_; }

  void record(std::string kind, std::string target, std::string phase);
  const std::vector<FaultRecord>& records() const { return records_; }
  // What a random fault (chaos, swarm, random_power_off) did, as the timeline entry that does the
  // same ("at", "duration", the target it drew): `ddbsim shrink` makes drawn faults explicit.
  void record_drawn(nlohmann::json timeline_entry) { drawn_.push_back(std::move(timeline_entry)); }
  const std::vector<nlohmann::json>& drawn() const { return drawn_; }

  // Targets are AZ names, node names, or placements ("leader_of:<table>/<key>",
  // "follower_of:<table>/<key>", "followers_of:<table>/<key>") that the models resolve when the
  // fault fires, to one node or (followers_of) several.
  using PlacementResolver =
      std::function<std::vector<Node*>(std::string_view role, std::string_view table, std::uint64_t key)>;
  void set_placement_resolver(PlacementResolver resolver) { resolver_ = std::move(resolver); }
  bool has_placement_resolver() const { return resolver_ != nullptr; }
  std::vector<Node*> resolve_nodes(const std::string& target) const;
  Node& resolve_node(const std::string& target) const;  // the first of resolve_nodes
  // Scale-out: the models build `count` new nodes of `role` (the add_nodes fault).
  using NodeAdder = std::function<void(std::string_view role, std::uint32_t count)>;
  void set_node_adder(NodeAdder adder) { adder_ = std::move(adder); }
  void add_nodes(std::string_view role, std::uint32_t count) const;
  NodeSet resolve_set(const std::vector<std::string>& names) const;

  // Run-time state of a fault (the specs are shared, read-only, by parallel simulations).
  template <class T, class... Args>
  T& keep(Args&&... args) {
    auto owned = std::make_shared<T>(std::forward<Args>(args)...);
    T& ref = *owned;
    kept_.push_back(std::move(owned));
    return ref;
  }

 private:
  std::vector<std::shared_ptr<void>> kept_;
  PlacementResolver resolver_;
  NodeAdder adder_;
  Kernel* kernel_;
  Network* network_;
  ActorId actor_;
  std::vector<std::uint32_t> holds_;  // by NodeId
  std::vector<std::uint32_t> pauses_;  // by NodeId
  std::size_t held_down_nodes_ = 0;
  bool ended_ = false;
  std::vector<FaultRecord> records_;
  std::vector<nlohmann::json> drawn_;
};

// One entry of a scenario's fault timeline or chaos list: an immutable spec, so one parsed
// scenario can drive many simulations at once; run-time state goes into the context.
class Fault {
 public:
  virtual ~Fault() = default;
  virtual void schedule(FaultContext& context) const = 0;
  // The fully resolved entry, defaults filled in, for the report.
  virtual nlohmann::json resolved() const = 0;
};

struct FaultParseContext {
  const TopologyNames& topology;
  Duration horizon;  // the scenario's duration: nothing may start after it
  std::int64_t clock_drift_bound_ppm = 0;  // what the models' leases tolerate (clock_drift faults)
};

using FaultParser =
    std::function<std::unique_ptr<Fault>(config::ObjectReader& entry, const FaultParseContext&)>;

// Injectors by kind (sim/faults/: power.cpp, network.cpp, pause.cpp, clock.cpp, chaos.cpp); models may
// register more.
class FaultRegistry {
 public:
  static FaultRegistry with_builtin_faults();
  void add(std::string kind, FaultParser parser);
  std::vector<std::string> kinds() const;
  // Reads one entry: its "kind" picks the parser, and every key must be consumed.
  std::unique_ptr<Fault> parse(const config::Node& entry, const FaultParseContext& context) const;
  // Reads faults.swarm (sim/faults/chaos.h).
  static std::unique_ptr<Fault> parse_swarm(const config::Node& swarm, const FaultParseContext& context);

 private:
  std::map<std::string, FaultParser> parsers_;
};

// Faults on every node of one role, for the models to register under names of their own (the
// S3 fleet's s3_outage and s3_slow): an outage holds every node of the role down for a window
// (each stays off until its last fault lets go); a slowdown adds "extra" latency (and optional
// "jitter") to every message to or from one. The scenario must have nodes of the role.
// `needs` says what adds nodes of the role, for the message when there are none.
FaultParser role_outage_parser(std::string kind, std::string role, std::string needs);
FaultParser role_slow_parser(std::string kind, std::string role, std::string needs);

}  // namespace sim
