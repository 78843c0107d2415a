// What continuous verification saw in one run, for the report: every corruption injected (bit
// rot on an item, a wrong value a buggy build stored) and when it was found, every replica found
// damaged and how, what the scrub compared and the repairs. Written by the storage nodes, the
// corruption faults and the scrub verifier; read by reports/verification_report.cpp.
#pragma once

#include "models/replication/types.h"
#include "sim/time.h"

#include <cstdint>
#include <vector>

namespace models::verification {

using replication::GroupId;

// Where a buggy build stores its wrong value (verification/faults.h).
enum class BuggyPath : std::uint8_t { apply, propose };

// How a damaged replica was found.
enum class Detection : std::uint8_t {
  page_checksum,     // a read found an item whose checksum does not match
  scrub_replicas,    // the scrub's three-way compare: its peers agree, it differs
  scrub_reference,   // the scrub's compare with the reference replica rebuilt from the archive
  log_checksum,      // a read of a log entry (to archive, send or replay it) failed its checksum
};
const char* detection_name(Detection how);

struct Corruption {
  // bit_rot: a stored item; log_rot: an applied entry in a replica's log; archive_rot: an entry
  // archived in S3; buggy_value: a wrong value a buggy build stored.
  enum class Kind : std::uint8_t { bit_rot, buggy_value, log_rot, archive_rot };
  Kind kind = Kind::bit_rot;
  sim::Time time;
  GroupId group = 0;
  sim::NodeId node = 0;  // kNoNode for the archive
  std::uint64_t key = 0;  // the item; for log_rot and archive_rot, the slot
  bool detected = false;
  sim::Time detected_at;
  // Gone before anything found it: a later write replaced the damaged value (only the newest
  // version kept), or the rotten log entry was trimmed unread.
  bool overwritten = false;
};

struct Damage {
  sim::Time time;
  GroupId group = 0;
  sim::NodeId node = 0;
  Detection how = Detection::page_checksum;
  bool repaired = false;      // a committed membership change replaced it
  sim::Time repaired_at;
};

struct ScrubStats {
  std::uint64_t markers = 0;              // scrub markers leaders proposed
  std::uint64_t digests = 0;              // replica digests the verifier received
  std::uint64_t compared = 0;             // markers compared three-way (two digests or more)
  std::uint64_t incomplete = 0;           // fewer than two digests came: nothing compared
  std::uint64_t replica_vs_replica = 0;   // replicas outvoted by their peers
  std::uint64_t undecided = 0;            // markers where the replicas disagreed with no majority
  std::uint64_t reference_compared = 0;   // markers compared with the reference replica
  std::uint64_t reference_unavailable = 0;  // no reference: the archive did not reach the marker, or a split child
  std::uint64_t replica_vs_reference = 0;   // replicas that differ from the reference
  std::uint64_t missed_by_three_way = 0;    // of those, at markers where the replicas all agreed
  std::uint64_t unrepairable = 0;           // markers where no replica matches the reference: an alarm, no repair
  std::uint64_t reference_corrupt = 0;      // markers a rotten archived entry kept from their reference
};

// An alarm for the operators, about something nothing repairs by itself.
struct Alarm {
  enum class Reason : std::uint8_t {
    no_replica_matches_reference,
    damaged_leader,   // a damaged replica had to lead: no healthy one came forward
    archive_corrupt,  // an archived entry fails its checksum and no replica holds it any more
  };
  sim::Time time;
  GroupId group = 0;
  Reason reason = Reason::no_replica_matches_reference;
  const char* why() const;
};

struct Stats {
  // A write replaced the damaged value of `key` in `node`'s replica of `group`.
  void overwritten(GroupId group, sim::NodeId node, std::uint64_t key) {
    for (Corruption& c : corruptions)
      if (!c.detected && !c.overwritten && c.group == group && c.node == node && c.key == key) c.overwritten = true;
  }

  std::vector<Corruption> corruptions;
  bool log_rot = false;  // a log entry rotted somewhere: reads of entries check them from then on
  std::vector<Damage> damages;
  std::uint64_t reads_refused = 0;  // reads a page checksum stopped
  std::uint64_t rotten_entries_dropped = 0;  // messages a receiver dropped: an entry in them failed its checksum
  std::uint64_t entry_repairs_asked = 0;     // rotten log entries asked of the peers
  std::uint64_t entries_repaired = 0;        // rotten log entries replaced by a peer's intact copy
  std::uint64_t entries_found_archived = 0;  // rotten log entries a peer said S3 holds: never uploaded again
  std::vector<Alarm> alarms;
  ScrubStats scrub;

  // Every corruption of `group` on `node` (kNoNode: on any node) not found yet is found now.
  void found(GroupId group, sim::NodeId node, sim::Time now) {
    for (Corruption& c : corruptions)
      if (!c.detected && !c.overwritten && c.group == group && (node == replication::kNoNode || c.node == node) &&
          c.kind != Corruption::Kind::archive_rot) {
        c.detected = true;
        c.detected_at = now;
      }
  }
  // The rotten log entry at `slot` of `node`'s replica of `group` is found now.
  void found_log_rot(GroupId group, sim::NodeId node, std::uint64_t slot, sim::Time now) {
    for (Corruption& c : corruptions)
      if (!c.detected && !c.overwritten && c.kind == Corruption::Kind::log_rot && c.group == group && c.node == node &&
          c.key == slot) {
        c.detected = true;
        c.detected_at = now;
      }
  }
  // The rotten archived entry at `slot` of `group` is found now.
  void found_in_archive(GroupId group, std::uint64_t slot, sim::Time now) {
    for (Corruption& c : corruptions)
      if (!c.detected && c.kind == Corruption::Kind::archive_rot && c.group == group && c.key == slot) {
        c.detected = true;
        c.detected_at = now;
      }
  }
  // One alarm per group and reason.
  void alarm(GroupId group, Alarm::Reason reason, sim::Time now) {
    for (const Alarm& a : alarms)
      if (a.group == group && a.reason == reason) return;
    alarms.push_back(Alarm{now, group, reason});
  }
};

}  // namespace models::verification
