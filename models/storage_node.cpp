// Storage node service: a queue in front of a fixed number of workers.
#include "models/storage_node.h"

namespace models {

StorageNode::StorageNode(sim::Network& network, std::string name, sim::AzId az,
                         const StorageSpec& spec, const RequestPathKinds& kinds)
    : sim::Node(network, std::move(name), az, "storage"),
      spec_(spec),
      kinds_(kinds),
      queue_(*this),
      busy_workers_(*this, 0u) {}

void StorageNode::handle(const ItemRequest& request, sim::Reply<ItemResponse> reply) {
  if (*busy_workers_ < spec_.workers) {
    start(Job{request, std::move(reply)});
    return;
  }
  if (queue_->size() >= spec_.queue_limit) {
    ++rejected_overloaded_;
    reply.send(*this, ItemResponse{Outcome::unavailable, 0});
    return;
  }
  queue_->push_back(Job{request, std::move(reply)});
}

void StorageNode::start(Job job) {
  ++*busy_workers_;
  const sim::DurationDistribution& service =
      is_write(job.request.op) ? spec_.write_service : spec_.read_service;
  after(service.sample(rng()), kinds_.storage_service, [this, job = std::move(job)] { finish(job); });
}

void StorageNode::finish(const Job& job) {
  SIM_ASSERT_OP(*busy_workers_, >, 0u);
  --*busy_workers_;
  ++served_;
  const auto item = std::make_pair(job.request.table, job.request.key);
  ItemResponse response{Outcome::ok, 0};
  if (is_write(job.request.op)) {
    response.version = ++items_[item];
  } else if (auto it = items_.find(item); it != items_.end()) {
    response.version = it->second;
  }
  job.reply.send(*this, response);
  if (!queue_->empty()) {
    Job next = std::move(queue_->front());
    queue_->pop_front();
    start(std::move(next));
  }
}

std::uint64_t StorageNode::version_of(std::uint32_t table, std::uint64_t key) const {
  auto it = items_.find(std::make_pair(table, key));
  return it == items_.end() ? 0 : it->second;
}

}  // namespace models
