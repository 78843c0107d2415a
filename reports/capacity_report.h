// The report's "capacity" section: for every provisioned table and each of its partitions,
// units consumed against what was provisioned or allocated, requests throttled (and when),
// burst bucket levels, per minute; plus what the adaptive controller and GAC did. Reads only
// what the models recorded (the admission ledger and component counters).
#pragma once

#include "models/simulation.h"

#include <nlohmann/json.hpp>

namespace reports {

nlohmann::ordered_json capacity(const models::Simulation& simulation);

}  // namespace reports
