// pause: a node freezes for a window, as in a long GC pause or a VM stall. Its deliveries and
// timers wait and run when it resumes; its state is kept; it does not know it was away, except
// that its clock moved on.
#include "sim/config/units.h"
#include "sim/faults/common.h"

namespace sim::faults {

namespace {

class PauseFault final : public Fault {
 public:
  PauseFault(Window window, std::string node) : window_(window), node_(std::move(node)) {}
  void schedule(FaultContext& context) const override {
    Node*& victim = context.keep<Node*>(nullptr);
    const std::string target = node_;
    schedule_window(
        context, window_, "pause", "pause " + node_,
        [&context, &victim, target] {
          if (context.ended()) return;
          victim = &context.resolve_node(target);
          context.pause(*victim);
          context.record("pause", victim->name() == target ? target : victim->name() + " (" + target + ")", "start");
        },
        [&context, &victim] {
          if (context.ended()) return;
          context.resume(*victim);
          context.record("pause", victim->name(), "end");
        });
  }
  nlohmann::json resolved() const override {
    nlohmann::json out{{"kind", "pause"}, {"node", node_}};
    window_.write(out);
    return out;
  }

 private:
  Window window_;
  std::string node_;
};

}  // namespace

void add_pause_faults(FaultRegistry& registry) {
  registry.add("pause", [](config::ObjectReader& entry, const FaultParseContext& context) {
    Window window = Window::read(entry, context);
    if (!window.length) entry.fail("a \"duration\": a pause ends", "none");
    std::string node = read_node_name(entry.required("node"), context, false);
    return std::make_unique<PauseFault>(window, std::move(node));
  });
}

}  // namespace sim::faults
