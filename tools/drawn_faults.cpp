// Random faults made explicit.
#include "tools/drawn_faults.h"

#include <algorithm>

namespace tools {

using reports::Json;

std::vector<FaultUnit> fault_units(const Json& document) {
  std::vector<FaultUnit> units;
  if (!document.contains("faults")) return units;
  const Json& faults = document["faults"];
  for (const char* list : {"timeline", "chaos"})
    if (faults.contains(list))
      for (const Json& entry : faults[list]) units.push_back({list, entry});
  if (faults.contains("swarm")) units.push_back({"swarm", faults["swarm"]});
  return units;
}

Json with_faults(Json document, const std::vector<FaultUnit>& units) {
  document.erase("faults");
  if (units.empty()) return document;
  Json faults = Json::object();
  for (const FaultUnit& unit : units) {
    if (unit.list == "swarm") faults["swarm"] = unit.entry;
    else faults[unit.list].push_back(unit.entry);
  }
  document["faults"] = faults;
  return document;
}

bool is_random(const FaultUnit& unit) {
  return unit.list == "swarm" || unit.entry.value("kind", std::string()).starts_with("random_");
}

bool has_random_faults(const Json& document) {
  const std::vector<FaultUnit> units = fault_units(document);
  return std::any_of(units.begin(), units.end(), is_random);
}

Json with_drawn_faults(const Json& document, const std::vector<Json>& drawn) {
  std::vector<FaultUnit> fixed;
  for (const FaultUnit& unit : fault_units(document))
    if (!is_random(unit)) fixed.push_back(unit);
  for (const Json& entry : drawn) fixed.push_back({"timeline", entry});
  return with_faults(document, fixed);
}

}  // namespace tools
