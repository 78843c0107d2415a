// The archive's lag as a reader of replica state and the bucket (never of the archivers' own
// bookkeeping): every replica's applied slots that S3 does not hold, in bytes, and the data at
// risk, per group what its most advanced replica applied beyond the archived point (acknowledged
// writes that losing all three replicas would lose), summed over groups.
#pragma once

#include "models/archive/s3.h"
#include "models/replication/replica.h"

#include <vector>

namespace models::archive {

// One replica's applied slots that S3 does not hold, in bytes.
std::uint64_t unarchived_bytes(const ArchiveService& a, const replication::Replica& r, const Scenario& scenario);

// Records one sample of every replica's lag in a.lag_bytes; returns the data at risk in bytes.
std::uint64_t sample_lag(ArchiveService& a, const std::vector<const replication::Replica*>& replicas,
                         const Scenario& scenario);

}  // namespace models::archive
