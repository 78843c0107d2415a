// Trace lines, written through a large stdio buffer.
#include "tools/trace_file.h"

#include <fmt/format.h>

#include <stdexcept>

namespace tools {

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
}

TraceFile::TraceFile(const std::string& path) : file_(std::fopen(path.c_str(), "wb")) {
  if (file_ == nullptr) throw std::runtime_error("cannot open trace file " + path + " for writing");
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

TraceFile::~TraceFile() {
  if (file_ != nullptr) std::fclose(file_);
}

void TraceFile::on_event(sim::Time time, std::uint64_t sequence, std::string_view actor,
                         std::string_view kind, std::string_view detail) {
  line_.clear();
  fmt::format_to(std::back_inserter(line_), "{{\"t_ns\":{},\"seq\":{},\"actor\":\"", time.nanos(), sequence);
  append_escaped(line_, actor);
  line_ += "\",\"kind\":\"";
  append_escaped(line_, kind);
  line_ += '"';
  if (!detail.empty()) {
    line_ += ",\"detail\":\"";
    append_escaped(line_, detail);
    line_ += '"';
  }
  line_ += "}\n";
  std::fwrite(line_.data(), 1, line_.size(), file_);
}

void TraceFile::finish(std::uint64_t events, std::uint64_t digest) {
  const std::string line = fmt::format("{{\"end\":true,\"events\":{},\"trace_digest\":\"{:016x}\"}}\n", events, digest);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace tools
