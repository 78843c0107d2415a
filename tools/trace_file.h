// --trace FILE: one JSON line per dispatched event (virtual time, sequence, actor, kind and,
// for messages and faults, what they carry), so a reproduced failure can be read step by step.
#pragma once

#include "sim/kernel.h"

#include <cstdio>
#include <string>
#include <string_view>

namespace tools {

// `text` as the inside of a JSON string: quotes, backslashes and control characters escaped.
void append_escaped(std::string& out, std::string_view text);

// What `run --trace` writes through: a tracer that closes its file with the count and digest.
class TraceWriter : public sim::Tracer {
 public:
  virtual void finish(std::uint64_t events, std::uint64_t digest) = 0;
};

class TraceFile final : public TraceWriter {
 public:
  // Throws std::runtime_error if the file cannot be opened for writing.
  explicit TraceFile(const std::string& path);
  ~TraceFile() override;
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;

  void on_event(sim::Time time, std::uint64_t sequence, std::string_view actor,
                std::string_view kind, std::string_view detail) override;
  // The closing line: how many events and the digest, to compare two traces at a glance.
  void finish(std::uint64_t events, std::uint64_t digest) override;

 private:
  std::FILE* file_;
  std::string line_;
};

}  // namespace tools
