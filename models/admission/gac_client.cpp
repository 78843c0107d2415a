// Router-side GAC metering.
#include "models/admission/gac_client.h"

namespace models::admission {

namespace {
MicroUnits worth(MicroUnits rate, sim::Duration window) {
  return static_cast<MicroUnits>(static_cast<sim::uint128>(rate) * static_cast<sim::uint128>(window.nanos()) / 1'000'000'000u);
}
constexpr sim::Duration kSuspectFor = sim::seconds(10);
}  // namespace

GacClient::GacClient(sim::Node& router, const Scenario& scenario, const GacKinds& kinds, const GacRing& ring)
    : router_(router), scenario_(scenario), kinds_(kinds), ring_(ring), meters_(scenario.tables.size()),
      suspect_until_(ring.servers().size(), sim::Time::zero()) {}

void GacClient::clear() {
  meters_.assign(scenario_.tables.size(), Meter{});
  std::fill(suspect_until_.begin(), suspect_until_.end(), sim::Time::zero());
  ticking_ = false;
}

void GacClient::warm(std::size_t routers) {
  const sim::Time now = router_.kernel().now();
  const sim::Duration interval = scenario_.admission.gac.refill_interval;
  for (std::uint32_t t = 0; t < meters_.size(); ++t) {
    const TableSpec& spec = scenario_.tables[t];
    if (spec.capacity.mode != TableCapacity::Mode::provisioned) continue;
    Meter& m = meters_[t];
    const MicroUnits read = static_cast<MicroUnits>(spec.capacity.rcu) * kMicro / static_cast<MicroUnits>(routers);
    const MicroUnits write = static_cast<MicroUnits>(spec.capacity.wcu) * kMicro / static_cast<MicroUnits>(routers);
    m.read = TokenBucket(read, worth(read, interval), worth(read, interval), now);
    m.write = TokenBucket(write, worth(write, interval), worth(write, interval), now);
    m.granted = true;
    m.expires = now + scenario_.admission.gac.grant_lifetime;
    m.since = now;
  }
}

bool GacClient::admit(std::uint32_t table, Operation op, std::uint64_t item_bytes) {
  if (scenario_.tables[table].capacity.mode != TableCapacity::Mode::provisioned) return true;
  const sim::Time now = router_.kernel().now();
  Meter& m = meters_[table];
  const MicroUnits cost = capacity_units(op, item_bytes);
  const bool write = is_write(op);
  if (!m.active) {
    m.active = true;
    if (!m.granted) m.since = now;
  }
  (write ? m.asked_write : m.asked_read) += cost;
  if (!ticking_) {
    ticking_ = true;
    router_.after(scenario_.admission.gac.refill_interval, kinds_.refill, [this] { refill_tick(); });
  }
  if (!m.granted || now >= m.expires) {
    // No valid grant: ask, and let the partition buckets meter this request.
    if (!m.in_flight) ask(table);
    ++stats_.unmetered;
    return true;
  }
  if ((write ? m.write : m.read).try_consume(cost, now)) {
    ++stats_.admitted;
    return true;
  }
  // Dry before the next refill: ask early (at most four times an interval), and throttle.
  if (!m.in_flight && now - m.last_ask >= scenario_.admission.gac.refill_interval / 4) ask(table);
  ++stats_.throttled;
  return false;
}

void GacClient::refill_tick() {
  bool any = false;
  for (std::uint32_t t = 0; t < meters_.size(); ++t) {
    Meter& m = meters_[t];
    if (!m.active) continue;  // idle since the last report: let the grant lapse
    any = true;
    if (!m.in_flight) ask(t);
  }
  ticking_ = any;
  if (any) router_.after(scenario_.admission.gac.refill_interval, kinds_.refill, [this] { refill_tick(); });
}

void GacClient::ask(std::uint32_t table) {
  const sim::Time now = router_.kernel().now();
  Meter& m = meters_[table];
  const auto& servers = ring_.servers();
  GacServer* server = ring_.owner(table, [&](sim::NodeId id) {
    for (std::size_t i = 0; i < servers.size(); ++i)
      if (servers[i]->id() == id) return suspect_until_[i] > now;
    return false;
  });
  if (server == nullptr) return;  // every server suspected: stay unmetered until one is not
  GacRequest request;
  request.table = table;
  const sim::Duration window = now - m.since;
  if (window > sim::Duration::zero()) {
    request.read_demand = static_cast<MicroUnits>(static_cast<sim::uint128>(m.asked_read) * 1'000'000'000u /
                                                  static_cast<sim::uint128>(window.nanos()));
    request.write_demand = static_cast<MicroUnits>(static_cast<sim::uint128>(m.asked_write) * 1'000'000'000u /
                                                   static_cast<sim::uint128>(window.nanos()));
  }
  m.asked_read = m.asked_write = 0;
  m.since = now;
  m.active = false;
  m.in_flight = true;
  m.last_ask = now;
  ++stats_.requests;
  sim::async_call<GacGrant>(
      router_, server->id(), kinds_.request, kinds_.grant, scenario_.admission.gac.timeout,
      [server, request](sim::Reply<GacGrant> reply) { server->request(request, std::move(reply)); },
      [this, table, server](sim::error_code error, GacGrant grant) {
        meters_[table].in_flight = false;
        if (error || !grant.ok) {
          ++stats_.failures;
          const auto& list = ring_.servers();
          for (std::size_t i = 0; i < list.size(); ++i)
            if (list[i] == server) suspect_until_[i] = router_.kernel().now() + kSuspectFor;
          return;
        }
        granted(table, grant);
      });
}

void GacClient::granted(std::uint32_t table, const GacGrant& grant) {
  const sim::Time now = router_.kernel().now();
  const sim::Duration interval = scenario_.admission.gac.refill_interval;
  Meter& m = meters_[table];
  ++stats_.grants;
  if (!m.granted || now >= m.expires) {
    // A fresh grant starts with one interval's worth.
    m.read = TokenBucket(grant.read_rate, worth(grant.read_rate, interval), worth(grant.read_rate, interval), now);
    m.write = TokenBucket(grant.write_rate, worth(grant.write_rate, interval), worth(grant.write_rate, interval), now);
  } else {
    m.read.set_rate(grant.read_rate, now);
    m.read.set_capacity(worth(grant.read_rate, interval), now);
    m.write.set_rate(grant.write_rate, now);
    m.write.set_capacity(worth(grant.write_rate, interval), now);
  }
  m.granted = true;
  m.expires = now + scenario_.admission.gac.grant_lifetime;
}

}  // namespace models::admission
