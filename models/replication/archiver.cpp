// The WAL archiver of a storage node (archiving on): every archive interval, for each replica it
// holds, it seals the next segment of what the replica applied beyond what it knows archived (up
// to archive.segment bytes) and uploads it to the S3 node of its own AZ, one upload per replica
// at a time. S3 appends what extends the group's archive and compares what overlaps it, so the
// first replica to upload a range archives it and the other two verify it. A slot counts as
// archived on a replica once S3 took or matched its copy; only then may the log drop it.
#include "models/archive/s3.h"
#include "models/replication/rules.h"
#include "models/replication/storage_node.h"

#include "sim/assert.h"

namespace models::replication {

void StorageNode::start_archiving() {
  if (cluster_.archive == nullptr) return;
  // Spread over the interval by node (no random draw: the other streams stay as they are).
  const sim::Duration every = cluster_.archive->spec.interval;
  after(sim::Duration::from_nanos(every.nanos() / 16 * static_cast<std::int64_t>(id() % 16 + 1)),
        cluster_.archive->kinds.tick, [this] { archive_tick(); });
}

void StorageNode::archive_tick() {
  archive::ArchiveService& a = *cluster_.archive;
  after(a.spec.interval, a.kinds.tick, [this] { archive_tick(); });
  for (const auto& [group, local] : index_) upload_next_segment(*replicas_[local]);
  if (cluster_.integrity.log_rot) forget_trimmed_rot();
}

bool StorageNode::full_segment_pending(const Replica& r) const {
  std::uint64_t bytes = 0;
  for (Slot slot = std::max(r.d.archived + 1, r.d.log.start()); slot <= r.d.applied; ++slot) {
    bytes += archive::entry_bytes(r.d.log.at(slot));
    if (bytes >= cluster_.archive->spec.segment_bytes) return true;
  }
  return false;
}

void StorageNode::upload_next_segment(Replica& r) {
  archive::ArchiveService& a = *cluster_.archive;
  if (r.v.archiving) return;
  const Slot from = std::max(r.d.archived + 1, r.d.log.start());
  if (from > r.d.applied) return;
  // Sealing reads the entries: the segment ends before one that fails its checksum, which is
  // asked of the peers (entries_intact) and uploaded once repaired.
  Slot last = r.d.applied;
  if (cluster_.integrity.log_rot && cluster_.bug != PlantedBug::log_checksum_ignored)
    for (Slot slot = from; slot <= r.d.applied; ++slot)
      if (r.d.log.at(slot).rotten) {
        entries_intact(r, slot, slot);
        last = slot - 1;
        break;
      }
  if (last < from) {
    if (r.d.damaged) rules::report_damage(r, *this);
    return;
  }
  archive::Segment segment;
  segment.group = r.group;
  segment.from = from;
  for (Slot slot = from; slot <= last && segment.bytes < a.spec.segment_bytes; ++slot) {
    const LogEntry& entry = r.d.log.at(slot);
    segment.checksums.push_back(archive::entry_checksum(slot, entry));
    segment.entries.push_back(entry);
    segment.bytes += archive::entry_bytes(entry);
  }
  segment.checksum = archive::segment_checksum(segment.checksums);
  const std::vector<archive::S3Node*>& fleet = a.nodes_by_az[az()];
  SIM_ASSERT(!fleet.empty());
  archive::S3Node* s3 = fleet[r.group % fleet.size()];
  const Slot to = segment.to();
  r.v.archiving = true;
  ++a.stats.uploads;
  sim::async_call<archive::PutAnswer>(
      *this, s3->id(), a.kinds.put, a.kinds.put_answer, a.spec.s3.timeout, archive::ServePut{s3, std::move(segment)},
      [this, group = r.group, serial = r.serial, to](sim::error_code error, archive::PutAnswer answer) {
        Replica* replica = find(group);
        if (replica == nullptr || replica->serial != serial) return;
        replica->v.archiving = false;
        if (error) {
          ++cluster_.archive->stats.timeouts;
          return;
        }
        // A gap (S3 lacks slots before this replica's log: another replica has them) or a busy
        // queue: tried again next interval. A mismatch stays unconfirmed, and the log keeps it.
        if (answer.status != archive::PutAnswer::Status::ok || answer.mismatch_at != 0) return;
        replica->d.archived = std::max(replica->d.archived, std::min(answer.archived_to, to));
        // A backlog (after an outage) drains upload after upload, not one segment an interval.
        if (full_segment_pending(*replica)) upload_next_segment(*replica);
      });
}

}  // namespace models::replication
