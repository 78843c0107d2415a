// clock_drift: a node's clock runs fast or slow by `ppm` for a window (sim/clock.h). Within the
// drift bound the models' leases tolerate (replication.clock_drift_bound_ppm), nothing may
// break; beyond it ("beyond_bound": true, an experiment) the monitors show what breaks. Timers
// already set keep the rate they were set with; readings never jump.
#include "sim/faults/common.h"

#include <cstdlib>

namespace sim::faults {

namespace {

class ClockDriftFault final : public Fault {
 public:
  ClockDriftFault(Window window, std::string node, std::int64_t ppm, bool beyond_bound)
      : window_(window), node_(std::move(node)), ppm_(ppm), beyond_bound_(beyond_bound) {}
  void schedule(FaultContext& context) const override {
    struct State {
      Node* victim = nullptr;
      std::int64_t previous = 0;
    };
    State& state = context.keep<State>();
    const std::string target = node_;
    const std::int64_t ppm = ppm_;
    schedule_window(
        context, window_, "clock_drift", "clock_drift " + node_,
        [&context, &state, target, ppm] {
          if (context.ended()) return;
          state.victim = &context.resolve_node(target);
          state.previous = state.victim->clock().rate_ppm();
          state.victim->clock().set_rate(context.kernel().now(), ppm);
          context.record("clock_drift", state.victim->name() + " " + (ppm >= 0 ? "+" : "") + std::to_string(ppm) + " ppm",
                         "start");
        },
        [&context, &state] {
          if (context.ended()) return;
          state.victim->clock().set_rate(context.kernel().now(), state.previous);
          context.record("clock_drift", state.victim->name(), "end");
        });
  }
  nlohmann::json resolved() const override {
    nlohmann::json out{{"kind", "clock_drift"}, {"node", node_}, {"ppm", ppm_}, {"beyond_bound", beyond_bound_}};
    window_.write(out);
    return out;
  }

 private:
  Window window_;
  std::string node_;
  std::int64_t ppm_;
  bool beyond_bound_;
};

}  // namespace

void add_clock_faults(FaultRegistry& registry) {
  registry.add("clock_drift", [](config::ObjectReader& entry, const FaultParseContext& context) {
    Window window = Window::read(entry, context);
    std::string node = read_node_name(entry.required("node"), context, false);
    bool beyond_bound = false;
    if (auto n = entry.optional("beyond_bound")) beyond_bound = n->boolean();
    const config::Node ppm_node = entry.required("ppm");
    const std::int64_t ppm = ppm_node.int64(-Clock::kRateMaxPpm, Clock::kRateMaxPpm);
    if (std::llabs(ppm) > context.clock_drift_bound_ppm && !beyond_bound)
      ppm_node.fail("a drift within the bound the leases tolerate (" + std::to_string(context.clock_drift_bound_ppm) +
                        " ppm), or \"beyond_bound\": true for an experiment that breaks it on purpose",
                    std::to_string(ppm));
    return std::make_unique<ClockDriftFault>(window, std::move(node), ppm, beyond_bound);
  });
}

}  // namespace sim::faults
