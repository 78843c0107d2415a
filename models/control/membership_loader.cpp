// Reading the `membership` section (scenarios/scenario.schema.json).
#include "models/control/membership_loader.h"

#include "models/scenario_sections.h"
#include "sim/config/units.h"

namespace models::control {

void read_membership(const sim::config::Node& node, Scenario& scenario) {
  sim::config::ObjectReader object = node.object();
  MembershipSpec& m = scenario.membership;
  m.enabled = true;
  if (auto n = object.optional("cells")) m.cells = static_cast<std::uint32_t>(n->uint64_in(1, 1000));
  if (auto n = object.optional("workers")) m.workers = static_cast<std::uint32_t>(n->uint64_in(1, 10'000));
  if (auto n = object.optional("queue_limit")) m.queue_limit = static_cast<std::uint32_t>(n->uint64_in(1, 10'000'000));
  if (auto n = object.optional("size")) m.size = static_cast<std::uint32_t>(n->uint64_in(1, 100'000'000));
  if (auto n = object.optional("base")) m.base = sections::read_delay(*n, true);
  if (auto n = object.optional("per_member")) m.per_member = sections::read_delay(*n, true);
  if (auto n = object.optional("timeout")) m.timeout = sections::read_delay(*n);
  if (auto n = object.optional("retry")) m.retry = sections::read_delay(*n);
  if (auto n = object.optional("refresh")) m.refresh = sections::read_delay(*n);
  if (auto n = object.optional("shed_from")) m.shed_from = n->duration_allow_zero();
  // base + size x per_member, checked before it is computed (it could overflow).
  const bool too_long = m.base > sections::kLongestDelay ||
                        m.per_member.nanos() > (sections::kLongestDelay - m.base).nanos() / static_cast<std::int64_t>(m.size);
  if (too_long || m.service() <= sim::Duration::zero())
    object.fail("a fetch service time (base + size x per_member) above zero and no longer than 30 days",
                too_long ? std::string("longer") : sim::config::format_duration(m.service()));
  object.finish();
}

}  // namespace models::control
