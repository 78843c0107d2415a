// GAC servers and their ring.
#include "models/admission/gac.h"

#include "models/partition_map.h"

#include <fmt/format.h>

namespace models::admission {

void GacRequest::describe(std::string& out) const {
  out += fmt::format(" gac_request table={} read_demand={} write_demand={}", table, read_demand, write_demand);
}

void GacGrant::describe(std::string& out) const {
  out += fmt::format(" gac_grant ok={} read_rate={} write_rate={}", ok, read_rate, write_rate);
}

GacKinds::GacKinds(sim::Kernel& kernel)
    : request(kernel.register_kind("gac.request")),
      grant(kernel.register_kind("gac.grant")),
      refill(kernel.register_kind("gac.refill")) {}

std::uint64_t GacRing::hash_table(std::uint32_t table) { return key_hash(0xffffffffu, table); }

void GacRing::add(GacServer* server) {
  servers_.push_back(server);
  for (std::uint32_t v = 0; v < kVirtualNodes; ++v)
    points_.emplace_back(key_hash(server->id(), 0x6761630000000000ull + v), server);
  // By hash; equal hashes (never seen in practice) by server id, never by pointer.
  std::sort(points_.begin(), points_.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second->id() < b.second->id();
  });
}

GacServer::GacServer(sim::Network& network, std::string name, sim::AzId az, const Scenario& scenario)
    : sim::Node(network, std::move(name), az, "gac"), scenario_(scenario) {}

MicroUnits GacServer::share_of(MicroUnits rate, MicroUnits demand, MicroUnits total, std::size_t clients) {
  if (total <= rate) return demand + (rate - total) / static_cast<MicroUnits>(clients);
  return static_cast<MicroUnits>(static_cast<sim::uint128>(rate) * static_cast<sim::uint128>(demand) /
                                 static_cast<sim::uint128>(total));
}

void GacServer::request(const GacRequest& request, sim::Reply<GacGrant> reply) {
  ++stats_.requests;
  if (build_.fails(rng())) {
    reply.send(*this, GacGrant{});  // an internal error: no grant
    return;
  }
  const sim::Time now = kernel().now();
  auto& clients = tables_[request.table];
  clients[reply.caller()] = ClientEntry{request.read_demand, request.write_demand, now};
  // Routers that stopped reporting (idle, or gone) no longer count.
  const sim::Duration stale = scenario_.admission.gac.refill_interval * 3;
  for (auto it = clients.begin(); it != clients.end();)
    it = now - it->second.last > stale ? clients.erase(it) : std::next(it);
  MicroUnits read_total = 0, write_total = 0;
  for (const auto& [router, entry] : clients) {
    read_total += entry.read_demand;
    write_total += entry.write_demand;
  }
  const TableSpec& spec = scenario_.tables[request.table];
  const MicroUnits read_rate = static_cast<MicroUnits>(spec.capacity.rcu) * kMicro;
  const MicroUnits write_rate = static_cast<MicroUnits>(spec.capacity.wcu) * kMicro;
  if (read_total > read_rate || write_total > write_rate) ++stats_.grants_over_rate;
  GacGrant grant;
  grant.ok = true;
  grant.read_rate = share_of(read_rate, request.read_demand, read_total, clients.size());
  grant.write_rate = share_of(write_rate, request.write_demand, write_total, clients.size());
  if (build_.extra_latency() > sim::Duration::zero()) {
    // Registered on first use: a run without such a build keeps the kind ids (and trace digests) it had.
    if (!delayed_) delayed_ = kernel().register_kind("gac.build_delay");
    after(build_.extra_latency(), *delayed_, [this, reply, grant] { reply.send(*this, grant); });
    return;
  }
  reply.send(*this, grant);
}

std::size_t GacServer::clients_of(std::uint32_t table) const {
  const auto it = tables_.find(table);
  return it == tables_.end() ? 0 : it->second.size();
}

}  // namespace models::admission
