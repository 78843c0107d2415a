// The build a node runs: the fleet's current one (no spec) or a deployment's (models/ops/
// deployer.h), which may fail requests or slow them. It is on the node's disk: a power cycle
// keeps it; only a deployment or its rollback changes it, while the node is down.
#pragma once

#include "models/scenario.h"
#include "sim/rng.h"

#include <cstdint>

namespace models::ops {

class RunningBuild {
 public:
  const BuildSpec* spec() const { return spec_; }
  void install(const BuildSpec* spec) { spec_ = spec; }
  // Whether the build fails this request (a draw only while a build with an error rate runs).
  bool fails(sim::Rng& rng) {
    if (spec_ == nullptr || spec_->error_rate <= 0.0 || rng.uniform01() >= spec_->error_rate) return false;
    ++errors_;
    return true;
  }
  sim::Duration extra_latency() const { return spec_ == nullptr ? sim::Duration::zero() : spec_->extra_latency; }
  // The newest log format it reads, and the one it writes (the fleet's own build: 1 and 1).
  std::uint8_t reads_format() const { return spec_ == nullptr ? 1 : spec_->reads_format; }
  std::uint8_t writes_format() const { return spec_ == nullptr ? 1 : spec_->writes_format; }
  // A router's wait for a storage node: the build's configuration, or the fleet's.
  sim::Duration storage_timeout(sim::Duration fleet) const {
    return spec_ == nullptr || !spec_->storage_timeout ? fleet : *spec_->storage_timeout;
  }
  // Requests a deployed build failed on this node, over the run.
  std::uint64_t errors() const { return errors_; }

 private:
  const BuildSpec* spec_ = nullptr;
  std::uint64_t errors_ = 0;
};

}  // namespace models::ops
