// Client workload generation, router choice and retries.
#include "models/client.h"

#include "models/ops/watch.h"

#include <fmt/format.h>

#include <algorithm>

namespace models {

Client::Client(sim::Network& network, std::string name, sim::AzId az, std::uint32_t client_number,
               const Scenario& scenario, ClientKind kind, const RequestPathKinds& kinds,
               const std::vector<Router*>& routers, ClientMetrics& metrics, Timeline& timeline,
               std::vector<HistoryEntry>* history, double share_of_workload, const std::vector<KeySampler>& samplers)
    : sim::Node(network, std::move(name), az, kind.role, /*is_client=*/true),
      scenario_(scenario),
      spec_(*kind.spec),
      canary_(std::string_view(kind.role) == "canary"),
      own_az_only_(kind.own_az_only),
      kinds_(kinds),
      routers_(routers),
      metrics_(metrics),
      timeline_(timeline),
      history_(history),
      client_number_(client_number),
      router_suspect_until_(routers.size(), sim::Time::zero()),
      router_choice_(kernel().stream(fmt::format("client/{}/router", this->name()))),
      backoff_(kernel().stream(fmt::format("client/{}/backoff", this->name()))) {
  for (std::size_t i = 0; i < kind.workload->size(); ++i) {
    const WorkloadSpec& spec = (*kind.workload)[i];
    const std::string prefix = fmt::format("client/{}/workload{}/", this->name(), i);
    generators_.push_back(Generator{&spec, spec.peak_rate() * share_of_workload, &samplers[i],
                                    &kernel().stream(prefix + "arrivals"), &kernel().stream(prefix + "mix"),
                                    &kernel().stream(prefix + "keys")});
  }
}

void Client::start(sim::Time stop) {
  stop_ = stop;
  for (std::size_t g = 0; g < generators_.size(); ++g) schedule_arrival(g);
}

void Client::on_power_off() {
  // The customer's process died with its host: its operations end unobserved.
  for (std::uint32_t slot = 0; slot < operations_.size(); ++slot) {
    Operation& op = operations_[slot];
    if (!op.active) continue;
    op.active = false;
    ++op.generation;
    free_slots_.push_back(slot);
    ++abandoned_;
    timeline_.client_abandoned(op.started);
  }
  in_flight_ = 0;
}

void Client::on_power_on() {
  for (std::size_t g = 0; g < generators_.size(); ++g) schedule_arrival(g);
}

void Client::schedule_arrival(std::size_t generator) {
  const Generator& g = generators_[generator];
  if (g.rate_per_s <= 0.0) return;
  // Poisson arrivals within the entry's window [start, end) and the scenario's.
  const sim::Time start = sim::Time::zero() + g.spec->start;
  const sim::Time from = kernel().now() < start ? start : kernel().now();
  sim::Time stop = stop_;
  if (g.spec->end && sim::Time::zero() + *g.spec->end < stop) stop = sim::Time::zero() + *g.spec->end;
  // Compared as a double first: at a tiny rate the gap overflows any integer time.
  const double gap_ns = g.arrivals->exponential(1e9 / g.rate_per_s);
  if (from >= stop || gap_ns >= static_cast<double>((stop - from).nanos())) return;
  const auto gap = sim::Duration::from_nanos(static_cast<std::int64_t>(gap_ns));
  after(from + gap - kernel().now(), kinds_.client_arrival, Arrival{this, generator, start});
}

void Client::Arrival::operator()() const {
  // Phases thin the arrivals drawn at the peak rate: each is kept with probability
  // rate(now) / peak, which gives Poisson arrivals at the phase's (or ramp's) rate.
  const Generator& g = client->generators_[generator];
  const WorkloadSpec& spec = *g.spec;
  const sim::Time now = client->kernel().now();
  if (spec.phases.empty() || g.arrivals->uniform01() * spec.peak_rate() < spec.rate_at(now - start))
    client->begin(generator);
  client->schedule_arrival(generator);
}

void Client::Arrival::describe(std::string& out) const { out += fmt::format("workload={}", generator); }

void Client::begin(std::size_t generator) {
  const Generator& g = generators_[generator];
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(operations_.size());
    operations_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Operation& op = operations_[slot];
  SIM_ASSERT(!op.active);
  op.active = true;
  op.id = next_operation_id_++;
  op.table = g.spec->table_index;
  // Pick the operation by the mix: one uniform draw against the cumulative weights.
  const double u = g.mix->uniform01();
  double cumulative = 0.0;
  op.op = models::Operation::put;
  for (std::size_t i = 0; i < kOperationCount; ++i) {
    cumulative += g.spec->mix[i];
    if (u < cumulative) {
      op.op = static_cast<models::Operation>(i);
      break;
    }
  }
  if (g.spec->keys.shape == KeyDistribution::Shape::sequential) {
    const sim::Time from = sim::Time::zero() + g.spec->start;
    const sim::Time until = sim::Time::zero() + (g.spec->end ? std::min(*g.spec->end, scenario_.duration) : scenario_.duration);
    const double progress = static_cast<double>((kernel().now() - from).nanos()) / static_cast<double>((until - from).nanos());
    op.key = g.keys->sample(*g.key_draws, progress);
  } else {
    op.key = g.keys->sample(*g.key_draws);
  }
  op.started = kernel().now();
  timeline_.client_began(op.started);
  op.attempts = 0;
  // Each operation goes to a router its endpoint picks: any healthy-looking one in the AZ, so
  // routers added later take their share at once.
  op.endpoint = g.spec->endpoint;
  op.router = choose_router(kNoRouter, op.endpoint);
  ++in_flight_;
  attempt(slot);
}

std::uint32_t Client::choose_router(std::uint32_t avoid, std::uint32_t endpoint) {
  if (router_suspect_until_.size() < routers_.size()) router_suspect_until_.resize(routers_.size(), sim::Time::zero());
  // Prefer a healthy-looking router of the endpoint in our AZ, then one elsewhere, then any of
  // the endpoint's.
  const sim::Time now = kernel().now();
  std::vector<std::size_t>& local = local_scratch_;
  std::vector<std::size_t>& remote = remote_scratch_;
  local.clear();
  remote.clear();
  for (std::size_t i = 0; i < routers_.size(); ++i) {
    if (routers_[i]->endpoint() != endpoint) continue;
    if (i == avoid || router_suspect_until_[i] > now || !routers_[i]->in_service()) continue;
    if (routers_[i]->az() == az()) local.push_back(i);
    else if (!own_az_only_) remote.push_back(i);
  }
  if (own_az_only_ && local.empty())
    for (std::size_t i = 0; i < routers_.size(); ++i)
      if (routers_[i]->endpoint() == endpoint && routers_[i]->az() == az()) local.push_back(i);
  if (local.empty() && remote.empty())
    for (std::size_t i = 0; i < routers_.size(); ++i)
      if (routers_[i]->endpoint() == endpoint) remote.push_back(i);
  const std::vector<std::size_t>& pool = !local.empty() ? local : remote;
  SIM_ASSERT(!pool.empty());  // the loader gives every endpoint a router, and a canary one in its AZ
  return static_cast<std::uint32_t>(pool[router_choice_.below(pool.size())]);
}

void Client::attempt(std::uint32_t slot) {
  Operation& op = operations_[slot];
  ++op.attempts;
  Router* router = routers_[op.router];
  ItemRequest request;
  request.operation_id = op.id;
  // A retried put carries the same value identity: the service may apply it more than once.
  request.write = op.op == models::Operation::put ? make_write_id(client_number_, op.id) : 0;
  request.table = op.table;
  request.op = op.op;
  request.key = op.key;
  request.item_bytes = static_cast<std::uint32_t>(scenario_.tables[op.table].item_bytes);
  const std::uint32_t generation = op.generation;
  sim::async_call<ItemResponse>(
      *this, router->id(), kinds_.client_request, kinds_.client_response,
      spec_.attempt_timeout,
      ServeItem<Router>{router, request},
      [this, slot, generation](sim::error_code error, ItemResponse response) {
        attempt_done(slot, generation, error, response);
      });
}

void Client::attempt_done(std::uint32_t slot, std::uint32_t generation, sim::error_code error,
                          const ItemResponse& response) {
  Operation& op = operations_[slot];
  if (!op.active || op.generation != generation) return;
  const Outcome outcome = error ? Outcome::timeout : response.outcome;
  op.last = error ? ItemResponse{} : response;
  if (outcome == Outcome::ok) {
    finish(slot, Outcome::ok);
    return;
  }
  if (outcome == Outcome::timeout) {
    router_suspect_until_[op.router] = kernel().now() + spec_.suspect_router_for;
  }
  if (op.attempts >= spec_.max_attempts) {
    finish(slot, outcome);
    return;
  }
  // Full jitter: a uniform wait up to the capped exponential backoff.
  const ClientSpec& spec = spec_;
  sim::Duration cap = spec.backoff_base;
  for (std::uint32_t i = 1; i < op.attempts && cap < spec.backoff_max; ++i) cap = cap * 2;
  cap = std::min(cap, spec.backoff_max);
  const auto backoff = sim::Duration::from_nanos(backoff_.uniform_int(0, cap.nanos()));
  op.router = choose_router(outcome == Outcome::timeout ? op.router : kNoRouter, op.endpoint);
  after(backoff, kinds_.client_retry, [this, slot, generation] {
    if (operations_[slot].active && operations_[slot].generation == generation) attempt(slot);
  });
}

void Client::finish(std::uint32_t slot, Outcome outcome) {
  Operation& op = operations_[slot];
  metrics_.record(op.started, az(), op.table, op.op, outcome, kernel().now() - op.started, op.attempts);
  timeline_.client_finished(op.started, op.table, op.op, outcome == Outcome::ok, kernel().now() - op.started);
  if (watch_ != nullptr) watch_->finished(canary_, op.endpoint, az(), op.table, outcome == Outcome::ok, kernel().now() - op.started);
  if (history_ != nullptr) {
    HistoryEntry entry;
    entry.id = make_write_id(client_number_, op.id);
    entry.table = op.table;
    entry.key = op.key;
    entry.op = op.op;
    entry.outcome = outcome;
    entry.invoked = op.started;
    entry.completed = kernel().now();
    entry.attempts = op.attempts;
    if (outcome == Outcome::ok) {
      entry.version = op.last.version;
      entry.value = op.last.value;
    }
    history_->push_back(entry);
  }
  op.active = false;
  ++op.generation;
  free_slots_.push_back(slot);
  --in_flight_;
}

}  // namespace models
