// Readers the scenario file's sections share (models/scenario_loader.cpp defines them; the
// sections parsed in files of their own, such as models/ops/ops_loader.cpp, use them). Each
// fails with the node's JSON path, what was expected and what was found.
#pragma once

#include "models/scenario.h"
#include "sim/config/json_reader.h"

#include <array>
#include <cstdint>
#include <set>
#include <string>

namespace models::sections {

inline constexpr Duration kLongestScenario = sim::hours(24 * 30);
// Client and router timing: longer than any run needs, and short enough that a client's whole
// retry budget (every attempt timing out, every backoff at its longest) fits in int64 nanoseconds.
inline constexpr Duration kLongestDelay = kLongestScenario;

// Letters, digits, '-' and '_'.
bool is_plain_name(const std::string& name);
std::string read_name(const sim::config::Node& node, const char* what);
// An entry's "name" (read_name), not yet in `seen`, which it joins; `kind` names the others.
std::string read_unique_name(sim::config::ObjectReader& object, std::set<std::string>& seen, const char* what, const char* kind);
// A positive duration (or zero if allowed) no longer than any scenario.
Duration read_delay(const sim::config::Node& node, bool allow_zero = false);
void read_client(const sim::config::Node& node, ClientSpec& client);
// The index of the table the node names.
std::uint32_t find_table(const Scenario& scenario, const sim::config::Node& node);
// The index of the AZ the node names.
std::uint32_t find_az(const Scenario& scenario, const sim::config::Node& node);
// The index of the endpoint the node names ("regional" or one of `topology.endpoints`).
std::uint32_t find_endpoint(const Scenario& scenario, const sim::config::Node& node);
// Operation shares {get_strong, get_eventual, put} summing to 1.
std::array<double, kOperationCount> read_mix(const sim::config::Node& node);

}  // namespace models::sections
