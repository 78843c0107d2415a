// S3 as the archive sees it: a regional fleet of front-end nodes (a few per AZ) over one
// durable bucket. A node has finite capacity (workers and a queue, as every service here) and
// answers an upload after its service time plus the time the bytes take to transfer; a full
// queue answers "busy" at once. Objects are durable: an s3_outage (every front-end node held
// down) loses the requests in flight, never an object.
//
// The bucket keeps, per group, the content checksum of every archived slot (slots 1..archived_to,
// with no gap: a segment that would leave one is refused), appended by whichever replica's
// archiver uploads a range first. An upload that overlaps what is archived is compared slot by
// slot with it: that is the download-and-compare of an already archived segment. An archived
// entry may rot (bit_rot with target "archive"): its content no longer matches the checksum
// stored beside it. A read finds it (the reference replay, a restore) and an upload of the same
// slot whose checksum matches the stored one replaces it.
#pragma once

#include "models/archive/segment.h"
#include "models/scenario.h"
#include "models/verification/stats.h"
#include "models/work_queue.h"
#include "sim/histogram.h"
#include "sim/network.h"
#include "sim/rpc.h"

#include <string>
#include <vector>

namespace models::archive {

struct PutAnswer {
  enum class Status : std::uint8_t { ok, gap, busy };
  Status status = Status::busy;
  Slot archived_to = 0;   // the group's archived point after this upload
  Slot verified = 0;      // slots of the upload that were archived already, compared with it
  Slot mismatch_at = 0;   // the first compared slot whose content differs (0: none)
};

// A difference between an archived slot and a replica's copy of it.
struct Mismatch {
  sim::Time time;
  GroupId group = 0;
  Slot slot = 0;
  sim::NodeId node = 0;  // the replica's node that uploaded the differing copy
};

struct ArchiveStats {
  std::uint64_t uploads = 0;          // segments sent
  std::uint64_t appended = 0;         // segments that extended an archive
  std::uint64_t bytes_appended = 0;
  std::uint64_t slots_verified = 0;   // already archived slots compared with a replica's copy
  std::uint64_t gaps = 0;             // uploads refused: they started past the archived point
  std::uint64_t busy = 0;             // uploads a full queue turned away
  std::uint64_t timeouts = 0;         // uploads never answered (S3 down, slow, or lost)
  std::uint64_t rot_repaired = 0;     // rotten archived entries replaced by a replica's upload
  std::vector<Mismatch> mismatches;   // archive vs log
};

class S3Bucket {
 public:
  // Appends what extends the group's archive, compares what overlaps it.
  PutAnswer put(const Segment& segment, sim::NodeId uploader, sim::Time now, ArchiveStats& stats);
  Slot archived_to(GroupId group) const { return group < groups_.size() ? groups_[group].checksums.size() : 0; }
  // The archived entries of a group, slot 1 first (what a restore replays).
  const std::vector<replication::LogEntry>& entries(GroupId group) const;
  std::uint64_t bytes(GroupId group) const { return group < groups_.size() ? groups_[group].bytes : 0; }
  std::size_t groups() const { return groups_.size(); }
  // Where corruptions and their discovery are recorded.
  void report_to(verification::Stats* integrity) { integrity_ = integrity; }
  // Bit rot on `count` archived entries drawn uniformly; returns how many rotted.
  std::uint32_t rot(sim::Rng& rng, std::uint32_t count, sim::Time now);

 private:
  struct GroupArchive {
    std::vector<std::uint64_t> checksums;  // slot i + 1 at index i
    std::vector<replication::LogEntry> entries;
    std::uint64_t bytes = 0;
  };
  std::vector<GroupArchive> groups_;  // by group id
  verification::Stats* integrity_ = nullptr;
};

struct ArchiveKinds {
  explicit ArchiveKinds(sim::Kernel& kernel);
  sim::KindId put, put_answer, served, tick, sample;
};

class S3Node final : public sim::Node {
 public:
  S3Node(sim::Network& network, std::string name, sim::AzId az, const S3Spec& spec, const ArchiveKinds& kinds,
         S3Bucket& bucket, ArchiveStats& stats);
  void put(const Segment& segment, sim::Reply<PutAnswer> reply);
  const WorkQueueStats& queue_stats() const { return queue_.stats(); }
  S3Bucket& bucket() { return bucket_; }

 protected:
  void on_power_off() override { queue_.clear(); }

 private:
  struct Work {
    S3Node* node;
    Segment segment;
    sim::Reply<PutAnswer> reply;
    void operator()() const { node->finish(*this); }
  };
  void finish(const Work& work);

  const S3Spec& spec_;
  S3Bucket& bucket_;
  ArchiveStats& stats_;
  WorkQueue<Work> queue_;
};

// Delivers an upload to its S3 node (the payload of the request message).
struct ServePut {
  S3Node* node;
  Segment segment;
  void operator()(sim::Reply<PutAnswer> reply) const { node->put(segment, std::move(reply)); }
};

// The archive as the storage nodes reach it: the bucket, the fleet by AZ, the settings and
// what happened.
struct ArchiveService {
  ArchiveService(sim::Kernel& kernel, const ArchiveSpec& spec_in) : spec(spec_in), kinds(kernel) {}
  const ArchiveSpec& spec;
  ArchiveKinds kinds;
  S3Bucket bucket;
  ArchiveStats stats;
  std::vector<std::vector<S3Node*>> nodes_by_az;
  // Unarchived bytes per replica and data at risk, sampled every archive interval (the report).
  sim::LogLinearHistogram lag_bytes;
  std::uint64_t at_risk_bytes_max = 0;
  std::uint64_t at_risk_bytes_end = 0;
};

}  // namespace models::archive
