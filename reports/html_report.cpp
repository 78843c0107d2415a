// report.html: one file, no network, charts drawn here as inline SVG from report.json alone.
#include "reports/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace reports {

namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::optional<double> number(const Json& j) {
  if (j.is_number()) return j.get<double>();
  return std::nullopt;
}

struct Series {
  std::string name;
  std::string color;
  std::vector<std::optional<double>> values;  // one per step; none: no data (a gap, never a good value)
};

struct Window {
  double start_s = 0, end_s = 0;
  std::string label;
  std::string kind;  // "fault", "alarm", "deployment": the class that colours it
};

const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};

// A line chart over the run: x in seconds (value i at i * step_s), windows shaded behind.
std::string line_chart(const std::string& title, const std::vector<Series>& series, double step_s, double end_s,
                       std::optional<double> y_min, std::optional<double> y_max, const std::vector<Window>& windows,
                       const std::string& unit) {
  constexpr double kW = 900, kH = 240, kLeft = 80, kRight = 20, kTop = 30, kBottom = 40;
  double lo = y_min.value_or(1e300), hi = y_max.value_or(-1e300);
  bool any = false;
  for (const Series& s : series)
    for (const auto& v : s.values)
      if (v) {
        any = true;
        if (!y_min) lo = std::min(lo, *v);
        if (!y_max) hi = std::max(hi, *v);
      }
  std::string out = fmt::format("<figure class=\"chart\" data-title=\"{}\"><figcaption>{}</figcaption>\n", escape(title), escape(title));
  if (!any) return out + "<p class=\"nodata\">No data recorded.</p></figure>\n";
  if (hi <= lo) hi = lo + 1;
  end_s = std::max(end_s, step_s);
  const auto x = [&](double t) { return kLeft + (kW - kLeft - kRight) * std::clamp(t / end_s, 0.0, 1.0); };
  const auto y = [&](double v) { return kTop + (kH - kTop - kBottom) * (1.0 - (v - lo) / (hi - lo)); };
  out += fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">\n", kW, kH, kW, kH);
  for (const Window& w : windows)
    out += fmt::format("<rect class=\"window {}\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\"><title>{}</title></rect>\n", w.kind,
                       x(w.start_s), kTop, std::max(1.0, x(w.end_s) - x(w.start_s)), kH - kTop - kBottom, escape(w.label));
  // Axes, with the range and the time.
  out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", kLeft, kH - kBottom, kW - kRight, kH - kBottom);
  out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", kLeft, kTop, kLeft, kH - kBottom);
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.6g}{}</text>\n", kLeft - 4, y(hi) + 4, hi, escape(unit));
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.6g}{}</text>\n", kLeft - 4, y(lo) + 4, lo, escape(unit));
  for (int i = 0; i <= 4; ++i)
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:.0f} min</text>\n", x(end_s * i / 4), kH - kBottom + 16,
                       end_s * i / 4 / 60);
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    // A gap in the data breaks the line: each run of values is its own polyline.
    std::string points;
    const auto flush = [&] {
      if (!points.empty()) out += fmt::format("<polyline class=\"series\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"/>\n", s.color, points);
      points.clear();
    };
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      if (!s.values[i]) {
        flush();
        continue;
      }
      points += fmt::format("{:.1f},{:.1f} ", x((static_cast<double>(i) + 0.5) * step_s), y(std::clamp(*s.values[i], lo, hi)));
    }
    flush();
    const double legend_step = std::min(150.0, (kW - kLeft - kRight) / static_cast<double>(series.size()));
    // A style, not a fill attribute: the page's `svg text` rule would win over an attribute.
    out += fmt::format("<text class=\"legend\" x=\"{}\" y=\"{}\" style=\"fill:{}\">&#9644; {}</text>\n", kLeft + 10 + legend_step * static_cast<double>(k),
                       kTop - 10, s.color, escape(s.name));
  }
  return out + "</svg></figure>\n";
}

// Horizontal bars, one per label; a null value is drawn as "no data", not as a bar.
std::string bar_chart(const std::string& title, const std::vector<std::pair<std::string, std::optional<double>>>& bars,
                      double max, const std::string& format) {
  constexpr double kW = 900, kRow = 22, kLeft = 220;
  std::string out = fmt::format("<figure class=\"chart\" data-title=\"{}\"><figcaption>{}</figcaption>\n", escape(title), escape(title));
  if (bars.empty()) return out + "<p class=\"nodata\">No data recorded.</p></figure>\n";
  const double height = kRow * static_cast<double>(bars.size()) + 10;
  out += fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">\n", kW, height, kW, height);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double top = 5 + kRow * static_cast<double>(i);
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", kLeft - 6, top + 15, escape(bars[i].first));
    if (!bars[i].second) {
      out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"nodata\">no data</text>\n", kLeft + 4, top + 15);
      continue;
    }
    const double v = *bars[i].second;
    const double width = max > 0 ? (kW - kLeft - 120) * std::clamp(v / max, 0.0, 1.0) : 0;
    out += fmt::format("<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"/>\n", kLeft, top + 3, width, kRow - 6,
                       kColors[i % 8]);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{}</text>\n", kLeft + width + 6, top + 15, fmt::format(fmt::runtime(format), v));
  }
  return out + "</svg></figure>\n";
}

// Every fault's window (a start record to its end record), every alarm's time in ALARM and
// every deployment's window.
std::vector<Window> windows_of(const Json& r, double end_s) {
  std::vector<Window> out;
  if (r.contains("faults") && r["faults"].is_array()) {
    const Json& f = r["faults"];
    std::vector<bool> used(f.size(), false);
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (f[i]["phase"] != "start") continue;
      double until = end_s;
      for (std::size_t j = i + 1; j < f.size(); ++j)
        if (!used[j] && f[j]["phase"] == "end" && f[j]["kind"] == f[i]["kind"] && f[j]["target"] == f[i]["target"]) {
          used[j] = true;
          until = f[j]["t_s"].get<double>();
          break;
        }
      out.push_back({f[i]["t_s"].get<double>(), until,
                     f[i]["kind"].get<std::string>() + " " + f[i]["target"].get<std::string>(), "fault"});
    }
  }
  if (r.contains("alarms") && r["alarms"].is_object())
    for (const auto& [name, a] : r["alarms"]["by_name"].items()) {
      double since = 0;
      bool in_alarm = false;
      for (const Json& t : a["transitions"]) {
        if (t["state"] == "ALARM") {
          since = t["t_s"].get<double>();
          in_alarm = true;
        } else if (in_alarm) {
          out.push_back({since, t["t_s"].get<double>(), "alarm " + name, "alarm"});
          in_alarm = false;
        }
      }
      if (in_alarm) out.push_back({since, end_s, "alarm " + name, "alarm"});
    }
  if (r.contains("deployments") && r["deployments"].is_array())
    for (const Json& d : r["deployments"])
      out.push_back({d["start_s"].get<double>(), number(d["end_s"]).value_or(end_s), "deployment " + d["name"].get<std::string>(),
                     "deployment"});
  return out;
}

std::string ratio_text(const Json& v) { return v.is_number() ? fmt::format("{:.6f}", v.get<double>()) : "no data"; }

}  // namespace

std::string render_html(const Json& r) {
  const std::string name = r["scenario"]["name"].get<std::string>();
  const double end_s = number(r["sim_duration_s"]).value_or(0);
  const bool passed = r.value("passed", false);
  std::string out = fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ddbsim: {} seed {}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; max-width: 960px; }}
h1 {{ font-size: 1.4em; }} h2 {{ font-size: 1.1em; margin-top: 2em; border-bottom: 1px solid #ccc; }}
.pass {{ color: #2a7d2a; }} .fail {{ color: #c0392b; }}
figure {{ margin: 1em 0; }} figcaption {{ font-weight: bold; margin-bottom: .3em; }}
svg text {{ font-size: 11px; fill: #444; }} .axis {{ stroke: #888; }}
.window.fault {{ fill: #e74c3c; opacity: .15; }} .window.alarm {{ fill: #f39c12; opacity: .2; }}
.window.deployment {{ fill: #3498db; opacity: .15; }} .nodata {{ color: #888; fill: #888; font-style: italic; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ddd; padding: 3px 8px; text-align: left; font-size: .9em; }}
.legend span {{ padding: 0 .6em; }}
</style></head><body>
<h1>{} <small>seed {}</small>: <span class="{}">{}</span></h1>
<p>Status {}; {} simulated seconds; {} events; trace digest {}.</p>
<p class="legend">Shaded: <span style="background:#f8d0cb">faults</span><span style="background:#fde3bd">alarms in ALARM</span><span style="background:#d1e5f5">deployments</span></p>
)",
                                escape(name), r["seed"].dump(), escape(name), r["seed"].dump(), passed ? "pass" : "fail",
                                passed ? "PASS" : "FAIL", escape(r["status"].get<std::string>()), end_s, r["events"].dump(),
                                escape(r["trace_digest"].is_string() ? r["trace_digest"].get<std::string>() : r["trace_digest"].dump()));
  const std::vector<Window> windows = windows_of(r, end_s);

  // Over time, by minute.
  out += "<h2>Over time</h2>\n";
  Series availability{"availability", kColors[0], {}}, rps{"client requests/s", kColors[2], {}};
  std::vector<Series> by_table;
  if (r.contains("timeline"))
    for (const Json& m : r["timeline"]) {
      availability.values.push_back(number(m["availability"]));
      rps.values.push_back(number(m["client_rps"]));
      std::size_t k = 0;
      for (const auto& [table, v] : m["availability_by_table"].items()) {
        if (by_table.size() <= k) by_table.push_back({table, kColors[(k + 1) % 8], std::vector<std::optional<double>>(availability.values.size() - 1)});
        by_table[k++].values.push_back(number(v));
      }
    }
  out += line_chart("Customer availability per minute", {availability}, 60, end_s, std::nullopt, 1.0, windows, "");
  if (by_table.size() > 1) out += line_chart("Availability per minute by table", by_table, 60, end_s, std::nullopt, 1.0, windows, "");
  out += line_chart("Customer requests per second", {rps}, 60, end_s, 0.0, std::nullopt, windows, "");
  // Latency per minute, by operation: p50 and p99 of the successes begun in the minute.
  if (r.contains("timeline") && !r["timeline"].empty() && r["timeline"][0].contains("latency_ms"))
    for (const auto& item : r["timeline"][0]["latency_ms"].items()) {
      const std::string op = item.key();
      Series p50{"p50", kColors[0], {}}, p99{"p99", kColors[1], {}};
      for (const Json& m : r["timeline"]) {
        const Json& l = m["latency_ms"].contains(op) ? m["latency_ms"][op] : Json();
        p50.values.push_back(l.is_object() ? number(l["p50"]) : std::nullopt);
        p99.values.push_back(l.is_object() ? number(l["p99"]) : std::nullopt);
      }
      out += line_chart(op + " latency per minute (ms, successes)", {p50, p99}, 60, end_s, 0.0, std::nullopt, windows, " ms");
    }
  // Replication: group-seconds per minute without a serving leader, with two copies, without a
  // write quorum (summed over groups).
  if (r.contains("timeline") && !r["timeline"].empty() && r["timeline"][0].contains("replication")) {
    Series leaderless{"leaderless", kColors[1], {}}, two{"two copies", kColors[4], {}}, no_quorum{"no write quorum", kColors[3], {}};
    for (const Json& m : r["timeline"]) {
      leaderless.values.push_back(number(m["replication"]["leaderless_s"]));
      two.values.push_back(number(m["replication"]["two_copies_s"]));
      no_quorum.values.push_back(number(m["replication"]["no_write_quorum_s"]));
    }
    out += line_chart("Replication: group-seconds per minute leaderless, on two copies, without a write quorum", {leaderless, two, no_quorum},
                      60, end_s, 0.0, std::nullopt, windows, " s");
  }
  if (r.contains("canaries")) {
    std::vector<Series> canaries;
    std::size_t k = 0;
    for (const auto& [az, c] : r["canaries"]["by_az"].items()) {
      Series s{"canary " + az, kColors[k++ % 8], {}};
      for (const Json& m : c["minutes"]) s.values.push_back(number(m["availability"]));
      canaries.push_back(std::move(s));
    }
    out += line_chart("Canary availability per minute, by AZ", canaries, 60, end_s, std::nullopt, 1.0, windows, "");
  }

  // By AZ and table; errors by kind.
  out += "<h2>Availability</h2>\n";
  std::vector<std::pair<std::string, std::optional<double>>> bars;
  for (const char* kind : {"read", "write"}) bars.emplace_back(std::string("all ") + kind + "s", number(r["availability"][kind]["ratio"]));
  for (const auto& [az, a] : r["availability"]["by_az"].items())
    for (const char* kind : {"read", "write"}) bars.emplace_back(az + " " + kind + "s", number(a[kind]["ratio"]));
  out += bar_chart("Availability by AZ (succeeded / finished; throttles left out)", bars, 1.0, "{:.6f}");
  std::vector<std::pair<std::string, std::optional<double>>> errors;
  for (const auto& [kind, n] : r["errors"].items()) errors.emplace_back(kind, number(n));
  double most = 0;
  for (const auto& e : errors) most = std::max(most, e.second.value_or(0));
  out += bar_chart("Failed requests by kind", errors, most, "{:.0f}");

  // Capacity: each metered table's consumption against what it bought, its throttles, and the
  // partition throttled most against its share.
  if (r.contains("capacity") && r["capacity"].contains("tables") && !r["capacity"]["tables"].empty()) {
    out += "<h2>Capacity</h2>\n";
    for (const Json& t : r["capacity"]["tables"]) {
      const std::string table = t["name"].get<std::string>();
      Series rcu{"RCU/s consumed", kColors[0], {}}, wcu{"WCU/s consumed", kColors[1], {}}, throttled{"throttled requests", kColors[3], {}};
      Series rcu_bought{"RCU provisioned", kColors[5], {}}, wcu_bought{"WCU provisioned", kColors[4], {}};
      for (const Json& m : t["minutes"]) {
        rcu.values.push_back(number(m["rcu"]));
        wcu.values.push_back(number(m["wcu"]));
        throttled.values.push_back(number(m["throttled"]));
        rcu_bought.values.push_back(number(t["provisioned_rcu"]));
        wcu_bought.values.push_back(number(t["provisioned_wcu"]));
      }
      std::vector<Series> used{rcu, wcu};
      if (t["mode"] == "provisioned") {
        used.push_back(rcu_bought);
        used.push_back(wcu_bought);
      }
      out += line_chart(table + " (" + t["mode"].get<std::string>() + "): capacity consumed per second, by minute", used, 60, end_s, 0.0,
                        std::nullopt, windows, "");
      out += line_chart(table + ": throttled requests per minute", {throttled}, 60, end_s, 0.0, std::nullopt, windows, "");
      const Json* worst = nullptr;
      for (const Json& p : t["partitions"])
        if (p["throttled"].get<std::uint64_t>() > 0 && (worst == nullptr || p["throttled"] > (*worst)["throttled"])) worst = &p;
      if (worst != nullptr) {
        Series p_rcu{"RCU/s", kColors[0], {}}, p_wcu{"WCU/s", kColors[1], {}}, share_rcu{"RCU share", kColors[5], {}}, share_wcu{"WCU share", kColors[4], {}};
        for (const Json& m : (*worst)["minutes"]) {
          p_rcu.values.push_back(number(m["rcu"]));
          p_wcu.values.push_back(number(m["wcu"]));
          share_rcu.values.push_back(number(m["share_rcu"]));
          share_wcu.values.push_back(number(m["share_wcu"]));
        }
        out += line_chart(fmt::format("{}: the partition throttled most (group {}, {} throttled) against its share", table,
                                      (*worst)["group"].dump(), (*worst)["throttled"].dump()),
                          {p_rcu, p_wcu, share_rcu, share_wcu}, 60, end_s, 0.0, std::nullopt, windows, "");
      }
    }
  }

  // Latency over the run.
  out += "<h2>Latency (ms, over the run)</h2>\n<table><tr><th>operation</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>\n";
  for (const auto& [op, l] : r["latency_ms"].items()) {
    out += fmt::format("<tr><td>{}</td><td>{}</td>", escape(op), l["count"].dump());
    for (const char* p : {"p50", "p90", "p99", "p999", "max"}) out += "<td>" + (l[p].is_number() ? fmt::format("{:.3f}", l[p].get<double>()) : std::string("no data")) + "</td>";
    out += "</tr>\n";
  }
  out += "</table>\n";

  // Variants side by side.
  if (r.contains("variants") && r["variants"].is_object() && !r["variants"].empty()) {
    out += "<h2>Variants</h2>\n<table><tr><th>run</th><th>read availability</th><th>write availability</th><th>read delta</th><th>write delta</th></tr>\n";
    const Json& base = r["availability"];
    out += fmt::format("<tr><td>base</td><td>{}</td><td>{}</td><td></td><td></td></tr>\n", ratio_text(base["read"]["ratio"]),
                       ratio_text(base["write"]["ratio"]));
    for (const auto& item : r["variants"].items()) {
      const std::string& variant = item.key();
      const Json& v = item.value();  // not a structured binding: clang 14 cannot capture one
      const auto delta = [&](const char* kind) {
        const auto a = number(v["availability"][kind]["ratio"]), b = number(base[kind]["ratio"]);
        return a && b ? fmt::format("{:+.6f}", *a - *b) : std::string("no data");
      };
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", escape(variant),
                         ratio_text(v["availability"]["read"]["ratio"]), ratio_text(v["availability"]["write"]["ratio"]), delta("read"),
                         delta("write"));
    }
    out += "</table>\n";
  }

  // The checks.
  out += "<h2>Checks</h2>\n<table><tr><th>check</th><th>verdict</th><th>detail</th></tr>\n";
  if (r.contains("checks"))
    for (const Json& c : r["checks"])
      out += fmt::format("<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n", escape(c["name"].get<std::string>()),
                         c["passed"].get<bool>() ? "pass" : "fail", c["passed"].get<bool>() ? "PASS" : "FAIL",
                         escape(c["detail"].get<std::string>()));
  out += "</table>\n</body></html>\n";
  return out;
}

}  // namespace reports
