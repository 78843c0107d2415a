// The write-ahead log and its disk image.
#include "models/replication/wal.h"

#include "sim/assert.h"

#include <algorithm>

namespace models::replication {

void Wal::append(const LogEntry& entry) {
  SIM_ASSERT(!entry.ballot.none());
  records_.push_back(Record{entry, Ballot(), next_write_++});
}

bool Wal::store(Slot slot, const LogEntry& entry) {
  SIM_ASSERT_OP(slot, >=, start_);
  SIM_ASSERT_OP(slot, <=, last() + 1);
  if (slot == last() + 1) {
    append(entry);
    return true;
  }
  Record& r = records_[slot - start_];
  if (r.entry.same_value(entry)) {
    if (entry.ballot <= r.entry.ballot) return false;  // nothing new: what follows stays
    r.entry.ballot = entry.ballot;
    r.write = next_write_++;
    persisted_ = std::min(persisted_, slot - 1);
    return true;
  }
  truncate_from(slot);
  append(entry);
  return true;
}

void Wal::truncate_from(Slot slot) {
  SIM_ASSERT_OP(slot, >=, start_);
  if (slot > last()) return;
  records_.resize(slot - start_);
  persisted_ = std::min(persisted_, slot - 1);
}

void Wal::written(std::uint64_t write) {
  // Records reach the disk in write order. Marks every record on the prefix up to the first
  // one still waiting for a later write; a record past it that did land is found by the next
  // completion (and counted lost if the power goes first: forgetting an entry nobody was told
  // about is safe).
  for (Slot slot = persisted_ + 1; has(slot); ++slot) {
    Record& r = records_[slot - start_];
    if (!clean(r)) {
      if (r.write > write) break;
      r.on_disk = r.entry.ballot;
    }
    persisted_ = slot;
  }
}

void Wal::hand(std::uint64_t write, sim::Time lands) {
  if (!handed_.empty()) {
    SIM_ASSERT_OP(handed_.back().write, <=, write);
    SIM_ASSERT(handed_.back().lands <= lands);
    if (handed_.back().write == write) return;  // handed again with nothing new: it lands as handed first
  }
  handed_.push_back(Handed{write, lands});
}

void Wal::settle_slow(sim::Time now) {
  std::size_t landed = 0;
  while (landed < handed_.size() && handed_[landed].lands <= now) ++landed;
  written(handed_[landed - 1].write);
  handed_.erase(handed_.begin(), handed_.begin() + static_cast<std::ptrdiff_t>(landed));
}

bool Wal::durable(Slot slot, sim::Time now) const {
  if (slot < start_) return true;
  if (!has(slot)) return false;
  if (!records_[slot - start_].on_disk.none()) return true;
  // Not on disk as settled: would settle(now) write it? It would, as written() does, if the
  // newest handed write landed by `now` made it and made every record before it not yet clean.
  std::uint64_t landed = 0;
  for (const Handed& h : handed_) {
    if (h.lands > now) break;
    landed = h.write;
  }
  if (landed == 0) return false;
  for (Slot s = persisted_ + 1; s <= slot; ++s) {
    const Record& r = records_[s - start_];
    if (!clean(r) && r.write > landed) return false;
  }
  return true;
}

void Wal::advance_persisted() {
  while (has(persisted_ + 1) && clean(records_[persisted_ + 1 - start_])) ++persisted_;
}

void Wal::lose_unwritten(sim::Time now) {
  settle(now);
  handed_.clear();
  for (Slot slot = persisted_ + 1; has(slot); ++slot) {
    Record& r = records_[slot - start_];
    if (clean(r)) continue;
    if (r.on_disk.none()) {
      // Never written: neither it nor anything made after it is on disk.
      records_.resize(slot - start_);
      break;
    }
    r.entry.ballot = r.on_disk;  // the rewrite under a newer ballot did not land
  }
  advance_persisted();
  SIM_ASSERT_OP(persisted_, ==, last());
}

void Wal::trim_before(Slot before) {
  if (before <= start_) return;
  SIM_ASSERT_OP(before - 1, <=, persisted_);
  const std::size_t drop = std::min<std::size_t>(before - start_, records_.size());
  records_.erase(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(drop));
  start_ += drop;
}

void Wal::install_applied(Slot from, const std::vector<LogEntry>& entries) {
  SIM_ASSERT_OP(from + entries.size(), ==, start_);
  SIM_ASSERT_OP(persisted_ + 1, >=, start_);
  CompactVector<Record> before;
  before.reserve(entries.size() + records_.size());
  for (const LogEntry& e : entries) before.push_back(Record{e, e.ballot, 0});
  for (const Record& r : records_) before.push_back(r);
  records_ = std::move(before);
  start_ = from;
}

void Wal::install(Slot applied, const std::vector<LogEntry>& tail) {
  if (last() <= applied) {
    records_.clear();
  } else if (applied >= start_) {
    records_.erase(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(applied + 1 - start_));
  }
  start_ = applied + 1;
  persisted_ = applied;
  advance_persisted();
  for (std::size_t i = 0; i < tail.size(); ++i) store(applied + 1 + i, tail[i]);
}

}  // namespace models::replication
