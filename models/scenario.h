// A scenario, fully resolved: every default filled in, every name checked. Produced by the
// loader from a JSON file; read-only afterwards, so parallel simulations may share one.
#pragma once

#include "sim/distribution.h"
#include "sim/faults.h"
#include "sim/network.h"
#include "sim/time.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace models {

using sim::Duration;

struct AzSpec {
  std::string name;
  std::uint32_t storage_nodes = 0;
  std::uint32_t routers = 0;
  std::uint32_t clients = 0;
};

// A public endpoint: a fleet of routers in every AZ behind a load balancer of its own. Endpoint
// 0, "regional", is the AZs' own `routers`; `topology.endpoints` adds more, each with
// `routers_per_az` routers in every AZ. Their names count on after the AZ's earlier routers
// ("<az>/router<i>", in the order of Scenario::router_places). Workload entries and the
// canaries name the endpoint they call.
struct EndpointSpec {
  std::string name;
  std::uint32_t routers_per_az = 0;  // endpoint 0: each AZ's own `routers`
};

// One router of the topology: its AZ, its endpoint and its index in the AZ (its name's number).
struct RouterPlace {
  std::uint32_t az = 0;
  std::uint32_t endpoint = 0;
  std::uint32_t index = 0;
};

struct StorageSpec {
  sim::DurationDistribution read_service = sim::DurationDistribution::lognormal(sim::micros(300), 0.3);
  sim::DurationDistribution write_service = sim::DurationDistribution::lognormal(sim::micros(800), 0.3);
  std::uint32_t workers = 8;          // requests served in parallel by one node
  std::uint32_t queue_limit = 2000;   // queued beyond this, a node answers "overloaded"
  // Every item page carries a checksum that a read verifies: a rotten item is refused (the
  // replica is then replaced) instead of served.
  bool page_checksums = true;
};

struct RouterSpec {
  sim::DurationDistribution processing = sim::DurationDistribution::constant(sim::micros(100));
  Duration storage_timeout = sim::millis(500);
};

// Replication groups (three replicas in three AZs, Multi-Paxos with a leader lease) and how
// they heal. Defaults follow DynamoDB where it is known (shared/DYNAMODB_MODEL.md 1.4, 1.8).
struct ReplicationSpec {
  Duration heartbeat_interval = sim::millis(1500);
  std::uint32_t missed_heartbeats = 3;     // a follower suspects its leader after this many
  Duration lease = sim::millis(2500);      // a leader serves for this long after a quorum heard it
  // The most a storage node's clock may run fast or slow, in parts per million. Leases carry
  // the margin it needs (replication/lease.cpp); a drift beyond it is an experiment.
  std::int64_t clock_drift_bound_ppm = 200;
  bool confirm_with_peers = true;          // the gray-failure rule: ask peers before electing
  bool log_replicas = true;                // heal with a log replica first (seconds), then a full one
  sim::DurationDistribution wal_persist = sim::DurationDistribution::lognormal(sim::micros(400), 0.3);
  std::uint64_t wal_tail_bytes = 200ull << 20;      // the unarchived log a log replica copies
  std::uint64_t copy_bytes_per_s = 100ull << 20;    // bandwidth of replica copies
  // Applied entries a replica keeps in memory: its stand-in for the unarchived WAL tail, from
  // which lagging members and candidates are caught up. Big regions set it low to save memory.
  std::uint32_t log_entries_kept = 1000;
  Duration final_heal = sim::minutes(2);   // after the run: power everything on and let groups heal
  bool keep_item_history = true;           // every version of every item: what the checkers read
  bool archiving = false;  // set from the archive section: a replica's log keeps what is not archived

  Duration election_timeout() const { return heartbeat_interval * missed_heartbeats; }
  // How long copying `bytes` to a new replica takes at copy_bytes_per_s.
  Duration copy_time(std::uint64_t bytes) const {
    return sim::Duration::from_nanos(static_cast<std::int64_t>(
        static_cast<sim::uint128>(bytes) * 1'000'000'000u / (copy_bytes_per_s > 0 ? copy_bytes_per_s : 1)));
  }
  // A replica build of `bytes` not done by then is given up: twice the copy time, and elections.
  Duration build_deadline(std::uint64_t bytes) const { return copy_time(bytes) * 2 + election_timeout() * 4; }
};

// A fleet's finite capacity: workers serving in parallel, a bounded queue, a service time.
struct ServiceSpec {
  std::uint32_t workers = 4;
  std::uint32_t queue_limit = 1000;
  sim::DurationDistribution service = sim::DurationDistribution::constant(sim::micros(50));
};

// The legacy partition metadata table: authoritative routes, partitioned by the table they
// describe (so one table's routes live on one node), served from disk.
struct MetadataSpec : ServiceSpec {
  std::uint32_t nodes = 3;                           // spread over the AZs in order
  Duration table_fetch_per_partition = sim::micros(20);  // a whole-table fetch costs this much more per partition
  MetadataSpec() {
    workers = 4;
    queue_limit = 200;
    service = sim::DurationDistribution::lognormal(sim::millis(2), 0.3);
  }
};

// MemDS: in-memory copies of the whole map, in every AZ, scaled to carry every request.
struct MemdsSpec : ServiceSpec {
  std::uint32_t nodes_per_az = 2;
};

// How routers find partitions. `memds`: a local cache whose every lookup, hit or miss, also
// asks MemDS (constant work); misses wait for MemDS. `legacy`: on the first request for a table
// fetch the whole table's routes from the metadata table; on a miss, an expired or a stale
// entry ask the metadata table directly (bimodal: hits are free, misses hit metadata).
struct RoutingSpec {
  enum class Cache : std::uint8_t { memds, legacy };
  Cache cache = Cache::memds;
  Duration cache_ttl = sim::minutes(5);         // legacy: an entry is refetched after this (+-20%)
  Duration lookup_timeout = sim::millis(200);   // a router waits this long for metadata or MemDS
};

// Storage nodes' clocks (sim/clock.h): each starts ahead by a skew drawn in [0, skew] and runs
// fast or slow by a rate drawn in [-drift_ppm, drift_ppm], from a stream of its own. A drift
// beyond replication.clock_drift_bound_ppm breaks the leases' margin: allowed only as an
// experiment that says so ("beyond_bound": true).
struct ClockSpec {
  Duration skew;
  std::int64_t drift_ppm = 0;
  bool beyond_bound = false;
  bool any() const { return skew > Duration::zero() || drift_ppm != 0; }
};

struct ClientSpec {
  Duration attempt_timeout = sim::seconds(1);
  std::uint32_t max_attempts = 4;
  Duration backoff_base = sim::millis(50);
  Duration backoff_max = sim::seconds(1);
  Duration suspect_router_for = sim::seconds(30);  // after a timeout, avoid that router this long

  // The longest an operation can live: every attempt timing out after the longest backoff.
  Duration operation_time_max() const {
    return attempt_timeout * max_attempts + backoff_max * (max_attempts - 1);
  }
};

// A table's capacity mode. `unlimited`: no admission control at all (the default, for
// scenarios about other things). `provisioned`: the table's RCU and WCU per second.
// `on_demand`: no provisioned rate; each partition serves up to the partition ceiling, and
// the table grows by splitting partitions that run hot (shared/DYNAMODB_MODEL 1.7).
struct TableCapacity {
  enum class Mode : std::uint8_t { unlimited, provisioned, on_demand };
  Mode mode = Mode::unlimited;
  std::uint64_t rcu = 0;
  std::uint64_t wcu = 0;
};

// Admission control for provisioned tables (shared/DYNAMODB_MODEL 1.5), one generation per run.
// `static`: each partition gets the table's rate divided by its partition count.
// `burst`: as static, plus a second bucket per partition keeping up to `burst_window` of unused
// capacity, usable only while the node's own bucket has room.
// `adaptive`: burst, plus a controller that raises the share of partitions that throttle while
// their table consumes less than it provisioned, and cuts boosts back when it consumes more.
// `gac`: routers spend tokens granted by global admission control servers for the table as a
// whole; partition buckets stay, at the partition ceiling, as a cap.
struct AdaptiveSpec {
  Duration interval = sim::minutes(1);  // the controller looks at the last interval's figures
  double boost = 1.0;                   // of the throttled demand added to a hot partition's share
};

struct GacSpec {
  std::uint32_t servers = 3;                 // spread over the AZs, on a hash ring of tables
  Duration refill_interval = sim::seconds(2);
  Duration grant_lifetime = sim::seconds(6); // granted tokens expire after this
  Duration timeout = sim::millis(50);        // a router waits this long for a grant
};

struct AdmissionSpec {
  enum class Mode : std::uint8_t { static_shares, burst, adaptive, gac };
  Mode mode = Mode::burst;
  Duration burst_window = sim::seconds(300);
  std::uint64_t node_rcu = 30000;  // what one storage node can serve per second
  std::uint64_t node_wcu = 10000;
  std::uint64_t partition_rcu = 3000;  // DynamoDB's per-partition ceiling (shared/DYNAMODB_MODEL 1.1)
  std::uint64_t partition_wcu = 1000;
  AdaptiveSpec adaptive;
  GacSpec gac;
};
const char* admission_mode_name(AdmissionSpec::Mode mode);

// Splits (shared/DYNAMODB_MODEL 1.6): the control plane splits a partition that grows past
// `size_limit` at the middle of its range, and (split_for_heat) one whose consumption over a
// check interval passes `heat_threshold` of the partition ceiling at the point the observed
// keys suggest (`observed`: the median of recently served keys; skipped when one key takes
// most of them) or at the middle (`midpoint`). A split takes `split_duration` to prepare,
// then goes through the partition's log. Enabled by a "partitioning" section, or by an
// on-demand table.
struct PartitioningSpec {
  enum class SplitPoint : std::uint8_t { observed, midpoint };
  bool enabled = false;
  std::uint64_t size_limit = 10ull << 30;
  bool split_for_heat = true;
  double heat_threshold = 0.5;
  SplitPoint split_point = SplitPoint::observed;
  Duration check_interval = sim::minutes(1);
  Duration split_duration = sim::minutes(2);
};

// Balancing (shared/DYNAMODB_MODEL 1.6): every `interval` the control plane reads each storage
// node's consumed units as a fraction of what a node can serve (admission.node_rcu/node_wcu).
// A node above `threshold` gets the hottest partition it leads moved to the least loaded node
// of its AZ that holds no replica of it and stays under the threshold with it; a moved
// partition stays put for `cooldown`. Enabled by a "balancing" section ("enabled": false in a
// variant turns it off). Only metered tables report the units a move is decided on.
struct BalancingSpec {
  bool enabled = false;
  Duration interval = sim::minutes(1);
  double threshold = 0.8;
  Duration cooldown = sim::minutes(10);
};

// What storage nodes tell the control plane (models/control/reports.h): every report_interval
// each reports its replicas and what admission did; autoadmin counts a node silent for
// `silence` as down and leaves it out of the placement list it sends every interval.
struct ControlSpec {
  Duration report_interval = sim::seconds(1);
  Duration silence = sim::seconds(3);
};

struct TableSpec {
  std::string name;
  std::uint32_t partitions = 1;
  std::uint64_t items = 1;
  std::uint64_t item_bytes = 1024;
  std::uint64_t size_bytes = 0;  // on disk, for copy times; defaults to items x item_bytes
  TableCapacity capacity;
  std::uint64_t partition_bytes() const { return size_bytes / partitions; }
  bool metered() const { return capacity.mode != TableCapacity::Mode::unlimited; }
};

enum class Operation : std::uint8_t { get_strong, get_eventual, put };
inline constexpr std::size_t kOperationCount = 3;
const char* operation_name(Operation op);
inline bool is_write(Operation op) { return op == Operation::put; }

// Which keys a workload entry touches. `uniform` and `zipf` (over key ids, hot ids spread over
// the hash space); `hot_set`: a fraction `share` of operations on the first `hot_fraction` of
// the keys, the rest uniform. `sequential`: keys in hash order, advancing through the slice
// over the entry's run (like timestamps as sort keys in one item collection: every write lands
// at the moving end of the range). `within` keeps only keys whose hash lies in [from, to) of
// the hash space (a fraction of it), which is how a scenario aims load at one partition.
struct KeyDistribution {
  enum class Shape : std::uint8_t { uniform, zipf, hot_set, sequential };
  Shape shape = Shape::uniform;
  double zipf_exponent = 0.0;
  double hot_fraction = 0.0;
  double hot_share = 0.0;
  double within_from = 0.0;
  double within_to = 1.0;
  bool restricted() const { return within_from > 0.0 || within_to < 1.0; }
};

// A stretch of a workload entry's rate: constant (a step, or idle at 0), or a linear ramp from
// the previous phase's rate to `rate`.
struct Phase {
  Duration duration;
  double rate_per_s = 0.0;
  bool ramp = false;
};

struct WorkloadSpec {
  std::string table;
  std::uint32_t table_index = 0;
  double rate_per_s = 0.0;                       // operations per second, whole region
  std::vector<Phase> phases;                     // if set, the rate over time from `start` on
  std::array<double, kOperationCount> mix{};     // by Operation, sums to 1
  KeyDistribution keys;
  Duration start;                                // the entry's traffic runs from here...
  std::optional<Duration> end;                   // ...to here (default: the scenario's end)
  std::uint32_t endpoint = 0;                    // the endpoint its clients call (an index)

  // The rate `since` after `start` (the phases', or the constant rate); and the highest rate.
  double rate_at(Duration since) const;
  double peak_rate() const;
};

// Canary applications (models/ops): one in every AZ for every endpoint ("<az>/canary<e>"),
// running a fixed mix at a fixed rate against one table through that endpoint's routers of its
// AZ, as a customer would, with a retry budget of its own (by default none: a canary reports
// each attempt). What they see is kept apart from the customers' figures. Off unless the
// scenario has a `canaries` section.
struct CanarySpec {
  bool enabled = false;
  std::string table;
  std::uint32_t table_index = 0;
  double rate_per_az = 2.0;                   // operations per second, per AZ and endpoint
  std::array<double, kOperationCount> mix{};  // by Operation; default half strong reads, half puts
  ClientSpec client;                          // max_attempts 1 unless given
};

// A customer-facing alarm, as CloudWatch evaluates one: every `period` a datapoint (a statistic of
// the operations that finished in it, from the customers' clients or the canaries, optionally of
// one AZ or table); the alarm is in ALARM while at least `datapoints` of the last
// `evaluation_periods` datapoints breach the threshold. A period with no operations is missing
// data: it breaches nothing and counts as not breaching.
struct AlarmSpec {
  enum class Source : std::uint8_t { customers, canaries };
  enum class Statistic : std::uint8_t { availability, latency_p50, latency_p99 };
  std::string name;
  std::string metric;  // as written: "<canary|client>.<availability|latency_p50|latency_p99>"
  Source source = Source::canaries;
  Statistic statistic = Statistic::availability;
  std::optional<std::uint32_t> az;     // an AZ index; none: every AZ
  std::optional<std::uint32_t> table;  // a table index; none: every table
  std::optional<std::uint32_t> endpoint;  // an endpoint index; none: every endpoint
  double threshold = 0.0;              // availability: breach below it; latency: breach above it (nanoseconds)
  Duration period = sim::minutes(1);
  std::uint32_t datapoints = 3;
  std::uint32_t evaluation_periods = 5;
  bool latency() const { return statistic != Statistic::availability; }
};

// A build a deployment ships (models/ops/deployer.h): what it does wrong, if anything. Every
// request the node serves fails with `error_rate` (an internal error, answered as unavailable) and
// takes `extra_latency` longer (storage: on a request worker; router: in its processing); a node
// running it crashes at `crashes_per_hour` (down for the deployment's restart time, then back on
// the same build). A storage build also has a log format: the newest it reads and the one its
// leaders write (the fleet's own build reads and writes format 1). A node whose build cannot read
// an entry drops the message carrying it (a parse error), and cannot start while its log holds one.
struct BuildSpec {
  std::string name;
  double error_rate = 0.0;
  Duration extra_latency = Duration::zero();
  double crashes_per_hour = 0.0;
  std::uint8_t reads_format = 1;
  std::uint8_t writes_format = 1;
  // A router build's configuration (a bad one is how many outages start): how long it waits for
  // a storage node; none: the fleet's `router.storage_timeout`.
  std::optional<Duration> storage_timeout;
};

// Rolling a build onto one role's fleet in waves: wave i brings the share of the fleet on the
// build up to `waves[i]` (or, by AZ, to one more AZ), restarting `at_once` nodes at a time (each
// down for `restart_time`; with `drain`, a storage node first hands off the groups it leads, and a
// router is first taken out of its load balancer until its requests in flight are done), then bakes for `bake` before the next wave. If any of `rollback_alarms` goes to ALARM
// while the deployment runs or bakes, or at `rollback_at` (a deliberate rollback), every node on
// the build is restarted back on the previous one, `rollback_at_once` at a time.
struct DeploymentSpec {
  enum class Role : std::uint8_t { storage, router, memds, gac };
  static constexpr std::size_t kRoles = 4;
  std::string name;
  Duration at;
  Role role = Role::storage;
  BuildSpec build;
  std::vector<double> waves;  // cumulative shares of the fleet, increasing, the last 1; empty: by AZ
  Duration bake = sim::minutes(10);
  Duration restart_time = sim::seconds(20);
  bool drain = true;
  std::uint32_t at_once = 1;
  std::vector<std::uint32_t> rollback_alarms;  // indexes into Scenario::alarms
  std::uint32_t rollback_at_once = 1;
  std::optional<Duration> rollback_at;
  bool by_az() const { return waves.empty(); }
};
const char* role_name(DeploymentSpec::Role role);

struct ExpectSpec {
  std::string name;     // defaults to "<metric> <op> <value>"
  std::string metric;   // a path into report.json, e.g. "availability.read.ratio"
  std::string op;       // <, <=, >, >=, ==, !=
  double value = 0.0;
  std::string relative_to;  // if set, the check is `metric op value x relative_to` (A/B comparisons)
  // Instead of a metric: an invariant check's id (reports/report.h) and whether it must hold;
  // {"check": "integrity", "passed": false} says the scenario's faults must break it.
  std::string check;
  bool check_passes = true;
  std::string json_path;    // where the entry sits in the scenario file, for error messages
};

struct Scenario;

// Another run of the same scenario and seed with some settings changed, so two designs can be
// compared on identical traffic and faults; its figures appear under variants.<name>.
struct Variant {
  std::string name;
  nlohmann::json overrides;
  std::shared_ptr<const Scenario> scenario;
};

// Continuous verification (issue 12, first step): every replica's archiver uploads sealed
// segments of its applied log to S3, a regional fleet with its own latency and capacity whose
// objects are durable and checksummed. The first replica to upload a range appends it; the
// others download what was archived and compare it with their own log. Off unless the scenario
// has an `archive` section.
struct S3Spec : ServiceSpec {
  S3Spec() {
    workers = 32;
    queue_limit = 2000;
    service = sim::DurationDistribution::lognormal(sim::millis(20), 0.4);
  }
  std::uint32_t nodes_per_az = 1;
  Duration timeout = sim::seconds(2);                // an upload or download not answered by then failed
  std::uint64_t transfer_bytes_per_s = 50ull << 20;  // per request, on top of the service time
  Duration transfer_time(std::uint64_t bytes) const {
    return sim::Duration::from_nanos(static_cast<std::int64_t>(static_cast<sim::uint128>(bytes) * 1'000'000'000u /
                                                               (transfer_bytes_per_s > 0 ? transfer_bytes_per_s : 1)));
  }
};

// Continuous verification: per group every `interval` the leader puts a scrub marker through
// the log; every storage replica checksums its items where it applies it and sends the digest to
// the scrub verifier, which compares the replicas (three-way) and, with `reference` (needs an
// archive), a reference replica it rebuilds by replaying the archived log. A replica found to
// differ is replaced through healing. Off unless the scenario has a `scrub` section.
struct ScrubSpec {
  bool enabled = false;
  Duration interval = sim::hours(1);
  bool reference = true;
  Duration compare_timeout = sim::minutes(1);   // digests missing by then: compare those that came
  Duration reference_timeout = sim::hours(1);   // the archive did not reach the marker by then: not compared
};

// The membership service (E9, models/control/membership.h): metadata cells that every storage
// node fetches its membership from, at boot, every `refresh` and after a membership_blip fault. A
// fetch costs a cell `base + size x per_member` of one of its workers. A node whose fetch is not
// answered within `timeout` leaves service (it refuses item requests; replication goes on) and
// retries every `retry` (jittered by half) until one succeeds. A cell serves what it queued
// even when its caller gave up, unless load shedding is on (from `shed_from`): then it drops a
// fetch that waited longer than the timeout. Off unless the scenario has a `membership` section.
struct MembershipSpec {
  bool enabled = false;
  std::uint32_t cells = 1;
  std::uint32_t workers = 2;
  std::uint32_t queue_limit = 1000;
  std::uint32_t size = 1000;
  Duration base = sim::millis(2);
  Duration per_member = sim::micros(50);
  Duration timeout = sim::seconds(1);
  Duration retry = sim::seconds(1);
  Duration refresh = sim::minutes(5);
  std::optional<Duration> shed_from;
  Duration service() const { return base + per_member * static_cast<std::int64_t>(size); }
};

struct ArchiveSpec {
  bool enabled = false;
  Duration interval = sim::seconds(10);   // each archiver seals and uploads what it applied since
  std::uint64_t segment_bytes = 4ull << 20;  // at most this much per upload
  S3Spec s3;
};

struct Scenario {
  std::string file;      // as given on the command line (never written into report.json)
  std::string sha256;    // of the file's bytes
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  Duration duration;

  std::vector<AzSpec> azs;
  std::vector<EndpointSpec> endpoints{EndpointSpec{"regional", 0}};
  // topology.cell_nodes: each AZ's storage nodes split into cells of about this many, and a
  // group's first three replicas placed in one cell (the same cell in every AZ), so a node
  // shares groups (and exchanges heartbeats) with the nodes of its cell only, not with every
  // node of the region. 0 (the default): one cell, every node a candidate.
  std::uint32_t cell_nodes = 0;
  sim::NetworkConfig network;
  StorageSpec storage;
  RouterSpec router;
  ClientSpec client;
  ReplicationSpec replication;
  ClockSpec clocks;
  RoutingSpec routing;
  AdmissionSpec admission;
  PartitioningSpec partitioning;
  BalancingSpec balancing;
  ControlSpec control;
  MetadataSpec metadata;
  MemdsSpec memds;
  ArchiveSpec archive;
  ScrubSpec scrub;
  MembershipSpec membership;
  std::vector<TableSpec> tables;
  std::vector<WorkloadSpec> workload;
  CanarySpec canaries;
  std::vector<AlarmSpec> alarms;
  std::vector<DeploymentSpec> deployments;
  std::vector<std::shared_ptr<const sim::Fault>> faults;
  std::vector<ExpectSpec> expect;
  std::vector<Variant> variants;

  sim::TopologyNames topology_names() const;
  // Every router, in the order Simulation creates them: endpoint by endpoint, AZ by AZ.
  std::vector<RouterPlace> router_places() const;
  std::uint32_t routers_of(std::uint32_t endpoint, std::uint32_t az) const {
    return endpoint == 0 ? azs[az].routers : endpoints[endpoint].routers_per_az;
  }
  // Whether a controller (balancer, splitter, adaptive capacity) reads what storage nodes report
  // per partition: only then do they gather and send it, and autoadmin keep it.
  bool partition_reports() const {
    return balancing.enabled || partitioning.enabled || admission.mode == AdmissionSpec::Mode::adaptive;
  }
  nlohmann::json resolved;  // the scenario with defaults filled in, as the report records it
};

// The most client operations the workload can issue over the run: every workload at its peak
// rate for the whole duration (the history is reserved for this many).
double peak_operations(const Scenario& scenario);

// Node names follow one pattern so scenarios can name them: "<az>/<role><index>".
std::string node_name(const std::string& az, const char* role, std::uint32_t index);

}  // namespace models
