// The Paxos role rules of one replica, as functions of its state and a message, so they can be
// tested without a network: acceptor (promise, accept), leader (commit point, versions),
// candidate (merging promises) and applying committed entries.
#pragma once

#include "models/replication/messages.h"
#include "models/replication/replica.h"

namespace models::replication::paxos {

// ---- acceptor ----
// Promises `prepare.ballot` unless a higher ballot was promised, the candidate lacks entries
// this replica already trimmed (it must catch up first), or the candidate was removed from the
// group. A promise carries the entries after the candidate's applied slot and the latest lease
// this replica granted anyone, which the new leader must wait out.
PromiseMessage on_prepare(Replica& replica, const PrepareMessage& prepare, sim::NodeId candidate);

enum class AcceptResult { rejected, gap, appended };
// Accepts an entry from the leader of `message.ballot`: overwrites any entry at that slot and
// drops what follows (it came from a deposed leader). The entry is durable only once the node
// persisted it. A slot beyond the log's end leaves a gap: the replica must catch up first.
AcceptResult on_accept(Replica& replica, const AcceptMessage& message, sim::NodeId leader);

// A follower starts following a (new) leader: what it knew to match the old one proves nothing.
void follow(Replica& replica, Ballot ballot, sim::NodeId leader);

// ---- leader ----
// The highest slot of the current ballot persisted by a quorum of members (the leader's own
// persisted log counts for its own member index): everything up to it is committed.
// A joint config also needs a quorum of its new membership, from its slot on.
Slot quorum_persisted(const Replica& leader, sim::NodeId self);
// The first joint config in the log not applied yet, if any.
const LogEntry* pending_joint_config(const Replica& replica);

// The version a new write of `key` gets: one past the newest applied or pending one.
std::uint64_t next_version(const Replica& leader, std::uint64_t key);

// ---- candidate ----
// Folds one promise into the election: per slot, the entry with the highest ballot wins.
void record_promise(Election& election, std::size_t member_index, const PromiseMessage& promise);
bool has_quorum(std::uint8_t mask);

// ---- every replica ----
// Applies committed, persisted, matching entries in slot order; returns how many were
// applied. A config entry changes the membership when applied.
std::size_t apply_committed(Replica& replica, bool keep_item_history);

// Drops applied entries beyond the newest `kept`, as archiving the log to S3 would.
void trim_log(Replica& replica, std::size_t kept);

}  // namespace models::replication::paxos
