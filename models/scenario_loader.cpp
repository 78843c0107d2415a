// The scenario file format, section by section (see scenarios/scenario.schema.json).
#include "models/scenario_loader.h"
#include "models/control/membership.h"
#include "models/control/membership_loader.h"
#include "models/ops/ops_loader.h"
#include "models/scenario_sections.h"
#include "models/scenario_resolved.h"
#include "models/topology_loader.h"
#include "models/verification/faults.h"

#include "sim/clock.h"
#include "sim/config/distribution_reader.h"
#include "sim/config/units.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <set>

namespace models {

using sim::config::InputError;
using sim::config::Node;
using sim::config::ObjectReader;
using sim::config::format_duration;
using sim::config::format_size_bytes;

namespace {

using namespace sections;

constexpr std::uint32_t kMostPartitionsPerTable = 1'000'000;
constexpr std::size_t kMostTables = 10'000;  // metrics hold a cell per table, AZ and window
constexpr std::uint64_t kLargestItemBytes = 400 * 1024;  // DynamoDB's item size limit

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

void read_network(const Node& node, sim::NetworkConfig& network) {
  ObjectReader object = node.object();
  const std::pair<const char*, sim::LinkClass> classes[] = {
      {"same_az", sim::LinkClass::same_az},
      {"cross_az", sim::LinkClass::cross_az},
      {"client_router", sim::LinkClass::client_router}};
  for (const auto& [key, link_class] : classes) {
    auto link_node = object.optional(key);
    if (!link_node) continue;
    ObjectReader link = link_node->object();
    if (auto latency = link.optional("latency"))
      network.link(link_class).latency = sim::config::read_duration_distribution(*latency);
    if (auto loss = link.optional("loss")) {
      const double p = loss->probability();
      if (p >= 1.0) loss->fail_expected("a loss probability below 1");
      network.link(link_class).loss_probability = p;
    }
    link.finish();
  }
  object.finish();
}

void read_storage(const Node& node, StorageSpec& storage) {
  ObjectReader object = node.object();
  if (auto n = object.optional("read_service")) storage.read_service = sim::config::read_duration_distribution(*n);
  if (auto n = object.optional("write_service")) storage.write_service = sim::config::read_duration_distribution(*n);
  if (auto n = object.optional("workers")) storage.workers = static_cast<std::uint32_t>(n->uint64_in(1, 4096));
  if (auto n = object.optional("queue_limit")) storage.queue_limit = static_cast<std::uint32_t>(n->uint64_in(0, 10'000'000));
  if (auto n = object.optional("page_checksums")) storage.page_checksums = n->boolean();
  object.finish();
}

void read_router(const Node& node, RouterSpec& router) {
  ObjectReader object = node.object();
  if (auto n = object.optional("processing")) router.processing = sim::config::read_duration_distribution(*n);
  if (auto n = object.optional("storage_timeout")) router.storage_timeout = read_delay(*n);
  object.finish();
}

void read_service(ObjectReader& object, ServiceSpec& spec) {
  if (auto n = object.optional("workers")) spec.workers = static_cast<std::uint32_t>(n->uint64_in(1, 4096));
  if (auto n = object.optional("queue_limit")) spec.queue_limit = static_cast<std::uint32_t>(n->uint64_in(0, 10'000'000));
  if (auto n = object.optional("service")) spec.service = sim::config::read_duration_distribution(*n);
}

void read_admission(const Node& node, AdmissionSpec& admission) {
  ObjectReader object = node.object();
  if (auto n = object.optional("mode")) {
    const std::string mode = n->one_of({"static", "burst", "adaptive", "gac"});
    for (auto m : {AdmissionSpec::Mode::static_shares, AdmissionSpec::Mode::burst, AdmissionSpec::Mode::adaptive,
                   AdmissionSpec::Mode::gac})
      if (mode == admission_mode_name(m)) admission.mode = m;
  }
  if (auto n = object.optional("burst_window")) admission.burst_window = read_delay(*n, true);
  if (auto n = object.optional("node_rcu")) admission.node_rcu = n->uint64_in(1, 100'000'000);
  if (auto n = object.optional("node_wcu")) admission.node_wcu = n->uint64_in(1, 100'000'000);
  if (auto n = object.optional("partition_rcu")) admission.partition_rcu = n->uint64_in(1, 100'000'000);
  if (auto n = object.optional("partition_wcu")) admission.partition_wcu = n->uint64_in(1, 100'000'000);
  if (auto n = object.optional("adaptive")) {
    ObjectReader adaptive = n->object();
    if (auto m = adaptive.optional("interval")) admission.adaptive.interval = read_delay(*m);
    if (auto m = adaptive.optional("boost")) admission.adaptive.boost = m->number_in(0.0, 10.0, false);
    adaptive.finish();
  }
  if (auto n = object.optional("gac")) {
    ObjectReader gac = n->object();
    if (auto m = gac.optional("servers")) admission.gac.servers = static_cast<std::uint32_t>(m->uint64_in(1, 1000));
    if (auto m = gac.optional("refill_interval")) admission.gac.refill_interval = read_delay(*m);
    if (auto m = gac.optional("grant_lifetime")) admission.gac.grant_lifetime = read_delay(*m);
    if (auto m = gac.optional("timeout")) admission.gac.timeout = read_delay(*m);
    if (admission.gac.grant_lifetime < admission.gac.refill_interval)
      gac.required("grant_lifetime").fail("a lifetime at least \"refill_interval\" (" +
                                          format_duration(admission.gac.refill_interval) + ")",
                                          "\"" + format_duration(admission.gac.grant_lifetime) + "\"");
    gac.finish();
  }
  object.finish();
}

void read_partitioning(const Node& node, PartitioningSpec& p) {
  ObjectReader object = node.object();
  p.enabled = true;
  if (auto n = object.optional("size_limit")) p.size_limit = n->size_bytes();
  if (auto n = object.optional("split_for_heat")) p.split_for_heat = n->boolean();
  if (auto n = object.optional("heat_threshold")) p.heat_threshold = n->number_in(0.0, 1.0, false);
  if (auto n = object.optional("split_point"))
    p.split_point = n->one_of({"observed", "midpoint"}) == "observed" ? PartitioningSpec::SplitPoint::observed
                                                                      : PartitioningSpec::SplitPoint::midpoint;
  if (auto n = object.optional("check_interval")) p.check_interval = read_delay(*n);
  if (auto n = object.optional("split_duration")) p.split_duration = read_delay(*n, true);
  object.finish();
}

void read_balancing(const Node& node, BalancingSpec& b) {
  ObjectReader object = node.object();
  b.enabled = true;
  if (auto n = object.optional("enabled")) b.enabled = n->boolean();
  if (auto n = object.optional("interval")) b.interval = read_delay(*n);
  if (auto n = object.optional("threshold")) b.threshold = n->number_in(0.0, 1.0, false);
  if (auto n = object.optional("cooldown")) b.cooldown = read_delay(*n, true);
  object.finish();
}

void read_control(const Node& node, ControlSpec& c) {
  ObjectReader object = node.object();
  if (auto n = object.optional("report_interval")) c.report_interval = read_delay(*n);
  if (auto n = object.optional("silence")) {
    c.silence = read_delay(*n);
    if (c.silence < c.report_interval)
      n->fail_expected("a duration of at least report_interval (" + format_duration(c.report_interval) + ")");
  }
  object.finish();
}

void read_routing(const Node& node, RoutingSpec& routing) {
  ObjectReader object = node.object();
  if (auto n = object.optional("cache"))
    routing.cache = n->one_of({"memds", "legacy"}) == "memds" ? RoutingSpec::Cache::memds : RoutingSpec::Cache::legacy;
  if (auto n = object.optional("cache_ttl")) routing.cache_ttl = read_delay(*n);
  if (auto n = object.optional("lookup_timeout")) routing.lookup_timeout = read_delay(*n);
  object.finish();
}

void read_metadata(const Node& node, MetadataSpec& metadata) {
  ObjectReader object = node.object();
  if (auto n = object.optional("nodes")) metadata.nodes = static_cast<std::uint32_t>(n->uint64_in(1, 1000));
  if (auto n = object.optional("table_fetch_per_partition")) metadata.table_fetch_per_partition = read_delay(*n, true);
  read_service(object, metadata);
  object.finish();
}

void read_memds(const Node& node, MemdsSpec& memds) {
  ObjectReader object = node.object();
  if (auto n = object.optional("nodes_per_az")) memds.nodes_per_az = static_cast<std::uint32_t>(n->uint64_in(1, 1000));
  read_service(object, memds);
  object.finish();
}

void read_archive(const Node& node, ArchiveSpec& archive) {
  ObjectReader object = node.object();
  archive.enabled = true;
  if (auto n = object.optional("enabled")) archive.enabled = n->boolean();
  if (auto n = object.optional("interval")) archive.interval = read_delay(*n);
  if (auto n = object.optional("segment")) {
    archive.segment_bytes = n->size_bytes();
    if (archive.segment_bytes == 0) n->fail_expected("a segment size above zero, such as \"4MB\"");
  }
  if (auto s3 = object.optional("s3")) {
    ObjectReader o = s3->object();
    if (auto n = o.optional("nodes_per_az")) archive.s3.nodes_per_az = static_cast<std::uint32_t>(n->uint64_in(1, 100));
    if (auto n = o.optional("timeout")) archive.s3.timeout = read_delay(*n);
    if (auto n = o.optional("transfer_rate")) {
      archive.s3.transfer_bytes_per_s = n->size_bytes();
      if (archive.s3.transfer_bytes_per_s == 0) n->fail_expected("a transfer rate (bytes per second) above zero, such as \"50MB\"");
    }
    read_service(o, archive.s3);
    o.finish();
  }
  // A full segment must transfer well within the timeout, or every upload times out after S3
  // stored it and the archiver sends the same range for ever.
  const sim::Duration transfer = archive.s3.transfer_time(archive.segment_bytes);
  if (transfer * 2 > archive.s3.timeout)
    node.fail("an archive segment that transfers within half of s3.timeout (" + format_duration(archive.s3.timeout) +
                  ")",
              format_size_bytes(archive.segment_bytes) + " at " + format_size_bytes(archive.s3.transfer_bytes_per_s) +
                  " per second, " + format_duration(transfer));
  object.finish();
}

void read_scrub(const Node& node, const Scenario& scenario, ScrubSpec& scrub) {
  ObjectReader object = node.object();
  scrub.enabled = true;
  if (auto n = object.optional("enabled")) scrub.enabled = n->boolean();
  if (auto n = object.optional("interval")) scrub.interval = read_delay(*n);
  if (auto n = object.optional("compare_timeout")) scrub.compare_timeout = read_delay(*n);
  if (auto n = object.optional("reference_timeout")) scrub.reference_timeout = read_delay(*n);
  scrub.reference = scenario.archive.enabled;
  if (auto n = object.optional("reference")) {
    scrub.reference = n->boolean();
    if (scrub.reference && !scenario.archive.enabled)
      n->fail("false, or an \"archive\" section (the reference replica replays the archived log)", "true");
  }
  object.finish();
}

void read_replication(const Node& node, ReplicationSpec& r) {
  ObjectReader object = node.object();
  if (auto n = object.optional("heartbeat_interval")) r.heartbeat_interval = read_delay(*n);
  if (auto n = object.optional("missed_heartbeats")) r.missed_heartbeats = static_cast<std::uint32_t>(n->uint64_in(1, 100));
  if (auto n = object.optional("lease")) r.lease = read_delay(*n);
  if (auto n = object.optional("confirm_with_peers")) r.confirm_with_peers = n->boolean();
  if (auto n = object.optional("log_replicas")) r.log_replicas = n->boolean();
  if (auto n = object.optional("wal_persist")) r.wal_persist = sim::config::read_duration_distribution(*n);
  if (auto n = object.optional("wal_tail")) r.wal_tail_bytes = n->size_bytes();
  if (auto n = object.optional("copy_rate")) {
    r.copy_bytes_per_s = n->size_bytes();
    if (r.copy_bytes_per_s == 0) n->fail_expected("a copy rate (bytes per second) above zero, such as \"100MB\"");
  }
  if (auto n = object.optional("log_entries_kept")) r.log_entries_kept = static_cast<std::uint32_t>(n->uint64_in(1, 1'000'000));
  if (auto n = object.optional("final_heal")) r.final_heal = read_delay(*n, true);
  if (auto n = object.optional("keep_item_history")) r.keep_item_history = n->boolean();
  if (auto n = object.optional("clock_drift_bound_ppm"))
    r.clock_drift_bound_ppm = static_cast<std::int64_t>(n->uint64_in(0, 100'000));
  object.finish();
}

void read_clocks(const Node& node, const ReplicationSpec& replication, ClockSpec& clocks) {
  ObjectReader object = node.object();
  if (auto n = object.optional("skew")) clocks.skew = read_delay(*n, true);
  if (auto n = object.optional("beyond_bound")) clocks.beyond_bound = n->boolean();
  if (auto n = object.optional("drift_ppm")) {
    clocks.drift_ppm = static_cast<std::int64_t>(n->uint64_in(0, sim::Clock::kRateMaxPpm));
    if (clocks.drift_ppm > replication.clock_drift_bound_ppm && !clocks.beyond_bound)
      n->fail(fmt::format("a drift within replication.clock_drift_bound_ppm ({} ppm), or \"beyond_bound\": true for an "
                          "experiment that breaks the leases' margin on purpose", replication.clock_drift_bound_ppm),
              std::to_string(clocks.drift_ppm));
  }
  object.finish();
}

void read_tables(const Node& node, Scenario& scenario) {
  std::set<std::string> seen;
  const std::vector<Node> tables = node.array(1);
  if (tables.size() > kMostTables) node.fail(fmt::format("at most {} tables", kMostTables), fmt::format("{}", tables.size()));
  for (const Node& table_node : tables) {
    ObjectReader table = table_node.object();
    TableSpec spec;
    spec.name = read_unique_name(table, seen, "a table name", "table");
    spec.partitions = static_cast<std::uint32_t>(table.required("partitions").uint64_in(1, kMostPartitionsPerTable));
    spec.items = table.required("items").uint64_in(1, std::uint64_t{1} << 40);
    if (auto n = table.optional("item_size")) {
      spec.item_bytes = n->size_bytes();
      if (spec.item_bytes == 0 || spec.item_bytes > kLargestItemBytes)
        n->fail("an item size from 1B to 400KB", "\"" + format_size_bytes(spec.item_bytes) + "\"");
    }
    spec.size_bytes = spec.items * spec.item_bytes;
    if (auto n = table.optional("size")) spec.size_bytes = n->size_bytes();
    if (auto n = table.optional("capacity")) {
      ObjectReader capacity = n->object();
      const std::string mode = capacity.required("mode").one_of({"unlimited", "provisioned", "on_demand"});
      if (mode == "on_demand") spec.capacity.mode = TableCapacity::Mode::on_demand;
      if (mode == "provisioned") {
        spec.capacity.mode = TableCapacity::Mode::provisioned;
        spec.capacity.rcu = capacity.required("rcu").uint64_in(1, 100'000'000);
        spec.capacity.wcu = capacity.required("wcu").uint64_in(1, 100'000'000);
      }
      capacity.finish();
    }
    table.finish();
    scenario.tables.push_back(spec);
  }
}

// What the simulator can hold at once: the kernel keeps at most 2^24 pending events, and an
// operation in flight keeps a few (its arrival, a message or a queue slot, one timeout per
// layer). A workload whose clients could have more operations in flight than this, if every
// attempt timed out, is refused up front rather than stopped half-way.
constexpr double kMostOperationsInFlight = 2'000'000;

void check_fits(const Node& workload, const Scenario& scenario) {
  double rate = 0;
  for (const WorkloadSpec& w : scenario.workload) rate += w.peak_rate();
  const double lifetime = scenario.client.operation_time_max().seconds_double();
  if (rate * lifetime <= kMostOperationsInFlight) return;
  workload.fail(fmt::format("a workload the simulator can hold: at most {:.0f} operations in flight, the total "
                            "peak rate times the longest an operation lives (client: {} attempts of {}, "
                            "backoff up to {})",
                            kMostOperationsInFlight, scenario.client.max_attempts,
                            format_duration(scenario.client.attempt_timeout), format_duration(scenario.client.backoff_max)),
                fmt::format("{:.6g} requests/s x {:.6g} s = {:.6g}", rate, lifetime, rate * lifetime));
}

void read_workload(const Node& node, Scenario& scenario) {
  for (const Node& entry_node : node.array(1)) {
    ObjectReader entry = entry_node.object();
    WorkloadSpec spec;
    const Node table = entry.required("table");
    spec.table_index = find_table(scenario, table);
    spec.table = scenario.tables[spec.table_index].name;
    if (auto n = entry.optional("endpoint")) spec.endpoint = find_endpoint(scenario, *n);
    const auto rate = entry.optional("rate");
    const auto phases = entry.optional("phases");
    if (rate && phases) phases->fail("either \"rate\" or \"phases\", not both", "both");
    if (!rate && !phases) entry.required("rate");  // reports the missing key
    if (rate) spec.rate_per_s = rate->number_in(0.0, 1e8, false);
    if (phases) {
      for (const Node& phase_node : phases->array(1)) {
        ObjectReader phase = phase_node.object();
        Phase p;
        p.duration = read_delay(phase.required("duration"));
        const auto constant = phase.optional("rate");
        const auto ramp = phase.optional("ramp_to");
        if (constant && ramp) ramp->fail("either \"rate\" or \"ramp_to\", not both", "both");
        if (!constant && !ramp) phase.required("rate");
        p.ramp = ramp.has_value();
        p.rate_per_s = (constant ? *constant : *ramp).number_in(0.0, 1e8);
        phase.finish();
        spec.phases.push_back(p);
      }
    }

    spec.mix = read_mix(entry.required("mix"));

    if (auto n = entry.optional("start")) {
      spec.start = read_delay(*n, true);
      // An entry that would start after the run ended sends nothing: a mistake, not a workload.
      if (spec.start >= scenario.duration)
        n->fail("a start before the end of the run (\"duration\" " + format_duration(scenario.duration) + ")",
                "\"" + format_duration(spec.start) + "\"");
    }
    if (auto n = entry.optional("end")) {
      spec.end = read_delay(*n);
      if (*spec.end <= spec.start)
        n->fail("an end after \"start\" (" + format_duration(spec.start) + ")", "\"" + format_duration(*spec.end) + "\"");
    }
    if (auto keys_node = entry.optional("keys")) {
      ObjectReader keys = keys_node->object();
      const std::string shape = keys.required("dist").one_of({"uniform", "zipf", "hot_set", "sequential"});
      if (shape == "sequential") {
        spec.keys.shape = KeyDistribution::Shape::sequential;
        const TableSpec& t = scenario.tables[spec.table_index];
        if (t.items > 10'000'000)
          keys.required("dist").fail("\"sequential\" on a table of at most 10,000,000 items",
                                     fmt::format("a table of {} items", t.items));
      }
      if (shape == "zipf") {
        spec.keys.shape = KeyDistribution::Shape::zipf;
        spec.keys.zipf_exponent = keys.required("exponent").number_in(0.0, 10.0);
      } else if (shape == "hot_set") {
        spec.keys.shape = KeyDistribution::Shape::hot_set;
        spec.keys.hot_fraction = keys.required("hot_fraction").number_in(0.0, 1.0, false);
        spec.keys.hot_share = keys.required("share").probability();
      }
      if (auto n = keys.optional("within")) {
        ObjectReader within = n->object();
        spec.keys.within_from = within.required("from").probability();
        const Node to = within.required("to");
        spec.keys.within_to = to.probability();
        if (spec.keys.within_to <= spec.keys.within_from)
          to.fail(fmt::format("a fraction of the hash space above \"from\" ({})", spec.keys.within_from),
                  fmt::format("{}", spec.keys.within_to));
        within.finish();
        const TableSpec& t = scenario.tables[spec.table_index];
        const double expected_keys = static_cast<double>(t.items) * (spec.keys.within_to - spec.keys.within_from);
        if (t.items > 100'000'000 || expected_keys < 100)
          n->fail("a slice of a table of at most 100,000,000 items holding about 100 keys or more",
                  fmt::format("about {:.0f} of {} items", expected_keys, t.items));
      }
      keys.finish();
    }
    entry.finish();
    scenario.workload.push_back(spec);
  }
}

void read_faults(const Node& node, Scenario& scenario, const sim::FaultRegistry& registry) {
  ObjectReader object = node.object();
  const sim::TopologyNames names = scenario.topology_names();
  const sim::FaultParseContext context{names, scenario.duration, scenario.replication.clock_drift_bound_ppm};
  for (const char* list : {"timeline", "chaos"}) {
    if (auto entries = object.optional(list))
      for (const Node& entry : entries->array())
        scenario.faults.push_back(registry.parse(entry, context));
  }
  if (auto swarm = object.optional("swarm")) scenario.faults.push_back(sim::FaultRegistry::parse_swarm(*swarm, context));
  object.finish();
}

void read_expect(const Node& node, Scenario& scenario) {
  for (const Node& entry_node : node.array()) {
    ObjectReader entry = entry_node.object();
    ExpectSpec spec;
    spec.json_path = entry_node.path();
    if (auto check = entry.optional("check")) {
      spec.check = check->non_empty_string();
      spec.check_passes = entry.required("passed").boolean();
      spec.name = entry.optional("name") ? entry.required("name").non_empty_string()
                                         : fmt::format("check {} {}", spec.check, spec.check_passes ? "holds" : "fails");
      entry.finish();
      scenario.expect.push_back(spec);
      continue;
    }
    spec.metric = entry.required("metric").non_empty_string();
    spec.op = entry.required("op").one_of({"<", "<=", ">", ">=", "==", "!="});
    spec.value = entry.required("value").number();
    if (auto relative = entry.optional("relative_to")) spec.relative_to = relative->non_empty_string();
    if (auto name = entry.optional("name")) spec.name = name->non_empty_string();
    else if (spec.relative_to.empty()) spec.name = fmt::format("{} {} {}", spec.metric, spec.op, spec.value);
    else spec.name = fmt::format("{} {} {} x {}", spec.metric, spec.op, spec.value, spec.relative_to);
    entry.finish();
    scenario.expect.push_back(spec);
  }
}


Scenario parse_document(const nlohmann::json& doc, const std::string& file_label,
                        const sim::FaultRegistry& registry);

// Objects merge key by key; anything else in `overrides` replaces what the base has.
void merge_into(nlohmann::json& base, const nlohmann::json& overrides) {
  for (const auto& [key, value] : overrides.items()) {
    if (value.is_object() && base.contains(key) && base[key].is_object()) merge_into(base[key], value);
    else base[key] = value;
  }
}

void read_variants(const Node& node, const nlohmann::json& doc, Scenario& scenario,
                   const sim::FaultRegistry& registry) {
  ObjectReader variants = node.object();
  for (const auto& [name, overrides] : node.json().items()) {
    const Node entry = variants.required(name);
    if (!is_plain_name(name)) entry.fail("a variant name made of letters, digits, '-' and '_'", "\"" + name + "\"");
    ObjectReader keys = entry.object();
    for (const char* forbidden : {"variants", "expect", "name", "seed"})
      if (keys.has(forbidden))
        keys.required(forbidden).fail("a setting to change (a variant runs the base's seed under the base's name, "
                                      "and has no variants or expectations of its own)",
                                      std::string("\"") + forbidden + "\"");
    for (const auto& [key, value] : overrides.items()) (void)keys.optional(key);
    keys.finish();
    nlohmann::json merged = doc;
    merged.erase("variants");
    merged.erase("expect");
    merge_into(merged, overrides);
    // The variant is checked as a whole scenario; its messages name the variant.
    auto variant = std::make_shared<Scenario>(
        parse_document(merged, scenario.file + " (variant " + name + ")", registry));
    scenario.variants.push_back(Variant{name, overrides, std::move(variant)});
  }
  variants.finish();
}

Scenario parse_document(const nlohmann::json& doc, const std::string& file_label,
                        const sim::FaultRegistry& registry) {
  Scenario scenario;
  scenario.file = file_label;
  ObjectReader top = sim::config::root(doc, file_label).object();
  (void)top.optional("$schema");  // editors link the file to scenarios/scenario.schema.json
  scenario.name = read_name(top.required("name"), "a scenario name");
  if (auto n = top.optional("description")) scenario.description = n->string();
  if (auto n = top.optional("seed")) scenario.seed = n->uint64();
  const Node duration = top.required("duration");
  scenario.duration = duration.duration();
  if (scenario.duration > kLongestScenario)
    duration.fail("a duration of at most " + format_duration(kLongestScenario), "\"" + format_duration(scenario.duration) + "\"");
  read_topology(top.required("topology"), scenario);
  if (auto n = top.optional("network")) read_network(*n, scenario.network);
  if (auto n = top.optional("storage")) read_storage(*n, scenario.storage);
  if (auto n = top.optional("router")) read_router(*n, scenario.router);
  if (auto n = top.optional("client")) read_client(*n, scenario.client);
  if (auto n = top.optional("replication")) read_replication(*n, scenario.replication);
  if (auto n = top.optional("clocks")) read_clocks(*n, scenario.replication, scenario.clocks);
  if (auto n = top.optional("routing")) read_routing(*n, scenario.routing);
  if (auto n = top.optional("admission")) read_admission(*n, scenario.admission);
  if (auto n = top.optional("metadata")) read_metadata(*n, scenario.metadata);
  if (auto n = top.optional("memds")) read_memds(*n, scenario.memds);
  if (auto n = top.optional("archive")) read_archive(*n, scenario.archive);
  scenario.replication.archiving = scenario.archive.enabled;
  if (auto n = top.optional("scrub")) read_scrub(*n, scenario, scenario.scrub);
  if (auto n = top.optional("partitioning")) read_partitioning(*n, scenario.partitioning);
  if (auto n = top.optional("balancing")) read_balancing(*n, scenario.balancing);
  if (auto n = top.optional("control")) read_control(*n, scenario.control);
  read_tables(top.required("tables"), scenario);
  for (const TableSpec& t : scenario.tables)
    if (t.capacity.mode == TableCapacity::Mode::on_demand) scenario.partitioning.enabled = true;
  const Node workload = top.required("workload");
  read_workload(workload, scenario);
  check_fits(workload, scenario);
  if (auto n = top.optional("canaries")) ops::read_canaries(*n, scenario);
  if (auto n = top.optional("alarms")) ops::read_alarms(*n, scenario);
  if (auto n = top.optional("deployments")) ops::read_deployments(*n, scenario);
  if (auto n = top.optional("membership")) control::read_membership(*n, scenario);
  if (auto n = top.optional("faults")) read_faults(*n, scenario, registry);
  if (auto n = top.optional("expect")) read_expect(*n, scenario);
  if (auto n = top.optional("variants")) read_variants(*n, doc, scenario, registry);
  top.finish();
  scenario.resolved = resolved_json(scenario);
  return scenario;
}

}  // namespace

sim::FaultRegistry scenario_faults() {
  sim::FaultRegistry registry = sim::FaultRegistry::with_builtin_faults();
  const std::string needs = "an \"archive\" section in the scenario (it adds the S3 fleet)";
  registry.add("s3_outage", sim::role_outage_parser("s3_outage", "s3", needs));
  registry.add("s3_slow", sim::role_slow_parser("s3_slow", "s3", needs));
  verification::add_corruption_faults(registry);
  control::add_membership_faults(registry);
  return registry;
}

Scenario parse_scenario(std::string_view text, const std::string& file_label,
                        const sim::FaultRegistry& faults) {
  const nlohmann::json doc = sim::config::parse_json_text(text, file_label);
  Scenario scenario = parse_document(doc, file_label, faults);
  scenario.sha256 = sha256_hex(text);
  for (Variant& variant : scenario.variants) std::const_pointer_cast<Scenario>(variant.scenario)->sha256 = scenario.sha256;
  return scenario;
}

Scenario load_scenario(const std::string& path, const sim::FaultRegistry& faults) {
  // Read once: a pipe (`<(...)`, /dev/stdin) has its bytes only once, and the hash must be of
  // the bytes that were parsed.
  const std::string bytes = sim::config::read_text_file(path);
  const nlohmann::json doc = sim::config::parse_json_text(bytes, path);  // every file-level check
  Scenario scenario = parse_document(doc, path, faults);
  scenario.sha256 = sha256_hex(bytes);
  for (Variant& variant : scenario.variants) std::const_pointer_cast<Scenario>(variant.scenario)->sha256 = scenario.sha256;
  return scenario;
}

}  // namespace models
