// Shared parsing and scheduling of fault entries.
#include "sim/faults/common.h"

#include "sim/config/units.h"

#include <algorithm>

namespace sim::faults {

using config::format_duration;

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

std::string before_the_end(const FaultParseContext& context) {
  return "a time before the end of the scenario (" + format_duration(context.horizon) + ")";
}

Window Window::read(config::ObjectReader& entry, const FaultParseContext& context) {
  Window window;
  const config::Node at = entry.required("at");
  window.start = at.duration_allow_zero();
  if (window.start >= context.horizon) at.fail(before_the_end(context), "\"" + format_duration(window.start) + "\"");
  if (auto length = entry.optional("duration")) {
    window.length = length->duration();
    if (*window.length > kLongestFault)
      length->fail_expected("a positive duration of at most " + format_duration(kLongestFault) +
                            ", or no \"duration\" for a fault that never ends");
  }
  return window;
}

void Window::write(nlohmann::json& out) const {
  out["at"] = format_duration(start);
  if (length) out["duration"] = format_duration(*length);
}

void schedule_window(FaultContext& context, const Window& window, std::string_view kind, std::string description,
                     std::function<void()> start, std::function<void()> end) {
  Kernel& kernel = context.kernel();
  const KindId start_kind = kernel.register_kind(std::string("fault.") + std::string(kind) + ".start");
  const KindId end_kind = kernel.register_kind(std::string("fault.") + std::string(kind) + ".end");
  struct Phase {
    std::string description;
    std::function<void()> action;
    void operator()() { action(); }
    void describe(std::string& out) const { out += description; }
  };
  std::optional<Duration> length = window.length;
  kernel.at(Time::zero() + window.start, Tag{context.actor(), start_kind},
            Phase{description, [&context, &kernel, length, end_kind, description, start = std::move(start),
                                end = std::move(end)]() {
                    start();
                    if (length) kernel.after(*length, Tag{context.actor(), end_kind}, Phase{description, end});
                  }});
}

std::string read_placement(const config::Node& node, const FaultParseContext& context) {
  config::ObjectReader object = node.object();
  std::string role;
  for (const char* candidate : {"leader_of", "follower_of", "followers_of"})
    if (object.has(candidate)) role = candidate;
  if (role.empty())
    object.fail("a placement: {\"leader_of\": {...}}, {\"follower_of\": {...}} or {\"followers_of\": {...}}",
                "none of these keys");
  const config::Node selector = object.required(role);
  config::ObjectReader fields = selector.object();
  const config::Node table_node = fields.required("table");
  const std::string table = table_node.non_empty_string();
  if (std::find(context.topology.tables.begin(), context.topology.tables.end(), table) == context.topology.tables.end())
    table_node.fail("the name of a table (one of " + join(context.topology.tables) + ")", "\"" + table + "\"");
  const std::uint64_t key = fields.required("key").uint64();
  fields.finish();
  object.finish();
  return role + ":" + table + "/" + std::to_string(key);
}

std::string read_node_name(const config::Node& node, const FaultParseContext& context, bool allow_clients) {
  if (node.json().is_object()) return read_placement(node, context);
  const std::string name = node.non_empty_string();
  const TopologyNames::NodeName* found = context.topology.find_node(name);
  if (found == nullptr || (!allow_clients && found->is_client))
    node.fail("the name of a service node such as \"" +
                  (context.topology.nodes.empty() ? std::string("az1/storage0") : context.topology.nodes.front().name) +
                  "\"",
              "\"" + name + "\", which is " +
                  (found == nullptr ? "not a node of this topology" : "a client, not a service node"));
  return name;
}

std::string read_az_name(const config::Node& node, const FaultParseContext& context) {
  const std::string name = node.non_empty_string();
  if (!context.topology.has_az(name))
    node.fail("the name of an AZ (one of " + join(context.topology.azs) + ")",
              "\"" + name + "\", which is not an AZ of this topology");
  return name;
}

std::vector<std::string> read_targets(const config::Node& node, const FaultParseContext& context) {
  std::vector<config::Node> items;
  if (node.json().is_array()) items = node.array(1);
  else items.push_back(node);
  std::vector<std::string> names;
  for (const config::Node& item : items) {
    if (item.json().is_object()) {
      names.push_back(read_placement(item, context));
      continue;
    }
    const std::string name = item.non_empty_string();
    if (!context.topology.has_az(name) && context.topology.find_node(name) == nullptr)
      item.fail("the name of an AZ or a node", "\"" + name + "\", which is neither");
    names.push_back(name);
  }
  return names;
}

NumberRange read_number_range(const config::Node& node, double lowest, double highest) {
  if (!node.json().is_array()) {
    const double value = node.number_in(lowest, highest);
    return NumberRange{value, value};
  }
  const std::vector<config::Node> ends = node.array(2);
  if (ends.size() != 2) node.fail("a number or a range [min, max]", "an array of " + std::to_string(ends.size()) + " elements");
  NumberRange range{ends[0].number_in(lowest, highest), ends[1].number_in(lowest, highest)};
  if (range.max < range.min) node.fail("a range [min, max] with min <= max", node.json().dump());
  return range;
}

Duration DurationRange::at(double severity) const {
  return min + Duration::from_nanos(static_cast<std::int64_t>(static_cast<double>((max - min).nanos()) * severity));
}

DurationRange read_duration_range(const config::Node& node) {
  if (!node.json().is_array()) {
    const Duration value = node.duration_allow_zero();
    if (value > kLongestFault) node.fail_expected("a duration of at most " + format_duration(kLongestFault));
    return DurationRange{value, value};
  }
  const std::vector<config::Node> ends = node.array(2);
  if (ends.size() != 2) node.fail("a duration or a range [min, max]", "an array of " + std::to_string(ends.size()) + " elements");
  DurationRange range{ends[0].duration_allow_zero(), ends[1].duration_allow_zero()};
  if (range.max > kLongestFault) ends[1].fail_expected("a duration of at most " + format_duration(kLongestFault));
  if (range.max < range.min) node.fail("a range [min, max] with min <= max", node.json().dump());
  return range;
}

nlohmann::json write_range(const NumberRange& range) { return nlohmann::json::array({range.min, range.max}); }
nlohmann::json write_range(const DurationRange& range) {
  return nlohmann::json::array({format_duration(range.min), format_duration(range.max)});
}

std::vector<std::string> role_members(config::ObjectReader& entry, const FaultParseContext& context,
                                      const std::string& role, const std::string& needs) {
  std::vector<std::string> names;
  for (const TopologyNames::NodeName& node : context.topology.nodes)
    if (node.role == role) names.push_back(node.name);
  if (names.empty())
    entry.fail(needs, "no " + role + " nodes in the topology");
  return names;
}

}  // namespace sim::faults
