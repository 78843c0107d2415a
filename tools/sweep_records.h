// A sweep's directory, the one contract whatever runs the seeds (one process, GNU parallel on
// many hosts, a Slurm array): DIR/seeds/<seed>.json holds one seed's record (its verdict, digest,
// key figures, failure signature and the command that reproduces it), written atomically, so a
// reader never sees half of one and running a seed twice is harmless. DIR/summary.json is a pure
// function of the records: the same seeds give the same bytes however they were sharded.
#pragma once

#include "models/scenario.h"
#include "reports/report.h"
#include "tools/run_one.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tools {

// What failed, never a time or a key: the ids of the invariant checks that failed ("expect: " and
// the name for an expectation), in the order the checks come; "out_of_slots" if the run outgrew
// the simulator with nothing else failing.
std::vector<std::string> failure_signature(const SeedRun& run);

// The record of one judged seed. Its signature is what failed, never a time or a key: the ids
// of the invariant checks that failed, and the names of the expectations that did.
reports::Json seed_record(const models::Scenario& scenario, const SeedRun& run, const std::string& reproduce);
// DIR/seeds/<seed>.json, through a temporary file of its own and a rename.
void write_seed_record(const std::string& dir, const reports::Json& record);
// The record of `seed` in DIR if one is there for this scenario (same name and sha256); none if
// absent. Throws std::runtime_error for a record that cannot be read or is of another scenario.
std::optional<reports::Json> read_seed_record(const std::string& dir, const models::Scenario& scenario, std::uint64_t seed);
// Every record in DIR/seeds (none if the directory has no seeds/). Throws std::runtime_error
// for an unreadable record.
std::vector<reports::Json> read_seed_records(const std::string& dir);

// The summary of a set of records, in seed order with duplicates removed; depends on nothing
// but the records (no host, path, time or order). Throws std::runtime_error if the records are
// of different scenarios, or one seed has two different digests (the simulation was not
// deterministic between the builds or hosts that ran it).
reports::Json summarize(std::vector<reports::Json> records);
// DIR/summary.json, and DIR/summary.html (the seeds with their verdicts, failures by signature,
// links to failing seeds' report.html), atomically.
void write_summary(const std::string& dir, const reports::Json& summary);
// The summary as the sweep prints it.
std::string summary_text(const reports::Json& summary);

// `ddbsim merge DIR... --out OUT`: the records of every DIR into OUT/seeds and OUT/summary.json.
int merge_command(const std::vector<std::string>& dirs, const std::string& out_dir);

}  // namespace tools
