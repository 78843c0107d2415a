// A storage node: serves item reads and writes for the partitions it owns, a few at a time
// from a bounded queue. Items are on disk (kept across power-off); the queue is in memory.
#pragma once

#include "models/messages.h"
#include "models/scenario.h"
#include "sim/network.h"
#include "sim/rpc.h"

#include <deque>
#include <map>

namespace models {

class StorageNode final : public sim::Node {
 public:
  StorageNode(sim::Network& network, std::string name, sim::AzId az, const StorageSpec& spec,
              const RequestPathKinds& kinds);

  // A request arrived from a router.
  void handle(const ItemRequest& request, sim::Reply<ItemResponse> reply);

  std::uint64_t served() const { return served_; }
  std::uint64_t rejected_overloaded() const { return rejected_overloaded_; }
  std::size_t items_stored() const { return items_.size(); }
  // The durable version of an item (0 if never written).
  std::uint64_t version_of(std::uint32_t table, std::uint64_t key) const;

 private:
  struct Job {
    ItemRequest request;
    sim::Reply<ItemResponse> reply;
  };
  void start(Job job);
  void finish(const Job& job);

  const StorageSpec& spec_;
  const RequestPathKinds& kinds_;
  sim::Volatile<std::deque<Job>> queue_;
  sim::Volatile<std::uint32_t> busy_workers_;
  // The disk: item versions by (table, key). A map, so any walk over it is in key order.
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> items_;
  std::uint64_t served_ = 0;
  std::uint64_t rejected_overloaded_ = 0;
};

}  // namespace models
