// Strict reading of JSON input files: every problem becomes one InputError naming the file, the
// JSON path, what was expected and what was found. Owned by sim/config; scenario loaders use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/time.h"

namespace sim::config {

// A mistake in user input, never a bug in ddbsim: the program prints what() and exits 2.
// what() is exactly "<file>: <path>: expected <expected>, found <found>"; problems with the file
// as a whole use the path "$".
struct InputError : std::runtime_error {
  InputError(std::string file, std::string path, std::string expected, std::string found);

  std::string file;
  std::string path;      // "$", "$.faults.timeline[2].node", "$.mix[\"get strong\"]"
  std::string expected;  // "a positive duration such as \"250us\" or \"5m\""
  std::string found;     // "\"-5s\" (a sign is not allowed)", "nothing (the key is missing)"
};

// Reads and parses a file. Throws InputError if the file is missing, a directory, unreadable,
// empty or only whitespace, not valid JSON (with line and column), has a key twice in one object,
// nests arrays and objects more than 64 deep, or its top level is not an object. `path` is also
// the file label in messages.
nlohmann::json load_json_file(const std::string& path);
// The file's bytes, read once (so a pipe is read once too); the same file errors as above.
std::string read_text_file(const std::string& path);

// The same checks as load_json_file after reading; `file_label` names the text in messages.
nlohmann::json parse_json_text(std::string_view text, const std::string& file_label);

// The compact rendering of a value for "found": scalars as JSON, at most about 60 characters
// ("\"abc\"", "1.5", "null"); containers described ("an object", "an array of 3 elements").
std::string describe_json_value(const nlohmann::json& value);

class ObjectReader;

// A view of one JSON value at a path. REQUIRES: the document outlives every Node and ObjectReader
// taken from it. Accessors either return the typed value or throw InputError at this path.
class Node {
 public:
  Node(const nlohmann::json* value, std::string path, std::string file);

  const std::string& path() const { return path_; }
  const nlohmann::json& json() const { return *value_; }
  const std::string& file() const { return file_; }

  ObjectReader object() const;
  // Elements get the paths "<path>[i]".
  std::vector<Node> array(std::size_t min_size = 0) const;
  std::string string() const;
  std::string non_empty_string() const;
  bool boolean() const;
  // Integers must be written as integers: 1.5, 1e3 and numbers beyond 64 bits are rejected.
  std::uint64_t uint64() const;
  std::int64_t int64(std::int64_t min, std::int64_t max) const;
  std::uint64_t uint64_in(std::uint64_t min, std::uint64_t max) const;
  // Finite numbers, integer or not.
  double number() const;
  double number_in(double min, double max, bool min_inclusive = true) const;
  double probability() const;  // [0, 1]
  // Strings with units (see units.h). duration() requires > 0, duration_allow_zero() >= 0.
  sim::Duration duration() const;
  sim::Duration duration_allow_zero() const;
  // A string with units ("4KB") or a non-negative integer count of bytes.
  std::uint64_t size_bytes() const;
  std::string one_of(std::initializer_list<std::string_view> choices) const;

  // For semantic checks by loaders, e.g. a fault naming a node that does not exist.
  [[noreturn]] void fail(std::string expected, std::string found) const;
  // The same, with found = describe_json_value(json()).
  [[noreturn]] void fail_expected(std::string expected) const;

 private:
  const nlohmann::json* value_;
  std::string path_;
  std::string file_;
};

// Reads the keys of one object; obtained from Node::object(). Every key present must be asked for
// (required or optional) before finish(), so a misspelt option is an error instead of ignored.
// Forgetting finish() is a bug in the loader: the destructor asserts it was called, unless an
// exception is already unwinding the stack.
class ObjectReader {
 public:
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;
  ObjectReader(ObjectReader&& other) noexcept;
  ObjectReader& operator=(ObjectReader&&) = delete;
  ~ObjectReader();

  // Missing: InputError at this object's path, expected "key \"x\"".
  Node required(std::string_view key);
  std::optional<Node> optional(std::string_view key);
  // A query only: the key still has to be read with required or optional.
  bool has(std::string_view key) const;
  // Throws InputError at the first key never asked for (in sorted order), listing the keys that
  // were asked for as the expected ones.
  void finish();

  const std::string& path() const { return path_; }
  // For checks across several keys, reported at this object's path.
  [[noreturn]] void fail(std::string expected, std::string found) const;

 private:
  friend class Node;
  ObjectReader(const nlohmann::json* object, std::string path, std::string file);
  Node child(std::string_view key) const;
  void note_allowed(std::string_view key);

  const nlohmann::json* object_;
  std::string path_;
  std::string file_;
  std::vector<std::string> allowed_keys_;  // sorted, unique: every key asked about
  bool finished_ = false;
  bool moved_from_ = false;
  int uncaught_exceptions_at_creation_;
};

// The root of a parsed document, at path "$".
Node root(const nlohmann::json& doc, std::string file_label);

// "$.tables" + "name" -> "$.tables.name"; keys that are not identifiers are quoted JSON strings.
std::string child_path(const std::string& parent, std::string_view key);

}  // namespace sim::config
