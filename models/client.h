// A client host: runs its share of the workload as open-loop Poisson arrivals, sends each
// operation to a router in its AZ, and retries with capped exponential backoff and full jitter
// as the AWS SDKs do. Records what it saw in ClientMetrics.
#pragma once

#include "models/history.h"
#include "models/key_sampler.h"
#include "models/messages.h"
#include "models/metrics.h"
#include "models/router.h"
#include "models/timeline.h"
#include "models/scenario.h"
#include "sim/network.h"
#include "sim/rng.h"

#include <vector>

namespace models {

namespace ops {
class Watch;
}

// Who runs a client host: a customer (role "client", the scenario's workload and client
// settings) or a canary (role "canary": the canaries' own, models/ops).
struct ClientKind {
  const char* role;
  const std::vector<WorkloadSpec>* workload;  // `samplers` has one per entry
  const ClientSpec* spec;
  bool own_az_only = false;  // routers of its own AZ only, even when they all look down (a canary)
};

class Client final : public sim::Node {
 public:
  // `history`, when given, receives every finished operation for the checkers.
  Client(sim::Network& network, std::string name, sim::AzId az, std::uint32_t client_number,
         const Scenario& scenario, ClientKind kind, const RequestPathKinds& kinds, const std::vector<Router*>& routers,
         ClientMetrics& metrics, Timeline& timeline, std::vector<HistoryEntry>* history, double share_of_workload,
         const std::vector<KeySampler>& samplers);
  // Every finished operation is also told to `watch` (the alarms, the canaries' series).
  void report_to(ops::Watch* watch) { watch_ = watch; }

  // Starts the arrival processes; no operation starts at or after `stop`.
  void start(sim::Time stop);
  std::size_t operations_in_flight() const { return in_flight_; }
  // Operations lost because this host itself lost power (never counted as requests).
  std::uint64_t operations_abandoned() const { return abandoned_; }

 protected:
  void on_power_off() override;
  void on_power_on() override;

 private:
  struct Operation {
    std::uint64_t id = 0;
    models::Operation op = models::Operation::get_strong;
    std::uint32_t table = 0;
    std::uint64_t key = 0;
    sim::Time started;
    std::uint32_t attempts = 0;
    std::uint32_t generation = 0;
    std::uint32_t router = 0;  // position in routers_
    std::uint32_t endpoint = 0;  // whose routers it goes through (its workload entry's)
    bool active = false;
    ItemResponse last;         // the answer of the latest attempt
  };
  // One workload entry as this client runs it. Each entry draws from streams of its own
  // ("client/<name>/workload<i>/arrivals", ".../mix", ".../keys"), so adding an entry, or
  // changing another's mix, leaves this entry's arrival times, operations and keys as they were.
  struct Generator {
    const WorkloadSpec* spec;
    double rate_per_s;        // this client's share of the entry's peak rate
    const KeySampler* keys;
    sim::Rng* arrivals;       // gaps, and the thinning of phases
    sim::Rng* mix;            // which operation
    sim::Rng* key_draws;      // which key
  };

  // The next arrival of a workload entry (traced as "workload=<i>").
  struct Arrival {
    Client* client;
    std::size_t generator;
    sim::Time start;
    void operator()() const;
    void describe(std::string& out) const;
  };

  void schedule_arrival(std::size_t generator);
  void begin(std::size_t generator);
  void attempt(std::uint32_t slot);
  void attempt_done(std::uint32_t slot, std::uint32_t generation, sim::error_code error,
                    const ItemResponse& response);
  void finish(std::uint32_t slot, Outcome outcome);
  static constexpr std::uint32_t kNoRouter = 0xffffffffu;
  std::uint32_t choose_router(std::uint32_t avoid, std::uint32_t endpoint);

  const Scenario& scenario_;
  const ClientSpec& spec_;
  const bool canary_;
  const bool own_az_only_;
  const RequestPathKinds& kinds_;
  const std::vector<Router*>& routers_;
  ClientMetrics& metrics_;
  Timeline& timeline_;
  std::vector<HistoryEntry>* history_;
  std::uint32_t client_number_;
  std::vector<Generator> generators_;
  std::vector<Operation> operations_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<sim::Time> router_suspect_until_;  // by position in routers_
  sim::Rng& router_choice_;  // "client/<name>/router": which router an attempt goes to
  sim::Rng& backoff_;        // "client/<name>/backoff": the jittered wait before a retry
  std::vector<std::size_t> local_scratch_, remote_scratch_;
  std::uint64_t next_operation_id_ = 0;
  std::size_t in_flight_ = 0;
  std::uint64_t abandoned_ = 0;
  sim::Time stop_;
  ops::Watch* watch_ = nullptr;
};

}  // namespace models
