// What the fault parsers share: the time window of a timed fault, target readers (AZs, nodes,
// placements) and the scheduling of a window's start and end on the kernel. Internal to sim/.
#pragma once

#include "sim/faults.h"

#include <optional>
#include <string>
#include <vector>

namespace sim::faults {

std::string join(const std::vector<std::string>& names);

// Longer than any run needs (a fault that never ends leaves out "duration"), and short enough that
// start + duration cannot overflow int64 nanoseconds.
inline constexpr Duration kLongestFault = hours(24 * 365);

std::string before_the_end(const FaultParseContext& context);

// Fields every timed fault has: when it starts and, optionally, how long it lasts.
struct Window {
  Duration start;
  std::optional<Duration> length;

  static Window read(config::ObjectReader& entry, const FaultParseContext& context);
  void write(nlohmann::json& out) const;
};

// Schedules start() at the window's start and end() when it closes (if it closes).
void schedule_window(FaultContext& context, const Window& window, std::string_view kind, std::string description,
                     std::function<void()> start, std::function<void()> end);

// {"leader_of": {"table": "orders", "key": 42}}, {"follower_of": {...}} or {"followers_of": {...}}:
// the node(s) holding that role for the key's partition when the fault fires, as a target string.
std::string read_placement(const config::Node& node, const FaultParseContext& context);
// A service node's name (or a client's, when allowed), or a placement.
std::string read_node_name(const config::Node& node, const FaultParseContext& context, bool allow_clients);
std::string read_az_name(const config::Node& node, const FaultParseContext& context);
// A string or a non-empty array of strings, each an AZ, a node or a placement.
std::vector<std::string> read_targets(const config::Node& node, const FaultParseContext& context);

// A range [min, max] written as a two-element array, or one value for both; for the bounds of
// chaos and swarm draws.
struct NumberRange {
  double min = 0;
  double max = 0;
  double at(double severity) const { return min + (max - min) * severity; }
};
NumberRange read_number_range(const config::Node& node, double lowest, double highest);
struct DurationRange {
  Duration min;
  Duration max;
  Duration at(double severity) const;
};
DurationRange read_duration_range(const config::Node& node);
nlohmann::json write_range(const NumberRange& range);
nlohmann::json write_range(const DurationRange& range);

// The names of the topology's nodes of `role`; fails `entry` when there are none.
std::vector<std::string> role_members(config::ObjectReader& entry, const FaultParseContext& context,
                                      const std::string& role, const std::string& needs);

// The builtin kinds, by file.
void add_power_faults(FaultRegistry& registry);
void add_network_faults(FaultRegistry& registry);
void add_pause_faults(FaultRegistry& registry);
void add_chaos_faults(FaultRegistry& registry);
void add_clock_faults(FaultRegistry& registry);

}  // namespace sim::faults
