// The scrub verifier: one service node of the region that judges the scrub markers. Every storage
// replica that applies a marker sends it the digest of its items at that slot; once every storage
// member's digest came (or scrub.compare_timeout passed) it compares them three-way. With
// scrub.reference it then waits for the archive to reach the marker and compares each with a
// reference replica it rebuilt offline by replaying the group's archived log from S3: a replica
// that differs from the reference is damaged if another matches it (two replicas that agree may
// both be wrong, one healed from the other; and a bug every replica shares shows only here); if
// none matches it raises an alarm and repairs nothing. Without a reference (none configured, a
// split child, or the archive not reaching the marker within scrub.reference_timeout) a replica
// its peers outvote is damaged. Damaged
// replicas hear it in a message and get themselves replaced (rules::report_damage).
//
// The reference is a second implementation of applying writes, on purpose: it shares no code with
// the replicas' apply (models/replication/apply.cpp), so one bug cannot hide in both.
#pragma once

#include "models/archive/s3.h"
#include "models/planted_bug.h"
#include "models/scenario.h"
#include "models/verification/stats.h"
#include "sim/network.h"

#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace models::verification {

using replication::Slot;

// The checksum of a replica's state: every version and value of every item it keeps (the newest
// only, without replication.keep_item_history), combined so the order of keys does not matter.
// The replicas and the reference compute it alike.
std::uint64_t item_digest(std::uint64_t key, std::uint64_t version, WriteId value);
// `Items`: key -> versions in any map (a replica's B-tree, the reference's std::map).
template <class Items>
std::uint64_t items_digest(const Items& items) {
  std::uint64_t digest = 0;
  for (const auto& [key, versions] : items)
    for (const auto& [version, value] : versions) digest ^= item_digest(key, version, value);
  return digest;
}

struct ScrubDigest {
  GroupId group = 0;
  std::uint32_t table = 0;
  Slot slot = 0;
  sim::NodeId node = 0;
  std::uint64_t serial = 0;  // the replica's, on its node: a verdict reaches only the replica judged
  std::uint64_t digest = 0;
  std::vector<sim::NodeId> storage_members;  // as the replica's membership names them at the marker
};

struct ScrubKinds {
  explicit ScrubKinds(sim::Kernel& kernel);
  sim::KindId tick, digest, verdict, compare, reference;
};

class ScrubVerifier final : public sim::Node {
 public:
  // Tells `node` its replica of `group` is damaged (delivered by the network).
  using Notify = std::function<void(sim::NodeId node, GroupId group, std::uint64_t serial, Detection how)>;
  ScrubVerifier(sim::Network& network, std::string name, sim::AzId az, const ScrubSpec& spec,
                const archive::ArchiveService* archive, GroupId first_split_child, Stats& stats, Notify notify,
                PlantedBug bug, bool keep_history);
  const ScrubKinds& kinds() const { return kinds_; }
  // A storage node sends a digest (over the network).
  void send_digest(const sim::Node& from, ScrubDigest digest);

 protected:
  void on_power_off() override;

 private:
  struct Marker {
    GroupId group = 0;
    std::uint32_t table = 0;
    Slot slot = 0;
    std::vector<sim::NodeId> expected;
    std::vector<std::pair<sim::NodeId, std::uint64_t>> digests;  // by arrival
    std::vector<std::uint64_t> serials;                           // of the replicas, as digests
    bool three_way_agreed = false;
    sim::Time waiting_since;
  };
  struct Reference {
    Slot replayed = 0;
    Slot corrupt_at = 0;  // an archived entry here failed its checksum: no reference from here on
    std::map<std::uint64_t, ItemVersions> items;  // as a replica keeps them
  };

  void on_digest(const ScrubDigest& digest);
  void compare_replicas(std::pair<GroupId, Slot> key);
  void check_references();
  // The reference digest at the marker (into `digest`), or why the archive cannot give it:
  // behind (not yet), or corrupt (a rotten archived entry before the marker).
  enum class ReferenceState : std::uint8_t { ready, behind, corrupt };
  ReferenceState reference_digest(const Marker& marker, std::uint64_t& digest);
  void damaged(const Marker& marker, sim::NodeId node, Detection how);
  // The three-way verdict: a clear majority condemns the rest (no reference to ask); or only
  // counted, when the reference will decide.
  void judge_by_majority(Marker& marker);
  // Condemns the replicas a clear majority outvotes (nothing if the three agreed).
  void condemn_outvoted(const Marker& marker);
  void judge_by_majority_count_only(const Marker& marker);

  const ScrubSpec& spec_;
  bool keep_history_;  // the replicas keep every version (replication.keep_item_history): so does the reference
  PlantedBug bug_;
  const archive::ArchiveService* archive_;
  GroupId first_split_child_;
  Stats& stats_;
  Notify notify_;
  ScrubKinds kinds_;
  std::map<std::pair<GroupId, Slot>, Marker> collecting_;  // digests still coming
  std::vector<Marker> awaiting_reference_;                  // compared three-way, the archive behind
  std::map<GroupId, Reference> references_;
  bool reference_tick_armed_ = false;
};

}  // namespace models::verification
