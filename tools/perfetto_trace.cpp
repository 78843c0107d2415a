// Chrome JSON trace events for Perfetto.
#include "tools/perfetto_trace.h"

#include <fmt/format.h>

#include <stdexcept>
#include <vector>

namespace tools {

namespace {

std::string escaped(std::string_view text) {
  std::string out;
  append_escaped(out, text);
  return out;
}

// Microseconds with nanosecond digits, as the format's "ts" wants.
std::string micros(std::int64_t ns) { return fmt::format("{}.{:03}", ns / 1000, ns % 1000); }

int role_rank(std::string_view role) {
  const std::string_view order[] = {"client", "canary", "router", "storage", "memds", "metadata", "gac", "cell", "s3"};
  for (std::size_t i = 0; i < std::size(order); ++i)
    if (role == order[i]) return static_cast<int>(i);
  return 9;
}

}  // namespace

PerfettoTrace::PerfettoTrace(const std::string& path, sim::Time from, sim::Time to) : from_ns_(from.nanos()), to_ns_(to.nanos()) {
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    gz_ = gzopen(path.c_str(), "wb6");
    if (gz_ == nullptr) throw std::runtime_error("cannot open trace file " + path + " for writing");
    gzbuffer(gz_, 1 << 20);
  } else {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) throw std::runtime_error("cannot open trace file " + path + " for writing");
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  }
  // pid 0: the simulator itself (its counters).
  write("{\"traceEvents\":[\n{\"ph\":\"M\",\"pid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"simulator\"}}");
  first_ = false;
  next_counter_ns_ = from_ns_;
}

PerfettoTrace::~PerfettoTrace() {
  if (gz_ != nullptr) gzclose(gz_);
  if (file_ != nullptr) std::fclose(file_);
}

void PerfettoTrace::write(const std::string& text) {
  if (gz_ != nullptr) gzwrite(gz_, text.data(), static_cast<unsigned>(text.size()));
  else std::fwrite(text.data(), 1, text.size(), file_);
}

std::uint32_t PerfettoTrace::pid_of(std::string_view actor) {
  if (auto it = pids_.find(actor); it != pids_.end()) return it->second;
  const auto pid = static_cast<std::uint32_t>(pids_.size() + 1);
  pids_.emplace(std::string(actor), pid);
  // "<az>/<role><index>": grouped by AZ (in order of first sight), then role, then index.
  std::string label = "service";
  int sort = 1'000'000 + static_cast<int>(pid);
  if (const auto slash = actor.find('/'); slash != std::string_view::npos) {
    const std::string_view az = actor.substr(0, slash), rest = actor.substr(slash + 1);
    const auto digits = rest.find_first_of("0123456789");
    const std::string_view role = rest.substr(0, digits);
    const int index = digits == std::string_view::npos ? 0 : std::stoi(std::string(rest.substr(digits)));
    auto [rank, added] = az_ranks_.emplace(std::string(az), static_cast<std::uint32_t>(az_ranks_.size()));
    sort = static_cast<int>(rank->second) * 100'000 + role_rank(role) * 10'000 + std::min(index, 9'999);
    label = fmt::format("{} {}", az, role);
  }
  line_ = fmt::format("{}{{\"ph\":\"M\",\"pid\":{},\"name\":\"process_name\",\"args\":{{\"name\":\"{}\"}}}},\n"
                      "{{\"ph\":\"M\",\"pid\":{},\"name\":\"process_sort_index\",\"args\":{{\"sort_index\":{}}}}},\n"
                      "{{\"ph\":\"M\",\"pid\":{},\"name\":\"process_labels\",\"args\":{{\"labels\":\"{}\"}}}}",
                      first_ ? "" : ",\n", pid, escaped(actor), pid, sort, pid, escaped(label));
  first_ = false;
  write(line_);
  return pid;
}

void PerfettoTrace::on_schedule(sim::Time, std::uint64_t sequence, std::string_view actor, std::uint64_t cause,
                                std::string_view cause_actor) {
  if (cause == kNoCause) return;
  const bool message = cause_actor != actor;
  if (!message && current_request_ == 0) return;
  scheduled_[sequence] = Scheduled{0, message ? pid_of(cause_actor) : 0, current_request_};
  scheduled_[sequence].sent_ns = sent_now_ns_;
}

void PerfettoTrace::on_event(sim::Time time, std::uint64_t sequence, std::string_view actor, std::string_view kind,
                             std::string_view detail) {
  const std::int64_t ns = time.nanos();
  sent_now_ns_ = ns;
  Scheduled cause{0, 0, 0};
  if (auto it = scheduled_.find(sequence); it != scheduled_.end()) {
    cause = it->second;
    scheduled_.erase(it);
  }
  current_request_ = cause.request;
  const bool arrival = kind == "client.arrival";
  if (arrival) current_request_ = sequence;
  if (!inside(ns)) return;
  const std::uint32_t pid = pid_of(actor);
  line_.clear();
  if (ns >= next_counter_ns_) {
    sample_counters(ns);
    next_counter_ns_ = (ns / 1'000'000'000 + 1) * 1'000'000'000;
  }
  fmt::format_to(std::back_inserter(line_), ",\n{{\"ph\":\"X\",\"pid\":{},\"tid\":1,\"ts\":{},\"dur\":0.001,\"name\":\"", pid, micros(ns));
  append_escaped(line_, kind);
  fmt::format_to(std::back_inserter(line_), "\",\"args\":{{\"seq\":{}", sequence);
  if (current_request_ != 0) fmt::format_to(std::back_inserter(line_), ",\"request\":{}", current_request_);
  if (!detail.empty()) {
    line_ += ",\"detail\":\"";
    append_escaped(line_, detail);
    line_ += '"';
  }
  line_ += "}}";
  // The message's arrow, when both ends are inside the window.
  if (cause.from_pid != 0 && inside(cause.sent_ns))
    fmt::format_to(std::back_inserter(line_),
                   ",\n{{\"ph\":\"s\",\"pid\":{},\"tid\":1,\"ts\":{},\"id\":{},\"cat\":\"message\",\"name\":\"message\"}}"
                   ",\n{{\"ph\":\"f\",\"bp\":\"e\",\"pid\":{},\"tid\":1,\"ts\":{},\"id\":{},\"cat\":\"message\",\"name\":\"message\"}}",
                   cause.from_pid, micros(cause.sent_ns), sequence, pid, micros(ns), sequence);
  // Requests: begun at the client's arrival, and last seen at the client.
  if (arrival) {
    requests_[sequence] = Request{pid, ns, ns};
    fmt::format_to(std::back_inserter(line_),
                   ",\n{{\"ph\":\"b\",\"pid\":{},\"tid\":1,\"ts\":{},\"id\":{},\"cat\":\"request\",\"name\":\"request\"}}", pid,
                   micros(ns), sequence);
  } else if (current_request_ != 0) {
    if (auto it = requests_.find(current_request_); it != requests_.end() && it->second.pid == pid) it->second.last_ns = ns;
  }
  // Faults: "fault.<kind>.start" and ".end" of one target, as one async slice.
  if (actor == "faults" && kind.starts_with("fault.")) {
    const bool start = kind.ends_with(".start"), end = kind.ends_with(".end");
    if (start || end)
      fmt::format_to(std::back_inserter(line_), ",\n{{\"ph\":\"{}\",\"pid\":{},\"tid\":2,\"ts\":{},\"id\":\"{}\",\"cat\":\"fault\",\"name\":\"{}\"}}",
                     start ? 'b' : 'e', pid, micros(ns), escaped(detail), escaped(detail));
  }
  write(line_);
}

void PerfettoTrace::sample_counters(std::int64_t ns) {
  const auto emit = [&](std::uint32_t pid, std::string_view name, double value) {
    auto [at, added] = last_counter_.try_emplace({pid, std::string(name)}, value);
    if (!added && at->second == value) return;
    at->second = value;
    line_ += ",\n{\"ph\":\"C\",\"pid\":";
    fmt::format_to(std::back_inserter(line_), "{},\"ts\":{},\"name\":\"", pid, micros(ns));
    append_escaped(line_, name);
    fmt::format_to(std::back_inserter(line_), "\",\"args\":{{\"value\":{}}}}}", value);
  };
  if (kernel_ != nullptr) emit(0, "pending events", static_cast<double>(kernel_->events_pending()));
  if (counters_) {
    std::string pending;  // pid_of writes a new process's metadata at once: not inside line_
    pending.swap(line_);
    std::vector<std::pair<std::uint32_t, std::pair<std::string, double>>> values;
    counters_([&](std::string_view actor, std::string_view name, double value) {
      values.push_back({pid_of(actor), {std::string(name), value}});
    });
    line_.swap(pending);
    for (const auto& [pid, counter] : values) emit(pid, counter.first, counter.second);
  }
}

void PerfettoTrace::finish(std::uint64_t events, std::uint64_t digest) {
  line_.clear();
  for (const auto& [id, r] : requests_)
    fmt::format_to(std::back_inserter(line_), ",\n{{\"ph\":\"e\",\"pid\":{},\"tid\":1,\"ts\":{},\"id\":{},\"cat\":\"request\",\"name\":\"request\"}}",
                   r.pid, micros(std::min(r.last_ns + 1, to_ns_)), id);
  requests_.clear();
  fmt::format_to(std::back_inserter(line_), "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{{\"events\":{},\"trace_digest\":\"{:016x}\"}}}}\n",
                 events, digest);
  write(line_);
  if (gz_ != nullptr) {
    gzclose(gz_);
    gz_ = nullptr;
  } else if (file_ != nullptr) {
    std::fflush(file_);
  }
}

}  // namespace tools
