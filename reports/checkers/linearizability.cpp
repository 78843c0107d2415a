// The linearizability checker: group operations by key, then per key one sort per relation and
// one sweep with a running maximum per rule, so a long history costs O(n log n), not O(n^2).
#include "reports/checkers/linearizability.h"

#include "reports/checkers/by_key.h"
#include "reports/checkers/describe.h"
#include "reports/checkers/integrity.h"
#include "sim/assert.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace reports::checkers {

const char* rule_name(ConsistencyRule rule) {
  switch (rule) {
    case ConsistencyRule::one_write_per_version: return "a (one write per version)";
    case ConsistencyRule::real_time_write_order: return "b (real-time write order)";
    case ConsistencyRule::no_future_reads: return "c (no future reads)";
    case ConsistencyRule::no_stale_reads: return "d (no stale reads)";
    case ConsistencyRule::monotonic_reads: return "e (monotonic reads)";
    case ConsistencyRule::reads_precede_writes: return "f (reads precede later writes)";
  }
  SIM_ASSERT(false);
  return "?";
}

namespace {

using models::HistoryEntry;
using models::WriteId;

// One operation at one instant, with the version it wrote or read; `entry` indexes the history.
struct Point {
  sim::Time time;
  std::uint64_t version = 0;
  std::size_t entry = 0;
};

// A (version, write) pair some operation vouches for: an acked put for itself, a read for the
// value it returned.
struct Claim {
  std::uint64_t version = 0;
  WriteId write = 0;
  std::size_t entry = 0;
};

// Buffers for one key, reused from key to key so a history of many small keys does not
// allocate per key.
struct KeyWork {
  std::vector<Point> acked_puts_by_completion;
  std::vector<Point> writes_by_invocation;  // acked puts and maybe puts whose version a read revealed
  std::vector<Point> reads_by_completion;
  std::vector<Point> reads_by_invocation;
  std::vector<Claim> claims;
  std::vector<std::pair<WriteId, std::size_t>> puts_by_write;  // (write, entry), every put

  void clear() {
    acked_puts_by_completion.clear();
    writes_by_invocation.clear();
    reads_by_completion.clear();
    reads_by_invocation.clear();
    claims.clear();
    puts_by_write.clear();
  }
};

class Checker {
 public:
  explicit Checker(const std::vector<HistoryEntry>& history) : history_(history) {}

  ConsistencyVerdict run() {
    // Strongly consistent operations that say something, grouped by key, history order within.
    // Reads of values no put wrote are corrupted data: integrity.h judges them.
    const WrittenValues written(history_);
    const std::vector<std::size_t> relevant = indices_by_key(history_, [&written](const HistoryEntry& entry) {
      SIM_ASSERT_OP(entry.invoked.nanos(), <=, entry.completed.nanos());
      const bool ok_strong_read = entry.op == models::Operation::get_strong && entry.outcome == models::Outcome::ok &&
                                  !corrupted_read(entry, written);
      return ok_strong_read || entry.op == models::Operation::put;
    });
    verdict_.operations = relevant.size();
    for (std::size_t begin = 0; begin < relevant.size();) {
      std::size_t end = begin + 1;
      while (end < relevant.size() && history_[relevant[end]].table == history_[relevant[begin]].table &&
             history_[relevant[end]].key == history_[relevant[begin]].key) {
        prefetch_ahead(history_, relevant, end++);
      }
      ++verdict_.keys;
      check_key(relevant.data() + begin, relevant.data() + end);
      begin = end;
    }
    verdict_.passed = verdict_.violations == 0;
    return std::move(verdict_);
  }

 private:
  void check_key(const std::size_t* first, const std::size_t* last) {
    work_.clear();
    current_key_entry_ = *first;
    for (const std::size_t* it = first; it != last; ++it) {
      const std::size_t index = *it;
      const HistoryEntry& entry = history_[index];
      if (entry.op == models::Operation::put) {
        work_.puts_by_write.emplace_back(entry.id, index);
        if (entry.outcome != models::Outcome::ok) continue;
        work_.acked_puts_by_completion.push_back(Point{entry.completed, entry.version, index});
        work_.writes_by_invocation.push_back(Point{entry.invoked, entry.version, index});
        work_.claims.push_back(Claim{entry.version, entry.id, index});
        if (entry.version == 0) {
          violation(ConsistencyRule::one_write_per_version,
                    fmt::format("{} was acknowledged with version 0, which means never written",
                                describe(index)));
        }
      } else {
        work_.reads_by_completion.push_back(Point{entry.completed, entry.version, index});
        work_.reads_by_invocation.push_back(Point{entry.invoked, entry.version, index});
        if (entry.version == 0 && entry.value != 0) {
          violation(ConsistencyRule::one_write_per_version,
                    fmt::format("{} names a write at version 0, which means never written",
                                describe(index)));
        }
      }
    }
    // Rule c first: a read of a write that does not exist is reported once, as c, and does not
    // also show up as a conflicting claim under rule a.
    check_reads_name_earlier_writes();
    check_claims();
    add_revealed_writes();

    const auto by_time = [](const Point& a, const Point& b) {
      return std::tie(a.time, a.entry) < std::tie(b.time, b.entry);
    };
    std::sort(work_.acked_puts_by_completion.begin(), work_.acked_puts_by_completion.end(), by_time);
    std::sort(work_.writes_by_invocation.begin(), work_.writes_by_invocation.end(), by_time);
    std::sort(work_.reads_by_completion.begin(), work_.reads_by_completion.end(), by_time);
    std::sort(work_.reads_by_invocation.begin(), work_.reads_by_invocation.end(), by_time);

    sweep(ConsistencyRule::real_time_write_order, work_.acked_puts_by_completion,
          work_.writes_by_invocation, /*equal_allowed=*/false,
          "completed before {} was invoked, yet its version is not lower");
    sweep(ConsistencyRule::no_stale_reads, work_.acked_puts_by_completion, work_.reads_by_invocation,
          /*equal_allowed=*/true, "completed before {} was invoked, which returns an older version");
    sweep(ConsistencyRule::monotonic_reads, work_.reads_by_completion, work_.reads_by_invocation,
          /*equal_allowed=*/true, "completed before {} was invoked, which returns an older version");
    sweep(ConsistencyRule::reads_precede_writes, work_.reads_by_completion, work_.writes_by_invocation,
          /*equal_allowed=*/false, "completed before {} was invoked, yet returns a version not below it");
  }

  // Rule a, both ways round: each version has one write, and each write at most one version
  // per attempt that carried it (a retried put reuses the write's identity, and every attempt
  // may be applied once, also one the client gave up on).
  void check_claims() {
    std::vector<Claim>& claims = work_.claims;
    std::sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) {
      return std::tie(a.version, a.write, a.entry) < std::tie(b.version, b.write, b.entry);
    });
    for (std::size_t begin = 0; begin < claims.size();) {
      std::size_t end = begin + 1;
      while (end < claims.size() && claims[end].version == claims[begin].version) ++end;
      // Sorted by write within a version: each new write is one more conflicting claim.
      for (std::size_t i = begin + 1; i < end; ++i) {
        if (claims[i].write == claims[i - 1].write) continue;
        violation(ConsistencyRule::one_write_per_version,
                  fmt::format("{} and {} give one version to different writes", describe(claims[begin].entry),
                              describe(claims[i].entry)));
      }
      begin = end;
    }
    std::sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) {
      return std::tie(a.write, a.version, a.entry) < std::tie(b.write, b.version, b.entry);
    });
    for (std::size_t begin = 0; begin < claims.size();) {
      std::size_t end = begin + 1;
      while (end < claims.size() && claims[end].write == claims[begin].write) ++end;
      const std::uint32_t attempts = attempts_of(claims[begin].write);
      std::uint32_t versions = 1;
      for (std::size_t i = begin + 1; i < end; ++i) {
        if (claims[i].version == claims[i - 1].version) continue;
        if (++versions <= attempts) continue;
        violation(ConsistencyRule::one_write_per_version,
                  attempts == 1 ? fmt::format("{} and {} give one write different versions",
                                              describe(claims[begin].entry), describe(claims[i].entry))
                                : fmt::format("{} and {} give one write more versions than the {} attempts that carried it",
                                              describe(claims[begin].entry), describe(claims[i].entry), attempts));
      }
      begin = end;
    }
    // Left sorted by write: add_revealed_writes looks versions up here.
  }

  // The attempts of the put that made `write` (puts_by_write is sorted by write by now).
  std::uint32_t attempts_of(WriteId write) const {
    const auto found = std::lower_bound(work_.puts_by_write.begin(), work_.puts_by_write.end(), write,
                                        [](const auto& put, WriteId w) { return put.first < w; });
    if (found == work_.puts_by_write.end() || found->first != write) return 1;
    return std::max<std::uint32_t>(history_[found->second].attempts, 1);
  }

  // Rule c: the write a read returns was invoked, on this key, before the read completed.
  // Also turns each read of an existing write into a claim for rule a.
  void check_reads_name_earlier_writes() {
    std::sort(work_.puts_by_write.begin(), work_.puts_by_write.end(),
              [this](const auto& a, const auto& b) {
                return std::tie(a.first, history_[a.second].invoked, a.second) <
                       std::tie(b.first, history_[b.second].invoked, b.second);
              });
    for (const Point& read : work_.reads_by_completion) {
      const HistoryEntry& entry = history_[read.entry];
      if (entry.version == 0) continue;  // never written: rule d judges it, rule a if it names a write
      if (entry.value == 0) {
        violation(ConsistencyRule::no_future_reads,
                  fmt::format("{} names no write for a version above 0", describe(read.entry)));
        continue;
      }
      // The earliest-invoked put of that write, the one most favourable to the read.
      const auto found = std::lower_bound(
          work_.puts_by_write.begin(), work_.puts_by_write.end(), entry.value,
          [](const auto& put, WriteId write) { return put.first < write; });
      if (found == work_.puts_by_write.end() || found->first != entry.value) {
        violation(ConsistencyRule::no_future_reads,
                  fmt::format("{} returns a write no put of this key made", describe(read.entry)));
        continue;
      }
      if (history_[found->second].invoked > entry.completed) {
        violation(ConsistencyRule::no_future_reads,
                  fmt::format("{} returns the value of {}, invoked only after the read completed",
                              describe(read.entry), describe(found->second)));
      }
      // The write exists, so the read's version for it is evidence for rule a.
      work_.claims.push_back(Claim{entry.version, entry.value, read.entry});
    }
  }

  // A version of a put that a read revealed, other than the one the client was told (a maybe
  // write's, or another attempt's of a retried put), took effect there: it is ordered against
  // the other writes and reads like an acked put, by the put's invocation only.
  void add_revealed_writes() {
    for (const auto& [write, index] : work_.puts_by_write) {
      const HistoryEntry& entry = history_[index];
      const bool acked = entry.outcome == models::Outcome::ok;
      auto claim = std::lower_bound(work_.claims.begin(), work_.claims.end(), write,
                                    [](const Claim& c, WriteId w) { return c.write < w; });
      for (std::uint64_t last = 0; claim != work_.claims.end() && claim->write == write; ++claim) {
        if (claim->version == last || (acked && claim->version == entry.version)) continue;
        last = claim->version;
        work_.writes_by_invocation.push_back(Point{entry.invoked, claim->version, index});
      }
    }
  }

  // For each later operation (by invocation), the highest version among earlier operations
  // (by completion) that completed strictly before it was invoked; a running maximum, since
  // both lists are sorted by time.
  void sweep(ConsistencyRule rule, const std::vector<Point>& earlier_by_completion,
             const std::vector<Point>& later_by_invocation, bool equal_allowed,
             fmt::format_string<std::string> what) {
    std::size_t next = 0;
    const Point* highest = nullptr;
    for (const Point& later : later_by_invocation) {
      while (next < earlier_by_completion.size() && earlier_by_completion[next].time < later.time) {
        if (highest == nullptr || earlier_by_completion[next].version > highest->version) {
          highest = &earlier_by_completion[next];
        }
        ++next;
      }
      if (highest == nullptr) continue;
      const bool broken = equal_allowed ? highest->version > later.version : highest->version >= later.version;
      if (!broken) continue;
      violation(rule, fmt::format("{} {}", describe(highest->entry), fmt::format(what, describe_later(later))));
    }
  }

  // A later write in rules b and f may be a version of a put that only a read revealed.
  std::string describe_later(const Point& later) const {
    const HistoryEntry& entry = history_[later.entry];
    if (entry.op == models::Operation::put && (entry.outcome != models::Outcome::ok || later.version != entry.version)) {
      return fmt::format("{} (seen by a read as v{})", describe(later.entry), later.version);
    }
    return describe(later.entry);
  }

  std::string describe(std::size_t index) const {
    const HistoryEntry& entry = history_[index];
    const std::string interval = fmt::format("[{}, {}]", detail::describe_time(entry.invoked),
                                             detail::describe_time(entry.completed));
    if (entry.op != models::Operation::put) {
      return fmt::format("read of v{} (write {}) {}", entry.version, detail::describe_write(entry.value), interval);
    }
    if (entry.outcome == models::Outcome::ok) {
      return fmt::format("put v{} (write {}) {}", entry.version, detail::describe_write(entry.id), interval);
    }
    return fmt::format("{} put (write {}) {}", models::outcome_name(entry.outcome),
                       detail::describe_write(entry.id), interval);
  }

  void violation(ConsistencyRule rule, std::string what) {
    ++verdict_.violations;
    ++verdict_.violations_by_rule[static_cast<std::size_t>(rule)];
    if (verdict_.examples.size() >= ConsistencyVerdict::kMaxExamples) return;
    const HistoryEntry& any = history_[current_key_entry_];
    verdict_.examples.push_back(fmt::format("rule {} on {}: {}", rule_name(rule),
                                            detail::describe_key(any.table, any.key), what));
  }

  const std::vector<HistoryEntry>& history_;
  ConsistencyVerdict verdict_;
  KeyWork work_;
  std::size_t current_key_entry_ = 0;  // any entry of the key being checked, to name it
};

}  // namespace

ConsistencyVerdict check_linearizable(const std::vector<models::HistoryEntry>& history) {
  return Checker(history).run();
}

}  // namespace reports::checkers
