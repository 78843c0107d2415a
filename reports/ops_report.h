// The report's operations sections: "canaries" (what the canary in each AZ saw, overall and per
// minute), "deployments" (below) and "alarms" (every alarm's datapoints summary and state changes, and for every fault
// which alarms fired during it and how long after its start; a fault no alarm caught is counted
// as undetected). A figure with nothing behind it (a minute without canary traffic, an alarm that
// never fired) is null, never a good value.
#pragma once

#include "models/simulation.h"

#include <nlohmann/json.hpp>

namespace reports {

// Null when the scenario has no canaries.
nlohmann::ordered_json canaries(const models::Simulation& simulation);
// Null when the scenario has no alarms.
nlohmann::ordered_json alarms(const models::Simulation& simulation);
// Null when the scenario has no deployments. Per deployment: its waves (nodes, window, the
// customers' failed requests and error-minutes in it), the alarms it set off and the time to
// detect from its first node on the build, its rollback, and its whole window's impact.
nlohmann::ordered_json deployments(const models::Simulation& simulation);
// Null without a membership section: the cells' work, the agents' fetches, and the storage nodes
// out of service for want of a membership over time, with when (and whether) the fleet
// recovered after the first blip.
nlohmann::ordered_json membership(const models::Simulation& simulation);

}  // namespace reports
