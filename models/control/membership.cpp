// Membership cells and agents.
#include "models/control/membership.h"

#include "models/replication/storage_node.h"
#include "sim/assert.h"
#include "sim/config/units.h"
#include "sim/faults/common.h"

namespace models::control {

MembershipKinds::MembershipKinds(sim::Kernel& kernel)
    : fetch(kernel.register_kind("msg.membership_fetch")),
      answer(kernel.register_kind("msg.membership_answer")),
      served(kernel.register_kind("membership.served")),
      refresh(kernel.register_kind("membership.refresh")),
      retry(kernel.register_kind("membership.retry")) {}

MembershipCell::MembershipCell(sim::Network& network, std::string name, sim::AzId az, const MembershipSpec& spec,
                               const MembershipKinds& kinds, MembershipStats& stats)
    : sim::Node(network, std::move(name), az, "cell"), spec_(spec), kinds_(kinds), stats_(stats) {}

void MembershipCell::fetch(sim::Reply<FetchAnswer> reply) {
  if (queue_.size() >= spec_.queue_limit) {
    ++stats_.rejected;
    reply.send(*this, FetchAnswer{false});
    return;
  }
  queue_.push_back(Waiting{kernel().now(), std::move(reply)});
  next();
}

void MembershipCell::next() {
  const sim::Time now = kernel().now();
  const bool shedding = spec_.shed_from && now >= sim::Time::zero() + *spec_.shed_from;
  while (busy_ < spec_.workers && !queue_.empty()) {
    Waiting w = std::move(queue_.front());
    queue_.pop_front();
    if (shedding && now - w.since > spec_.timeout) {
      // Its caller gave up already: no work spent on it.
      ++stats_.shed;
      w.reply.send(*this, FetchAnswer{false});
      continue;
    }
    ++busy_;
    after(spec_.service(), kinds_.served, [this, reply = std::move(w.reply)] {
      --busy_;
      ++stats_.served;
      const auto minute = static_cast<std::size_t>((kernel().now() - sim::Time::zero()) / sim::minutes(1));
      if (stats_.served_by_minute.size() <= minute) stats_.served_by_minute.resize(minute + 1, 0);
      ++stats_.served_by_minute[minute];
      reply.send(*this, FetchAnswer{true});
      next();
    });
  }
}

void MembershipCell::on_power_off() {
  queue_.clear();
  busy_ = 0;
}

MembershipAgent::MembershipAgent(sim::Node& node, MembershipService& service, MembershipCell& cell)
    : node_(node), service_(service), cell_(cell) {}

void MembershipAgent::begin() {
  const auto first = sim::Duration::from_nanos(
      static_cast<std::int64_t>(node_.rng().below(static_cast<std::uint64_t>(service_.spec.refresh.nanos())) + 1));
  schedule(first, false);
}

void MembershipAgent::powered_off() {
  // A node that is down is not out of service for want of a membership: it is down.
  enter();
  fetching_ = false;
  refetch_ = false;
  ++timer_generation_;
}

void MembershipAgent::powered_on() {
  leave(false);  // booting: it serves once it has a membership; not counted unless the fetch fails
  fetch();
}

void MembershipAgent::invalidate() {
  if (!node_.powered()) return;
  ++timer_generation_;
  if (fetching_) {
    refetch_ = true;  // the answer in flight is to a request sent before the blip
    return;
  }
  fetch();
}

sim::Duration MembershipAgent::jittered(sim::Duration interval) {
  // Half the interval either way.
  const std::int64_t n = interval.nanos();
  return sim::Duration::from_nanos(n / 2 + static_cast<std::int64_t>(node_.rng().below(static_cast<std::uint64_t>(n) + 1)));
}

void MembershipAgent::schedule(sim::Duration delay, bool retry) {
  const std::uint64_t generation = ++timer_generation_;
  node_.after(delay, retry ? service_.kinds.retry : service_.kinds.refresh, [this, generation] {
    if (generation == timer_generation_) fetch();
  });
}

void MembershipAgent::leave(bool counted) {
  in_service_ = false;
  if (!counted || counted_) return;
  counted_ = true;
  MembershipStats& s = service_.stats;
  ++s.left_service;
  ++s.out_now;
  s.out_of_service.emplace_back(node_.kernel().now(), s.out_now);
}

void MembershipAgent::enter() {
  in_service_ = true;
  if (!counted_) return;
  counted_ = false;
  MembershipStats& s = service_.stats;
  SIM_ASSERT_OP(s.out_now, >, 0u);
  --s.out_now;
  s.out_of_service.emplace_back(node_.kernel().now(), s.out_now);
}

void MembershipAgent::fetch() {
  if (fetching_) return;
  fetching_ = true;
  ++service_.stats.fetches;
  const MembershipSpec& spec = service_.spec;
  sim::async_call<FetchAnswer>(
      node_, cell_.id(), service_.kinds.fetch, service_.kinds.answer, spec.timeout, ServeFetch{&cell_},
      [this](sim::error_code error, FetchAnswer answer) {
        fetching_ = false;
        if (error) ++service_.stats.timed_out;
        if (refetch_) {
          // A blip came while this was in flight: its answer is stale either way.
          refetch_ = false;
          if (error || !answer.ok) leave(true);
          fetch();
          return;
        }
        if (error || !answer.ok) {
          leave(true);
          schedule(jittered(service_.spec.retry), true);
          return;
        }
        enter();
        schedule(jittered(service_.spec.refresh), false);
      });
}

void MembershipAgent::blip(sim::Duration spread) {
  if (!node_.powered()) return;
  const auto delay = sim::Duration::from_nanos(static_cast<std::int64_t>(node_.rng().below(static_cast<std::uint64_t>(spread.nanos()) + 1)));
  node_.after(delay, service_.kinds.refresh, [this] { invalidate(); });
}

namespace {

class MembershipBlip final : public sim::Fault {
 public:
  MembershipBlip(sim::Duration at, sim::Duration spread) : at_(at), spread_(spread) {}
  void schedule(sim::FaultContext& context) const override {
    sim::Kernel& kernel = context.kernel();
    kernel.at(sim::Time::zero() + at_, sim::Tag{context.actor(), kernel.register_kind("fault.membership_blip")},
              [this, &context] {
                if (context.ended()) return;
                for (sim::Node* node : context.network().nodes())
                  if (auto* storage = dynamic_cast<replication::StorageNode*>(node); storage != nullptr)
                    storage->membership_blip(spread_);
                context.record("membership_blip", "every storage node", "start");
                context.record("membership_blip", "every storage node", "end");
              });
  }
  nlohmann::json resolved() const override {
    return {{"kind", "membership_blip"}, {"at", sim::config::format_duration(at_)}, {"spread", sim::config::format_duration(spread_)}};
  }

 private:
  sim::Duration at_, spread_;
};

}  // namespace

void add_membership_faults(sim::FaultRegistry& registry) {
  registry.add("membership_blip", [](sim::config::ObjectReader& entry, const sim::FaultParseContext& context) -> std::unique_ptr<sim::Fault> {
    const sim::faults::Window window = sim::faults::Window::read(entry, context);
    if (window.length) entry.required("duration").fail("no \"duration\" (a blip is an instant)", "a duration");
    sim::faults::role_members(entry, context, "cell", "a \"membership\" section in the scenario (it adds the metadata cells)");
    sim::Duration spread = sim::seconds(1);
    if (auto n = entry.optional("spread")) spread = n->duration_allow_zero();
    return std::make_unique<MembershipBlip>(window.start, spread);
  });
}

}  // namespace models::control
