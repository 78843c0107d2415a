// The scenario as report.json records it ("resolved_scenario"): every setting the loader read,
// with its default filled in, in the units a scenario file uses.
#pragma once

#include "models/scenario.h"

#include <nlohmann/json.hpp>

namespace models {

nlohmann::json resolved_json(const Scenario& scenario);

}  // namespace models
