// Reading and writing duration distributions in scenario files, for example
// {"dist": "lognormal", "median": "250us", "sigma": 0.3, "max": "20ms"}.
#pragma once

#include "sim/config/json_reader.h"
#include "sim/distribution.h"

#include <nlohmann/json.hpp>

namespace sim::config {

// Shapes: constant {value}, uniform {min, max}, exponential {mean, offset?},
// lognormal {median, sigma}; every shape also takes optional "floor" and "ceiling".
DurationDistribution read_duration_distribution(const Node& node);
nlohmann::json write_duration_distribution(const DurationDistribution& distribution);

}  // namespace sim::config
