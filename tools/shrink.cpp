// Shrinking a failing seed: candidates, ddmin over the faults, cuts, replay.
#include "tools/shrink.h"

#include "models/scenario_loader.h"
#include "sim/config/json_reader.h"
#include "sim/config/units.h"
#include "tools/commands.h"
#include "tools/drawn_faults.h"
#include "tools/run_one.h"
#include "tools/sweep_records.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <set>

namespace tools {

using reports::Json;

namespace {

class Shrinker {
 public:
  Shrinker(std::string label, std::uint64_t seed, unsigned jobs, double budget_s, models::TestHooks hooks)
      : label_(std::move(label)), seed_(seed), jobs_(jobs), hooks_(hooks),
        deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(budget_s * 1000))) {}

  // The signature of a run of `document` (none if the loader refuses it: not a candidate); with
  // `drawn`, the random faults it drew as timeline entries.
  std::optional<std::vector<std::string>> signature(const Json& document, std::uint64_t* digest = nullptr,
                                                    std::vector<Json>* drawn = nullptr) {
    std::optional<models::Scenario> scenario;
    try {
      scenario = models::parse_scenario(document.dump(), label_);
      reports::validate_expectations(*scenario);
    } catch (const sim::config::InputError&) {
      return std::nullopt;
    }
    const SeedRun run = run_seed(*scenario, seed_, nullptr, nullptr, hooks_);
    ++runs_;
    if (digest != nullptr) *digest = run.digest;
    if (drawn != nullptr) *drawn = run.drawn_faults;
    if (!run.complete && !run.out_of_slots) return std::nullopt;
    return failure_signature(run);
  }

  // The first of `candidates` (in their order) that fails with `target`; none if none does. They
  // run in parallel; which wins never depends on how many run at once.
  std::optional<std::size_t> first_failing(const std::vector<Json>& candidates, const std::vector<std::string>& target) {
    if (candidates.empty() || out_of_time()) return std::nullopt;
    std::vector<char> same(candidates.size(), 0);
    std::atomic<std::size_t> next{0};
    {
      boost::asio::thread_pool pool(jobs_);
      for (unsigned w = 0; w < jobs_; ++w)
        boost::asio::post(pool, [&] {
          for (std::size_t i = next++; i < candidates.size(); i = next++) {
            const auto got = signature(candidates[i]);
            same[i] = got && *got == target ? 1 : 0;
          }
        });
      pool.join();
    }
    for (std::size_t i = 0; i < candidates.size(); ++i)
      if (same[i] != 0) return i;
    return std::nullopt;
  }

  bool out_of_time() {
    if (std::chrono::steady_clock::now() >= deadline_) budget_reached_ = true;
    return budget_reached_;
  }
  std::uint64_t runs() const { return runs_; }
  bool budget_reached() const { return budget_reached_; }

 private:
  std::string label_;
  std::uint64_t seed_;
  unsigned jobs_;
  models::TestHooks hooks_;
  std::chrono::steady_clock::time_point deadline_;
  std::atomic<std::uint64_t> runs_{0};
  bool budget_reached_ = false;
};

// The random faults (chaos entries, random_power_off, the swarm) replaced by the timeline entries
// of the episodes they drew on this seed, if the run still fails the same way: then ddmin can
// drop episodes one by one. Nothing changes if no fault is random, or if the explicit form does
// not fail the same way (the events of its faults fall in another order).
Json make_drawn_faults_explicit(Shrinker& s, const Json& document, const std::vector<std::string>& target,
                                std::size_t& explicit_count) {
  if (!has_random_faults(document)) return document;
  std::vector<Json> drawn;
  if (!s.signature(document, nullptr, &drawn)) return document;
  const Json candidate = with_drawn_faults(document, drawn);
  if (!s.first_failing({candidate}, target)) return document;
  explicit_count = drawn.size();
  return candidate;
}

// ddmin (Zeller and Hildebrandt) over the fault entries: the smallest set it finds that still
// fails the same way (1-minimal when the budget lets it finish).
std::vector<FaultUnit> minimize_faults(Shrinker& s, const Json& document, std::vector<FaultUnit> units,
                                       const std::vector<std::string>& target) {
  if (units.empty()) return units;
  if (s.first_failing({with_faults(document, {})}, target)) return {};
  std::size_t n = 2;
  while (units.size() >= 2 && !s.out_of_time()) {
    n = std::min(n, units.size());
    std::vector<std::vector<FaultUnit>> subsets, complements;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t from = units.size() * i / n, to = units.size() * (i + 1) / n;
      subsets.emplace_back(units.begin() + static_cast<std::ptrdiff_t>(from), units.begin() + static_cast<std::ptrdiff_t>(to));
      std::vector<FaultUnit> rest(units.begin(), units.begin() + static_cast<std::ptrdiff_t>(from));
      rest.insert(rest.end(), units.begin() + static_cast<std::ptrdiff_t>(to), units.end());
      complements.push_back(std::move(rest));
    }
    std::vector<Json> candidates;
    for (const auto& subset : subsets) candidates.push_back(with_faults(document, subset));
    if (n > 2)
      for (const auto& rest : complements) candidates.push_back(with_faults(document, rest));
    const auto hit = s.first_failing(candidates, target);
    if (hit && *hit < n) {
      units = subsets[*hit];
      n = 2;
    } else if (hit) {
      units = complements[*hit - n];
      n = std::max<std::size_t>(n - 1, 2);
    } else if (n >= units.size()) {
      break;
    } else {
      n = std::min(2 * n, units.size());
    }
  }
  return units;
}

// Tries the values of `key` in `path` from smallest up; keeps the first that fails the same way.
void cut(Shrinker& s, Json& document, const std::vector<Json>& tries, const std::function<void(Json&, const Json&)>& set,
         const std::vector<std::string>& target) {
  std::vector<Json> candidates;
  for (const Json& value : tries) {
    Json candidate = document;
    set(candidate, value);
    candidates.push_back(std::move(candidate));
  }
  if (const auto hit = s.first_failing(candidates, target)) document = candidates[*hit];
}

}  // namespace

std::optional<ShrinkResult> shrink(const Json& original, const std::string& label, std::uint64_t seed, unsigned jobs,
                                   double budget_s, models::TestHooks hooks) {
  Shrinker s(label, seed, jobs, budget_s, hooks);
  // The original must load (the caller reports an InputError) and fail.
  {
    models::Scenario scenario = models::parse_scenario(original.dump(), label);
    reports::validate_expectations(scenario);
  }
  const auto target = s.signature(original);
  if (!target || target->empty()) return std::nullopt;
  ShrinkResult result;
  result.signature = *target;
  Json document = original;
  document["seed"] = seed;
  // What does not take part: the variants, the expectations.
  for (const char* key : {"variants", "expect"})
    if (document.contains(key)) {
      Json candidate = document;
      candidate.erase(key);
      if (s.first_failing({candidate}, *target)) document = candidate;
    }
  // The faults: drawn ones made explicit, then ddmin.
  result.faults_before = fault_units(document).size();
  document = make_drawn_faults_explicit(s, document, *target, result.drawn_made_explicit);
  const std::vector<FaultUnit> units = fault_units(document);
  const std::vector<FaultUnit> kept = minimize_faults(s, document, units, *target);
  document = with_faults(document, kept);
  result.faults_after = kept.size();
  // What remains, weakened: each fault shorter (a quarter, a half), each probability and extra
  // latency smaller (the same).
  if (document.contains("faults") && document["faults"].contains("timeline"))
    for (std::size_t i = 0; i < document["faults"]["timeline"].size(); ++i)
      for (const char* field : {"duration", "extra", "probability"}) {
        const Json value = document["faults"]["timeline"][i].value(field, Json());
        std::vector<Json> tries;
        if (value.is_number()) {
          tries = {value.get<double>() / 4, value.get<double>() / 2};
        } else if (value.is_string()) {
          const auto d = sim::config::parse_duration(value.get<std::string>(), nullptr);
          if (!d || d->nanos() < 4'000'000) continue;  // under 4 ms: nothing to gain
          for (std::int64_t part : {4, 2}) tries.push_back(sim::config::format_duration(sim::Duration::from_nanos(d->nanos() / part / 1'000'000 * 1'000'000)));
        } else {
          continue;
        }
        cut(s, document, tries, [i, field](Json& d, const Json& v) { d["faults"]["timeline"][i][field] = v; }, *target);
      }
  // The non-default settings: each optional section dropped if the failure holds without it.
  std::vector<std::string> sections;
  for (const auto& item : document.items()) sections.push_back(item.key());
  for (const std::string& key : sections) {
    static const std::set<std::string> kEssential{"$schema", "name", "description", "seed", "duration", "topology",
                                                  "tables", "workload", "faults", "expect"};
    if (kEssential.count(key) != 0) continue;
    Json candidate = document;
    candidate.erase(key);
    if (s.first_failing({candidate}, *target)) document = candidate;
  }
  // The duration: the shortest of eighths of it that still fails.
  if (const auto duration = sim::config::parse_duration(document["duration"].get<std::string>(), nullptr)) {
    std::vector<Json> tries;
    for (int k = 1; k < 8; ++k)
      tries.push_back(sim::config::format_duration(sim::Duration::from_nanos(duration->nanos() / 8 * k / 1'000'000'000 * 1'000'000'000)));
    // Timeline entries starting at or after the new end cannot take part; the loader refuses them.
    cut(s, document, tries, [](Json& d, const Json& v) {
          d["duration"] = v;
          const auto end = sim::config::parse_duration(v.get<std::string>(), nullptr);
          if (!d.contains("faults") || !d["faults"].contains("timeline")) return;
          Json before_end = Json::array();
          for (const Json& entry : d["faults"]["timeline"]) {
            const auto at = entry.contains("at") && entry["at"].is_string() ? sim::config::parse_duration(entry["at"].get<std::string>(), nullptr)
                                                                             : std::nullopt;
            if (!at || *at < *end) before_end.push_back(entry);
          }
          d["faults"]["timeline"] = before_end;
        }, *target);
  }
  // Each workload entry's rate: an eighth, a quarter, a half.
  for (std::size_t i = 0; i < document["workload"].size(); ++i)
    if (document["workload"][i].contains("rate")) {
      const double rate = document["workload"][i]["rate"].get<double>();
      cut(s, document, {rate / 8, rate / 4, rate / 2}, [i](Json& d, const Json& v) { d["workload"][i]["rate"] = v; }, *target);
    }
  // Each AZ's node counts: one, half, one fewer.
  for (std::size_t a = 0; a < document["topology"]["azs"].size(); ++a)
    for (const char* role : {"storage_nodes", "routers", "clients"}) {
      const auto count = document["topology"]["azs"][a][role].get<std::uint64_t>();
      std::vector<Json> tries;
      for (std::uint64_t c : {std::uint64_t{0}, std::uint64_t{1}, count / 2, count - 1})
        if (c < count && (tries.empty() || tries.back().get<std::uint64_t>() < c)) tries.push_back(c);
      cut(s, document, tries, [a, role](Json& d, const Json& v) { d["topology"]["azs"][a][role] = v; }, *target);
    }
  // Replay twice: the same digest and the same signature, or the result is not trustworthy.
  std::uint64_t first = 0, second = 0;
  const auto one = s.signature(document, &first);
  const auto two = s.signature(document, &second);
  result.replayed = one && two && *one == *target && *two == *target && first == second;
  result.scenario = document;
  result.runs = s.runs();
  result.budget_reached = s.budget_reached();
  return result;
}

int shrink_command(const ShrinkOptions& options) {
  std::string text;
  Json document;
  models::Scenario scenario;
  try {
    text = sim::config::read_text_file(options.scenario);
    (void)sim::config::parse_json_text(text, options.scenario);  // every file-level check
    document = Json::parse(text);
    scenario = models::parse_scenario(text, options.scenario);
    reports::validate_expectations(scenario);
  } catch (const sim::config::InputError& error) {
    fmt::print(stderr, "ddbsim: {}\n", error.what());
    return kExitBadInput;
  }
  const std::uint64_t seed = options.seed.value_or(scenario.seed);
  const std::string dir = options.out_dir.empty() ? fmt::format("out/{}/shrink-seed-{}", scenario.name, seed) : options.out_dir;
  try {
    check_writable_dir(dir);
  } catch (const std::exception& error) {
    fmt::print(stderr, "ddbsim: --out: {}\n", error.what());
    return kExitBadInput;
  }
  fmt::print(stderr, "shrinking {} seed {} ({} jobs, budget {:.0f} s)\n", options.scenario, seed, options.jobs, options.budget_s);
  const std::optional<ShrinkResult> result = shrink(document, options.scenario, seed, options.jobs, options.budget_s);
  if (!result) {
    fmt::print(stderr, "ddbsim: shrink: seed {} of {} does not fail: nothing to shrink\n", seed, options.scenario);
    return kExitBadInput;
  }
  Json minimal = result->scenario;
  minimal["description"] = fmt::format("Shrunk by `ddbsim shrink {} --seed {}` ({} runs): fails with [{}]. {}", options.scenario,
                                       seed, result->runs, fmt::join(result->signature, ", "),
                                       document.value("description", std::string()));
  const std::string file = (std::filesystem::path(dir) / "minimal.json").string();
  try {
    write_file_atomically(file, minimal.dump(2) + "\n");
  } catch (const std::exception& error) {
    fmt::print(stderr, "ddbsim: --out: {}\n", error.what());
    return kExitBadInput;
  }
  fmt::print("signature: [{}]\n", fmt::join(result->signature, ", "));
  if (result->drawn_made_explicit > 0)
    fmt::print("random faults made explicit: the {} episodes they drew on seed {}\n", result->drawn_made_explicit, seed);
  fmt::print("faults: {} -> {}; duration {} -> {}; {} candidate runs{}\n", result->faults_before, result->faults_after,
             document["duration"].get<std::string>(), minimal["duration"].get<std::string>(), result->runs,
             result->budget_reached ? " (budget reached: shrinking stopped early)" : "");
  fmt::print("replayed twice: {}\n", result->replayed ? "same digest and signature" : "DIFFERENT (not deterministic?)");
  fmt::print("wrote {}\nreproduce: {}\n", file, reproduce_command(file, seed));
  return result->replayed ? kExitPassed : kExitFailed;
}

}  // namespace tools
