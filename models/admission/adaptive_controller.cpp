// The adaptive capacity controller.
#include "models/admission/adaptive_controller.h"

#include <algorithm>

namespace models::admission {

AdaptiveController::AdaptiveController(sim::Network& network, std::string name, sim::AzId az,
                                       const Scenario& scenario, Shares& shares, const control::FleetView& view,
                                       std::vector<std::vector<std::uint32_t>> groups_by_table)
    : sim::Node(network, std::move(name), az, "adaptive"),
      scenario_(scenario),
      shares_(shares),
      view_(view),
      groups_by_table_(std::move(groups_by_table)),
      tick_kind_(network.kernel().register_kind("autoadmin.adaptive_tick")) {}

void AdaptiveController::add_partition(std::uint32_t table, std::uint32_t group) {
  groups_by_table_[table].push_back(group);
}

void AdaptiveController::start() {
  // The metrics of the interval before a restart are lost with it: start counting afresh.
  seen_.assign(view_.group_slots(), AdmissionTotals{});
  for (std::uint32_t g = 0; g < view_.group_slots(); ++g) seen_[g] = view_.totals(g);
  after(scenario_.admission.adaptive.interval, tick_kind_, [this] { tick(); });
}

void AdaptiveController::tick() {
  if (seen_.size() < view_.group_slots()) seen_.resize(view_.group_slots());
  const sim::Duration interval = scenario_.admission.adaptive.interval;
  for (std::uint32_t t = 0; t < groups_by_table_.size(); ++t) {
    if (scenario_.tables[t].capacity.mode != TableCapacity::Mode::provisioned) continue;
    adjust(t, false, interval);
    adjust(t, true, interval);
  }
  for (std::uint32_t g = 0; g < view_.group_slots(); ++g) seen_[g] = view_.totals(g);
  after(interval, tick_kind_, [this] { tick(); });
}

void AdaptiveController::adjust(std::uint32_t table, bool write, sim::Duration interval) {
  const std::vector<std::uint32_t>& groups = groups_by_table_[table];
  const TableSpec& spec = scenario_.tables[table];
  const auto per_second = [&](MicroUnits units) {
    return static_cast<MicroUnits>(static_cast<sim::uint128>(units) * 1'000'000'000u /
                                   static_cast<sim::uint128>(interval.nanos()));
  };
  const MicroUnits provisioned = static_cast<MicroUnits>(write ? spec.capacity.wcu : spec.capacity.rcu) * kMicro;
  MicroUnits consumed = 0;
  std::vector<MicroUnits> turned_away(groups.size(), 0);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const AdmissionTotals& now = view_.totals(groups[i]);
    const AdmissionTotals& before = groups[i] < seen_.size() ? seen_[groups[i]] : now;
    consumed += per_second(write ? now.write - before.write : now.read - before.read);
    turned_away[i] = per_second(write ? now.throttled_write - before.throttled_write
                                      : now.throttled_read - before.throttled_read);
  }
  const Share base = shares_.base(table, static_cast<std::uint32_t>(groups.size()));
  const MicroUnits base_rate = write ? base.write : base.read;
  const MicroUnits ceiling = write ? shares_.ceiling().write : shares_.ceiling().read;
  auto rate_of = [&](std::uint32_t g) { return write ? shares_.get(g).write : shares_.get(g).read; };
  auto set_rate = [&](std::uint32_t g, MicroUnits rate) {
    Share share = shares_.get(g);
    (write ? share.write : share.read) = rate;
    shares_.set(g, share);
  };
  if (consumed < provisioned) {
    // Boost the partitions that turned requests away, out of the table's unused rate.
    MicroUnits headroom = provisioned - consumed;
    for (std::size_t i = 0; i < groups.size() && headroom > 0; ++i) {
      if (turned_away[i] == 0) continue;
      const MicroUnits want = static_cast<MicroUnits>(static_cast<double>(turned_away[i]) * scenario_.admission.adaptive.boost);
      const MicroUnits raise = std::min({want, headroom, ceiling - rate_of(groups[i])});
      if (raise <= 0) continue;
      set_rate(groups[i], rate_of(groups[i]) + raise);
      headroom -= raise;
      ++stats_.boosts;
    }
  } else if (consumed > provisioned) {
    // Over-consuming: take the excess back from boosted partitions, never below the even split.
    MicroUnits excess = consumed - provisioned;
    for (std::size_t i = 0; i < groups.size() && excess > 0; ++i) {
      const MicroUnits boosted = rate_of(groups[i]) - base_rate;
      if (boosted <= 0) continue;
      const MicroUnits cut = std::min(boosted, excess);
      set_rate(groups[i], rate_of(groups[i]) - cut);
      excess -= cut;
      ++stats_.cutbacks;
    }
  }
}

}  // namespace models::admission
