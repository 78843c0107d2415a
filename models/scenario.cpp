// Names shared by the loader, the models and the reports.
#include "models/scenario.h"

#include "models/messages.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace models {

const char* operation_name(Operation op) {
  switch (op) {
    case Operation::get_strong: return "get_strong";
    case Operation::get_eventual: return "get_eventual";
    case Operation::put: return "put";
  }
  return "?";
}

const char* admission_mode_name(AdmissionSpec::Mode mode) {
  switch (mode) {
    case AdmissionSpec::Mode::static_shares: return "static";
    case AdmissionSpec::Mode::burst: return "burst";
    case AdmissionSpec::Mode::adaptive: return "adaptive";
    case AdmissionSpec::Mode::gac: return "gac";
  }
  return "?";
}

double WorkloadSpec::rate_at(Duration since) const {
  if (phases.empty()) return rate_per_s;
  double previous = 0.0;
  for (const Phase& phase : phases) {
    if (since < phase.duration) {
      if (!phase.ramp) return phase.rate_per_s;
      const double f = static_cast<double>(since.nanos()) / static_cast<double>(phase.duration.nanos());
      return previous + (phase.rate_per_s - previous) * f;
    }
    since -= phase.duration;
    previous = phase.rate_per_s;
  }
  return previous;  // the last phase's rate holds after the phases
}

double WorkloadSpec::peak_rate() const {
  double peak = rate_per_s;
  for (const Phase& phase : phases) peak = std::max(peak, phase.rate_per_s);
  return peak;
}

double peak_operations(const Scenario& scenario) {
  double operations = 0.0;
  for (const WorkloadSpec& w : scenario.workload) operations += w.peak_rate() * scenario.duration.seconds_double();
  return std::isfinite(operations) && operations > 0.0 ? operations : 0.0;
}

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return "ok";
    case Outcome::timeout: return "timeout";
    case Outcome::unavailable: return "unavailable";
    case Outcome::throttled: return "throttled";
  }
  return "?";
}

void ItemRequest::describe(std::string& out) const {
  out += fmt::format(" {} table={} key={} op={}", operation_name(op), table, key, operation_id);
}

void ItemResponse::describe(std::string& out) const {
  out += fmt::format(" {} version={}", outcome_name(outcome), version);
}

const char* role_name(DeploymentSpec::Role role) {
  switch (role) {
    case DeploymentSpec::Role::storage: return "storage";
    case DeploymentSpec::Role::router: return "router";
    case DeploymentSpec::Role::memds: return "memds";
    case DeploymentSpec::Role::gac: return "gac";
  }
  SIM_UNREACHABLE();
}

std::string node_name(const std::string& az, const char* role, std::uint32_t index) {
  return fmt::format("{}/{}{}", az, role, index);
}

sim::TopologyNames Scenario::topology_names() const {
  sim::TopologyNames names;
  for (const AzSpec& az : azs) names.azs.push_back(az.name);
  for (const TableSpec& table : tables) names.tables.push_back(table.name);
  // Same order as Simulation creates the nodes.
  for (const AzSpec& az : azs)
    for (std::uint32_t i = 0; i < az.storage_nodes; ++i)
      names.nodes.push_back({node_name(az.name, "storage", i), az.name, "storage", false});
  for (std::uint32_t i = 0; i < metadata.nodes; ++i) {
    const AzSpec& az = azs[i % azs.size()];
    names.nodes.push_back({node_name(az.name, "metadata", i / static_cast<std::uint32_t>(azs.size())), az.name, "metadata", false});
  }
  for (const AzSpec& az : azs)
    for (std::uint32_t i = 0; i < memds.nodes_per_az; ++i)
      names.nodes.push_back({node_name(az.name, "memds", i), az.name, "memds", false});
  if (archive.enabled)
    for (const AzSpec& az : azs)
      for (std::uint32_t i = 0; i < archive.s3.nodes_per_az; ++i)
        names.nodes.push_back({node_name(az.name, "s3", i), az.name, "s3", false});
  if (scrub.enabled) names.nodes.push_back({node_name(azs[0].name, "verifier", 0), azs[0].name, "verifier", false});
  for (const RouterPlace& r : router_places())
    names.nodes.push_back({node_name(azs[r.az].name, "router", r.index), azs[r.az].name, "router", false});
  for (const AzSpec& az : azs)
    for (std::uint32_t i = 0; i < az.clients; ++i)
      names.nodes.push_back({node_name(az.name, "client", i), az.name, "client", true});
  bool provisioned = false;
  for (const TableSpec& t : tables) provisioned |= t.capacity.mode == TableCapacity::Mode::provisioned;
  if (provisioned && admission.mode == AdmissionSpec::Mode::gac)
    for (std::uint32_t i = 0; i < admission.gac.servers; ++i) {
      const AzSpec& az = azs[i % azs.size()];
      names.nodes.push_back({node_name(az.name, "gac", i / static_cast<std::uint32_t>(azs.size())), az.name, "gac", false});
    }
  if (provisioned && admission.mode == AdmissionSpec::Mode::adaptive)
    names.nodes.push_back({node_name(azs[0].name, "autoadmin", 0), azs[0].name, "autoadmin", false});
  if (partitioning.enabled) names.nodes.push_back({node_name(azs[0].name, "splitter", 0), azs[0].name, "splitter", false});
  if (membership.enabled)
    for (std::uint32_t i = 0; i < membership.cells; ++i) {
      const AzSpec& az = azs[i % azs.size()];
      names.nodes.push_back({node_name(az.name, "cell", i / static_cast<std::uint32_t>(azs.size())), az.name, "cell", false});
    }
  return names;
}

std::vector<RouterPlace> Scenario::router_places() const {
  std::vector<RouterPlace> out;
  std::vector<std::uint32_t> next(azs.size(), 0);
  for (std::uint32_t e = 0; e < endpoints.size(); ++e)
    for (std::uint32_t a = 0; a < azs.size(); ++a)
      for (std::uint32_t i = 0; i < routers_of(e, a); ++i) out.push_back({a, e, next[a]++});
  return out;
}

RequestPathKinds::RequestPathKinds(sim::Kernel& kernel)
    : client_request(kernel.register_kind("msg.client_request")),
      client_response(kernel.register_kind("msg.client_response")),
      storage_request(kernel.register_kind("msg.storage_request")),
      storage_response(kernel.register_kind("msg.storage_response")),
      client_arrival(kernel.register_kind("client.arrival")),
      client_retry(kernel.register_kind("client.retry")),
      storage_service(kernel.register_kind("storage.service")) {}

}  // namespace models
