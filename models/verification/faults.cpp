// Bit rot and buggy builds as faults on storage nodes.
#include "models/verification/faults.h"

#include "models/archive/s3.h"
#include "models/replication/storage_node.h"
#include "sim/assert.h"
#include "sim/config/units.h"
#include "sim/faults/common.h"

#include <fmt/format.h>

namespace models::verification {

namespace {

using replication::StorageNode;

constexpr const char* kEveryStorageNode = "every_storage_node";

StorageNode& storage_node(sim::Node& node) {
  auto* storage = dynamic_cast<StorageNode*>(&node);
  SIM_ASSERT(storage != nullptr);  // the parser accepts storage nodes and placements only
  return *storage;
}

std::string read_storage_node(const sim::config::Node& node, const sim::FaultParseContext& context, bool allow_fleet) {
  if (allow_fleet && node.json().is_string() && node.json().get<std::string>() == kEveryStorageNode) return kEveryStorageNode;
  const std::string name = sim::faults::read_node_name(node, context, false);
  const sim::TopologyNames::NodeName* found = context.topology.find_node(name);
  if (found != nullptr && found->role != "storage")
    node.fail(std::string("a storage node, or a placement such as {\"leader_of\": {\"table\": ..., \"key\": ...}}") +
                  (allow_fleet ? ", or \"every_storage_node\"" : ""),
              "\"" + name + "\", a " + found->role + " node");
  return name;
}

// What rots: stored items, applied entries of a node's logs, or entries archived in S3.
enum class RotTarget : std::uint8_t { items, log, archive };
const char* target_name(RotTarget target) {
  return target == RotTarget::items ? "items" : target == RotTarget::log ? "log" : "archive";
}

class BitRotFault final : public sim::Fault {
 public:
  // `node`: the storage node, or (archive) the S3 node whose bucket it is.
  BitRotFault(sim::faults::Window window, RotTarget target, std::string node, std::uint32_t items,
              std::optional<sim::Duration> every)
      : window_(window), target_(target), node_(std::move(node)), items_(items), every_(every) {}

  void schedule(sim::FaultContext& context) const override {
    sim::Kernel& kernel = context.kernel();
    const sim::KindId kind = kernel.register_kind("fault.bit_rot");
    const sim::Time start = sim::Time::zero() + window_.start;
    const std::optional<sim::Time> end =
        window_.length ? std::optional(start + *window_.length) : std::nullopt;
    struct Strike {
      const BitRotFault* fault;
      sim::FaultContext* context;
      sim::KindId kind;
      std::optional<sim::Time> end;
      void operator()() const {
        if (context->ended()) return;
        sim::Node& victim = context->resolve_node(fault->node_);
        std::uint32_t hit = 0;
        std::string where;
        if (fault->target_ == RotTarget::archive) {
          auto* s3 = dynamic_cast<archive::S3Node*>(&victim);
          SIM_ASSERT(s3 != nullptr);  // the parser names an S3 node
          hit = s3->bucket().rot(s3->rng(), fault->items_, context->kernel().now());
          where = "archived entries";
        } else if (fault->target_ == RotTarget::log) {
          hit = storage_node(victim).rot_log(fault->items_);
          where = "log entries on " + victim.name();
        } else {
          hit = storage_node(victim).rot_items(fault->items_);
          where = "items on " + victim.name();
        }
        context->record("bit_rot", fmt::format("{} {}", hit, where), "start");
        if (!fault->every_) return;
        const sim::Time next = context->kernel().now() + *fault->every_;
        if (end && next >= *end) return;
        context->kernel().at(next, sim::Tag{context->actor(), kind}, *this);
      }
    };
    kernel.at(start, sim::Tag{context.actor(), kind}, Strike{this, &context, kind, end});
  }

  nlohmann::json resolved() const override {
    nlohmann::json out{{"kind", "bit_rot"}, {"items", items_}};
    if (target_ != RotTarget::items) out["target"] = target_name(target_);
    if (target_ != RotTarget::archive) out["node"] = node_;
    window_.write(out);
    if (every_) out["every"] = sim::config::format_duration(*every_);
    return out;
  }

 private:
  sim::faults::Window window_;
  RotTarget target_;
  std::string node_;
  std::uint32_t items_;
  std::optional<sim::Duration> every_;
};

class BuggyBuildFault final : public sim::Fault {
 public:
  BuggyBuildFault(sim::faults::Window window, std::string node, double probability, BuggyPath path)
      : window_(window), node_(std::move(node)), probability_(probability), path_(path) {}

  void schedule(sim::FaultContext& context) const override {
    std::vector<StorageNode*>& running = context.keep<std::vector<StorageNode*>>();
    const std::string what = fmt::format("{} path, probability {}", path_ == BuggyPath::apply ? "apply" : "propose", probability_);
    sim::faults::schedule_window(
        context, window_, "buggy_build", "buggy_build " + node_,
        [this, &context, &running, what] {
          if (node_ == kEveryStorageNode) {
            for (sim::Node* node : context.network().nodes())
              if (node->role() == "storage") running.push_back(&storage_node(*node));
          } else {
            for (sim::Node* node : context.resolve_nodes(node_)) running.push_back(&storage_node(*node));
          }
          for (StorageNode* node : running) node->set_buggy_build(path_, probability_);
          context.record("buggy_build", (node_ == kEveryStorageNode ? "every storage node" : running.front()->name()) + ": " + what, "start");
        },
        [this, &context, &running] {
          for (StorageNode* node : running) node->set_buggy_build(path_, 0.0);
          running.clear();
          context.record("buggy_build", node_, "end");
        });
  }

  nlohmann::json resolved() const override {
    nlohmann::json out{{"kind", "buggy_build"},
                       {"node", node_},
                       {"probability", probability_},
                       {"path", path_ == BuggyPath::apply ? "apply" : "propose"}};
    window_.write(out);
    return out;
  }

 private:
  sim::faults::Window window_;
  std::string node_;
  double probability_;
  BuggyPath path_;
};

}  // namespace

void add_corruption_faults(sim::FaultRegistry& registry) {
  registry.add("bit_rot", [](sim::config::ObjectReader& entry, const sim::FaultParseContext& context) -> std::unique_ptr<sim::Fault> {
    sim::faults::Window window = sim::faults::Window::read(entry, context);
    RotTarget target = RotTarget::items;
    if (auto n = entry.optional("target")) {
      const std::string name = n->one_of({"items", "log", "archive"});
      target = name == "items" ? RotTarget::items : name == "log" ? RotTarget::log : RotTarget::archive;
    }
    std::string node;
    if (target == RotTarget::archive) {
      // The archive is the region's: no node to name. S3's first front end draws what rots.
      if (auto n = entry.optional("node")) n->fail("no \"node\" for target \"archive\" (the archive is the region's)", n->json().dump());
      node = sim::faults::role_members(entry, context, "s3", "an \"archive\" section in the scenario (it adds the S3 fleet)").front();
    } else {
      node = read_storage_node(entry.required("node"), context, false);
    }
    std::uint32_t items = 1;
    if (auto n = entry.optional("items")) items = static_cast<std::uint32_t>(n->uint64_in(1, 1'000'000));
    std::optional<sim::Duration> every;
    if (auto n = entry.optional("every")) every = n->duration();
    return std::make_unique<BitRotFault>(window, target, std::move(node), items, every);
  });
  registry.add("buggy_build", [](sim::config::ObjectReader& entry, const sim::FaultParseContext& context) -> std::unique_ptr<sim::Fault> {
    sim::faults::Window window = sim::faults::Window::read(entry, context);
    std::string node = read_storage_node(entry.required("node"), context, true);
    const double probability = entry.required("probability").number_in(0.0, 1.0);
    BuggyPath path = BuggyPath::apply;
    if (auto n = entry.optional("path")) path = n->one_of({"apply", "propose"}) == "apply" ? BuggyPath::apply : BuggyPath::propose;
    return std::make_unique<BuggyBuildFault>(window, std::move(node), probability, path);
  });
}

}  // namespace models::verification
