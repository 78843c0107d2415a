// Staleness per key: acked puts sorted by completion with a running maximum of their versions,
// so each read finds the newest put before it and the first newer one by binary search.
#include "reports/checkers/staleness.h"

#include "reports/checkers/by_key.h"

#include "sim/assert.h"

#include <algorithm>
#include <tuple>

namespace reports::checkers {
namespace {

struct Completed {
  sim::Time time;
  std::uint64_t version = 0;
};

}  // namespace

StalenessReport measure_staleness(const std::vector<models::HistoryEntry>& history) {
  // Acked puts and ok eventual reads, grouped by key.
  const std::vector<std::size_t> relevant = indices_by_key(history, [](const models::HistoryEntry& entry) {
    return entry.outcome == models::Outcome::ok &&
           (entry.op == models::Operation::put || entry.op == models::Operation::get_eventual);
  });

  StalenessReport report;
  std::vector<Completed> puts;                    // this key's, by completion time
  std::vector<std::uint64_t> version_max_so_far;  // version_max_so_far[i]: max over puts[0..i]
  for (std::size_t begin = 0; begin < relevant.size();) {
    const models::HistoryEntry& first = history[relevant[begin]];
    std::size_t end = begin;
    puts.clear();
    while (end < relevant.size() && history[relevant[end]].table == first.table &&
           history[relevant[end]].key == first.key) {
      const models::HistoryEntry& entry = history[relevant[end]];
      if (entry.op == models::Operation::put) puts.push_back(Completed{entry.completed, entry.version});
      prefetch_ahead(history, relevant, end++);
    }
    std::sort(puts.begin(), puts.end(), [](const Completed& a, const Completed& b) {
      return std::tie(a.time, a.version) < std::tie(b.time, b.version);
    });
    version_max_so_far.resize(puts.size());
    for (std::size_t i = 0; i < puts.size(); ++i) {
      version_max_so_far[i] = std::max(puts[i].version, i == 0 ? 0 : version_max_so_far[i - 1]);
    }

    for (std::size_t i = begin; i < end; ++i) {
      const models::HistoryEntry& read = history[relevant[i]];
      if (read.op != models::Operation::get_eventual) continue;
      ++report.reads;
      // Puts that completed strictly before the read was invoked: a prefix of `puts`.
      const auto before = static_cast<std::size_t>(
          std::lower_bound(puts.begin(), puts.end(), read.invoked,
                           [](const Completed& put, sim::Time t) { return put.time < t; }) -
          puts.begin());
      if (before == 0 || version_max_so_far[before - 1] <= read.version) continue;
      // The first put (by completion) above the version read: where the running maximum first
      // passes it, which is inside the prefix because the prefix's maximum does.
      const auto newer = static_cast<std::size_t>(
          std::upper_bound(version_max_so_far.begin(), version_max_so_far.begin() + static_cast<std::ptrdiff_t>(before),
                           read.version) -
          version_max_so_far.begin());
      SIM_ASSERT_OP(newer, <, before);
      ++report.stale_reads;
      report.versions_behind_max =
          std::max(report.versions_behind_max, version_max_so_far[before - 1] - read.version);
      const sim::Duration behind = read.invoked - puts[newer].time;
      SIM_ASSERT_OP(behind.nanos(), >, 0);
      report.time_behind_ns.record(static_cast<std::uint64_t>(behind.nanos()));
    }
    begin = end;
  }
  return report;
}

}  // namespace reports::checkers
