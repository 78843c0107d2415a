// Chaos: disturbances drawn at random as Poisson processes (random_partition, random_loss,
// random_latency, random_duplicate, random_pause), and swarm testing (faults.swarm, as
// TigerBeetle's VOPR does it): each seed draws which kinds are on and how hard, within stated
// bounds, from a stream of each kind's own, so adding a kind does not reshuffle the others.
#include "sim/faults/chaos.h"

#include "sim/config/units.h"
#include "sim/faults/network_rules.h"

#include <algorithm>
#include <cmath>

namespace sim::faults {

using config::format_duration;

namespace {

constexpr std::array<std::string_view, 6> kShapes{"isolate_node", "isolate_az", "leader_from_followers",
                                                 "majority_minority", "bridge", "one_way"};

std::string percent(double p) { return std::to_string(static_cast<int>(std::lround(p * 100))) + "%"; }

// Runs one kind of random disturbance: arrivals, at most `max_active` at once, each for a
// drawn time. Everything it draws comes from its one stream.
class ChaosRunner {
 public:
  ChaosRunner(const ChaosSpec& spec, ChaosSpec::Drawn drawn, FaultContext& context, Rng& rng)
      : spec_(spec),
        drawn_(drawn),
        context_(context),
        rng_(rng),
        arrival_kind_(context.kernel().register_kind("fault.chaos." + spec.kind + ".arrival")),
        end_kind_(context.kernel().register_kind("fault.chaos." + spec.kind + ".end")) {}

  void start() {
    if (drawn_.per_hour > 0) schedule_next(Time::zero() + spec_.start);
  }

 private:
  void schedule_next(Time from) {
    const double mean_gap_ns = 3600e9 / drawn_.per_hour;
    const double gap = rng_.exponential(mean_gap_ns);
    if (gap >= static_cast<double>((spec_.end - (from - Time::zero())).nanos())) return;
    const Time next = from + Duration::from_nanos(static_cast<std::int64_t>(gap));
    context_.kernel().at(next, Tag{context_.actor(), arrival_kind_}, [this] { arrive(); });
  }

  void arrive() {
    if (!context_.ended()) {
      std::string what;
      drawn_entry_ = nullptr;
      std::function<void()> end = active_ < spec_.max_active ? begin(what) : nullptr;
      if (!end) {
        context_.record(spec_.kind, what.empty() ? "nothing to hit" : what, "skipped");
      } else {
        const Duration lasts = Duration::from_nanos(rng_.uniform_int(spec_.duration.min.nanos(), spec_.duration.max.nanos()));
        if (!drawn_entry_.is_null()) {
          drawn_entry_["at"] = format_duration(context_.kernel().now() - Time::zero());
          drawn_entry_["duration"] = format_duration(lasts);
          context_.record_drawn(std::move(drawn_entry_));
        }
        drawn_entry_ = nullptr;
        ++active_;
        context_.record(spec_.kind, what + " for " + format_duration(Duration::from_nanos(lasts.nanos() / 1'000'000 * 1'000'000)),
                        "start");
        context_.kernel().after(lasts, Tag{context_.actor(), end_kind_}, [this, end = std::move(end), what] {
          --active_;
          if (context_.ended()) return;
          end();
          context_.record(spec_.kind, what, "end");
        });
      }
    }
    schedule_next(context_.kernel().now());
  }

  // A random node of the spec's role that no fault holds down or pauses.
  Node* pick_node() {
    std::vector<Node*> candidates;
    for (Node* node : context_.network().nodes())
      if (node->role() == spec_.role && node->powered() && context_.holds_on(*node) == 0 && !context_.paused(*node))
        candidates.push_back(node);
    return candidates.empty() ? nullptr : candidates[rng_.below(candidates.size())];
  }

  std::function<void()> add_rule(std::pair<NodeSet, NodeSet> sides, bool symmetric, const Effect& effect,
                                 std::string& what) {
    Network& network = context_.network();
    what = describe_set(sides.first, network) + (symmetric ? " <-> " : " -> ") + describe_set(sides.second, network) +
           effect.describe();
    const RuleId id = network.add_rule(make_rule(std::move(sides), symmetric, std::nullopt, effect));
    return [&network, id] { network.remove_rule(id); };
  }

  // Loss, latency and duplication hit one node's links or one AZ's links to the other AZs.
  std::pair<NodeSet, NodeSet> pick_links() {
    if (rng_.bernoulli(0.5)) {
      if (Node* node = pick_node()) {
        drawn_entry_["node"] = node->name();
        return {NodeSet::of_node(node->id()), NodeSet::of_node(node->id()).inverted()};
      }
    }
    const auto az = static_cast<AzId>(rng_.below(context_.network().az_count()));
    drawn_entry_["between"] = nlohmann::json::array({std::vector<std::string>{context_.network().az_name(az)}, other_azs(az)});
    return {NodeSet::of_az(az), NodeSet::of_az(az).inverted()};
  }

  std::vector<std::string> other_azs(std::optional<AzId> but) const {
    std::vector<std::string> names;
    for (AzId a = 0; a < context_.network().az_count(); ++a)
      if (a != but) names.push_back(context_.network().az_name(a));
    return names;
  }

  std::function<void()> begin(std::string& what) {
    if (spec_.kind == "power_off" || spec_.kind == "pause") {
      Node* victim = pick_node();
      if (victim == nullptr) return nullptr;
      what = victim->name();
      drawn_entry_ = {{"kind", spec_.kind}, {"node", victim->name()}};
      FaultContext& context = context_;
      if (spec_.kind == "pause") {
        context.pause(*victim);
        return [&context, victim] { context.resume(*victim); };
      }
      context.hold_down(*victim);
      return [&context, victim] { context.release(*victim); };
    }
    Effect effect;
    if (spec_.kind == "loss") effect.loss = drawn_.intensity;
    if (spec_.kind == "duplicate") effect.duplicate = drawn_.intensity;
    if (spec_.kind == "latency") {
      effect.extra_latency = drawn_.extra;
      effect.jitter = drawn_.jitter;
    }
    if (spec_.kind != "partition") {
      // An episode that changes nothing (a zero probability or latency) has no timeline form.
      const bool effective = effect.loss > 0 || effect.duplicate > 0 || effect.extra_latency + effect.jitter > Duration::zero();
      if (effective) drawn_entry_ = {{"kind", spec_.kind}};
      if (spec_.kind == "latency") {
        drawn_entry_["extra"] = format_duration(effect.extra_latency);
        if (effect.jitter > Duration::zero()) drawn_entry_["jitter"] = format_duration(effect.jitter);
      } else {
        drawn_entry_["probability"] = drawn_.intensity;
      }
      auto end = add_rule(pick_links(), true, effect, what);
      if (!effective) drawn_entry_ = nullptr;
      return end;
    }
    effect.drop = true;
    drawn_entry_ = {{"kind", "partition"}};
    return begin_partition(effect, what);
  }

  std::function<void()> begin_partition(const Effect& effect, std::string& what) {
    const std::string& shape = spec_.shapes[rng_.below(spec_.shapes.size())];
    Sides sides;
    if (shape == "isolate_node" || shape == "one_way") {
      Node* node = pick_node();
      if (node == nullptr) return nullptr;
      const NodeSet set = NodeSet::of_node(node->id());
      // One way: the node cannot send, or cannot receive; its heartbeats may still go out.
      if (shape == "one_way") {
        const bool cannot_send = rng_.bernoulli(0.5);
        drawn_entry_ = {{"kind", "gray_link"}, {"from", std::vector<std::string>{node->name()}}, {"to", other_azs(std::nullopt)}};
        if (!cannot_send) std::swap(drawn_entry_["from"], drawn_entry_["to"]);
        return cannot_send ? add_rule({set, set.inverted()}, false, effect, what)
                           : add_rule({set.inverted(), set}, false, effect, what);
      }
      drawn_entry_["shape"] = "isolate";
      drawn_entry_["target"] = std::vector<std::string>{node->name()};
      return add_rule({set, set.inverted()}, true, effect, what);
    }
    if (shape == "isolate_az") {
      const auto az = static_cast<AzId>(rng_.below(context_.network().az_count()));
      drawn_entry_["shape"] = "isolate";
      drawn_entry_["target"] = std::vector<std::string>{context_.network().az_name(az)};
      return add_rule({NodeSet::of_az(az), NodeSet::of_az(az).inverted()}, true, effect, what);
    }
    if (shape == "leader_from_followers") {
      if (!context_.has_placement_resolver() || spec_.tables.empty()) return nullptr;
      const std::string& table = spec_.tables[rng_.below(spec_.tables.size())];
      const std::uint64_t key_number = rng_.next_u64();
      const std::string key = std::to_string(key_number);
      drawn_entry_["shape"] = "leader_from_followers";
      drawn_entry_["group"] = {{"table", table}, {"key", key_number}};
      sides.first = {"leader_of:" + table + "/" + key};
      sides.second = {"followers_of:" + table + "/" + key};
    } else if (shape == "majority_minority") {
      sides.shape = Sides::Shape::majority_minority;
      sides.role = spec_.role;
    } else {
      SIM_ASSERT(shape == "bridge");
      if (context_.network().az_count() < 3) return nullptr;
      sides.shape = Sides::Shape::bridge;
    }
    std::pair<NodeSet, NodeSet> resolved = sides.resolve(context_, &rng_);
    if (sides.shape == Sides::Shape::majority_minority) {
      drawn_entry_["shape"] = "majority_minority";
      drawn_entry_["role"] = spec_.role;
      std::vector<std::string> minority;
      for (NodeId id : resolved.first.nodes) minority.push_back(context_.network().node(id).name());
      drawn_entry_["minority"] = minority;
      if (minority.empty()) drawn_entry_ = nullptr;  // one node: nobody is cut off
    } else if (sides.shape == Sides::Shape::bridge) {
      drawn_entry_["shape"] = "bridge";
      for (AzId a = 0; a < context_.network().az_count(); ++a)
        if ((((resolved.first.az_mask | resolved.second.az_mask) >> a) & 1u) == 0) drawn_entry_["bridge"] = context_.network().az_name(a);
    }
    return add_rule(std::move(resolved), true, effect, what);
  }

  const ChaosSpec spec_;  // a copy: the run must not depend on the scenario object's lifetime
  const ChaosSpec::Drawn drawn_;
  FaultContext& context_;
  Rng& rng_;
  KindId arrival_kind_;
  KindId end_kind_;
  std::uint32_t active_ = 0;
  nlohmann::json drawn_entry_;  // the episode being begun, as a timeline entry (null: none)
};

}  // namespace

ChaosSpec::Drawn ChaosSpec::draw(Rng& rng) const {
  // One draw per bound, always in this order, whether or not the kind uses it.
  Drawn drawn;
  drawn.per_hour = rng.uniform(per_hour.min, per_hour.max);
  drawn.intensity = rng.uniform(intensity.min, intensity.max);
  drawn.extra = Duration::from_nanos(rng.uniform_int(extra.min.nanos(), extra.max.nanos()));
  drawn.jitter = Duration::from_nanos(rng.uniform_int(jitter.min.nanos(), jitter.max.nanos()));
  return drawn;
}

std::string ChaosSpec::describe(const Drawn& drawn) const {
  std::string out = fmt_rate(drawn.per_hour) + "/h, " + format_duration(duration.min) + ".." + format_duration(duration.max);
  if (kind == "loss" || kind == "duplicate") out += ", " + percent(drawn.intensity);
  if (kind == "latency") out += ", +" + format_duration(drawn.extra) + " jitter " + format_duration(drawn.jitter);
  if (kind == "partition") out += ", shapes " + join(shapes);
  if (kind == "power_off" || kind == "pause" || kind == "partition") out += ", " + role;
  return out;
}

std::string ChaosSpec::fmt_rate(double per_hour) {
  const double tenths = std::round(per_hour * 10) / 10;
  std::string out = std::to_string(tenths);
  out.erase(out.find_last_not_of('0') + 1);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

nlohmann::json ChaosSpec::write() const {
  nlohmann::json out{{"per_hour", write_range(per_hour)}, {"duration", write_range(duration)},
                     {"max_active", max_active}};
  if (kind == "power_off" || kind == "pause" || kind == "partition") out["role"] = role;
  if (kind == "loss" || kind == "duplicate") out["probability"] = write_range(intensity);
  if (kind == "latency") {
    out["extra"] = write_range(extra);
    out["jitter"] = write_range(jitter);
  }
  if (kind == "partition") out["shapes"] = shapes;
  return out;
}

ChaosSpec ChaosSpec::read(std::string kind, config::ObjectReader& entry, const FaultParseContext& context) {
  ChaosSpec spec;
  spec.kind = std::move(kind);
  spec.stream_name = "faults/" + entry.path();
  spec.per_hour = read_number_range(entry.required("per_hour"), 0.0, 36'000.0);
  spec.duration = read_duration_range(entry.required(spec.kind == "power_off" ? "down" : "duration"));
  if (spec.duration.min == Duration::zero())
    entry.fail("a positive shortest " + std::string(spec.kind == "power_off" ? "\"down\"" : "\"duration\""), "0s");
  spec.end = context.horizon;
  if (auto n = entry.optional("max_active")) spec.max_active = static_cast<std::uint32_t>(n->uint64_in(1, 1000));
  if (spec.kind == "power_off" || spec.kind == "pause" || spec.kind == "partition") {
    if (auto n = entry.optional("role")) spec.role = n->non_empty_string();
    if (!context.topology.has_role(spec.role)) entry.fail("a node role present in the topology", "\"" + spec.role + "\"");
  }
  if (spec.kind == "loss" || spec.kind == "duplicate") {
    spec.intensity = read_number_range(entry.required("probability"), 0.0, 1.0);
  }
  if (spec.kind == "latency") {
    spec.extra = read_duration_range(entry.required("extra"));
    if (auto n = entry.optional("jitter")) spec.jitter = read_duration_range(*n);
    if (spec.extra.max + spec.jitter.max > hours(1)) entry.fail("\"extra\" plus \"jitter\" of at most 1h", "more");
  }
  if (spec.kind == "partition") {
    spec.tables = context.topology.tables;
    if (auto n = entry.optional("shapes")) {
      for (const config::Node& shape : n->array(1)) {
        const std::string name = shape.one_of({kShapes[0], kShapes[1], kShapes[2], kShapes[3], kShapes[4], kShapes[5]});
        if (name == "bridge" && context.topology.azs.size() < 3) shape.fail("a shape this topology allows", "\"bridge\" with fewer than three AZs");
        spec.shapes.push_back(name);
      }
    } else {
      spec.shapes.assign(kShapes.begin(), kShapes.end());
      if (context.topology.azs.size() < 3) spec.shapes.erase(std::find(spec.shapes.begin(), spec.shapes.end(), "bridge"));
    }
  }
  return spec;
}

void ChaosSpec::run(FaultContext& context, Drawn drawn, Rng& rng) const {
  ChaosRunner& runner = context.keep<ChaosRunner>(*this, drawn, context, rng);
  runner.start();
}

namespace {

// random_partition, random_loss, ...: one kind, always on, at the drawn rate and intensity.
class RandomChaos final : public Fault {
 public:
  explicit RandomChaos(ChaosSpec spec) : spec_(std::move(spec)) {}
  void schedule(FaultContext& context) const override {
    const ChaosSpec& spec = context.keep<ChaosSpec>(spec_);
    Rng& rng = context.kernel().stream(spec.stream_name);
    spec.run(context, spec.draw(rng), rng);
  }
  nlohmann::json resolved() const override {
    nlohmann::json out = spec_.write();
    out["kind"] = "random_" + spec_.kind;
    out["start"] = format_duration(spec_.start);
    out["end"] = format_duration(spec_.end);
    return out;
  }

 private:
  ChaosSpec spec_;
};

void read_window(config::ObjectReader& entry, const FaultParseContext& context, Duration& start, Duration& end) {
  end = context.horizon;
  if (auto n = entry.optional("start")) {
    start = n->duration_allow_zero();
    if (start >= context.horizon) n->fail(before_the_end(context), "\"" + format_duration(start) + "\"");
  }
  if (auto n = entry.optional("end")) {
    end = n->duration();
    if (end <= start) n->fail("a time after \"start\" (" + format_duration(start) + ")", "\"" + format_duration(end) + "\"");
  }
  end = std::min(end, context.horizon);
}

class SwarmFault final : public Fault {
 public:
  SwarmFault(std::vector<ChaosSpec> kinds, double enabled, Duration start, Duration end)
      : kinds_(std::move(kinds)), enabled_(enabled), start_(start), end_(end) {}
  void schedule(FaultContext& context) const override {
    // Each kind draws from streams named after it alone: adding a kind changes nothing else.
    std::size_t on = 0;
    std::vector<ChaosSpec::Drawn> drawn(kinds_.size());
    std::vector<bool> enabled(kinds_.size());
    for (std::size_t i = 0; i < kinds_.size(); ++i) {
      Rng& choice = context.kernel().stream("swarm/" + kinds_[i].kind);
      enabled[i] = choice.bernoulli(enabled_);
      drawn[i] = kinds_[i].draw(choice);
      on += enabled[i] ? 1 : 0;
    }
    if (on == 0 && !kinds_.empty()) {
      // A seed with nothing on tests nothing: one kind is turned on after all.
      enabled[context.kernel().stream("swarm").below(kinds_.size())] = true;
    }
    for (std::size_t i = 0; i < kinds_.size(); ++i) {
      const ChaosSpec& spec = kinds_[i];
      context.record("swarm", spec.kind + ": " + (enabled[i] ? spec.describe(drawn[i]) : std::string("off")), "drawn");
      if (enabled[i]) spec.run(context, drawn[i], context.kernel().stream("faults/swarm/" + spec.kind));
    }
  }
  nlohmann::json resolved() const override {
    nlohmann::json kinds = nlohmann::json::object();
    for (const ChaosSpec& spec : kinds_) kinds[spec.kind] = spec.write();
    return {{"kind", "swarm"}, {"enabled", enabled_}, {"start", format_duration(start_)}, {"end", format_duration(end_)},
            {"kinds", kinds}};
  }

 private:
  std::vector<ChaosSpec> kinds_;
  double enabled_;
  Duration start_;
  Duration end_;
};

}  // namespace

std::unique_ptr<Fault> parse_swarm(const config::Node& node, const FaultParseContext& context) {
  config::ObjectReader object = node.object();
  Duration start;
  Duration end;
  read_window(object, context, start, end);
  double enabled = 0.5;
  if (auto n = object.optional("enabled")) enabled = n->probability();
  std::vector<ChaosSpec> kinds;
  const config::Node kinds_node = object.required("kinds");
  config::ObjectReader kinds_object = kinds_node.object();
  if (kinds_node.json().empty()) kinds_node.fail("at least one fault kind", "an empty object");
  for (const auto& [name, value] : kinds_node.json().items()) {  // nlohmann orders keys: sorted
    const config::Node entry_node = kinds_object.required(name);
    if (std::find(kChaosKinds.begin(), kChaosKinds.end(), name) == kChaosKinds.end())
      entry_node.fail("a key naming a swarm kind (one of " +
                          join(std::vector<std::string>(kChaosKinds.begin(), kChaosKinds.end())) + ")",
                      "\"" + name + "\"");
    config::ObjectReader entry = entry_node.object();
    ChaosSpec spec = ChaosSpec::read(name, entry, context);
    spec.start = start;
    spec.end = end;
    entry.finish();
    kinds.push_back(std::move(spec));
  }
  kinds_object.finish();
  object.finish();
  return std::make_unique<SwarmFault>(std::move(kinds), enabled, start, end);
}

void add_chaos_faults(FaultRegistry& registry) {
  for (std::string_view kind : kChaosKinds) {
    if (kind == "power_off") continue;  // random_power_off keeps its own scheduler (power.cpp)
    registry.add("random_" + std::string(kind), [kind](config::ObjectReader& entry, const FaultParseContext& context) {
      ChaosSpec spec = ChaosSpec::read(std::string(kind), entry, context);
      read_window(entry, context, spec.start, spec.end);
      return std::make_unique<RandomChaos>(std::move(spec));
    });
  }
}

}  // namespace sim::faults
