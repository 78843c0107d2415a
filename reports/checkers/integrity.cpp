// The integrity checker: a bitmap of every value written, then one lookup per read.
#include "reports/checkers/integrity.h"

#include "reports/checkers/describe.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

namespace reports::checkers {

using models::HistoryEntry;

WrittenValues::WrittenValues(const std::vector<HistoryEntry>& history) {
  for (const HistoryEntry& entry : history) {
    if (entry.op != models::Operation::put) continue;
    const std::uint64_t client = entry.id >> 40;
    const std::uint64_t operation = entry.id & ((std::uint64_t{1} << 40) - 1);
    if (client >= bits_.size()) bits_.resize(client + 1);
    std::vector<std::uint64_t>& bits = bits_[client];
    if (operation / 64 >= bits.size()) bits.resize(std::max<std::size_t>(operation / 64 + 1, 2 * bits.size()), 0);
    bits[operation / 64] |= std::uint64_t{1} << (operation % 64);
  }
}

bool corrupted_read(const HistoryEntry& entry, const WrittenValues& written) {
  return entry.op != models::Operation::put && entry.outcome == models::Outcome::ok && entry.value != 0 &&
         !written.contains(entry.value);
}

IntegrityVerdict check_integrity(const std::vector<HistoryEntry>& history) {
  IntegrityVerdict verdict;
  const WrittenValues written(history);
  std::set<std::pair<std::uint32_t, std::uint64_t>> keys;
  for (const HistoryEntry& entry : history) {
    if (entry.op == models::Operation::put || entry.outcome != models::Outcome::ok || entry.value == 0) continue;
    ++verdict.reads;
    if (!corrupted_read(entry, written)) continue;
    if (verdict.corrupted_reads == 0 || entry.completed < verdict.first) verdict.first = entry.completed;
    verdict.last = std::max(verdict.last, entry.completed);
    ++verdict.corrupted_reads;
    keys.emplace(entry.table, entry.key);
    if (verdict.examples.size() < IntegrityVerdict::kMaxExamples)
      verdict.examples.push_back(fmt::format("{} of {} completed at {} returned {} at version {}, a value no put wrote",
                                             models::operation_name(entry.op),
                                             detail::describe_key(entry.table, entry.key),
                                             detail::describe_time(entry.completed), detail::describe_write(entry.value),
                                             entry.version));
  }
  verdict.keys = keys.size();
  verdict.passed = verdict.corrupted_reads == 0;
  return verdict;
}

}  // namespace reports::checkers
