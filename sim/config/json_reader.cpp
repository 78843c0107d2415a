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

namespace sim::config {
namespace {

using nlohmann::json;

constexpr std::size_t kFoundCharsMax = 60;
constexpr std::size_t kSyntaxReasonCharsMax = 120;
// Scenario files nest about six deep. The bound keeps the builder's stack of open paths small: each
// holds its whole path, so a file of a million '[' would otherwise need terabytes.
constexpr std::size_t kNestingDepthMax = 64;

// Never throws on invalid UTF-8: a document built in code may hold any bytes.
std::string dump_compact(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

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

std::string json_quoted(std::string_view text) {
  return truncate(dump_compact(json(std::string(text))), kFoundCharsMax, "\"");
}

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!is_alpha(key.front())) return false;
  return std::all_of(key.begin(), key.end(),
                     [&](char c) { return is_alpha(c) || (c >= '0' && c <= '9'); });
}

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string plural(std::size_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

std::string format_number(double value) { return fmt::format("{}", value); }

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

// ---- Typed accessors ---------------------------------------------------------------------------

constexpr double kTwoTo63 = 9223372036854775808.0;
constexpr double kTwoTo64 = 18446744073709551616.0;

// For a float where an integer was wanted: why it is not one. Floats only come from literals with
// a fraction or exponent, or from integer literals too long for 64 bits.
std::string describe_non_integer(double value, const json& original) {
  if (!std::isfinite(value)) return describe_json_value(original);
  if (std::trunc(value) != value) return "a number with a fraction (" + dump_compact(original) + ")";
  if (value >= kTwoTo64) return "a number too large for a 64-bit integer";
  return "a number written with a decimal point or an exponent (" + dump_compact(original) + ")";
}

}  // namespace

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

Node root(const nlohmann::json& doc, std::string file_label) {
  return Node(&doc, "$", std::move(file_label));
}

// ---- Node ---------------------------------------------------------------------------------------

Node::Node(const nlohmann::json* value, std::string path, std::string file)
    : value_(value), path_(std::move(path)), file_(std::move(file)) {
  SIM_ASSERT(value_ != nullptr);
}

void Node::fail(std::string expected, std::string found) const {
  throw InputError(file_, path_, std::move(expected), std::move(found));
}

void Node::fail_expected(std::string expected) const {
  fail(std::move(expected), describe_json_value(*value_));
}

ObjectReader Node::object() const {
  if (!value_->is_object()) fail_expected("an object");
  return ObjectReader(value_, path_, file_);
}

std::vector<Node> Node::array(std::size_t min_size) const {
  const std::string expected =
      min_size == 0 ? "an array" : "an array with at least " + plural(min_size, "element");
  if (!value_->is_array() || value_->size() < min_size) fail_expected(expected);
  std::vector<Node> elements;
  elements.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) {
    elements.emplace_back(&(*value_)[i], fmt::format("{}[{}]", path_, i), file_);
  }
  return elements;
}

std::string Node::string() const {
  if (!value_->is_string()) fail_expected("a string");
  return value_->get<std::string>();
}

std::string Node::non_empty_string() const {
  const char* expected = "a non-empty string";
  if (!value_->is_string()) fail_expected(expected);
  const auto& text = value_->get_ref<const std::string&>();
  if (text.empty()) fail(expected, "an empty string");
  return text;
}

bool Node::boolean() const {
  if (!value_->is_boolean()) fail_expected("true or false");
  return value_->get<bool>();
}

namespace {

// Shared by the unsigned accessors so each can name its own expectation.
std::uint64_t read_uint64(const Node& node, const std::string& expected) {
  const json& value = node.json();
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer()) {
    const auto signed_value = value.get<std::int64_t>();
    if (signed_value >= 0) return static_cast<std::uint64_t>(signed_value);
    node.fail(expected, "a negative number (" + dump_compact(value) + ")");
  }
  if (value.is_number_float()) {
    const auto real = value.get<double>();
    if (real < 0 && std::trunc(real) == real) {
      node.fail(expected, "a negative number (" + dump_compact(value) + ")");
    }
    node.fail(expected, describe_non_integer(real, value));
  }
  node.fail_expected(expected);
}

std::string integer_range(std::string_view min, std::string_view max) {
  return fmt::format("an integer from {} to {}", min, max);
}

}  // namespace

std::uint64_t Node::uint64() const { return read_uint64(*this, "a non-negative integer"); }

std::uint64_t Node::uint64_in(std::uint64_t min, std::uint64_t max) const {
  SIM_ASSERT_OP(min, <=, max);
  const std::string expected = integer_range(std::to_string(min), std::to_string(max));
  const std::uint64_t result = read_uint64(*this, expected);
  if (result < min || result > max) fail_expected(expected);
  return result;
}

std::int64_t Node::int64(std::int64_t min, std::int64_t max) const {
  SIM_ASSERT_OP(min, <=, max);
  const std::string expected = integer_range(std::to_string(min), std::to_string(max));
  const nlohmann::json& value = *value_;
  if (value.is_number_unsigned()) {
    const auto unsigned_value = value.get<std::uint64_t>();
    if (unsigned_value > static_cast<std::uint64_t>(max) || max < 0) fail_expected(expected);
    const auto result = static_cast<std::int64_t>(unsigned_value);
    if (result < min) fail_expected(expected);
    return result;
  }
  if (value.is_number_integer()) {
    const auto result = value.get<std::int64_t>();
    if (result < min || result > max) fail_expected(expected);
    return result;
  }
  if (value.is_number_float()) {
    const auto real = value.get<double>();
    if (std::isfinite(real) && std::trunc(real) == real && real < -kTwoTo63) {
      fail(expected, "a number too small for a 64-bit integer");
    }
    if (std::isfinite(real) && std::trunc(real) == real && real >= kTwoTo63) {
      fail(expected, "a number too large for a 64-bit integer");
    }
    fail(expected, describe_non_integer(real, value));
  }
  fail_expected(expected);
}

double Node::number() const {
  if (!value_->is_number() || !std::isfinite(value_->get<double>())) fail_expected("a number");
  return value_->get<double>();
}

double Node::number_in(double min, double max, bool min_inclusive) const {
  SIM_ASSERT(min <= max);
  const std::string expected =
      min_inclusive
          ? fmt::format("a number from {} to {}", format_number(min), format_number(max))
          : fmt::format("a number greater than {} and at most {}", format_number(min),
                        format_number(max));
  if (!value_->is_number()) fail_expected(expected);
  const auto result = value_->get<double>();
  const bool above_min = min_inclusive ? result >= min : result > min;
  if (!std::isfinite(result) || !above_min || result > max) fail_expected(expected);
  return result;
}

double Node::probability() const {
  const char* expected = "a probability from 0 to 1";
  if (!value_->is_number()) fail_expected(expected);
  const auto result = value_->get<double>();
  if (!(result >= 0.0 && result <= 1.0)) fail_expected(expected);
  return result;
}

namespace {

sim::Duration read_duration(const Node& node, const std::string& expected, bool allow_zero) {
  const json& value = node.json();
  if (value.is_number()) node.fail(expected, dump_compact(value) + " (a number without a unit)");
  if (!value.is_string()) node.fail_expected(expected);
  std::string why;
  const std::optional<sim::Duration> duration = parse_duration(value.get_ref<const std::string&>(), &why);
  if (!duration) node.fail(expected, describe_json_value(value) + " (" + why + ")");
  if (!allow_zero && *duration == sim::Duration::zero()) {
    node.fail(expected, describe_json_value(value) + " (a zero duration)");
  }
  return *duration;
}

}  // namespace

sim::Duration Node::duration() const {
  return read_duration(*this, "a positive duration such as \"250us\" or \"5m\"", false);
}

sim::Duration Node::duration_allow_zero() const {
  return read_duration(*this, "a duration such as \"0s\", \"250us\" or \"5m\"", true);
}

std::uint64_t Node::size_bytes() const {
  const std::string expected =
      "a size such as \"512B\", \"4KB\" or \"1.5MB\", or a whole number of bytes";
  if (value_->is_number()) return read_uint64(*this, expected);
  if (!value_->is_string()) fail_expected(expected);
  std::string why;
  const std::optional<std::uint64_t> bytes =
      parse_size_bytes(value_->get_ref<const std::string&>(), &why);
  if (!bytes) fail(expected, describe_json_value(*value_) + " (" + why + ")");
  return *bytes;
}

std::string Node::one_of(std::initializer_list<std::string_view> choices) const {
  SIM_ASSERT(choices.size() > 0);
  std::string expected = "one of ";
  bool first = true;
  for (std::string_view choice : choices) {
    if (!first) expected += ", ";
    expected += json_quoted(choice);
    first = false;
  }
  if (!value_->is_string()) fail_expected(expected);
  const auto& text = value_->get_ref<const std::string&>();
  if (std::find(choices.begin(), choices.end(), text) == choices.end()) fail_expected(expected);
  return text;
}

// ---- ObjectReader -------------------------------------------------------------------------------

ObjectReader::ObjectReader(const nlohmann::json* object, std::string path, std::string file)
    : object_(object),
      path_(std::move(path)),
      file_(std::move(file)),
      uncaught_exceptions_at_creation_(std::uncaught_exceptions()) {
  SIM_ASSERT(object_ != nullptr && object_->is_object());
}

ObjectReader::ObjectReader(ObjectReader&& other) noexcept
    : object_(other.object_),
      path_(std::move(other.path_)),
      file_(std::move(other.file_)),
      allowed_keys_(std::move(other.allowed_keys_)),
      finished_(other.finished_),
      moved_from_(other.moved_from_),
      uncaught_exceptions_at_creation_(other.uncaught_exceptions_at_creation_) {
  other.moved_from_ = true;
}

ObjectReader::~ObjectReader() {
  // An unwinding exception already reports a problem; checking keys then would only hide it.
  if (moved_from_ || finished_ || std::uncaught_exceptions() > uncaught_exceptions_at_creation_) {
    return;
  }
  sim::detail::assertion_failed("ObjectReader::finish() was called", __FILE__, __LINE__,
                                "object at " + path_ + " in " + file_);
}

void ObjectReader::note_allowed(std::string_view key) {
  const auto at = std::lower_bound(allowed_keys_.begin(), allowed_keys_.end(), key);
  if (at == allowed_keys_.end() || *at != key) allowed_keys_.emplace(at, key);
}

Node ObjectReader::child(std::string_view key) const {
  const auto at = object_->find(std::string(key));
  SIM_ASSERT(at != object_->end());
  return Node(&*at, child_path(path_, key), file_);
}

Node ObjectReader::required(std::string_view key) {
  note_allowed(key);
  if (!has(key)) throw InputError(file_, path_, "key " + json_quoted(key), "nothing (the key is missing)");
  return child(key);
}

std::optional<Node> ObjectReader::optional(std::string_view key) {
  note_allowed(key);
  if (!has(key)) return std::nullopt;
  return child(key);
}

bool ObjectReader::has(std::string_view key) const { return object_->contains(std::string(key)); }

void ObjectReader::fail(std::string expected, std::string found) const {
  throw InputError(file_, path_, std::move(expected), std::move(found));
}

void ObjectReader::finish() {
  finished_ = true;
  for (const auto& [key, value] : object_->items()) {
    if (std::binary_search(allowed_keys_.begin(), allowed_keys_.end(), key)) continue;
    std::string expected;
    if (allowed_keys_.empty()) {
      expected = "no keys";
    } else if (allowed_keys_.size() == 1) {
      expected = "the key " + allowed_keys_.front();
    } else {
      expected = "one of the keys " + fmt::format("{}", fmt::join(allowed_keys_, ", "));
    }
    throw InputError(file_, child_path(path_, key), expected, "unknown key " + json_quoted(key));
  }
}

}  // namespace sim::config
