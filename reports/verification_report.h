// The report's "verification" section (scenarios that scrub or inject data corruption): the
// corruptions injected and how long each went unnoticed, the replicas found damaged and by what
// (a page checksum, the scrub's three-way compare, the reference replica), the repairs, what the
// scrub compared, its mismatches by kind (archive vs log included) and its alarms. A time with
// nothing to measure is null, never 0. The corrupted reads customers saw are the integrity
// checker's (consistency.integrity), judged from the client history.
#pragma once

#include "models/simulation.h"

#include <nlohmann/json.hpp>

namespace reports {

// Whether the scenario gets the section: it scrubs, or a fault corrupts data.
bool reports_verification(const models::Scenario& scenario);
nlohmann::ordered_json verification(const models::Simulation& simulation);

}  // namespace reports
