// Network faults: a rule on the links between two sides for a window. latency (with jitter: a
// spike of seconds reorders messages), partition (of a shape: between two sides, isolate a node
// or an AZ, a group's leader from its followers, a random majority from its minority, a bridge),
// gray_link (one direction), loss bursts, message duplication and corruption (checksums catch it).
#include "sim/config/units.h"
#include "sim/faults/common.h"
#include "sim/faults/network_rules.h"

#include <algorithm>

namespace sim::faults {

using config::format_duration;

std::string describe_set(const NodeSet& set, const Network& network) {
  if (set.everyone) return set.complement ? "nobody" : "*";
  std::string out;
  for (AzId az = 0; az < network.az_count(); ++az)
    if ((set.az_mask >> az) & 1u) out += (out.empty() ? "" : ",") + network.az_name(az);
  for (NodeId node : set.nodes) out += (out.empty() ? "" : ",") + network.node(node).name();
  return set.complement ? "all but " + out : out;
}

std::pair<NodeSet, NodeSet> Sides::resolve(FaultContext& context, Rng* rng) const {
  Network& network = context.network();
  switch (shape) {
    case Shape::between:
      return {first.empty() ? NodeSet::all() : context.resolve_set(first),
              second.empty() ? NodeSet::all() : context.resolve_set(second)};
    case Shape::isolate: {
      NodeSet side = context.resolve_set(first);
      return {side, side.inverted()};
    }
    case Shape::majority_minority: {
      // The nodes of `role`, shuffled; the first floor((n-1)/2) are the minority.
      NodeSet minority;
      NodeSet majority;
      if (!first.empty()) {
        minority = context.resolve_set(first);
        for (Node* node : network.nodes())
          if (node->role() == role && !minority.contains(*node)) majority.add_node(node->id());
        return {minority, majority};
      }
      SIM_ASSERT(rng != nullptr);
      std::vector<Node*> nodes;
      for (Node* node : network.nodes())
        if (node->role() == role) nodes.push_back(node);
      for (std::size_t i = nodes.size(); i > 1; --i) std::swap(nodes[i - 1], nodes[rng->below(i)]);
      const std::size_t small = nodes.empty() ? 0 : (nodes.size() - 1) / 2;
      for (std::size_t i = 0; i < nodes.size(); ++i) (i < small ? minority : majority).add_node(nodes[i]->id());
      return {minority, majority};
    }
    case Shape::bridge: {
      // AZs in a drawn order (or with the named bridge in the middle): the first half cannot
      // reach the second; the bridge reaches both.
      std::vector<AzId> azs;
      for (AzId az = 0; az < network.az_count(); ++az) azs.push_back(az);
      std::optional<AzId> middle;
      if (!first.empty()) middle = network.find_az(first.front());
      if (middle) azs.erase(std::find(azs.begin(), azs.end(), *middle));
      SIM_ASSERT(rng != nullptr || middle.has_value());
      if (rng != nullptr)
        for (std::size_t i = azs.size(); i > 1; --i) std::swap(azs[i - 1], azs[rng->below(i)]);
      if (!middle) {
        middle = azs[azs.size() / 2];
        azs.erase(azs.begin() + static_cast<std::ptrdiff_t>(azs.size() / 2));
      }
      NodeSet left;
      NodeSet right;
      for (std::size_t i = 0; i < azs.size(); ++i)
        (i < azs.size() / 2 ? left : right).az_mask |= std::uint64_t{1} << azs[i];
      return {left, right};
    }
  }
  SIM_ASSERT(false);  // every shape is handled above
  return {};
}

bool Sides::needs_rng() const {
  return (shape == Shape::majority_minority && first.empty()) || shape == Shape::bridge;
}

nlohmann::json Sides::write() const {
  switch (shape) {
    case Shape::between: return {{"between", {first, second}}};
    case Shape::isolate: return {{"shape", "isolate"}, {"target", first}};
    case Shape::majority_minority: {
      nlohmann::json out{{"shape", "majority_minority"}, {"role", role}};
      if (!first.empty()) out["minority"] = first;
      return out;
    }
    case Shape::bridge: {
      nlohmann::json out{{"shape", "bridge"}};
      if (!first.empty()) out["bridge"] = first.front();
      return out;
    }
  }
  SIM_ASSERT(false);  // every shape is handled above
  return {};
}

std::string Effect::describe() const {
  std::string out;
  if (drop) out += " drop";
  if (loss > 0) out += " loss " + std::to_string(static_cast<int>(loss * 100 + 0.5)) + "%";
  if (duplicate > 0) out += " duplicate " + std::to_string(static_cast<int>(duplicate * 100 + 0.5)) + "%";
  if (corrupt > 0) out += " corrupt " + std::to_string(static_cast<int>(corrupt * 100 + 0.5)) + "%";
  if (extra_latency > Duration::zero()) out += " +" + format_duration(extra_latency);
  if (jitter > Duration::zero()) out += " jitter " + format_duration(jitter);
  return out;
}

LinkRule make_rule(std::pair<NodeSet, NodeSet> sides, bool symmetric, std::optional<LinkClass> link_class,
                   const Effect& effect) {
  LinkRule rule;
  rule.from = std::move(sides.first);
  rule.to = std::move(sides.second);
  rule.symmetric = symmetric;
  rule.link_class = link_class;
  rule.drop = effect.drop;
  rule.loss = effect.loss;
  rule.duplicate = effect.duplicate;
  rule.corrupt = effect.corrupt;
  rule.extra_latency = effect.extra_latency;
  rule.jitter = effect.jitter;
  return rule;
}

namespace {

// A LinkRule that holds for the window.
class LinkRuleFault final : public Fault {
 public:
  struct Spec {
    std::string kind;
    std::string stream_name;  // for shapes drawn when the fault fires
    Window window;
    Sides sides;
    bool symmetric = true;
    std::optional<LinkClass> link_class;
    Effect effect;
    nlohmann::json resolved;
  };
  explicit LinkRuleFault(Spec spec) : spec_(std::move(spec)) {}
  void schedule(FaultContext& context) const override {
    RuleId& rule_id = context.keep<RuleId>(0);
    std::string& target = context.keep<std::string>();
    const Spec& spec = context.keep<Spec>(spec_);
    Rng* rng = spec.sides.needs_rng() ? &context.kernel().stream(spec.stream_name) : nullptr;
    schedule_window(
        context, spec_.window, spec_.kind, spec_.kind,
        [&context, &rule_id, &spec, &target, rng] {
          if (context.ended()) return;
          // Sides are resolved when the fault fires: a placement names whoever holds it then.
          LinkRule rule = make_rule(spec.sides.resolve(context, rng), spec.symmetric, spec.link_class, spec.effect);
          target = describe_set(rule.from, context.network()) + (spec.symmetric ? " <-> " : " -> ") +
                   describe_set(rule.to, context.network());
          if (spec.link_class) target += " (" + std::string(link_class_name(*spec.link_class)) + ")";
          target += spec.effect.describe();
          rule_id = context.network().add_rule(std::move(rule));
          context.record(spec.kind, target, "start");
        },
        [&context, &rule_id, &target, kind = spec_.kind] {
          if (context.ended()) return;
          context.network().remove_rule(rule_id);
          context.record(kind, target, "end");
        });
  }
  nlohmann::json resolved() const override {
    nlohmann::json out = spec_.resolved;
    if (spec_.kind == "partition") out.update(spec_.sides.write());
    out["kind"] = spec_.kind;
    if (!spec_.symmetric && spec_.kind == "partition") out["one_way"] = true;
    spec_.window.write(out);
    return out;
  }

 private:
  Spec spec_;
};

LinkRuleFault::Spec start_spec(std::string kind, config::ObjectReader& entry, const FaultParseContext& context) {
  LinkRuleFault::Spec spec;
  spec.kind = std::move(kind);
  spec.stream_name = "faults/" + entry.path();
  spec.window = Window::read(entry, context);
  return spec;
}

// Where latency, loss and duplicate apply: at most one of a link class, two sides, a node's
// links or an AZ's links; none: every link.
void read_link_targets(config::ObjectReader& entry, const FaultParseContext& context, LinkRuleFault::Spec& spec) {
  int targets = 0;
  if (auto n = entry.optional("link_class")) {
    const std::string name = n->one_of({"same_az", "cross_az", "client_router"});
    spec.link_class = name == "same_az"    ? LinkClass::same_az
                      : name == "cross_az" ? LinkClass::cross_az
                                           : LinkClass::client_router;
    spec.resolved["link_class"] = name;
    ++targets;
  }
  if (auto n = entry.optional("between")) {
    const std::vector<config::Node> sides = n->array(2);
    if (sides.size() != 2) n->fail("an array of exactly two targets", std::to_string(sides.size()) + " elements");
    spec.sides.first = read_targets(sides[0], context);
    spec.sides.second = read_targets(sides[1], context);
    spec.resolved["between"] = {spec.sides.first, spec.sides.second};
    ++targets;
  }
  if (auto n = entry.optional("node")) {
    spec.sides.first = {read_node_name(*n, context, true)};
    spec.resolved["node"] = spec.sides.first.front();
    ++targets;
  }
  if (auto n = entry.optional("az")) {
    spec.sides.first = {read_az_name(*n, context)};
    spec.resolved["az"] = spec.sides.first.front();
    ++targets;
  }
  if (targets > 1)
    entry.fail("at most one of \"link_class\", \"between\", \"node\" and \"az\"", std::to_string(targets) + " of them");
}

void read_extra_latency(config::ObjectReader& entry, LinkRuleFault::Spec& spec) {
  spec.effect.extra_latency = entry.required("extra").duration_allow_zero();
  spec.resolved["extra"] = format_duration(spec.effect.extra_latency);
  if (auto n = entry.optional("jitter")) {
    spec.effect.jitter = n->duration_allow_zero();
    spec.resolved["jitter"] = format_duration(spec.effect.jitter);
  }
  if (spec.effect.extra_latency + spec.effect.jitter == Duration::zero())
    entry.fail("a positive \"extra\" or \"jitter\"", "both zero");
  if (spec.effect.extra_latency + spec.effect.jitter > hours(1))
    entry.fail("\"extra\" plus \"jitter\" of at most 1h", format_duration(spec.effect.extra_latency + spec.effect.jitter));
}

std::unique_ptr<Fault> parse_latency(config::ObjectReader& entry, const FaultParseContext& context) {
  LinkRuleFault::Spec spec = start_spec("latency", entry, context);
  read_extra_latency(entry, spec);
  read_link_targets(entry, context, spec);
  return std::make_unique<LinkRuleFault>(std::move(spec));
}

std::unique_ptr<Fault> parse_probabilistic(std::string kind, config::ObjectReader& entry,
                                           const FaultParseContext& context) {
  LinkRuleFault::Spec spec = start_spec(kind, entry, context);
  const double p = entry.required("probability").number_in(0.0, 1.0, false);
  (kind == "loss" ? spec.effect.loss : kind == "duplicate" ? spec.effect.duplicate : spec.effect.corrupt) = p;
  spec.resolved["probability"] = p;
  read_link_targets(entry, context, spec);
  return std::make_unique<LinkRuleFault>(std::move(spec));
}

Sides read_shape(config::ObjectReader& entry, const FaultParseContext& context) {
  Sides sides;
  const std::string shape =
      entry.has("shape") ? entry.required("shape").one_of({"between", "isolate", "leader_from_followers",
                                                           "majority_minority", "bridge"})
                         : "between";
  if (shape == "between") {
    const config::Node between = entry.required("between");
    const std::vector<config::Node> parts = between.array(2);
    if (parts.size() != 2) between.fail("an array of exactly two sides", std::to_string(parts.size()) + " elements");
    sides.first = read_targets(parts[0], context);
    sides.second = read_targets(parts[1], context);
  } else if (shape == "isolate") {
    sides.shape = Sides::Shape::isolate;
    sides.first = read_targets(entry.required("target"), context);
  } else if (shape == "leader_from_followers") {
    // The leader of the key's group cut from its followers; routers still reach everyone.
    const config::Node group = entry.required("group");
    config::ObjectReader fields = group.object();
    const config::Node table_node = fields.required("table");
    const std::string table = table_node.non_empty_string();
    if (std::find(context.topology.tables.begin(), context.topology.tables.end(), table) == context.topology.tables.end())
      table_node.fail("the name of a table (one of " + join(context.topology.tables) + ")", "\"" + table + "\"");
    const std::string key = std::to_string(fields.required("key").uint64());
    fields.finish();
    sides.first = {"leader_of:" + table + "/" + key};
    sides.second = {"followers_of:" + table + "/" + key};
  } else if (shape == "majority_minority") {
    sides.shape = Sides::Shape::majority_minority;
    if (auto n = entry.optional("role")) sides.role = n->non_empty_string();
    if (!context.topology.has_role(sides.role)) entry.fail("a node role present in the topology", "\"" + sides.role + "\"");
    if (auto n = entry.optional("minority")) sides.first = read_targets(*n, context);
  } else {
    sides.shape = Sides::Shape::bridge;
    if (context.topology.azs.size() < 3) entry.fail("at least three AZs for a bridge", std::to_string(context.topology.azs.size()));
    if (auto n = entry.optional("bridge")) sides.first = {read_az_name(*n, context)};
  }
  return sides;
}

std::unique_ptr<Fault> parse_partition(config::ObjectReader& entry, const FaultParseContext& context) {
  LinkRuleFault::Spec spec = start_spec("partition", entry, context);
  spec.sides = read_shape(entry, context);
  spec.effect.drop = true;
  if (auto n = entry.optional("one_way")) spec.symmetric = !n->boolean();
  return std::make_unique<LinkRuleFault>(std::move(spec));
}

std::unique_ptr<Fault> parse_gray_link(config::ObjectReader& entry, const FaultParseContext& context) {
  LinkRuleFault::Spec spec = start_spec("gray_link", entry, context);
  spec.sides.first = read_targets(entry.required("from"), context);
  spec.sides.second = read_targets(entry.required("to"), context);
  spec.resolved["from"] = spec.sides.first;
  spec.resolved["to"] = spec.sides.second;
  spec.symmetric = false;
  spec.effect.drop = true;
  return std::make_unique<LinkRuleFault>(std::move(spec));
}

}  // namespace

void add_network_faults(FaultRegistry& registry) {
  registry.add("latency", parse_latency);
  registry.add("partition", parse_partition);
  registry.add("gray_link", parse_gray_link);
  registry.add("loss", [](config::ObjectReader& entry, const FaultParseContext& context) {
    return parse_probabilistic("loss", entry, context);
  });
  registry.add("corrupt", [](config::ObjectReader& entry, const FaultParseContext& context) {
    return parse_probabilistic("corrupt", entry, context);
  });
  registry.add("duplicate", [](config::ObjectReader& entry, const FaultParseContext& context) {
    return parse_probabilistic("duplicate", entry, context);
  });
}

}  // namespace sim::faults

namespace sim {

FaultParser role_slow_parser(std::string kind, std::string role, std::string needs) {
  return [kind, role, needs](config::ObjectReader& entry, const FaultParseContext& context) -> std::unique_ptr<Fault> {
    faults::LinkRuleFault::Spec spec = faults::start_spec(kind, entry, context);
    faults::read_extra_latency(entry, spec);
    spec.sides.first = faults::role_members(entry, context, role, needs);  // to every other node
    return std::make_unique<faults::LinkRuleFault>(std::move(spec));
  };
}

}  // namespace sim
