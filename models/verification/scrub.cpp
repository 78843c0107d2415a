// The scrub verifier and the reference replica it rebuilds from the archive.
#include "models/verification/scrub.h"

#include "models/partition_map.h"
#include "sim/assert.h"
#include "sim/rng.h"

#include <algorithm>

namespace models::verification {

namespace {

}  // namespace

const char* detection_name(Detection how) {
  switch (how) {
    case Detection::page_checksum: return "page_checksum";
    case Detection::scrub_replicas: return "scrub_replicas";
    case Detection::scrub_reference: return "scrub_reference";
    case Detection::log_checksum: return "log_checksum";
  }
  SIM_ASSERT(false);
  return "?";
}

const char* Alarm::why() const {
  switch (reason) {
    case Reason::no_replica_matches_reference: return "no replica matches the reference";
    case Reason::damaged_leader: return "a damaged replica leads: no healthy one came forward";
    case Reason::archive_corrupt: return "an archived log entry fails its checksum: the archive cannot restore the group";
  }
  SIM_ASSERT(false);
  return "?";
}

std::uint64_t item_digest(std::uint64_t key, std::uint64_t version, WriteId value) {
  return sim::mix64(sim::mix64(sim::mix64(key) ^ version) ^ value);
}

ScrubKinds::ScrubKinds(sim::Kernel& k)
    : tick(k.register_kind("storage.scrub_tick")),
      digest(k.register_kind("msg.scrub_digest")),
      verdict(k.register_kind("msg.scrub_verdict")),
      compare(k.register_kind("verifier.compare")),
      reference(k.register_kind("verifier.reference")) {}

ScrubVerifier::ScrubVerifier(sim::Network& network, std::string name, sim::AzId az, const ScrubSpec& spec,
                             const archive::ArchiveService* archive, GroupId first_split_child, Stats& stats,
                             Notify notify, PlantedBug bug, bool keep_history)
    : sim::Node(network, std::move(name), az, "verifier"),
      spec_(spec),
      keep_history_(keep_history),
      bug_(bug),
      archive_(archive),
      first_split_child_(first_split_child),
      stats_(stats),
      notify_(std::move(notify)),
      kinds_(network.kernel()) {}

void ScrubVerifier::send_digest(const sim::Node& from, ScrubDigest digest) {
  network().send(from, id(), kinds_.digest, [this, digest = std::move(digest)] { on_digest(digest); });
}

void ScrubVerifier::on_power_off() {
  // What it was collecting and waiting for is lost; the references are rebuilt from the archive.
  collecting_.clear();
  awaiting_reference_.clear();
  reference_tick_armed_ = false;
}

void ScrubVerifier::on_digest(const ScrubDigest& d) {
  ++stats_.scrub.digests;
  const std::pair<GroupId, Slot> key{d.group, d.slot};
  auto [it, fresh] = collecting_.try_emplace(key);
  Marker& m = it->second;
  if (fresh) {
    m.group = d.group;
    m.table = d.table;
    m.slot = d.slot;
    m.expected = d.storage_members;
    after(spec_.compare_timeout, kinds_.compare, [this, key] { compare_replicas(key); });
  }
  for (const auto& [node, digest] : m.digests)
    if (node == d.node) return;  // sent twice
  m.digests.emplace_back(d.node, d.digest);
  m.serials.push_back(d.serial);
  const bool all = std::all_of(m.expected.begin(), m.expected.end(), [&m](sim::NodeId node) {
    return std::any_of(m.digests.begin(), m.digests.end(), [node](const auto& got) { return got.first == node; });
  });
  if (all) compare_replicas(key);
}

void ScrubVerifier::compare_replicas(std::pair<GroupId, Slot> key) {
  auto it = collecting_.find(key);
  if (it == collecting_.end()) return;  // compared already
  Marker m = std::move(it->second);
  collecting_.erase(it);
  if (m.digests.size() < 2) {
    ++stats_.scrub.incomplete;
    return;
  }
  ++stats_.scrub.compared;
  m.three_way_agreed = std::all_of(m.digests.begin(), m.digests.end(),
                                   [&m](const auto& d) { return d.second == m.digests.front().second; });
  const bool reference = spec_.reference && archive_ != nullptr && bug_ != PlantedBug::scrub_skips_reference;
  if (reference && m.group >= first_split_child_) ++stats_.scrub.reference_unavailable;  // its archive starts without the items it inherited
  if (!reference || m.group >= first_split_child_) return judge_by_majority(m);
  // The reference decides: two replicas that agree may both be wrong (one healed from the other).
  // The three-way result is counted now; a replica is condemned only once the reference is in.
  if (!m.three_way_agreed) judge_by_majority_count_only(m);
  m.waiting_since = kernel().now();
  awaiting_reference_.push_back(std::move(m));
  check_references();
}

namespace {

// The digest most replicas hold, if more than half hold it.
std::optional<std::uint64_t> majority_digest(const std::vector<std::pair<sim::NodeId, std::uint64_t>>& digests) {
  for (const auto& [node, digest] : digests) {
    const auto same = std::count_if(digests.begin(), digests.end(), [d = digest](const auto& x) { return x.second == d; });
    if (static_cast<std::size_t>(same) * 2 > digests.size()) return digest;
  }
  return std::nullopt;
}

}  // namespace

void ScrubVerifier::judge_by_majority_count_only(const Marker& m) {
  const std::optional<std::uint64_t> majority = majority_digest(m.digests);
  if (!majority) {
    ++stats_.scrub.undecided;
    return;
  }
  for (const auto& [node, digest] : m.digests) stats_.scrub.replica_vs_replica += digest != *majority ? 1 : 0;
}

void ScrubVerifier::condemn_outvoted(const Marker& m) {
  if (m.three_way_agreed) return;
  const std::optional<std::uint64_t> majority = majority_digest(m.digests);
  if (!majority) return;
  for (const auto& [node, digest] : m.digests)
    if (digest != *majority) damaged(m, node, Detection::scrub_replicas);
}

void ScrubVerifier::judge_by_majority(Marker& m) {
  if (m.three_way_agreed) return;
  judge_by_majority_count_only(m);
  condemn_outvoted(m);
}

ScrubVerifier::ReferenceState ScrubVerifier::reference_digest(const Marker& m, std::uint64_t& digest) {
  const std::vector<replication::LogEntry>& entries = archive_->bucket.entries(m.group);
  Reference& ref = references_[m.group];
  if (ref.corrupt_at != 0) {
    if (entries[ref.corrupt_at - 1].rotten) return ReferenceState::corrupt;
    ref.corrupt_at = 0;  // archived again from a replica's copy (archive::S3Bucket::put)
  }
  if (entries.size() < m.slot) return ReferenceState::behind;
  SIM_ASSERT_OP(ref.replayed, <=, m.slot);  // markers of a group are judged in slot order
  for (Slot slot = ref.replayed + 1; slot <= m.slot; ++slot) {
    const replication::LogEntry& e = entries[slot - 1];
    if (e.rotten) {
      // The download's checksum fails: no reference past here until a replica's upload
      // of the slot repairs it.
      ref.corrupt_at = slot;
      ref.replayed = slot - 1;
      stats_.found_in_archive(m.group, slot, kernel().now());
      stats_.alarm(m.group, Alarm::Reason::archive_corrupt, kernel().now());
      return ReferenceState::corrupt;
    }
    if (e.kind == replication::EntryKind::write) {
      ItemVersions& versions = ref.items[e.key];
      const std::uint64_t newest = versions.empty() ? 0 : versions.back().first;
      // A version above the newest stands; one that is not (recovered side by side with
      // another leader's writes) goes one past it, as every replica numbers it.
      const std::uint64_t version = e.version > newest ? e.version : newest + 1;
      if (keep_history_ || versions.empty()) versions.emplace_back(version, e.write);
      else versions.back() = {version, e.write};
    } else if (e.kind == replication::EntryKind::split) {
      for (auto it = ref.items.begin(); it != ref.items.end();)
        it = key_hash(m.table, it->first) >= e.key ? ref.items.erase(it) : std::next(it);
    }
  }
  ref.replayed = m.slot;
  digest = items_digest(ref.items);
  return ReferenceState::ready;
}

void ScrubVerifier::check_references() {
  std::vector<Marker> waiting;
  waiting.swap(awaiting_reference_);
  // Oldest first per group: the reference replays forward only.
  std::stable_sort(waiting.begin(), waiting.end(), [](const Marker& a, const Marker& b) {
    return std::tie(a.group, a.slot) < std::tie(b.group, b.slot);
  });
  for (Marker& m : waiting) {
    const auto ref_it = references_.find(m.group);
    if (ref_it != references_.end() && ref_it->second.replayed > m.slot) {
      ++stats_.scrub.reference_unavailable;  // an older marker came after a newer one was judged
      continue;
    }
    std::uint64_t reference_value = 0;
    const ReferenceState state = reference_digest(m, reference_value);
    if (state != ReferenceState::ready) {
      if (state == ReferenceState::behind && kernel().now() - m.waiting_since < spec_.reference_timeout) {
        awaiting_reference_.push_back(std::move(m));
        continue;
      }
      // The archive never reached the marker, or cannot be read past a rotten entry: the
      // replicas' majority decides after all.
      ++stats_.scrub.reference_unavailable;
      if (state == ReferenceState::corrupt) ++stats_.scrub.reference_corrupt;
      condemn_outvoted(m);
      continue;
    }
    ++stats_.scrub.reference_compared;
    std::vector<sim::NodeId> differ;
    for (const auto& [node, digest] : m.digests)
      if (digest != reference_value) differ.push_back(node);
    if (differ.empty()) continue;
    stats_.scrub.replica_vs_reference += differ.size();
    if (m.three_way_agreed) stats_.scrub.missed_by_three_way += differ.size();
    if (differ.size() == m.digests.size()) {
      // No replica to rebuild from: an alarm for the operators, no repair.
      ++stats_.scrub.unrepairable;
      stats_.alarms.push_back(Alarm{kernel().now(), m.group, Alarm::Reason::no_replica_matches_reference});
      stats_.found(m.group, replication::kNoNode, kernel().now());
      continue;
    }
    // Found by the three-way compare if its peers outvoted it too; by the reference alone if not.
    const std::optional<std::uint64_t> majority = majority_digest(m.digests);
    for (sim::NodeId node : differ) {
      const auto own = std::find_if(m.digests.begin(), m.digests.end(), [node](const auto& d) { return d.first == node; });
      const bool outvoted = majority && own->second != *majority;
      damaged(m, node, outvoted ? Detection::scrub_replicas : Detection::scrub_reference);
    }
  }
  if (!awaiting_reference_.empty() && !reference_tick_armed_) {
    reference_tick_armed_ = true;
    after(archive_->spec.interval, kinds_.reference, [this] {
      reference_tick_armed_ = false;
      check_references();
    });
  }
}

void ScrubVerifier::damaged(const Marker& m, sim::NodeId node, Detection how) {
  const auto at = std::find_if(m.digests.begin(), m.digests.end(), [node](const auto& d) { return d.first == node; });
  SIM_ASSERT(at != m.digests.end());
  const std::uint64_t serial = m.serials[static_cast<std::size_t>(at - m.digests.begin())];
  network().send(*this, node, kinds_.verdict, [notify = &notify_, node, group = m.group, serial, how] {
    (*notify)(node, group, serial, how);
  });
}

}  // namespace models::verification
