// The typed accessors over a parsed JSON document (Node, ObjectReader): each returns the value it
// promises or throws InputError naming the file, the path, what was expected and what was found.
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

std::string format_number(double value) { return fmt::format("{}", value); }

}  // namespace

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
