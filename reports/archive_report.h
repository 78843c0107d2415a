// The report's "archive" section (scenarios with an archive section): uploads and what S3 made
// of them, S3 errors, the unarchived bytes per replica over the run (p50, p99, max of samples
// taken every archive interval), data at risk (acknowledged, applied, not archived: what losing
// all three replicas would lose), and every difference found between a replica's log and the
// archive. No samples reads as no data (null), never as no lag.
#pragma once

#include "models/simulation.h"

#include <nlohmann/json.hpp>

namespace reports {

nlohmann::ordered_json archive(const models::Simulation& simulation);

}  // namespace reports
