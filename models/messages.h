// What clients, routers and storage nodes say to each other about items, and the event kinds
// they register with the kernel. Shared by every component on the request path.
#pragma once

#include "models/scenario.h"
#include "sim/kernel.h"
#include "sim/rpc.h"

#include <cstdint>
#include <string>

namespace models {

// Fields by size, so it packs into 40 bytes: a request on the wire, with its reply handle, then
// fits the kernel's event slot instead of being boxed.
struct ItemRequest {
  std::uint64_t operation_id = 0;  // unique per client, for the trace
  std::uint64_t write = 0;         // put: the identity of the value (a WriteId), kept across retries
  std::uint64_t key = 0;
  std::uint32_t group = 0;         // the partition's replication group, filled in by the router
  std::uint32_t table = 0;
  std::uint32_t item_bytes = 0;
  Operation op = Operation::get_strong;
  std::uint8_t misroutes = 0;      // stale routes this request met at this router so far
  void describe(std::string& out) const;
};
static_assert(sizeof(ItemRequest) == 40);

// How a request ended, as the caller sees it. Throttling is kept apart from unavailability in
// every count, as DynamoDB's own metrics do.
enum class Outcome : std::uint8_t { ok, timeout, unavailable, throttled };
inline constexpr std::size_t kOutcomeCount = 4;
const char* outcome_name(Outcome outcome);

// The small fields first, so it packs into 32 bytes: a read's answer, held back until its worker
// is done (sim/network.h, send_at), then fits the kernel's event slot. Built with designated
// initializers (`{.outcome = ..., .version = ...}`), so the order is safe to change.
struct ItemResponse {
  Outcome outcome = Outcome::unavailable;
  bool redirect = false;      // storage to router: not the serving leader; try `leader_hint`
  bool moved = false;         // storage to router: this node holds no member of the group, or
                              // the key left the group's range (a split)
  std::uint32_t leader_hint = 0xffffffffu;
  std::uint64_t version = 0;  // the item's version after a put, or as read (0: never written)
  std::uint64_t value = 0;    // the WriteId of that version
  std::uint32_t owner_hint = 0xffffffffu;  // with moved after a split: the group the key went to
  void describe(std::string& out) const;
};
static_assert(sizeof(ItemResponse) == 32);

// An item request on its way to `server`, which handles it on arrival (a router or a storage
// node); named rather than a lambda so the trace can say what the request was.
template <class Server>
struct ServeItem {
  Server* server;
  ItemRequest request;
  void operator()(sim::Reply<ItemResponse> reply) const { server->handle(request, std::move(reply)); }
  void describe(std::string& out) const { request.describe(out); }
};

// Event kinds of the request path, registered once per simulation.
struct RequestPathKinds {
  explicit RequestPathKinds(sim::Kernel& kernel);
  sim::KindId client_request;    // client -> router
  sim::KindId client_response;   // router -> client
  sim::KindId storage_request;   // router -> storage node
  sim::KindId storage_response;  // storage node -> router
  sim::KindId client_arrival;    // a client starts an operation
  sim::KindId client_retry;      // a client retries after backoff
  sim::KindId storage_service;   // a storage node finished serving a request
};

}  // namespace models
