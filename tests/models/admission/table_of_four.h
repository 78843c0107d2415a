// The small region the admission tests share: one table of 400 WCU / 1200 RCU over four
// partitions, on one storage node per AZ, with the admission settings given.
#pragma once

#include "models/scenario_loader.h"

#include <fmt/format.h>

#include <string>

namespace test_support {

inline models::Scenario table_of_four(const std::string& admission, const std::string& duration) {
  return models::parse_scenario(fmt::format(R"({{
    "name": "admission", "duration": "{}",
    "topology": {{"azs": [{{"name": "az1", "storage_nodes": 1, "routers": 1, "clients": 1}},
                          {{"name": "az2", "storage_nodes": 1, "routers": 0, "clients": 0}},
                          {{"name": "az3", "storage_nodes": 1, "routers": 0, "clients": 0}}]}},
    "admission": {},
    "tables": [{{"name": "t", "partitions": 4, "items": 1000,
                 "capacity": {{"mode": "provisioned", "rcu": 1200, "wcu": 400}}}}],
    "workload": [{{"table": "t", "rate": 1, "mix": {{"put": 1}}}}]
  }})", duration, admission), "admission.json");
}

}  // namespace test_support
