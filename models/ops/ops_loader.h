// The scenario's operations sections: `canaries`, `alarms` and `deployments` (scenarios/scenario.schema.json).
#pragma once

#include "models/scenario.h"
#include "sim/config/json_reader.h"

namespace models::ops {

// REQUIRES: the scenario's AZs and tables are read.
void read_canaries(const sim::config::Node& node, Scenario& scenario);
// REQUIRES: the AZs, tables and canaries are read.
void read_alarms(const sim::config::Node& node, Scenario& scenario);
// REQUIRES: the topology and the alarms are read.
void read_deployments(const sim::config::Node& node, Scenario& scenario);

}  // namespace models::ops
