// The scenario's `membership` section (models/scenario.h, MembershipSpec).
#pragma once

#include "models/scenario.h"
#include "sim/config/json_reader.h"

namespace models::control {

void read_membership(const sim::config::Node& node, Scenario& scenario);

}  // namespace models::control
