// The builtin fault injectors and the chaos scheduler.
#include "sim/faults.h"

#include "sim/config/units.h"

#include <algorithm>

namespace sim {

using config::format_duration;

bool TopologyNames::has_az(std::string_view az) const {
  return std::find(azs.begin(), azs.end(), az) != azs.end();
}

const TopologyNames::NodeName* TopologyNames::find_node(std::string_view name) const {
  for (const NodeName& node : nodes)
    if (node.name == name) return &node;
  return nullptr;
}

bool TopologyNames::has_role(std::string_view role) const {
  return std::any_of(nodes.begin(), nodes.end(), [&](const NodeName& n) { return n.role == role; });
}

FaultContext::FaultContext(Kernel& kernel, Network& network)
    : kernel_(&kernel), network_(&network), actor_(kernel.register_actor("faults")) {}

void FaultContext::hold_down(Node& node) {
  if (ended_) return;
  if (holds_.size() <= node.id()) holds_.resize(node.id() + 1, 0);
  if (holds_[node.id()]++ == 0) {
    ++held_down_nodes_;
    node.power_off();
  }
}

void FaultContext::release(Node& node) {
  if (ended_) return;
  SIM_ASSERT_OP(holds_on(node), >, 0u);
  if (--holds_[node.id()] == 0) {
    --held_down_nodes_;
    node.power_on();
  }
}

std::size_t FaultContext::holds_on(const Node& node) const {
  return node.id() < holds_.size() ? holds_[node.id()] : 0;
}

void FaultContext::end_all() {
  if (ended_) return;
  for (NodeId id = 0; id < holds_.size(); ++id)
    if (holds_[id] > 0) {
      holds_[id] = 0;
      network_->node(id).power_on();
    }
  held_down_nodes_ = 0;
  network_->clear_rules();
  record("end_all", "every fault", "end");
  ended_ = true;
}

void FaultContext::record(std::string kind, std::string target, std::string phase) {
  records_.push_back(FaultRecord{kernel_->now(), std::move(kind), std::move(target), std::move(phase)});
}

Node& FaultContext::resolve_node(const std::string& target) const {
  const auto colon = target.find(':');
  if (colon == std::string::npos) {
    Node* node = network_->find_node(target);
    SIM_ASSERT(node != nullptr);  // names were checked when the scenario was read
    return *node;
  }
  SIM_ASSERT(resolver_ != nullptr);
  const auto slash = target.rfind('/');
  SIM_ASSERT(slash != std::string::npos && slash > colon);
  const std::string_view text(target);
  Node* node = resolver_(text.substr(0, colon), text.substr(colon + 1, slash - colon - 1),
                         std::stoull(target.substr(slash + 1)));
  SIM_ASSERT(node != nullptr);
  return *node;
}

void FaultContext::add_nodes(std::string_view role, std::uint32_t count) const {
  SIM_ASSERT(adder_ != nullptr);
  adder_(role, count);
}

NodeSet FaultContext::resolve_set(const std::vector<std::string>& names) const {
  NodeSet set;
  for (const std::string& name : names) {
    if (auto az = network_->find_az(name)) set.az_mask |= std::uint64_t{1} << *az;
    else set.add_node(resolve_node(name).id());
  }
  return set;
}

namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

// Longer than any run needs (a fault that never ends leaves out "duration"), and short enough that
// start + duration cannot overflow int64 nanoseconds.
constexpr Duration kLongestFault = hours(24 * 365);

std::string before_the_end(const FaultParseContext& context) {
  return "a time before the end of the scenario (" + format_duration(context.horizon) + ")";
}

// Fields every timed fault has: when it starts and, optionally, how long it lasts.
struct Window {
  Duration start;
  std::optional<Duration> length;

  static Window read(config::ObjectReader& entry, const FaultParseContext& context) {
    Window window;
    const config::Node at = entry.required("at");
    window.start = at.duration_allow_zero();
    if (window.start >= context.horizon) at.fail(before_the_end(context), "\"" + format_duration(window.start) + "\"");
    if (auto length = entry.optional("duration")) {
      window.length = length->duration();
      if (*window.length > kLongestFault)
        length->fail_expected("a positive duration of at most " + format_duration(kLongestFault) +
                              ", or no \"duration\" for a fault that never ends");
    }
    return window;
  }
  void write(nlohmann::json& out) const {
    out["at"] = format_duration(start);
    if (length) out["duration"] = format_duration(*length);
  }
};

// Schedules start() at the window's start and end() when it closes (if it closes).
template <class Start, class End>
void schedule_window(FaultContext& context, const Window& window, std::string_view kind,
                     std::string description, Start start, End end) {
  Kernel& kernel = context.kernel();
  const KindId start_kind = kernel.register_kind(std::string("fault.") + std::string(kind) + ".start");
  const KindId end_kind = kernel.register_kind(std::string("fault.") + std::string(kind) + ".end");
  struct Phase {
    std::string description;
    std::function<void()> action;
    void operator()() { action(); }
    void describe(std::string& out) const { out += description; }
  };
  std::optional<Duration> length = window.length;
  kernel.at(Time::zero() + window.start, Tag{context.actor(), start_kind},
            Phase{description, [&context, &kernel, length, end_kind, description, start, end]() {
                    start();
                    if (length)
                      kernel.after(*length, Tag{context.actor(), end_kind}, Phase{description, end});
                  }});
}

// {"leader_of": {"table": "orders", "key": 42}} or {"follower_of": {...}}: the node holding that
// role for the key's partition when the fault fires.
std::string read_placement(const config::Node& node, const FaultParseContext& context) {
  config::ObjectReader object = node.object();
  const bool leader = object.has("leader_of");
  const std::optional<config::Node> selector = object.optional(leader ? "leader_of" : "follower_of");
  if (!selector) object.fail("a placement: {\"leader_of\": {...}} or {\"follower_of\": {...}}", "neither key");
  config::ObjectReader fields = selector->object();
  const config::Node table_node = fields.required("table");
  const std::string table = table_node.non_empty_string();
  if (std::find(context.topology.tables.begin(), context.topology.tables.end(), table) == context.topology.tables.end())
    table_node.fail("the name of a table (one of " + join(context.topology.tables) + ")", "\"" + table + "\"");
  const std::uint64_t key = fields.required("key").uint64();
  fields.finish();
  object.finish();
  return std::string(leader ? "leader_of:" : "follower_of:") + table + "/" + std::to_string(key);
}

std::string read_node_name(const config::Node& node, const FaultParseContext& context,
                           bool allow_clients) {
  if (node.json().is_object()) return read_placement(node, context);
  const std::string name = node.non_empty_string();
  const TopologyNames::NodeName* found = context.topology.find_node(name);
  if (found == nullptr || (!allow_clients && found->is_client))
    node.fail("the name of a service node such as \"" +
                  (context.topology.nodes.empty() ? std::string("az1/storage0")
                                                  : context.topology.nodes.front().name) +
                  "\"",
              "\"" + name + "\", which is " +
                  (found == nullptr ? "not a node of this topology" : "a client, not a service node"));
  return name;
}

std::string read_az_name(const config::Node& node, const FaultParseContext& context) {
  const std::string name = node.non_empty_string();
  if (!context.topology.has_az(name))
    node.fail("the name of an AZ (one of " + join(context.topology.azs) + ")",
              "\"" + name + "\", which is not an AZ of this topology");
  return name;
}

// A string or a non-empty array of strings, each an AZ or a node.
std::vector<std::string> read_targets(const config::Node& node, const FaultParseContext& context) {
  std::vector<config::Node> items;
  if (node.json().is_array()) items = node.array(1);
  else items.push_back(node);
  std::vector<std::string> names;
  for (const config::Node& item : items) {
    if (item.json().is_object()) {
      names.push_back(read_placement(item, context));
      continue;
    }
    const std::string name = item.non_empty_string();
    if (!context.topology.has_az(name) && context.topology.find_node(name) == nullptr)
      item.fail("the name of an AZ or a node", "\"" + name + "\", which is neither");
    names.push_back(name);
  }
  return names;
}

class PowerOffFault final : public Fault {
 public:
  PowerOffFault(Window window, std::string node) : window_(window), node_(std::move(node)) {}
  void schedule(FaultContext& context) const override {
    Node*& victim = context.keep<Node*>(nullptr);
    const std::string target = node_;
    schedule_window(
        context, window_, "power_off", "power_off " + node_,
        [&context, &victim, target] {
          victim = &context.resolve_node(target);  // a placement is resolved when it fires
          context.hold_down(*victim);
          context.record("power_off", victim->name() == target ? target : victim->name() + " (" + target + ")", "start");
        },
        [&context, &victim] {
          context.release(*victim);
          context.record("power_off", victim->name(), "end");
        });
  }
  nlohmann::json resolved() const override {
    nlohmann::json out{{"kind", "power_off"}, {"node", node_}};
    window_.write(out);
    return out;
  }

 private:
  Window window_;
  std::string node_;
};

class AzOutageFault final : public Fault {
 public:
  AzOutageFault(Window window, std::string az, bool clients)
      : window_(window), az_(std::move(az)), clients_(clients) {}
  void schedule(FaultContext& context) const override {
    const AzId az = *context.network().find_az(az_);
    std::vector<Node*>& affected = context.keep<std::vector<Node*>>();
    const bool clients = clients_;
    schedule_window(
        context, window_, "az_outage", "az_outage " + az_,
        [&context, az, &affected, clients, name = az_] {
          for (Node* node : context.network().nodes())
            if (node->az() == az && (clients || !node->is_client())) {
              context.hold_down(*node);
              affected.push_back(node);
            }
          context.record("az_outage", name, "start");
        },
        [&context, &affected, name = az_] {
          for (Node* node : affected) context.release(*node);
          affected.clear();
          context.record("az_outage", name, "end");
        });
  }
  nlohmann::json resolved() const override {
    nlohmann::json out{{"kind", "az_outage"}, {"az", az_}, {"clients", clients_}};
    window_.write(out);
    return out;
  }

 private:
  Window window_;
  std::string az_;
  bool clients_;
};

// A LinkRule that holds for the window: latency, partition and gray_link are all this.
class LinkRuleFault final : public Fault {
 public:
  struct Spec {
    std::string kind;
    Window window;
    std::vector<std::string> from;  // empty: everyone
    std::vector<std::string> to;    // empty: everyone
    bool symmetric = true;
    std::optional<LinkClass> link_class;
    bool drop = false;
    Duration extra_latency;
    nlohmann::json resolved;
  };
  explicit LinkRuleFault(Spec spec) : spec_(std::move(spec)) {}
  void schedule(FaultContext& context) const override {
    RuleId& rule_id = context.keep<RuleId>(0);
    const std::string target = describe_target();
    const Spec& spec = context.keep<Spec>(spec_);
    schedule_window(
        context, spec_.window, spec_.kind, spec_.kind + " " + target,
        [&context, &rule_id, &spec, target] {
          if (context.ended()) return;
          // Sides are resolved when the fault fires: a placement names whoever holds it then.
          LinkRule rule;
          rule.from = spec.from.empty() ? NodeSet::all() : context.resolve_set(spec.from);
          rule.to = spec.to.empty() ? NodeSet::all() : context.resolve_set(spec.to);
          rule.symmetric = spec.symmetric;
          rule.link_class = spec.link_class;
          rule.drop = spec.drop;
          rule.extra_latency = spec.extra_latency;
          rule_id = context.network().add_rule(std::move(rule));
          context.record(spec.kind, target, "start");
        },
        [&context, &rule_id, target, kind = spec_.kind] {
          if (context.ended()) return;
          context.network().remove_rule(rule_id);
          context.record(kind, target, "end");
        });
  }
  nlohmann::json resolved() const override {
    nlohmann::json out = spec_.resolved;
    out["kind"] = spec_.kind;
    spec_.window.write(out);
    return out;
  }

 private:
  std::string describe_target() const {
    std::string out = spec_.from.empty() ? "*" : join(spec_.from);
    out += spec_.symmetric ? " <-> " : " -> ";
    out += spec_.to.empty() ? "*" : join(spec_.to);
    if (spec_.link_class) out += " (" + std::string(link_class_name(*spec_.link_class)) + ")";
    if (spec_.extra_latency > Duration::zero()) out += " +" + format_duration(spec_.extra_latency);
    return out;
  }
  Spec spec_;
};

std::unique_ptr<Fault> parse_latency(config::ObjectReader& entry, const FaultParseContext& context) {
  LinkRuleFault::Spec spec;
  spec.kind = "latency";
  spec.window = Window::read(entry, context);
  spec.extra_latency = entry.required("extra").duration();
  spec.resolved["extra"] = format_duration(spec.extra_latency);
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
    spec.from = read_targets(sides[0], context);
    spec.to = read_targets(sides[1], context);
    spec.resolved["between"] = {spec.from, spec.to};
    ++targets;
  }
  if (auto n = entry.optional("node")) {
    spec.from = {read_node_name(*n, context, true)};
    spec.resolved["node"] = spec.from.front();
    ++targets;
  }
  if (auto n = entry.optional("az")) {
    spec.from = {read_az_name(*n, context)};
    spec.resolved["az"] = spec.from.front();
    ++targets;
  }
  if (targets > 1)
    entry.fail("at most one of \"link_class\", \"between\", \"node\" and \"az\"",
                    std::to_string(targets) + " of them");
  return std::make_unique<LinkRuleFault>(std::move(spec));
}

std::unique_ptr<Fault> parse_partition(config::ObjectReader& entry, const FaultParseContext& context) {
  LinkRuleFault::Spec spec;
  spec.kind = "partition";
  spec.window = Window::read(entry, context);
  const config::Node between = entry.required("between");
  const std::vector<config::Node> sides = between.array(2);
  if (sides.size() != 2) between.fail("an array of exactly two sides", std::to_string(sides.size()) + " elements");
  spec.from = read_targets(sides[0], context);
  spec.to = read_targets(sides[1], context);
  spec.drop = true;
  spec.resolved["between"] = {spec.from, spec.to};
  return std::make_unique<LinkRuleFault>(std::move(spec));
}

std::unique_ptr<Fault> parse_gray_link(config::ObjectReader& entry, const FaultParseContext& context) {
  LinkRuleFault::Spec spec;
  spec.kind = "gray_link";
  spec.window = Window::read(entry, context);
  spec.from = read_targets(entry.required("from"), context);
  spec.to = read_targets(entry.required("to"), context);
  spec.symmetric = false;
  spec.drop = true;
  spec.resolved["from"] = spec.from;
  spec.resolved["to"] = spec.to;
  return std::make_unique<LinkRuleFault>(std::move(spec));
}

// Powers off random nodes of a role as a Poisson process, each for a drawn time, never more
// than `max_down` at once: DynamoDB's power-off tests, within the budget the design tolerates.
// Powers off random nodes of a role as a Poisson process, each for a drawn time, never more
// than `max_down` at once: DynamoDB's power-off tests, within the budget the design tolerates.
class RandomPowerOff final : public Fault {
 public:
  struct Spec {
    std::string stream_name;
    double per_hour = 1.0;
    std::string role;
    DurationDistribution down;
    Duration start;
    Duration end;
    std::uint32_t max_down = 1;
  };
  explicit RandomPowerOff(Spec spec) : spec_(std::move(spec)) {}

  void schedule(FaultContext& context) const override {
    Runner& runner = context.keep<Runner>(spec_, context);
    runner.schedule_next(Time::zero() + spec_.start);
  }
  nlohmann::json resolved() const override {
    return {{"kind", "random_power_off"}, {"per_hour", spec_.per_hour},
            {"role", spec_.role}, {"down", config::write_duration_distribution(spec_.down)},
            {"start", format_duration(spec_.start)}, {"end", format_duration(spec_.end)},
            {"max_down", spec_.max_down}};
  }

 private:
  class Runner {
   public:
    Runner(const Spec& spec, FaultContext& context)
        : spec_(spec),
          context_(context),
          rng_(context.kernel().stream(spec.stream_name)),
          arrival_kind_(context.kernel().register_kind("fault.random_power_off.arrival")),
          end_kind_(context.kernel().register_kind("fault.random_power_off.end")) {}

    void schedule_next(Time from) {
      const double mean_gap_ns = 3600e9 / spec_.per_hour;
      const Time next =
          from + Duration::from_nanos(static_cast<std::int64_t>(rng_.exponential(mean_gap_ns)));
      if (next >= Time::zero() + spec_.end) return;
      context_.kernel().at(next, Tag{context_.actor(), arrival_kind_}, [this] { arrive(); });
    }

   private:
    void arrive() {
      Kernel& kernel = context_.kernel();
      std::vector<Node*> candidates;
      for (Node* node : context_.network().nodes())
        if (node->role() == spec_.role && node->powered() && context_.holds_on(*node) == 0)
          candidates.push_back(node);
      if (down_now_ >= spec_.max_down || candidates.empty()) {
        context_.record("random_power_off", spec_.role, "skipped");
      } else {
        Node* victim = candidates[rng_.below(candidates.size())];
        const Duration down_for = spec_.down.sample(rng_);
        ++down_now_;
        context_.hold_down(*victim);
        // Shown to the millisecond: the record is for people; the run keeps the exact draw.
        context_.record("random_power_off",
                        victim->name() + " for " + format_duration(Duration::from_nanos(down_for.nanos() / 1'000'000 * 1'000'000)),
                        "start");
        kernel.after(down_for, Tag{context_.actor(), end_kind_}, [this, victim] {
          --down_now_;
          context_.release(*victim);
          context_.record("random_power_off", victim->name(), "end");
        });
      }
      schedule_next(kernel.now());
    }

    const Spec spec_;  // a copy: the run must not depend on the scenario object's lifetime
    FaultContext& context_;
    Rng& rng_;
    KindId arrival_kind_;
    KindId end_kind_;
    std::uint32_t down_now_ = 0;
  };

  Spec spec_;
};

std::unique_ptr<Fault> parse_random_power_off(config::ObjectReader& entry,
                                              const FaultParseContext& context) {
  RandomPowerOff::Spec spec;
  spec.stream_name = "faults/" + entry.path();
  spec.per_hour = entry.required("per_hour").number_in(0.0, 1e6, false);
  spec.role = "storage";
  const std::optional<config::Node> role = entry.optional("role");
  if (role) spec.role = role->non_empty_string();
  if (!context.topology.has_role(spec.role)) {
    const std::string expected = "a node role present in the topology";
    if (role) role->fail(expected, "\"" + spec.role + "\"");
    entry.fail(expected, "no node with the default role \"" + spec.role + "\"");
  }
  spec.down = config::read_duration_distribution(entry.required("down"));
  spec.end = context.horizon;
  if (auto n = entry.optional("start")) {
    spec.start = n->duration_allow_zero();
    if (spec.start >= context.horizon) n->fail(before_the_end(context), "\"" + format_duration(spec.start) + "\"");
  }
  if (auto n = entry.optional("end")) {
    spec.end = n->duration();
    if (spec.end <= spec.start)
      n->fail("a time after \"start\" (" + format_duration(spec.start) + ")", "\"" + format_duration(spec.end) + "\"");
  }
  if (spec.end > context.horizon) spec.end = context.horizon;
  if (auto n = entry.optional("max_down")) spec.max_down = static_cast<std::uint32_t>(n->uint64_in(1, 1000));
  return std::make_unique<RandomPowerOff>(std::move(spec));
}

// Power-cycles every node matched by role, AZ or name: each loses its volatile state (a router
// its caches) and comes back after `down`; `stagger` spreads the restarts evenly over a window.
class RestartFault final : public Fault {
 public:
  struct Spec {
    Duration at;
    std::string role;  // or
    std::string az;    // or
    std::string node;
    Duration down;
    Duration stagger;
  };
  explicit RestartFault(Spec spec) : spec_(std::move(spec)) {}
  void schedule(FaultContext& context) const override {
    Kernel& kernel = context.kernel();
    const KindId kind = kernel.register_kind("fault.restart");
    const Spec spec = spec_;
    kernel.at(Time::zero() + spec.at, Tag{context.actor(), kind}, [&context, &kernel, spec, kind] {
      std::vector<Node*> victims;
      for (Node* node : context.network().nodes()) {
        const bool match = (!spec.role.empty() && node->role() == spec.role) ||
                           (!spec.az.empty() && context.network().az_name(node->az()) == spec.az) ||
                           (!spec.node.empty() && node->name() == spec.node);
        if (match && node->powered()) victims.push_back(node);
      }
      context.record("restart", std::to_string(victims.size()) + " nodes (" + (spec.role.empty() ? spec.az + spec.node : spec.role) + ")", "start");
      for (std::size_t i = 0; i < victims.size(); ++i) {
        Node* node = victims[i];
        const Duration delay = victims.size() > 1 ? spec.stagger * static_cast<std::int64_t>(i) / static_cast<std::int64_t>(victims.size()) : Duration::zero();
        kernel.after(delay, Tag{context.actor(), kind}, [&context, &kernel, node, spec, kind] {
          context.hold_down(*node);
          kernel.after(spec.down, Tag{context.actor(), kind}, [&context, node] { context.release(*node); });
        });
      }
    });
  }
  nlohmann::json resolved() const override {
    nlohmann::json out{{"kind", "restart"}, {"at", format_duration(spec_.at)}, {"down", format_duration(spec_.down)},
                       {"stagger", format_duration(spec_.stagger)}};
    if (!spec_.role.empty()) out["role"] = spec_.role;
    if (!spec_.az.empty()) out["az"] = spec_.az;
    if (!spec_.node.empty()) out["node"] = spec_.node;
    return out;
  }

 private:
  Spec spec_;
};

std::unique_ptr<Fault> parse_restart(config::ObjectReader& entry, const FaultParseContext& context) {
  RestartFault::Spec spec;
  const config::Node at = entry.required("at");
  spec.at = at.duration_allow_zero();
  if (spec.at >= context.horizon)
    at.fail("a time before the end of the scenario (" + format_duration(context.horizon) + ")", "\"" + format_duration(spec.at) + "\"");
  int targets = 0;
  if (auto n = entry.optional("role")) {
    spec.role = n->non_empty_string();
    if (!context.topology.has_role(spec.role)) n->fail("a node role present in the topology", "\"" + spec.role + "\"");
    ++targets;
  }
  if (auto n = entry.optional("az")) {
    spec.az = read_az_name(*n, context);
    ++targets;
  }
  if (auto n = entry.optional("node")) {
    spec.node = n->non_empty_string();
    if (context.topology.find_node(spec.node) == nullptr) n->fail("the name of a node", "\"" + spec.node + "\"");
    ++targets;
  }
  if (targets != 1) entry.fail("exactly one of \"role\", \"az\" and \"node\"", std::to_string(targets) + " of them");
  spec.down = seconds(1);
  if (auto n = entry.optional("down")) spec.down = n->duration_allow_zero();
  if (auto n = entry.optional("stagger")) spec.stagger = n->duration_allow_zero();
  if (spec.down > kLongestFault || spec.stagger > kLongestFault)
    entry.fail("\"down\" and \"stagger\" of at most " + format_duration(kLongestFault), "longer ones");
  return std::make_unique<RestartFault>(std::move(spec));
}

// Scale-out: new nodes of a role join at a time (the models build them; they start cold).
class AddNodesFault final : public Fault {
 public:
  AddNodesFault(Duration at, std::string role, std::uint32_t count) : at_(at), role_(std::move(role)), count_(count) {}
  void schedule(FaultContext& context) const override {
    Kernel& kernel = context.kernel();
    const std::string role = role_;
    const std::uint32_t count = count_;
    kernel.at(Time::zero() + at_, Tag{context.actor(), kernel.register_kind("fault.add_nodes")}, [&context, role, count] {
      if (context.ended()) return;
      context.add_nodes(role, count);
      context.record("add_nodes", std::to_string(count) + " " + role + "s", "start");
    });
  }
  nlohmann::json resolved() const override {
    return {{"kind", "add_nodes"}, {"at", format_duration(at_)}, {"role", role_}, {"count", count_}};
  }

 private:
  Duration at_;
  std::string role_;
  std::uint32_t count_;
};

std::unique_ptr<Fault> parse_add_nodes(config::ObjectReader& entry, const FaultParseContext& context) {
  const config::Node at = entry.required("at");
  const Duration when = at.duration_allow_zero();
  if (when >= context.horizon)
    at.fail("a time before the end of the scenario (" + format_duration(context.horizon) + ")", "\"" + format_duration(when) + "\"");
  std::string role = entry.required("role").one_of({"router"});
  const auto count = static_cast<std::uint32_t>(entry.required("count").uint64_in(1, 100'000));
  return std::make_unique<AddNodesFault>(when, std::move(role), count);
}

}  // namespace

FaultRegistry FaultRegistry::with_builtin_faults() {
  FaultRegistry registry;
  registry.add("power_off", [](config::ObjectReader& entry, const FaultParseContext& context) {
    Window window = Window::read(entry, context);
    std::string node = read_node_name(entry.required("node"), context, false);
    return std::make_unique<PowerOffFault>(window, std::move(node));
  });
  registry.add("az_outage", [](config::ObjectReader& entry, const FaultParseContext& context) {
    Window window = Window::read(entry, context);
    std::string az = read_az_name(entry.required("az"), context);
    bool clients = false;
    if (auto n = entry.optional("clients")) clients = n->boolean();
    return std::make_unique<AzOutageFault>(window, std::move(az), clients);
  });
  registry.add("latency", parse_latency);
  registry.add("partition", parse_partition);
  registry.add("gray_link", parse_gray_link);
  registry.add("random_power_off", parse_random_power_off);
  registry.add("restart", parse_restart);
  registry.add("add_nodes", parse_add_nodes);
  return registry;
}

void FaultRegistry::add(std::string kind, FaultParser parser) {
  SIM_ASSERT(parsers_.find(kind) == parsers_.end());
  parsers_.emplace(std::move(kind), std::move(parser));
}

std::vector<std::string> FaultRegistry::kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, parser] : parsers_) out.push_back(kind);
  return out;
}

std::unique_ptr<Fault> FaultRegistry::parse(const config::Node& entry,
                                            const FaultParseContext& context) const {
  config::ObjectReader object = entry.object();
  std::vector<std::string_view> choices;
  for (const auto& [kind, parser] : parsers_) choices.push_back(kind);
  const config::Node kind_node = object.required("kind");
  const std::string kind = kind_node.non_empty_string();
  auto it = parsers_.find(kind);
  if (it == parsers_.end()) kind_node.fail("a fault kind (one of " + join(kinds()) + ")", "\"" + kind + "\"");
  std::unique_ptr<Fault> fault = it->second(object, context);
  object.finish();
  return fault;
}

}  // namespace sim
