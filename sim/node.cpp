// Node power cycling.
#include "sim/node.h"

#include "sim/network.h"

namespace sim {

Node::Node(Network& network, std::string name, AzId az, std::string role, bool is_client)
    : kernel_(&network.kernel()),
      network_(&network),
      name_(std::move(name)),
      role_(std::move(role)),
      az_(az),
      actor_(network.kernel().register_actor(name_)),
      is_client_(is_client),
      rng_(&network.kernel().stream("node/" + name_)),
      network_rng_(&network.kernel().stream("net/" + name_)) {
  id_ = network.attach(this);
}

Node::~Node() = default;

void Node::power_off() {
  if (!powered_) return;
  powered_ = false;
  ++incarnation_;
  for (VolatileBase* state : volatile_state_) state->reset();
  on_power_off();
}

void Node::power_on() {
  if (powered_) return;
  powered_ = true;
  on_power_on();
}

}  // namespace sim
