// The membership service (models/scenario.h, MembershipSpec; experiment E9): metadata cells
// serving each storage node its membership, and the agent on every storage node that fetches it.
// A node whose fetch times out leaves service and retries; a cell works through every fetch it
// queued, answered in time or not, unless it sheds load. Past a threshold the retries keep the
// cells busier than they can serve in time, and the fleet stays out of service after the blip
// that started it (metastable) until load is shed.
#pragma once

#include "models/scenario.h"
#include "sim/faults.h"
#include "sim/network.h"
#include "sim/rpc.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace models::control {

struct MembershipKinds {
  explicit MembershipKinds(sim::Kernel& kernel);
  sim::KindId fetch, answer, served, refresh, retry;
};

struct FetchAnswer {
  bool ok = false;  // false: the cell's queue was full, or it shed the fetch
};

struct MembershipStats {
  std::uint64_t fetches = 0;       // sent by the agents
  std::uint64_t served = 0;        // answered by a cell (in time or not)
  std::uint64_t timed_out = 0;     // the agent gave up waiting
  std::uint64_t rejected = 0;      // the cell's queue was full
  std::uint64_t shed = 0;          // dropped by a cell after waiting past the timeout
  std::uint64_t left_service = 0;  // nodes that went out of service after a failed fetch (boots not counted)
  // Every change of the number of nodes out of service (time, nodes out after it).
  std::vector<std::pair<sim::Time, std::uint32_t>> out_of_service;
  std::uint32_t out_now = 0;
  std::vector<std::uint64_t> served_by_minute;
};

class MembershipCell final : public sim::Node {
 public:
  MembershipCell(sim::Network& network, std::string name, sim::AzId az, const MembershipSpec& spec,
                 const MembershipKinds& kinds, MembershipStats& stats);
  void fetch(sim::Reply<FetchAnswer> reply);

 protected:
  void on_power_off() override;

 private:
  struct Waiting {
    sim::Time since;
    sim::Reply<FetchAnswer> reply;
  };
  void next();
  const MembershipSpec& spec_;
  const MembershipKinds& kinds_;
  MembershipStats& stats_;
  std::deque<Waiting> queue_;
  std::uint32_t busy_ = 0;
};

// The payload of a fetch: delivers it to its cell.
struct ServeFetch {
  MembershipCell* cell;
  void operator()(sim::Reply<FetchAnswer> reply) const { cell->fetch(std::move(reply)); }
};

class MembershipService;

// The storage node's side: in service while its membership is current. The node calls
// powered_off/powered_on from its own power hooks; its timers and calls die with its power.
class MembershipAgent {
 public:
  MembershipAgent(sim::Node& node, MembershipService& service, MembershipCell& cell);
  bool in_service() const { return in_service_; }
  // Setup: the node booted with its membership; its first refresh falls in the first interval.
  void begin();
  void powered_off();
  void powered_on();  // out of service until a fetch succeeds
  void invalidate();  // fetch now; in service until that fails
  // A membership blip: invalidate within `spread` (drawn from the node's stream).
  void blip(sim::Duration spread);

 private:
  void fetch();
  void schedule(sim::Duration delay, bool retry);
  // `interval` jittered by half of it either way, from the node's stream.
  sim::Duration jittered(sim::Duration interval);
  // Leaves service; `counted`: for want of a membership (a failed fetch), not a boot.
  void leave(bool counted);
  void enter();

  sim::Node& node_;
  MembershipService& service_;
  MembershipCell& cell_;
  bool in_service_ = true;
  bool counted_ = false;   // counted in MembershipStats::out_now (out after a failed fetch)
  bool fetching_ = false;
  bool refetch_ = false;   // invalidated while a fetch was in flight: fetch again after it
  std::uint64_t timer_generation_ = 0;  // a newer schedule or a blip cancels the pending timer
};

class MembershipService {
 public:
  MembershipService(sim::Kernel& kernel, const MembershipSpec& spec_in) : spec(spec_in), kinds(kernel) {}
  const MembershipSpec& spec;
  MembershipKinds kinds;
  MembershipStats stats;
  std::vector<std::unique_ptr<MembershipCell>> cells;
  std::vector<std::unique_ptr<MembershipAgent>> agents;  // one per storage node
};

// The membership_blip fault: `{"at": ..., "kind": "membership_blip", "spread": "1s"}` makes every
// storage node re-fetch its membership within `spread` (needs a "membership" section).
void add_membership_faults(sim::FaultRegistry& registry);

}  // namespace models::control
