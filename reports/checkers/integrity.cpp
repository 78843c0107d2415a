// The integrity checker: one sorted list of every value written, then one lookup per read.
#include "reports/checkers/integrity.h"

#include "reports/checkers/describe.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

namespace reports::checkers {

using models::HistoryEntry;
using models::WriteId;

std::vector<WriteId> written_values(const std::vector<HistoryEntry>& history) {
  std::vector<WriteId> written;
  for (const HistoryEntry& entry : history)
    if (entry.op == models::Operation::put) written.push_back(entry.id);
  std::sort(written.begin(), written.end());
  written.erase(std::unique(written.begin(), written.end()), written.end());
  return written;
}

bool corrupted_read(const HistoryEntry& entry, const std::vector<WriteId>& written) {
  return entry.op != models::Operation::put && entry.outcome == models::Outcome::ok && entry.value != 0 &&
         !std::binary_search(written.begin(), written.end(), entry.value);
}

IntegrityVerdict check_integrity(const std::vector<HistoryEntry>& history) {
  IntegrityVerdict verdict;
  const std::vector<WriteId> written = written_values(history);
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
