// --trace FILE --trace-format perfetto: Chrome JSON trace events that ui.perfetto.dev (and
// chrome://tracing) open. A process per node, sorted by AZ and role; every dispatched event a
// slice on its node, named by its kind, with what it carries; every message a flow arrow from
// the event that sent it to the one that received it; every client request an async slice from
// its arrival to the last event of its tree at the client (an event belongs to the request of
// the event that scheduled it, so the arrows and slices follow client, router, leader and
// replicas); faults as async slices on a "faults" process; counters each simulated second (the
// kernel's pending events, and the host's: queue depths, unarchived bytes), written when they
// change. --trace-window A..B keeps only that stretch of virtual time; a FILE ending
// in .gz is written gzip-compressed.
#pragma once

#include "sim/kernel.h"
#include "tools/trace_file.h"

#include <zlib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace tools {

class PerfettoTrace final : public TraceWriter {
 public:
  // Throws std::runtime_error if the file cannot be opened for writing.
  PerfettoTrace(const std::string& path, sim::Time from, sim::Time to);
  ~PerfettoTrace() override;
  PerfettoTrace(const PerfettoTrace&) = delete;
  PerfettoTrace& operator=(const PerfettoTrace&) = delete;

  void on_event(sim::Time time, std::uint64_t sequence, std::string_view actor, std::string_view kind,
                std::string_view detail) override;
  void on_schedule(sim::Time due, std::uint64_t sequence, std::string_view actor, std::uint64_t cause,
                   std::string_view cause_actor) override;
  // Ends every request still open, and the file, with the event count and digest.
  void finish(std::uint64_t events, std::uint64_t digest) override;
  void on_attach(const sim::Kernel& kernel) override { kernel_ = &kernel; }
  void set_counter_source(CounterSource source) override { counters_ = std::move(source); }

 private:
  struct Scheduled {
    std::int64_t sent_ns;
    std::uint32_t from_pid;  // 0: scheduled by the same actor (a timer: no arrow)
    std::uint64_t request;   // 0: none
  };
  struct Request {
    std::uint32_t pid;
    std::int64_t begin_ns, last_ns;
  };
  std::uint32_t pid_of(std::string_view actor);
  bool inside(std::int64_t ns) const { return ns >= from_ns_ && ns < to_ns_; }
  void write(const std::string& text);
  // The pending-event counter and the host's counters, each written when it changed.
  void sample_counters(std::int64_t ns);

  gzFile gz_ = nullptr;
  std::FILE* file_ = nullptr;
  bool first_ = true;
  std::int64_t from_ns_, to_ns_;
  const sim::Kernel* kernel_ = nullptr;
  CounterSource counters_;
  std::map<std::pair<std::uint32_t, std::string>, double> last_counter_;  // (pid, name) -> value written
  std::map<std::string, std::uint32_t, std::less<>> pids_;
  std::map<std::string, std::uint32_t, std::less<>> az_ranks_;
  std::map<std::uint64_t, Scheduled> scheduled_;  // pending events with an arrow or a request
  std::map<std::uint64_t, Request> requests_;     // open requests, by id (their arrival's sequence)
  std::uint64_t current_request_ = 0;
  std::int64_t next_counter_ns_ = 0;
  std::int64_t sent_now_ns_ = 0;  // the time of the event being dispatched: what it sends, it sends now
  std::string line_;
};

}  // namespace tools
