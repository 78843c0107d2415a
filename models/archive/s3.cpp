// The S3 bucket and its front-end nodes.
#include "models/archive/s3.h"

#include "sim/assert.h"

#include <algorithm>

namespace models::archive {

ArchiveKinds::ArchiveKinds(sim::Kernel& k)
    : put(k.register_kind("msg.s3_put")),
      put_answer(k.register_kind("msg.s3_put_answer")),
      served(k.register_kind("s3.served")),
      tick(k.register_kind("archive.tick")),
      sample(k.register_kind("archive.sample")) {}

PutAnswer S3Bucket::put(const Segment& segment, sim::NodeId uploader, sim::Time now, ArchiveStats& stats) {
  SIM_ASSERT(!segment.checksums.empty() && segment.from >= 1);
  SIM_ASSERT(segment_checksum(segment.checksums) == segment.checksum);  // damaged on the way: step 2 models it
  if (segment.group >= groups_.size()) groups_.resize(segment.group + 1);
  GroupArchive& archive = groups_[segment.group];
  PutAnswer out;
  const Slot archived = archive.checksums.size();
  if (segment.from > archived + 1) {
    ++stats.gaps;
    out.status = PutAnswer::Status::gap;
    out.archived_to = archived;
    return out;
  }
  out.status = PutAnswer::Status::ok;
  const Slot last = segment.to();
  for (Slot slot = segment.from; slot <= std::min(last, archived); ++slot) {
    ++out.verified;
    replication::LogEntry& stored = archive.entries[slot - 1];
    if (stored.rotten && archive.checksums[slot - 1] == segment.checksums[slot - segment.from]) {
      // The compare reads the archived entry, finds it rotten, and keeps the replica's copy.
      stored = segment.entries[slot - segment.from];
      ++stats.rot_repaired;
      integrity_->found_in_archive(segment.group, slot, now);
    }
    if (out.mismatch_at == 0 && archive.checksums[slot - 1] != segment.checksums[slot - segment.from]) {
      out.mismatch_at = slot;
      // Once per difference: the replica uploads the same range again every interval.
      const bool known = std::any_of(stats.mismatches.begin(), stats.mismatches.end(), [&](const Mismatch& m) {
        return m.group == segment.group && m.slot == slot && m.node == uploader;
      });
      if (!known) stats.mismatches.push_back(Mismatch{now, segment.group, slot, uploader});
    }
  }
  stats.slots_verified += out.verified;
  if (last > archived && out.mismatch_at == 0) {
    // Bytes in proportion to the new slots (an upload's entries are of one table).
    const Slot added = last - archived;
    const std::uint64_t bytes = segment.bytes * added / segment.checksums.size();
    archive.checksums.insert(archive.checksums.end(), segment.checksums.end() - static_cast<std::ptrdiff_t>(added),
                             segment.checksums.end());
    SIM_ASSERT_OP(segment.entries.size(), ==, segment.checksums.size());
    archive.entries.insert(archive.entries.end(), segment.entries.end() - static_cast<std::ptrdiff_t>(added),
                           segment.entries.end());
    archive.bytes += bytes;
    ++stats.appended;
    stats.bytes_appended += bytes;
  }
  out.archived_to = archive.checksums.size();
  return out;
}

std::uint32_t S3Bucket::rot(sim::Rng& rng, std::uint32_t count, sim::Time now) {
  SIM_ASSERT(integrity_ != nullptr);
  verification::Stats& integrity = *integrity_;
  std::uint64_t total = 0;
  for (const GroupArchive& g : groups_) total += g.entries.size();
  std::uint32_t hit = 0;
  for (std::uint32_t i = 0; i < count && total > 0; ++i) {
    std::uint64_t at = rng.below(total);
    GroupId group = 0;
    while (at >= groups_[group].entries.size()) at -= groups_[group++].entries.size();
    replication::LogEntry& e = groups_[group].entries[at];
    if (e.rotten) continue;
    e.rotten = true;
    integrity.corruptions.push_back(verification::Corruption{verification::Corruption::Kind::archive_rot, now, group,
                                                             replication::kNoNode, at + 1, false, {}, false});
    ++hit;
  }
  return hit;
}

const std::vector<replication::LogEntry>& S3Bucket::entries(GroupId group) const {
  static const std::vector<replication::LogEntry> kNone;
  return group < groups_.size() ? groups_[group].entries : kNone;
}

S3Node::S3Node(sim::Network& network, std::string name, sim::AzId az, const S3Spec& spec, const ArchiveKinds& kinds,
               S3Bucket& bucket, ArchiveStats& stats)
    : sim::Node(network, std::move(name), az, "s3"),
      spec_(spec),
      bucket_(bucket),
      stats_(stats),
      queue_(*this, kinds.served, spec.workers, spec.queue_limit) {}

void S3Node::put(const Segment& segment, sim::Reply<PutAnswer> reply) {
  const sim::Duration transfer = spec_.transfer_time(segment.bytes);
  if (!queue_.submit(spec_.service.sample(rng()) + transfer, Work{this, segment, reply})) {
    ++stats_.busy;
    reply.send(*this, PutAnswer{});
  }
}

void S3Node::finish(const Work& work) {
  work.reply.send(*this, bucket_.put(work.segment, work.reply.caller(), kernel().now(), stats_));
}

}  // namespace models::archive
