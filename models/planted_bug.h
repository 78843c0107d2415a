// Bugs a test can plant to prove that the monitors, the checkers and the scenarios catch them
// (FoundationDB's negative tests). Never reachable from a scenario file or the command line: only
// models::TestHooks carries one. tests/planted/planted_bugs_test.cpp names, for each, the
// scenario that catches it and within how many seeds.
#pragma once

#include <cstdint>
#include <string_view>

namespace models {

enum class PlantedBug : std::uint8_t {
  none,
  // commit: the leader acknowledges a write once it alone persisted it
  ack_before_quorum,
  // acceptor: an accept of a lower ballot than the one promised is taken
  accept_lower_ballot,
  // acceptor: a promise reports no accepted entries, so a candidate cannot adopt them
  promise_without_entries,
  // recovery: a candidate adopts the lowest-ballot value of an open slot, not the highest
  adopt_lowest_ballot,
  // leases: a new leader serves at once instead of waiting out the old lease
  skip_lease_wait,
  // leases: the leader counts a grant from the answer's arrival, not the heartbeat's sending
  lease_from_ack_arrival,
  // strong reads: a leader serves strongly consistent requests on its role alone, without a lease
  strong_read_by_role,
  // catch-up: a follower applies up to the leader's commit point, whether or not its log matches
  apply_beyond_matched,
  // routing: a router that is told its route is stale keeps it and retries the same group
  router_keeps_stale_route,
  // splits: the item exactly at the split point stays with the parent, whose range no longer has it
  split_boundary_off_by_one,
  // moves: a leader that hands off to the new replica keeps leading (and serving) its old lease
  handoff_keeps_leading,
  // admission: a partition bursting above its share is not stopped by a full node bucket
  burst_ignores_node_bucket,
  // integrity: a read of an item whose page checksum fails is served anyway
  page_checksum_ignored,
  // scrub: the verifier trusts the replicas' majority and never compares with the reference replica
  scrub_skips_reference,
  // integrity: a log entry is archived, sent and replayed without checking its checksum
  log_checksum_ignored,
};

inline constexpr PlantedBug kEveryPlantedBug[] = {
    PlantedBug::ack_before_quorum,       PlantedBug::accept_lower_ballot,       PlantedBug::promise_without_entries,
    PlantedBug::adopt_lowest_ballot,     PlantedBug::skip_lease_wait,           PlantedBug::lease_from_ack_arrival,
    PlantedBug::strong_read_by_role,     PlantedBug::apply_beyond_matched,      PlantedBug::router_keeps_stale_route,
    PlantedBug::split_boundary_off_by_one, PlantedBug::handoff_keeps_leading,   PlantedBug::burst_ignores_node_bucket,
    PlantedBug::page_checksum_ignored,   PlantedBug::scrub_skips_reference,     PlantedBug::log_checksum_ignored,
};

constexpr std::string_view to_string(PlantedBug bug) {
  switch (bug) {
    case PlantedBug::none: return "none";
    case PlantedBug::ack_before_quorum: return "ack_before_quorum";
    case PlantedBug::accept_lower_ballot: return "accept_lower_ballot";
    case PlantedBug::promise_without_entries: return "promise_without_entries";
    case PlantedBug::adopt_lowest_ballot: return "adopt_lowest_ballot";
    case PlantedBug::skip_lease_wait: return "skip_lease_wait";
    case PlantedBug::lease_from_ack_arrival: return "lease_from_ack_arrival";
    case PlantedBug::strong_read_by_role: return "strong_read_by_role";
    case PlantedBug::apply_beyond_matched: return "apply_beyond_matched";
    case PlantedBug::router_keeps_stale_route: return "router_keeps_stale_route";
    case PlantedBug::split_boundary_off_by_one: return "split_boundary_off_by_one";
    case PlantedBug::handoff_keeps_leading: return "handoff_keeps_leading";
    case PlantedBug::burst_ignores_node_bucket: return "burst_ignores_node_bucket";
    case PlantedBug::page_checksum_ignored: return "page_checksum_ignored";
    case PlantedBug::scrub_skips_reference: return "scrub_skips_reference";
    case PlantedBug::log_checksum_ignored: return "log_checksum_ignored";
  }
  return "?";
}

}  // namespace models
