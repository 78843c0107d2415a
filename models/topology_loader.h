// Reading a scenario's `topology` section (models/scenario.h: AzSpec, EndpointSpec): at least
// three AZs with storage, a router and a client somewhere, and the endpoints' router fleets.
#pragma once

#include "models/scenario.h"
#include "sim/config/json_reader.h"

namespace models {

void read_topology(const sim::config::Node& node, Scenario& scenario);

}  // namespace models
