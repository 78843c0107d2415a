// Power faults: a node or an AZ loses power for a window, a role restarts, nodes join, and the
// chaos scheduler random_power_off (DynamoDB's power-off tests).
#include "sim/config/units.h"
#include "sim/faults/common.h"

#include <algorithm>

namespace sim::faults {

using config::format_duration;

namespace {

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
        context_.record_drawn({{"at", format_duration(kernel.now() - Time::zero())}, {"kind", "power_off"},
                               {"node", victim->name()}, {"duration", format_duration(down_for)}});
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

// Every node of a role down for the window (a service's whole fleet out).
class RoleOutageFault final : public Fault {
 public:
  RoleOutageFault(std::string kind, Window window, std::string role)
      : kind_(std::move(kind)), window_(window), role_(std::move(role)) {}
  void schedule(FaultContext& context) const override {
    std::vector<Node*>& affected = context.keep<std::vector<Node*>>();
    schedule_window(
        context, window_, kind_, kind_,
        [&context, &affected, kind = kind_, role = role_] {
          for (Node* node : context.network().nodes())
            if (node->role() == role) {
              context.hold_down(*node);
              affected.push_back(node);
            }
          context.record(kind, "every " + role + " node", "start");
        },
        [&context, &affected, kind = kind_, role = role_] {
          for (Node* node : affected) context.release(*node);
          affected.clear();
          context.record(kind, "every " + role + " node", "end");
        });
  }
  nlohmann::json resolved() const override {
    nlohmann::json out{{"kind", kind_}};
    window_.write(out);
    return out;
  }

 private:
  std::string kind_;
  Window window_;
  std::string role_;
};

}  // namespace

void add_power_faults(FaultRegistry& registry) {
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
  registry.add("random_power_off", parse_random_power_off);
  registry.add("restart", parse_restart);
  registry.add("add_nodes", parse_add_nodes);
}

}  // namespace sim::faults

namespace sim {

FaultParser role_outage_parser(std::string kind, std::string role, std::string needs) {
  return [kind, role, needs](config::ObjectReader& entry, const FaultParseContext& context) -> std::unique_ptr<Fault> {
    faults::Window window = faults::Window::read(entry, context);
    faults::role_members(entry, context, role, needs);
    return std::make_unique<faults::RoleOutageFault>(kind, window, role);
  };
}

}  // namespace sim
