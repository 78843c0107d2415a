// Reads scenario files strictly: every key is consumed or rejected, every name is checked,
// and every mistake is one sim::config::InputError with the file and JSON path.
#pragma once

#include "models/scenario.h"
#include "sim/config/json_reader.h"
#include "sim/faults.h"

#include <string>

namespace models {

// The fault kinds a scenario may name: sim's builtin ones and the models' own (s3_outage and
// s3_slow, on the S3 fleet of the archive section).
sim::FaultRegistry scenario_faults();

// Reads, checks and resolves a scenario file. Throws sim::config::InputError.
Scenario load_scenario(const std::string& path, const sim::FaultRegistry& faults = scenario_faults());

// The same for text already in memory; `file_label` names it in messages.
Scenario parse_scenario(std::string_view text, const std::string& file_label,
                        const sim::FaultRegistry& faults = scenario_faults());

}  // namespace models
