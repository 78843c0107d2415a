// The parts of a network fault that chaos shares with the timeline: the two sides of a rule,
// found when it fires, and what the rule does to the messages between them. Internal to sim/.
#pragma once

#include "sim/faults.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sim::faults {

struct Sides {
  enum class Shape { between, isolate, majority_minority, bridge };
  Shape shape = Shape::between;
  // between: the two sides (empty: everyone); isolate: the target; majority_minority: the
  // minority (empty: drawn); bridge: the bridge AZ (empty: drawn).
  std::vector<std::string> first;
  std::vector<std::string> second;
  std::string role = "storage";  // majority_minority: whose nodes are split

  bool needs_rng() const;
  std::pair<NodeSet, NodeSet> resolve(FaultContext& context, Rng* rng) const;
  nlohmann::json write() const;
};

struct Effect {
  bool drop = false;
  double loss = 0.0;
  double duplicate = 0.0;
  double corrupt = 0.0;
  Duration extra_latency;
  Duration jitter;
  std::string describe() const;  // " drop", " loss 30%", " +2s jitter 1s", ...
};

LinkRule make_rule(std::pair<NodeSet, NodeSet> sides, bool symmetric, std::optional<LinkClass> link_class,
                   const Effect& effect);
std::string describe_set(const NodeSet& set, const Network& network);

}  // namespace sim::faults
