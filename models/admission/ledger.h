// What admission control did, per partition: units consumed, requests throttled (and the units
// they asked for), and how full the burst buckets were, in running totals and per minute.
// Storage nodes and routers record; the adaptive controller reads the totals as the metrics
// nodes report; the reports render the minutes. Only partitions of provisioned tables are
// recorded, so regions of unmetered tables pay nothing for it.
#pragma once

#include "models/admission/token_bucket.h"
#include "sim/time.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace models::admission {

struct AdmissionTotals {
  MicroUnits read = 0;             // units consumed
  MicroUnits write = 0;
  MicroUnits throttled_read = 0;   // units asked for by throttled requests
  MicroUnits throttled_write = 0;
  std::uint64_t admitted = 0;      // requests admitted
  std::uint64_t throttled = 0;     // requests throttled
  std::uint64_t from_burst = 0;    // requests paid from the burst bucket
  void add(const AdmissionTotals& o) {
    read += o.read;
    write += o.write;
    throttled_read += o.throttled_read;
    throttled_write += o.throttled_write;
    admitted += o.admitted;
    throttled += o.throttled;
    from_burst += o.from_burst;
  }
};

struct PartitionMinute {
  AdmissionTotals totals;
  MicroUnits burst_read = -1;   // burst bucket level at the minute's last request (-1: none)
  MicroUnits burst_write = -1;
  MicroUnits share_read = 0;    // allocated share at the minute's last request, per second
  MicroUnits share_write = 0;
};

class Ledger {
 public:
  static constexpr sim::Duration kMinute = sim::minutes(1);

  // Starts recording `group` (a partition of a metered table), with a row for every minute up
  // to `horizon` (so reports have the same shape whatever happens).
  void track(std::uint32_t group, std::uint32_t table, sim::Time horizon) {
    if (group >= partitions_.size()) partitions_.resize(group + 1);
    Partition& p = partitions_[group];
    p.tracked = true;
    p.table = table;
    p.minutes.resize(static_cast<std::size_t>((horizon - sim::Time::zero() + kMinute - sim::nanos(1)) / kMinute));
  }
  bool tracked(std::uint32_t group) const { return group < partitions_.size() && partitions_[group].tracked; }

  // One admission decision on `group` (tracked) at `now`.
  void admitted(std::uint32_t group, sim::Time now, bool write, MicroUnits cost, bool from_burst) {
    Partition& p = partitions_[group];
    AdmissionTotals delta;
    (write ? delta.write : delta.read) = cost;
    delta.admitted = 1;
    delta.from_burst = from_burst ? 1 : 0;
    p.totals.add(delta);
    minute(p, now).totals.add(delta);
  }
  void throttled(std::uint32_t group, sim::Time now, bool write, MicroUnits cost) {
    Partition& p = partitions_[group];
    AdmissionTotals delta;
    (write ? delta.throttled_write : delta.throttled_read) = cost;
    delta.throttled = 1;
    p.totals.add(delta);
    minute(p, now).totals.add(delta);
    if (!p.first_throttle) p.first_throttle = now;
    p.last_throttle = now;
  }
  void levels(std::uint32_t group, sim::Time now, bool write, MicroUnits burst, MicroUnits share) {
    PartitionMinute& m = minute(partitions_[group], now);
    (write ? m.burst_write : m.burst_read) = burst;
    (write ? m.share_write : m.share_read) = share;
  }

  std::size_t size() const { return partitions_.size(); }
  const AdmissionTotals& totals(std::uint32_t group) const { return partitions_[group].totals; }
  const std::vector<PartitionMinute>& minutes(std::uint32_t group) const { return partitions_[group].minutes; }
  std::uint32_t table_of(std::uint32_t group) const { return partitions_[group].table; }
  // When the partition first throttled, if it did.
  std::optional<sim::Time> first_throttle(std::uint32_t group) const { return partitions_[group].first_throttle; }
  std::optional<sim::Time> last_throttle(std::uint32_t group) const { return partitions_[group].last_throttle; }

 private:
  struct Partition {
    bool tracked = false;
    std::uint32_t table = 0;
    std::optional<sim::Time> first_throttle;
    std::optional<sim::Time> last_throttle;
    AdmissionTotals totals;
    std::vector<PartitionMinute> minutes;
  };
  static PartitionMinute& minute(Partition& p, sim::Time now) {
    const auto index = static_cast<std::size_t>((now - sim::Time::zero()) / kMinute);
    if (p.minutes.size() <= index) p.minutes.resize(index + 1);
    return p.minutes[index];
  }
  std::vector<Partition> partitions_;  // by group
};

}  // namespace models::admission
