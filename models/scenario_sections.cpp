// The readers the scenario file's sections share (models/scenario_sections.h).
#include "models/scenario_sections.h"

#include "sim/config/units.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

namespace models::sections {

using sim::config::Node;
using sim::config::ObjectReader;
using sim::config::format_duration;

bool is_plain_name(const std::string& name) {
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return !name.empty();
}

std::string read_name(const Node& node, const char* what) {
  const std::string name = node.non_empty_string();
  if (!is_plain_name(name))
    node.fail(fmt::format("{} made of letters, digits, '-' and '_'", what), "\"" + name + "\"");
  return name;
}

Duration read_delay(const Node& node, bool allow_zero) {
  const Duration delay = allow_zero ? node.duration_allow_zero() : node.duration();
  if (delay > kLongestDelay)
    node.fail_expected(std::string(allow_zero ? "a duration" : "a positive duration") + " of at most " +
                       format_duration(kLongestDelay));
  return delay;
}

void read_client(const Node& node, ClientSpec& client) {
  ObjectReader object = node.object();
  if (auto n = object.optional("attempt_timeout")) client.attempt_timeout = read_delay(*n);
  if (auto n = object.optional("max_attempts")) client.max_attempts = static_cast<std::uint32_t>(n->uint64_in(1, 100));
  const std::optional<Node> base = object.optional("backoff_base");
  const std::optional<Node> most = object.optional("backoff_max");
  if (base) client.backoff_base = read_delay(*base);
  if (most) client.backoff_max = read_delay(*most);
  if (client.backoff_max < client.backoff_base) {
    if (most)
      most->fail("a duration at least \"backoff_base\" (" + format_duration(client.backoff_base) + ")",
                 "\"" + format_duration(client.backoff_max) + "\"");
    base->fail("a duration at most \"backoff_max\" (" + format_duration(client.backoff_max) + ", the default)",
               "\"" + format_duration(client.backoff_base) + "\"");
  }
  if (auto n = object.optional("suspect_router_for")) client.suspect_router_for = read_delay(*n, true);
  object.finish();
}

namespace {

// The index of the entry of `list` whose name the node gives; else the error lists the names.
template <class List>
std::uint32_t find_named(const List& list, const Node& node, const char* what) {
  const std::string name = node.non_empty_string();
  std::string names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].name == name) return static_cast<std::uint32_t>(i);
    names += (names.empty() ? "" : ", ") + list[i].name;
  }
  node.fail(std::string("the name of ") + what + " (" + names + ")", "\"" + name + "\"");
}

}  // namespace

std::string read_unique_name(ObjectReader& object, std::set<std::string>& seen, const char* what, const char* kind) {
  const Node name = object.required("name");
  std::string value = read_name(name, what);
  if (!seen.insert(value).second) name.fail(fmt::format("a name not used by another {}", kind), "\"" + value + "\" again");
  return value;
}

std::uint32_t find_table(const Scenario& scenario, const Node& node) {
  return find_named(scenario.tables, node, "a table in \"tables\"");
}

std::uint32_t find_az(const Scenario& scenario, const Node& node) {
  return find_named(scenario.azs, node, "an AZ in \"topology\"");
}

std::uint32_t find_endpoint(const Scenario& scenario, const Node& node) {
  return find_named(scenario.endpoints, node, "an endpoint");
}

std::array<double, kOperationCount> read_mix(const Node& node) {
  std::array<double, kOperationCount> out{};
  ObjectReader mix = node.object();
  double sum = 0.0;
  for (std::size_t i = 0; i < kOperationCount; ++i) {
    if (auto share = mix.optional(operation_name(static_cast<Operation>(i)))) {
      out[i] = share->probability();
      sum += out[i];
    }
  }
  mix.finish();
  if (std::fabs(sum - 1.0) > 1e-9)
    node.fail("operation shares (get_strong, get_eventual, put) that sum to 1", fmt::format("shares that sum to {}", sum));
  return out;
}

}  // namespace models::sections
