// Reading JSON input files: the file's bytes, the parse (a duplicate key or too deep a nesting is
// an error, a syntax error is located by line and column), InputError, and how a value is
// described in messages. The typed accessors over the parsed document are in json_reader.cpp.
#include "sim/config/json_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/assert.h"
#include "sim/config/units.h"

#include "sim/config/json_text.h"

namespace sim::config {
namespace {

using nlohmann::json;
using detail::dump_compact;
using detail::json_quoted;
using detail::plural;

constexpr std::size_t kFoundCharsMax = 60;
constexpr std::size_t kSyntaxReasonCharsMax = 120;
// Scenario files nest about six deep. The bound keeps the builder's stack of open paths small: each
// holds its whole path, so a file of a million '[' would otherwise need terabytes.
constexpr std::size_t kNestingDepthMax = 64;

// Cuts at a UTF-8 character boundary so the message stays valid UTF-8.
std::size_t utf8_boundary_at_or_before(std::string_view text, std::size_t cut) {
  while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return cut;
}

std::string truncate(std::string text, std::size_t chars_max, std::string_view tail) {
  if (text.size() <= chars_max) return text;
  text.resize(utf8_boundary_at_or_before(text, chars_max - 3 - tail.size()));
  text += "...";
  text += tail;
  return text;
}

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!is_alpha(key.front())) return false;
  return std::all_of(key.begin(), key.end(),
                     [&](char c) { return is_alpha(c) || (c >= '0' && c <= '9'); });
}

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// ---- Locating syntax errors ------------------------------------------------------------------

struct LineColumn {
  std::size_t line;
  std::size_t column;
};

// Columns count characters, not bytes, as editors show them.
LineColumn line_column_at(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  LineColumn where{1, 1};
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++where.line;
      where.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++where.column;
    }
  }
  return where;
}

// The end of the first JSON value in `text`, which is known to parse: the parser only reports
// trailing text after a complete value. Strings are skipped so brackets inside them don't count.
std::size_t end_of_first_value(std::string_view text) {
  std::size_t at = 0;
  if (text.starts_with("\xEF\xBB\xBF")) at = 3;
  while (at < text.size() && is_json_space(text[at])) ++at;
  if (at == text.size()) return at;
  if (text[at] != '{' && text[at] != '[' && text[at] != '"') {
    // A number or a literal: it ends where a structural character or space begins.
    while (at < text.size() && !is_json_space(text[at]) &&
           std::string_view("{}[],:\"").find(text[at]) == std::string_view::npos) {
      ++at;
    }
    return at;
  }
  std::size_t depth = 0;
  bool in_string = false;
  for (; at < text.size(); ++at) {
    const char c = text[at];
    if (in_string) {
      if (c == '\\') {
        ++at;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return at + 1;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return at + 1;
    }
  }
  return text.size();
}

// nlohmann's message minus its prefix and the echo of the raw token, which can be long.
std::string syntax_reason(const std::string& what) {
  std::string reason = what;
  if (const std::size_t syntax = reason.find("syntax error"); syntax != std::string::npos) {
    if (const std::size_t dash = reason.find(" - ", syntax); dash != std::string::npos) {
      reason = reason.substr(dash + 3);
    }
  } else if (reason.starts_with("[json.exception.")) {
    if (const std::size_t close = reason.find("] "); close != std::string::npos) {
      reason = reason.substr(close + 2);
    }
  }
  if (const std::size_t last_read = reason.find("; last read: '"); last_read != std::string::npos) {
    const std::size_t expected = reason.find("'; expected ", last_read);
    reason = reason.substr(0, last_read) +
             (expected == std::string::npos ? std::string() : reason.substr(expected + 1));
  }
  return truncate(std::move(reason), kSyntaxReasonCharsMax, "");
}

// ---- Building the document -------------------------------------------------------------------

// A SAX consumer that builds the DOM like nlohmann's own, but refuses a key seen twice in one
// object (nlohmann would silently keep the last) and remembers where the parse stopped.
class DocumentBuilder final : public nlohmann::json_sax<json> {
 public:
  json document;
  bool complete = false;  // a whole top-level value has been read
  std::optional<std::string> duplicate_key_path;
  std::optional<std::string> duplicate_key;
  std::optional<std::string> too_deep_path;
  std::optional<std::string> control_path;  // a string with a control character
  std::string control_value;
  bool too_deep_is_object = false;
  std::size_t error_position = 0;
  std::string error_message;

  bool null() override { return add(json(nullptr)); }
  bool boolean(bool value) override { return add(json(value)); }
  bool number_integer(number_integer_t value) override { return add(json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return add(json(value)); }
  bool number_float(number_float_t value, const string_t&) override { return add(json(value)); }
  bool string(string_t& value) override {
    // A control character (a NUL too) would be echoed raw in messages and reports, or cut them.
    for (unsigned char c : value)
      if (c < 0x20 || c == 0x7f) {
        control_path = next_path();
        control_value = std::move(value);
        return false;
      }
    return add(json(std::move(value)));
  }
  bool binary(binary_t& value) override { return add(json::binary(std::move(value))); }

  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& key) override {
    SIM_ASSERT(!open_.empty());
    const Open& top = open_.back();
    SIM_ASSERT(top.container->is_object());
    for (unsigned char c : key)
      if (c < 0x20 || c == 0x7f) {
        control_path = child_path(top.path, key);  // escaped there
        control_value = std::move(key);
        return false;
      }
    if (top.container->contains(key)) {
      duplicate_key_path = child_path(top.path, key);
      duplicate_key = key;
      return false;
    }
    pending_key_ = std::move(key);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& error) override {
    error_position = position;
    error_message = error.what();
    return false;
  }

 private:
  struct Open {
    json* container;
    std::string path;
  };

  // The path of the next value inserted.
  std::string next_path() const {
    if (open_.empty()) return "$";
    const Open& top = open_.back();
    if (top.container->is_array()) return fmt::format("{}[{}]", top.path, top.container->size());
    return child_path(top.path, pending_key_);
  }

  // Returns where the value landed and its path.
  std::pair<json*, std::string> insert(json value) {
    if (open_.empty()) {
      document = std::move(value);
      return {&document, "$"};
    }
    json& parent = *open_.back().container;
    if (parent.is_array()) {
      std::string path = fmt::format("{}[{}]", open_.back().path, parent.size());
      parent.push_back(std::move(value));
      return {&parent.back(), std::move(path)};
    }
    std::string path = child_path(open_.back().path, pending_key_);
    json& slot = parent[pending_key_];
    slot = std::move(value);
    return {&slot, std::move(path)};
  }

  bool add(json value) {
    insert(std::move(value));
    if (open_.empty()) complete = true;
    return true;
  }

  // Pointers to open containers stay valid: only the innermost one grows while it is open.
  bool open(json container) {
    if (open_.size() == kNestingDepthMax) {
      const Open& parent = open_.back();
      too_deep_path = parent.container->is_array()
                          ? fmt::format("{}[{}]", parent.path, parent.container->size())
                          : child_path(parent.path, pending_key_);
      too_deep_is_object = container.is_object();
      return false;
    }
    auto [where, path] = insert(std::move(container));
    open_.push_back(Open{where, std::move(path)});
    return true;
  }

  bool close() {
    SIM_ASSERT(!open_.empty());
    open_.pop_back();
    if (open_.empty()) complete = true;
    return true;
  }

  std::vector<Open> open_;
  std::string pending_key_;
};

[[noreturn]] void throw_file_error(const std::string& path, std::string found) {
  throw InputError(path, "$", "a readable scenario file", std::move(found));
}

}  // namespace

namespace detail {

// Never throws on invalid UTF-8: a document built in code may hold any bytes.
std::string dump_compact(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string json_quoted(std::string_view text) {
  return truncate(dump_compact(json(std::string(text))), kFoundCharsMax, "\"");
}

std::string plural(std::size_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

}  // namespace detail

// ---- InputError ---------------------------------------------------------------------------------

InputError::InputError(std::string file_in, std::string path_in, std::string expected_in,
                       std::string found_in)
    : std::runtime_error(fmt::format("{}: {}: expected {}, found {}", file_in, path_in,
                                     expected_in, found_in)),
      file(std::move(file_in)),
      path(std::move(path_in)),
      expected(std::move(expected_in)),
      found(std::move(found_in)) {}

// ---- Loading --------------------------------------------------------------------------------------

nlohmann::json parse_json_text(std::string_view text, const std::string& file_label) {
  std::string_view content = text;
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
  if (content.empty()) throw InputError(file_label, "$", "a JSON object", "an empty file");
  if (std::all_of(content.begin(), content.end(), is_json_space)) {
    throw InputError(file_label, "$", "a JSON object", "a file with only whitespace");
  }

  DocumentBuilder builder;
  const bool parsed = json::sax_parse(text, &builder);
  if (builder.duplicate_key_path) {
    throw InputError(file_label, *builder.duplicate_key_path, "each key at most once per object",
                     "the key " + json_quoted(*builder.duplicate_key) + " a second time");
  }
  if (builder.control_path) {
    throw InputError(file_label, *builder.control_path, "a string without control characters",
                     describe_json_value(json(builder.control_value)));
  }
  if (builder.too_deep_path) {
    throw InputError(file_label, *builder.too_deep_path,
                     fmt::format("arrays and objects nested at most {} deep", kNestingDepthMax),
                     fmt::format("an {} at depth {}", builder.too_deep_is_object ? "object" : "array",
                                 kNestingDepthMax + 1));
  }
  if (!parsed) {
    if (builder.complete) {
      std::size_t garbage = end_of_first_value(text);
      while (garbage < text.size() && is_json_space(text[garbage])) ++garbage;
      const LineColumn where = line_column_at(text, garbage);
      throw InputError(file_label, "$", "valid JSON",
                       fmt::format("more text after the end of the JSON value at line {}, column {}",
                                   where.line, where.column));
    }
    // nlohmann counts the character it stopped on; at the end of input it counts one past the
    // end, and the useful place to show is just after the last thing written.
    std::size_t offset = builder.error_position == 0 ? 0 : builder.error_position - 1;
    if (builder.error_position > text.size()) {
      offset = text.size();
      while (offset > 0 && is_json_space(text[offset - 1])) --offset;
    }
    const LineColumn where = line_column_at(text, offset);
    throw InputError(file_label, "$", "valid JSON",
                     fmt::format("a syntax error at line {}, column {} ({})", where.line,
                                 where.column, syntax_reason(builder.error_message)));
  }
  SIM_ASSERT(builder.complete);
  if (!builder.document.is_object()) {
    throw InputError(file_label, "$", "a JSON object at the top level",
                     describe_json_value(builder.document));
  }
  return std::move(builder.document);
}

std::string read_text_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw_file_error(path, "a directory");

  // Opened by hand rather than with ifstream, which does not say why an open failed.
  errno = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) {
    const int open_errno = errno;
    switch (open_errno) {
      case ENOENT:
      case ENOTDIR:
        throw_file_error(path, "no such file");
      case EACCES:
      case EPERM:
        throw_file_error(path, "a file without read permission");
      case EISDIR:
        throw_file_error(path, "a directory");
      default:
        throw_file_error(path, fmt::format("an unreadable file ({})", std::strerror(open_errno)));
    }
  }

  std::string text;
  char buffer[1 << 16];
  while (true) {
    const std::size_t count = std::fread(buffer, 1, sizeof buffer, file.get());
    text.append(buffer, count);
    if (count < sizeof buffer) break;
  }
  if (std::ferror(file.get())) {
    const int read_errno = errno;
    if (read_errno == EISDIR) throw_file_error(path, "a directory");
    throw_file_error(path, fmt::format("an unreadable file ({})", std::strerror(read_errno)));
  }
  return text;
}

nlohmann::json load_json_file(const std::string& path) { return parse_json_text(read_text_file(path), path); }

// ---- Rendering ------------------------------------------------------------------------------------

std::string describe_json_value(const nlohmann::json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return truncate(dump_compact(value), kFoundCharsMax, "");
    case json::value_t::string:
      return truncate(dump_compact(value), kFoundCharsMax, "\"");
    case json::value_t::object:
      return value.empty() ? "an empty object" : "an object";
    case json::value_t::array:
      return value.empty() ? "an empty array" : "an array of " + plural(value.size(), "element");
    case json::value_t::binary:
      return "binary data";
    case json::value_t::discarded:
      return "nothing";
  }
  return "an unknown JSON value";
}

std::string child_path(const std::string& parent, std::string_view key) {
  if (is_identifier(key)) return parent + "." + std::string(key);
  return parent + "[" + dump_compact(json(std::string(key))) + "]";
}

}  // namespace sim::config
