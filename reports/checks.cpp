// Judging a report: metric paths, the invariant checks every run gets, the scenario's
// expectations, and validating expectations against the metrics a scenario's report has.
#include "reports/report.h"

#include "sim/config/json_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace reports {

namespace {

bool compare(double lhs, const std::string& op, double rhs) {
  if (op == "<") return lhs < rhs;
  if (op == "<=") return lhs <= rhs;
  if (op == ">") return lhs > rhs;
  if (op == ">=") return lhs >= rhs;
  if (op == "==") return lhs == rhs;
  return lhs != rhs;
}

std::string number_text(double value) { return fmt::format("{}", value); }

}  // namespace

std::vector<const Json*> lookup_metric(const Json& report, const std::string& path) {
  std::vector<const Json*> current{&report};
  std::size_t position = 0;
  while (position <= path.size()) {
    const std::size_t dot = std::min(path.find('.', position), path.size());
    std::string segment = path.substr(position, dot - position);
    position = dot + 1;
    std::string index;
    if (auto bracket = segment.find('['); bracket != std::string::npos) {
      if (segment.back() != ']') return {};
      index = segment.substr(bracket + 1, segment.size() - bracket - 2);
      segment.resize(bracket);
    }
    std::vector<const Json*> next;
    for (const Json* node : current) {
      if (!node->is_object()) return {};
      auto it = node->find(segment);
      if (it == node->end()) return {};
      if (index.empty()) {
        next.push_back(&*it);
        continue;
      }
      if (!it->is_array()) return {};
      if (index == "*") {
        for (const Json& element : *it) next.push_back(&element);
      } else {
        std::size_t i = 0;
        const auto [end, error] = std::from_chars(index.data(), index.data() + index.size(), i);
        if (error != std::errc{} || end != index.data() + index.size() || i >= it->size()) return {};
        next.push_back(&(*it)[i]);
      }
    }
    current = std::move(next);
    if (dot == path.size()) break;
  }
  return current;
}

namespace {

// The invariants of one run, read from its report; `prefix` names a variant.
void invariant_checks(const Json& report, const std::string& prefix, const std::string& id_prefix,
                      std::vector<Check>& checks) {
  const auto add = [&](std::string id, std::string name, bool passed, std::string detail) {
    checks.push_back(Check{prefix + name, passed, std::move(detail), id_prefix + id, false});
  };
  add("complete", "the run finished", report["complete"].get<bool>(), "status " + report["status"].get<std::string>());
  if (report.contains("monitors")) {
    for (const auto& [name, m] : report["monitors"].items()) {
      std::string detail = fmt::format("{} checks, {} violations", m["checked"].get<std::uint64_t>(),
                                       m["violations"].get<std::uint64_t>());
      if (m.contains("first"))
        detail += fmt::format("; first at {}s: {}", m["first"]["t_s"].get<double>(), m["first"]["detail"].get<std::string>());
      add("monitor." + name, "monitor " + name + ": " + m["rule"].get<std::string>(), m["passed"].get<bool>(), detail);
    }
  }
  if (report.contains("consistency")) {
    const Json& c = report["consistency"];
    auto first = [](const Json& verdict) {
      return verdict["examples"].empty() ? std::string() : "; e.g. " + verdict["examples"][0].get<std::string>();
    };
    const Json& d = c["durability"];
    add("durability", "every acknowledged write survives on a write quorum", d["passed"].get<bool>(),
                           fmt::format("{} acknowledged, {} lost, {} groups not healed{}", d["acknowledged_writes"].get<std::uint64_t>(),
                                       d["lost_writes"].get<std::uint64_t>(), d["unhealed_groups"].get<std::uint64_t>(), first(d)));
    const Json& l = c["linearizability"];
    add("linearizability", "strongly consistent reads and writes are linearizable", l["passed"].get<bool>(),
                           fmt::format("{} operations on {} keys, {} violations{}", l["operations"].get<std::uint64_t>(),
                                       l["keys"].get<std::uint64_t>(), l["violations"].get<std::uint64_t>(), first(l)));
    const Json& i = c["integrity"];
    add("integrity", "every read returns a value some put wrote (no corrupted data served)", i["passed"].get<bool>(),
        fmt::format("{} reads, {} corrupted on {} keys{}", i["reads"].get<std::uint64_t>(),
                    i["corrupted_reads"].get<std::uint64_t>(), i["keys"].get<std::uint64_t>(), first(i)));
    if (c.contains("restore")) {
      const Json& r = c["restore"];
      const std::string detail =
          r["judged"].get<bool>()
              ? fmt::format("{} entries replayed, {} acknowledged writes, {} missing, {} keys compared{}, {} differ{}",
                            r["entries_replayed"].get<std::uint64_t>(), r["acknowledged_writes"].get<std::uint64_t>(),
                            r["missing_writes"].get<std::uint64_t>(), r["keys_compared"].get<std::uint64_t>(),
                            r["state_compared"].get<bool>() ? "" : " (not compared: a split was archived)",
                            r["state_mismatches"].get<std::uint64_t>(), first(r))
              : fmt::format("not judged: the archive of {} groups is behind what their replicas applied",
                            r["groups_behind"].get<std::uint64_t>());
      add("restore", "restored from the archive alone, every partition holds every acknowledged write",
          r["passed"].get<bool>(), detail);
    }
  }
  const std::uint64_t in_flight = report["operations"]["in_flight_at_end"].get<std::uint64_t>();
  add("in_flight", "every operation finished before the end", in_flight == 0, fmt::format("{} still in flight", in_flight));
}

// An expectation about an invariant check: it must fail (the scenario's faults break it; the
// check then counts as an expected failure) or hold.
Check expected_check(const models::ExpectSpec& expect, std::vector<Check>& invariants) {
  Check check{expect.name, false, {}, {}, false};
  auto it = std::find_if(invariants.begin(), invariants.end(), [&](const Check& c) { return c.id == expect.check; });
  if (it == invariants.end()) {
    check.detail = fmt::format("{}: no such check in this run", expect.check);
    return check;
  }
  check.passed = it->passed == expect.check_passes;
  check.detail = fmt::format("{} {}, expected to {}", expect.check, it->passed ? "held" : "failed",
                             expect.check_passes ? "hold" : "fail");
  if (!it->passed && !expect.check_passes) {
    it->passed = true;
    it->expected_failure = true;
  }
  return check;
}

Check expectation_check(const Json& report, const models::ExpectSpec& expect) {
  Check check{expect.name, false, {}, {}, false};
  const std::vector<const Json*> values = lookup_metric(report, expect.metric);
  double scale = 1.0;
  std::string against = number_text(expect.value);
  if (!expect.relative_to.empty()) {
    const std::vector<const Json*> reference = lookup_metric(report, expect.relative_to);
    if (reference.size() != 1 || !reference.front()->is_number()) {  // a ratio needs one number
      check.detail = fmt::format("{}: no data", expect.relative_to);
      return check;
    }
    scale = reference.front()->get<double>();
    against = fmt::format("{} x {} ({}) = {}", number_text(expect.value), expect.relative_to, number_text(scale),
                          number_text(expect.value * scale));
  }
  const double threshold = expect.value * scale;
  std::size_t failing = 0, missing = 0;
  const Json* worst = nullptr;
  // Booleans compare as 1 (true) and 0 (false), so "recovered == 1" can be asserted.
  auto numeric = [](const Json& v) { return v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>(); };
  for (const Json* value : values) {
    if (!value->is_number() && !value->is_boolean()) {
      ++missing;
      continue;
    }
    if (!compare(numeric(*value), expect.op, threshold)) {
      ++failing;
      if (worst == nullptr) worst = value;
    }
  }
  if (values.empty() || missing > 0) {
    check.detail = fmt::format("{}: no data", expect.metric);
  } else if (failing > 0) {
    check.detail = values.size() == 1
                       ? fmt::format("{} = {}, expected {} {}", expect.metric, number_text(numeric(*worst)), expect.op, against)
                       : fmt::format("{} of {} values fail, first {}, expected {} {}", failing, values.size(),
                                     number_text(numeric(*worst)), expect.op, against);
  } else {
    check.passed = true;
    check.detail = values.size() == 1
                       ? fmt::format("{} = {}", expect.metric, number_text(numeric(*values.front())))
                       : fmt::format("all {} values hold", values.size());
    if (!expect.relative_to.empty()) check.detail += fmt::format(", {} {}", expect.op, against);
  }
  return check;
}

}  // namespace

std::vector<Check> evaluate_checks(const Json& report, const models::Scenario& scenario) {
  std::vector<Check> invariants;
  invariant_checks(report, "", "", invariants);
  if (report.contains("variants"))
    for (const auto& [name, variant] : report["variants"].items())
      invariant_checks(variant, "variant " + name + ": ", "variants." + name + ".", invariants);
  std::vector<Check> checks;
  for (const models::ExpectSpec& expect : scenario.expect)
    checks.push_back(expect.check.empty() ? expectation_check(report, expect) : expected_check(expect, invariants));
  checks.insert(checks.end(), invariants.begin(), invariants.end());
  return checks;
}

void attach_variant(Json& report, const std::string& name, Json variant_report) {
  for (const char* redundant : {"format", "seed", "scenario", "resolved_scenario"}) variant_report.erase(redundant);
  report["variants"][name] = std::move(variant_report);
}

void attach_checks(Json& report, const std::vector<Check>& checks) {
  Json list = Json::array();
  for (const Check& check : checks)
    if (check.expected_failure)
      list.push_back({{"name", check.name}, {"passed", check.passed}, {"expected_failure", true}, {"detail", check.detail}});
    else
      list.push_back({{"name", check.name}, {"passed", check.passed}, {"detail", check.detail}});
  report["checks"] = list;
  report["passed"] = all_passed(checks);
}

bool all_passed(const std::vector<Check>& checks) {
  for (const Check& check : checks)
    if (!check.passed) return false;
  return true;
}

models::Scenario report_shape_scenario(const models::Scenario& scenario) {
  // Only the capacity report lists partitions (of metered tables); every other table's groups
  // show in the report as counts and sums, so one partition gives the same metrics as many.
  models::Scenario out = scenario;
  for (models::TableSpec& table : out.tables)
    if (!table.metered()) table.partitions = 1;
  return out;
}

Json report_skeleton(const models::Scenario& scenario) {
  // The report of an unrun simulation has every metric this scenario can produce; built from
  // the scenario with one partition per unmetered table, so a region of a million groups is
  // judged in milliseconds.
  const models::Scenario shape = report_shape_scenario(scenario);
  models::Simulation unrun(shape, scenario.seed);
  Json skeleton = build_report(unrun, models::RunOutcome{});
  for (const models::Variant& variant : scenario.variants) {
    const models::Scenario variant_shape = report_shape_scenario(*variant.scenario);  // outlives the simulation
    models::Simulation unrun_variant(variant_shape, scenario.seed);
    attach_variant(skeleton, variant.name, build_report(unrun_variant, models::RunOutcome{}));
  }
  return skeleton;
}

void validate_expectations(const models::Scenario& scenario) {
  if (scenario.expect.empty()) return;
  const Json skeleton = report_skeleton(scenario);
  auto check_path = [&](const models::ExpectSpec& expect, const std::string& path, const char* field) {
    const std::vector<const Json*> values = lookup_metric(skeleton, path);
    // The figure a metric is compared relative to is one figure: with several, no verdict
    // could ever be given.
    if (std::string_view(field) == "relative_to" && (values.size() > 1 || path.find("[*]") != std::string::npos))
      throw sim::config::InputError(scenario.file, expect.json_path + "." + field,
                                    "a metric of one value (relative_to names one figure, without [*])",
                                    values.size() > 1 ? fmt::format("\"{}\", which has {} values", path, values.size())
                                                      : fmt::format("\"{}\", a wildcard", path));
    bool numeric = !values.empty();
    for (const Json* value : values) numeric = numeric && (value->is_number() || value->is_boolean() || value->is_null());
    if (!numeric)
      throw sim::config::InputError(
          scenario.file, expect.json_path + "." + field,
          "a numeric metric of report.json such as \"availability.read.ratio\", "
          "\"availability.windows[*].write.ratio\" or \"latency_ms.get_strong.p99\"",
          "\"" + path + "\"");
  };
  std::vector<Check> invariants;
  invariant_checks(skeleton, "", "", invariants);
  for (const models::Variant& variant : scenario.variants) {
    const std::string prefix = "variants." + variant.name + ".";
    for (std::size_t i = 0, n = invariants.size(); i < n; ++i)
      if (invariants[i].id.find('.') == std::string::npos || invariants[i].id.rfind("monitor.", 0) == 0)
        invariants.push_back(Check{{}, true, {}, prefix + invariants[i].id, false});
  }
  for (const models::ExpectSpec& expect : scenario.expect) {
    if (!expect.check.empty()) {
      const bool known = std::any_of(invariants.begin(), invariants.end(), [&](const Check& c) { return c.id == expect.check; });
      if (!known) {
        std::string ids;
        for (const Check& c : invariants)
          if (c.id.find('.') == std::string::npos) ids += (ids.empty() ? "" : ", ") + c.id;
        throw sim::config::InputError(scenario.file, expect.json_path + ".check",
                                      "an invariant check of this scenario's runs (" + ids +
                                          ", \"monitor.<name>\", under \"variants.<name>.\" for a variant)",
                                      "\"" + expect.check + "\"");
      }
      continue;
    }
    check_path(expect, expect.metric, "metric");
    if (!expect.relative_to.empty()) check_path(expect, expect.relative_to, "relative_to");
  }
}

}  // namespace reports
