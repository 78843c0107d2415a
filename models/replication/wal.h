// A replica's write-ahead log: the entries it accepted and exactly which of them are on disk.
// Every change to the log is a write to the log device, numbered in order; the device completes
// writes in that order (group commit). A power-off keeps what reached the disk and nothing else:
// an entry never written is lost with everything after it, and an entry re-accepted under a newer
// ballot whose rewrite had not landed returns to the ballot on disk. Applied entries older than
// the newest few are trimmed (archived), so the log holds a bounded tail.
//
// A write's completion reaches the log in one of two ways. Its host may run an event when the
// device finishes it and call written(); or, when nothing has to happen at that instant but a
// message it allows (a follower's accepted), the host hands the write with the time it lands
// (hand()) and settles the log to the present before anything reads it (settle()). Either way
// the log is, at every instant, what the device holds then: durable(slot, now) reads a handed
// write that has landed without settling.
#pragma once

#include "models/replication/compact_vector.h"
#include "models/replication/types.h"

#include <cstdint>
#include <vector>

namespace models::replication {

class Wal {
 public:
  Slot start() const { return start_; }                  // the first slot held
  Slot last() const { return start_ + records_.size() - 1; }  // start() - 1 when empty
  bool empty() const { return records_.empty(); }
  std::size_t size() const { return records_.size(); }
  bool has(Slot slot) const { return slot >= start_ && slot - start_ < records_.size(); }
  const LogEntry& at(Slot slot) const { return records_[slot - start_].entry; }
  // Every slot up to here is on disk exactly as it is in memory (what an acceptor may acknowledge).
  Slot persisted() const { return persisted_; }
  // Whether `slot` is on disk with its value (perhaps under an older ballot than in memory), at
  // `now`: a handed write that landed by then counts, settled or not.
  bool durable(Slot slot, sim::Time now) const;
  // The newest write made, for the host to hand to the disk; 0 if none ever.
  std::uint64_t newest_write() const { return next_write_ - 1; }

  // Appends at last() + 1.
  void append(const LogEntry& entry);
  // An acceptor stores `entry` at `slot` (REQUIRES: start() <= slot <= last() + 1). The same
  // value keeps what follows it (an accept sent twice, or a value re-proposed under a newer
  // ballot: the newer ballot is written); another value replaces it and drops everything after
  // (a deposed leader's entries). Returns whether anything changed (a write is due).
  bool store(Slot slot, const LogEntry& entry);
  // Drops `slot` and everything after it (REQUIRES: slot > the applied slot).
  void truncate_from(Slot slot);
  // The device completed every write numbered up to `write`.
  void written(std::uint64_t write);
  // The device will complete every write numbered up to `write` at `lands` (REQUIRES: handed
  // writes land in the order they were made); settle() applies it once that time has come.
  void hand(std::uint64_t write, sim::Time lands);
  // Applies every handed write that has landed by `now`.
  void settle(sim::Time now) {
    if (!handed_.empty() && handed_.front().lands <= now) settle_slow(now);
  }
  bool unsettled() const { return !handed_.empty(); }
  // When the newest handed write lands (REQUIRES: unsettled()).
  sim::Time last_landing() const { return handed_.back().lands; }
  // Power-off at `now`: the log becomes what is on disk; handed writes still on their way are lost.
  void lose_unwritten(sim::Time now);
  // Bit rot: the entry at `slot` (REQUIRES: has(slot)) no longer matches its checksum.
  void rot(Slot slot) { records_[slot - start_].entry.rotten = true; }
  // A peer's intact copy of the entry replaced the rotten one (REQUIRES: has(slot)).
  void repair(Slot slot) { records_[slot - start_].entry.rotten = false; }
  // Drops entries before `before` (REQUIRES: they are applied).
  void trim_before(Slot before);
  // A snapshot of everything up to `applied` replaces the entries up to it; `tail` (the slots
  // after it) is stored as an acceptor stores entries, so what the log already holds beyond it,
  // and matches, stays.
  void install(Slot applied, const std::vector<LogEntry>& tail);
  // Right after install: the snapshot's applied entries from `from` (REQUIRES: they end at
  // start() - 1), kept as on disk: the sender had not archived them, so this log must hold them.
  void install_applied(Slot from, const std::vector<LogEntry>& entries);

 private:
  struct Record {
    LogEntry entry;
    Ballot on_disk;            // the ballot of the value on disk at this slot; none: not on disk
    std::uint64_t write = 0;   // the write that made the in-memory form
  };
  // A write handed to the device and the time it lands.
  struct Handed {
    std::uint64_t write = 0;
    sim::Time lands;
  };
  bool clean(const Record& r) const { return r.on_disk == r.entry.ballot; }
  void advance_persisted();
  void settle_slow(sim::Time now);

  Slot start_ = 1;
  CompactVector<Record> records_;
  Slot persisted_ = 0;
  std::uint64_t next_write_ = 1;
  CompactVector<Handed> handed_;  // in the order they land; usually empty or one
};

}  // namespace models::replication
