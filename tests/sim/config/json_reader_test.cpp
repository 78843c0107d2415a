// Tests for sim/config/json_reader.*: each way an input file can be wrong yields one exact message.
#include "sim/config/json_reader.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace {

using nlohmann::json;
using sim::config::InputError;
using sim::config::load_json_file;
using sim::config::Node;
using sim::config::ObjectReader;
using sim::config::parse_json_text;

constexpr const char* kFile = "scenario.json";

// The message of the InputError `action` throws; fails the test if it throws nothing or
// anything else.
std::string error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  }
  FAIL("no InputError was thrown");
  return {};
}

std::string parse_error(const std::string& text) {
  return error_message([&] { parse_json_text(text, kFile); });
}

// Reading errors from a small document; the document outlives the nodes, as required.
struct Document {
  explicit Document(const std::string& text) : doc(parse_json_text(text, kFile)) {}
  Node root() const { return sim::config::root(doc, kFile); }
  // The member `key` of the top-level object, with the other keys left unchecked.
  Node at(const std::string& key) const {
    const auto it = doc.find(key);
    REQUIRE(it != doc.end());
    return Node(&*it, sim::config::child_path("$", key), kFile);
  }
  json doc;
};

std::string value_error(const std::string& value_json, const std::function<void(const Node&)>& read) {
  const Document document("{\"v\": " + value_json + "}");
  return error_message([&] { read(document.at("v")); });
}

std::string expect_at_v(const std::string& expected, const std::string& found) {
  return std::string(kFile) + ": $.v: expected " + expected + ", found " + found;
}

// A directory removed at the end of the test, with room for files to load.
class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("ddbsim_json_reader_test_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::permissions(path_ / "locked.json", std::filesystem::perms::owner_all,
                                 ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& content) const {
    const std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace

TEST_CASE("InputError: what() names the file, the path, the expectation and the finding",
          "[config]") {
  const InputError error("a.json", "$.tables[0].name", "a string", "5");
  CHECK(std::string(error.what()) == "a.json: $.tables[0].name: expected a string, found 5");
  CHECK(error.file == "a.json");
  CHECK(error.path == "$.tables[0].name");
  CHECK(error.expected == "a string");
  CHECK(error.found == "5");
}

TEST_CASE("load_json_file: reads a well-formed scenario", "[config]") {
  const TempDir dir;
  const std::string path = dir.write("ok.json", "{\"name\": \"smoke\", \"seed\": 7}\n");
  const json doc = load_json_file(path);
  CHECK(doc.at("name") == "smoke");
  CHECK(doc.at("seed") == 7);
}

TEST_CASE("load_json_file: a missing file is reported, not thrown as a system error", "[config]") {
  const TempDir dir;
  const std::string path = dir.path("missing.json");
  CHECK(error_message([&] { load_json_file(path); }) ==
        path + ": $: expected a readable scenario file, found no such file");
  const std::string below_a_file = dir.write("plain.json", "{}") + "/inner.json";
  CHECK(error_message([&] { load_json_file(below_a_file); }) ==
        below_a_file + ": $: expected a readable scenario file, found no such file");
  CHECK(error_message([&] { load_json_file(""); }) ==
        ": $: expected a readable scenario file, found no such file");
}

TEST_CASE("load_json_file: a directory is not a scenario file", "[config]") {
  const TempDir dir;
  const std::string path = dir.path("");
  CHECK(error_message([&] { load_json_file(path); }) ==
        path + ": $: expected a readable scenario file, found a directory");
}

TEST_CASE("load_json_file: a file without read permission is reported", "[config]") {
  if (::geteuid() == 0) {
    // Root reads any file whatever its permission bits, so there is nothing to observe.
    WARN("skipped: running as root, which may read a file without read permission");
    return;
  }
  const TempDir dir;
  const std::string path = dir.write("locked.json", "{}");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  CHECK(error_message([&] { load_json_file(path); }) ==
        path + ": $: expected a readable scenario file, found a file without read permission");
}

TEST_CASE("load_json_file: empty and whitespace-only files are rejected", "[config]") {
  const TempDir dir;
  const std::string empty = dir.write("empty.json", "");
  CHECK(error_message([&] { load_json_file(empty); }) ==
        empty + ": $: expected a JSON object, found an empty file");
  const std::string blank = dir.write("blank.json", "  \n\t\r\n");
  CHECK(error_message([&] { load_json_file(blank); }) ==
        blank + ": $: expected a JSON object, found a file with only whitespace");
}

TEST_CASE("load_json_file: a truncated file reports where it stops", "[config]") {
  const TempDir dir;
  const std::string path = dir.write("cut.json", "{\n  \"name\": \"smoke\",\n  \"seed\": 7,\n");
  CHECK(error_message([&] { load_json_file(path); }) ==
        path +
            ": $: expected valid JSON, found a syntax error at line 3, column 13 (unexpected end "
            "of input; expected string literal)");
}

TEST_CASE("parse_json_text: truncation inside a value reports the end of what was written",
          "[config]") {
  CHECK(parse_error("{\"a\": [1, 2") ==
        "scenario.json: $: expected valid JSON, found a syntax error at line 1, column 12 "
        "(unexpected end of input; expected ']')");
  CHECK(parse_error("{\"a\": \"abc") ==
        "scenario.json: $: expected valid JSON, found a syntax error at line 1, column 11 "
        "(invalid string: missing closing quote)");
  CHECK(parse_error("{") ==
        "scenario.json: $: expected valid JSON, found a syntax error at line 1, column 2 "
        "(unexpected end of input; expected string literal)");
}

TEST_CASE("parse_json_text: a syntax error gives its line and column", "[config]") {
  // The literal breaks at the end of line 3, where "tru" should have gone on to "true".
  CHECK(parse_error("{\n  \"a\": 1,\n  \"b\": tru\n}") ==
        "scenario.json: $: expected valid JSON, found a syntax error at line 3, column 11 "
        "(invalid literal)");
  CHECK(parse_error("{\"a\": }") ==
        "scenario.json: $: expected valid JSON, found a syntax error at line 1, column 7 "
        "(unexpected '}'; expected '[', '{', or a literal)");
  CHECK(parse_error("{\"a\": 1,}") ==
        "scenario.json: $: expected valid JSON, found a syntax error at line 1, column 9 "
        "(unexpected '}'; expected string literal)");
  CHECK(parse_error("{'a': 1}") ==
        "scenario.json: $: expected valid JSON, found a syntax error at line 1, column 2 "
        "(invalid literal; expected string literal)");
  // Columns count characters, as an editor shows them, not bytes.
  CHECK(parse_error("{\"\xC3\xA9t\xC3\xA9\": x}") ==
        "scenario.json: $: expected valid JSON, found a syntax error at line 1, column 9 "
        "(invalid literal)");
}

TEST_CASE("parse_json_text: comments are not JSON", "[config]") {
  CHECK(parse_error("{\n  // seed\n  \"seed\": 1\n}") ==
        "scenario.json: $: expected valid JSON, found a syntax error at line 2, column 3 "
        "(invalid literal; expected string literal)");
}

TEST_CASE("parse_json_text: text after the top-level object is rejected", "[config]") {
  CHECK(parse_error("{\"a\": 1}\n}") ==
        "scenario.json: $: expected valid JSON, found more text after the end of the JSON value "
        "at line 2, column 1");
  CHECK(parse_error("{\"a\": \"}\"} x") ==
        "scenario.json: $: expected valid JSON, found more text after the end of the JSON value "
        "at line 1, column 12");
  CHECK(parse_error("{}{}") ==
        "scenario.json: $: expected valid JSON, found more text after the end of the JSON value "
        "at line 1, column 3");
  CHECK(parse_error("1 2") ==
        "scenario.json: $: expected valid JSON, found more text after the end of the JSON value "
        "at line 1, column 3");
}

TEST_CASE("parse_json_text: a key given twice in one object is rejected", "[config]") {
  CHECK(parse_error("{\"seed\": 1, \"seed\": 2}") ==
        "scenario.json: $.seed: expected each key at most once per object, found the key "
        "\"seed\" a second time");
  CHECK(parse_error("{\"tables\": [{\"name\": \"a\"}, {\"name\": \"b\", \"name\": \"c\"}]}") ==
        "scenario.json: $.tables[1].name: expected each key at most once per object, found the "
        "key \"name\" a second time");
  CHECK(parse_error("{\"mix\": {\"get strong\": 1, \"get strong\": 2}}") ==
        "scenario.json: $.mix[\"get strong\"]: expected each key at most once per object, found "
        "the key \"get strong\" a second time");
  // The same key in sibling objects is fine.
  CHECK_NOTHROW(parse_json_text("{\"a\": {\"x\": 1}, \"b\": {\"x\": 2}}", kFile));
}

TEST_CASE("parse_json_text: the top level must be an object", "[config]") {
  CHECK(parse_error("[1, 2]") ==
        "scenario.json: $: expected a JSON object at the top level, found an array of 2 elements");
  CHECK(parse_error("\"scenario\"") ==
        "scenario.json: $: expected a JSON object at the top level, found \"scenario\"");
  CHECK(parse_error("null") ==
        "scenario.json: $: expected a JSON object at the top level, found null");
}

TEST_CASE("parse_json_text: a number beyond double range is a syntax error", "[config]") {
  CHECK(parse_error("{\"a\": 1e400}") ==
        "scenario.json: $: expected valid JSON, found a syntax error at line 1, column 11 "
        "(number overflow parsing '1e400')");
}

TEST_CASE("parse_json_text: invalid UTF-8 is rejected", "[config]") {
  CHECK(parse_error("{\"a\": \"\xFF\"}") ==
        "scenario.json: $: expected valid JSON, found a syntax error at line 1, column 8 "
        "(invalid string: ill-formed UTF-8 byte)");
}

TEST_CASE("parse_json_text: a UTF-8 byte order mark is allowed", "[config]") {
  const json doc = parse_json_text("\xEF\xBB\xBF{\"a\": 1}", kFile);
  CHECK(doc.at("a") == 1);
  CHECK(parse_error("\xEF\xBB\xBF") == "scenario.json: $: expected a JSON object, found an empty file");
}

TEST_CASE("Node: paths name object keys and array indexes", "[config]") {
  const Document document(
      "{\"faults\": {\"timeline\": [{}, {}, {\"node\": 5}]}, \"mix\": {\"get strong\": true}}");
  ObjectReader top = document.root().object();
  ObjectReader faults = top.required("faults").object();
  const std::vector<Node> timeline = faults.required("timeline").array();
  REQUIRE(timeline.size() == 3);
  CHECK(timeline[2].path() == "$.faults.timeline[2]");
  ObjectReader event = timeline[2].object();
  const Node node = event.required("node");
  CHECK(node.path() == "$.faults.timeline[2].node");
  CHECK(error_message([&] { node.string(); }) ==
        "scenario.json: $.faults.timeline[2].node: expected a string, found 5");
  ObjectReader mix = top.required("mix").object();
  const Node strong = mix.required("get strong");
  CHECK(strong.path() == "$.mix[\"get strong\"]");
  CHECK(strong.boolean());
  CHECK(strong.file() == "scenario.json");
  event.finish();
  timeline[0].object().finish();
  timeline[1].object().finish();
  faults.finish();
  mix.finish();
  top.finish();
}

TEST_CASE("child_path: quotes keys that are not identifiers", "[config]") {
  using sim::config::child_path;
  CHECK(child_path("$", "tables") == "$.tables");
  CHECK(child_path("$", "_x9") == "$._x9");
  CHECK(child_path("$", "9x") == "$[\"9x\"]");
  CHECK(child_path("$", "get-item") == "$[\"get-item\"]");
  CHECK(child_path("$", "") == "$[\"\"]");
  CHECK(child_path("$", "say \"hi\"") == "$[\"say \\\"hi\\\"\"]");
  CHECK(child_path("$", "$schema") == "$[\"$schema\"]");
}

TEST_CASE("ObjectReader: a missing required key is reported at the object", "[config]") {
  const Document document("{\"tables\": [{\"items\": 10}]}");
  ObjectReader top = document.root().object();
  const std::vector<Node> tables = top.required("tables").array(1);
  ObjectReader table = tables[0].object();
  CHECK(error_message([&] { table.required("name"); }) ==
        "scenario.json: $.tables[0]: expected key \"name\", found nothing (the key is missing)");
  CHECK(table.required("items").uint64() == 10);
  table.finish();
  top.finish();
}

TEST_CASE("ObjectReader: an unknown key is reported with the keys that are allowed", "[config]") {
  const Document document("{\"name\": \"x\", \"seed\": 1, \"zz\": 2, \"aa\": 3}");
  ObjectReader top = document.root().object();
  CHECK(top.required("name").string() == "x");
  CHECK(top.required("seed").uint64() == 1);
  CHECK_FALSE(top.optional("duration").has_value());
  // Unknown keys are reported in sorted order, so "aa" comes before "zz".
  CHECK(error_message([&] { top.finish(); }) ==
        "scenario.json: $.aa: expected one of the keys duration, name, seed, found unknown key "
        "\"aa\"");
}

TEST_CASE("ObjectReader: the allowed-keys list reads naturally for one and for none",
          "[config]") {
  const Document document("{\"one\": {\"a\": 1, \"b\": 2}, \"none\": {\"c\": 3}}");
  ObjectReader top = document.root().object();
  ObjectReader one = top.required("one").object();
  one.required("a");
  CHECK(error_message([&] { one.finish(); }) ==
        "scenario.json: $.one.b: expected the key a, found unknown key \"b\"");
  ObjectReader none = top.required("none").object();
  CHECK(error_message([&] { none.finish(); }) ==
        "scenario.json: $.none.c: expected no keys, found unknown key \"c\"");
  top.finish();
}

TEST_CASE("ObjectReader: has() looks without consuming, optional() consumes", "[config]") {
  const Document document("{\"seed\": 1}");
  ObjectReader top = document.root().object();
  CHECK(top.has("seed"));
  CHECK_FALSE(top.has("name"));
  CHECK(top.path() == "$");
  CHECK(error_message([&] { top.finish(); }) ==
        "scenario.json: $.seed: expected no keys, found unknown key \"seed\"");
  ObjectReader again = document.root().object();
  const std::optional<Node> seed = again.optional("seed");
  REQUIRE(seed.has_value());
  CHECK(seed->uint64() == 1);
  again.finish();
}

TEST_CASE("Node: containers of the wrong kind are named", "[config]") {
  CHECK(value_error("[1]", [](const Node& n) { n.object().finish(); }) ==
        expect_at_v("an object", "an array of 1 element"));
  CHECK(value_error("{\"a\": 1}", [](const Node& n) { n.array(); }) ==
        expect_at_v("an array", "an object"));
  CHECK(value_error("[]", [](const Node& n) { n.array(1); }) ==
        expect_at_v("an array with at least 1 element", "an empty array"));
  CHECK(value_error("[1]", [](const Node& n) { n.array(2); }) ==
        expect_at_v("an array with at least 2 elements", "an array of 1 element"));
  CHECK(value_error("\"x\"", [](const Node& n) { n.array(); }) ==
        expect_at_v("an array", "\"x\""));
}

TEST_CASE("Node: scalars of the wrong type are named", "[config]") {
  CHECK(value_error("5", [](const Node& n) { n.string(); }) == expect_at_v("a string", "5"));
  CHECK(value_error("null", [](const Node& n) { n.string(); }) == expect_at_v("a string", "null"));
  CHECK(value_error("{}", [](const Node& n) { n.string(); }) ==
        expect_at_v("a string", "an empty object"));
  CHECK(value_error("\"\"", [](const Node& n) { n.non_empty_string(); }) ==
        expect_at_v("a non-empty string", "an empty string"));
  CHECK(value_error("\"true\"", [](const Node& n) { n.boolean(); }) ==
        expect_at_v("true or false", "\"true\""));
  CHECK(value_error("1", [](const Node& n) { n.boolean(); }) == expect_at_v("true or false", "1"));
  CHECK(value_error("\"5\"", [](const Node& n) { n.uint64(); }) ==
        expect_at_v("a non-negative integer", "\"5\""));
  CHECK(value_error("true", [](const Node& n) { n.uint64(); }) ==
        expect_at_v("a non-negative integer", "true"));
  CHECK(value_error("\"1\"", [](const Node& n) { n.number(); }) == expect_at_v("a number", "\"1\""));
}

TEST_CASE("Node: uint64 accepts only non-negative integers written as integers", "[config]") {
  const Document document("{\"zero\": 0, \"max\": 18446744073709551615}");
  CHECK(document.at("zero").uint64() == 0);
  CHECK(document.at("max").uint64() == std::numeric_limits<std::uint64_t>::max());
  const std::string expected = "a non-negative integer";
  const auto read = [](const Node& n) { n.uint64(); };
  CHECK(value_error("-5", read) == expect_at_v(expected, "a negative number (-5)"));
  CHECK(value_error("1.5", read) == expect_at_v(expected, "a number with a fraction (1.5)"));
  CHECK(value_error("1e30", read) == expect_at_v(expected, "a number too large for a 64-bit integer"));
  CHECK(value_error("99999999999999999999999", read) ==
        expect_at_v(expected, "a number too large for a 64-bit integer"));
  CHECK(value_error("18446744073709551616", read) ==
        expect_at_v(expected, "a number too large for a 64-bit integer"));
  CHECK(value_error("-1e30", read) == expect_at_v(expected, "a negative number (-1e+30)"));
  CHECK(value_error("1e3", read) ==
        expect_at_v(expected, "a number written with a decimal point or an exponent (1000.0)"));
  CHECK(value_error("5.0", read) ==
        expect_at_v(expected, "a number written with a decimal point or an exponent (5.0)"));
}

TEST_CASE("Node: ranged integers state the range they expect", "[config]") {
  const Document document("{\"low\": -9223372036854775808, \"three\": 3}");
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  CHECK(document.at("low").int64(kMin, kMax) == kMin);
  CHECK(document.at("three").int64(-5, 5) == 3);
  CHECK(document.at("three").uint64_in(1, 3) == 3);
  CHECK(value_error("11", [](const Node& n) { n.int64(0, 10); }) ==
        expect_at_v("an integer from 0 to 10", "11"));
  CHECK(value_error("-11", [](const Node& n) { n.int64(-10, 10); }) ==
        expect_at_v("an integer from -10 to 10", "-11"));
  CHECK(value_error("5", [](const Node& n) { n.int64(-10, -1); }) ==
        expect_at_v("an integer from -10 to -1", "5"));
  // No captures: constants used by value need none (clang warns on them, GCC would not).
  CHECK(value_error("9223372036854775808",
                    [](const Node& n) {
                      n.int64(std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
                    }) ==
        expect_at_v("an integer from -9223372036854775808 to 9223372036854775807",
                    "9223372036854775808"));
  CHECK(value_error("1e30", [](const Node& n) { n.int64(0, 10); }) ==
        expect_at_v("an integer from 0 to 10", "a number too large for a 64-bit integer"));
  CHECK(value_error("-99999999999999999999", [](const Node& n) { n.int64(0, 10); }) ==
        expect_at_v("an integer from 0 to 10", "a number too small for a 64-bit integer"));
  CHECK(value_error("2.5", [](const Node& n) { n.int64(0, 10); }) ==
        expect_at_v("an integer from 0 to 10", "a number with a fraction (2.5)"));
  CHECK(value_error("0", [](const Node& n) { n.uint64_in(1, 64); }) ==
        expect_at_v("an integer from 1 to 64", "0"));
  CHECK(value_error("-1", [](const Node& n) { n.uint64_in(1, 64); }) ==
        expect_at_v("an integer from 1 to 64", "a negative number (-1)"));
  CHECK(value_error("1e30", [](const Node& n) { n.uint64_in(1, 64); }) ==
        expect_at_v("an integer from 1 to 64", "a number too large for a 64-bit integer"));
}

TEST_CASE("Node: numbers and probabilities are range checked", "[config]") {
  const Document document("{\"half\": 0.5, \"two\": 2, \"zero\": 0}");
  CHECK(document.at("half").number() == 0.5);
  CHECK(document.at("two").number() == 2.0);
  CHECK(document.at("half").probability() == 0.5);
  CHECK(document.at("zero").probability() == 0.0);
  CHECK(document.at("two").number_in(0, 2) == 2.0);
  CHECK(value_error("1.5", [](const Node& n) { n.probability(); }) ==
        expect_at_v("a probability from 0 to 1", "1.5"));
  CHECK(value_error("-0.1", [](const Node& n) { n.probability(); }) ==
        expect_at_v("a probability from 0 to 1", "-0.1"));
  CHECK(value_error("\"0.5\"", [](const Node& n) { n.probability(); }) ==
        expect_at_v("a probability from 0 to 1", "\"0.5\""));
  CHECK(value_error("3", [](const Node& n) { n.number_in(0.5, 2.5); }) ==
        expect_at_v("a number from 0.5 to 2.5", "3"));
  CHECK(value_error("0", [](const Node& n) { n.number_in(0, 1, false); }) ==
        expect_at_v("a number greater than 0 and at most 1", "0"));
}

TEST_CASE("Node: durations need units and must be positive unless zero is allowed",
          "[config]") {
  const Document document("{\"ok\": \"250us\", \"zero\": \"0s\", \"long\": \"1.5h\"}");
  CHECK(document.at("ok").duration() == sim::micros(250));
  CHECK(document.at("long").duration() == sim::minutes(90));
  CHECK(document.at("zero").duration_allow_zero() == sim::Duration::zero());
  const std::string positive = "a positive duration such as \"250us\" or \"5m\"";
  const auto read = [](const Node& n) { n.duration(); };
  CHECK(value_error("\"0s\"", read) == expect_at_v(positive, "\"0s\" (a zero duration)"));
  CHECK(value_error("\"-5s\"", read) == expect_at_v(positive, "\"-5s\" (a sign is not allowed)"));
  CHECK(value_error("250", read) == expect_at_v(positive, "250 (a number without a unit)"));
  CHECK(value_error("-1", read) == expect_at_v(positive, "-1 (a number without a unit)"));
  CHECK(value_error("null", read) == expect_at_v(positive, "null"));
  CHECK(value_error("\"5 s\"", read) == expect_at_v(positive, "\"5 s\" (spaces are not allowed)"));
  CHECK(value_error("\"5sec\"", read) ==
        expect_at_v(positive,
                    "\"5sec\" (unknown unit \"sec\" (expected one of ns, us, ms, s, m, h))"));
  CHECK(value_error("\"0.5ns\"", read) == expect_at_v(positive, "\"0.5ns\" (finer than 1ns)"));
  CHECK(value_error("\"9223372036854775808ns\"", read) ==
        expect_at_v(positive,
                    "\"9223372036854775808ns\" (too large: durations are at most "
                    "9223372036.854775807s)"));
  CHECK(value_error("\"-1s\"", [](const Node& n) { n.duration_allow_zero(); }) ==
        expect_at_v("a duration such as \"0s\", \"250us\" or \"5m\"",
                    "\"-1s\" (a sign is not allowed)"));
}

TEST_CASE("Node: sizes are strings with units or whole numbers of bytes", "[config]") {
  const Document document("{\"unit\": \"4KB\", \"count\": 4096, \"fraction\": \"1.5MB\"}");
  CHECK(document.at("unit").size_bytes() == 4'096);
  CHECK(document.at("count").size_bytes() == 4'096);
  CHECK(document.at("fraction").size_bytes() == 1'572'864);
  const std::string expected =
      "a size such as \"512B\", \"4KB\" or \"1.5MB\", or a whole number of bytes";
  const auto read = [](const Node& n) { n.size_bytes(); };
  CHECK(value_error("\"1.5B\"", read) == expect_at_v(expected, "\"1.5B\" (not a whole number of bytes)"));
  CHECK(value_error("\"4kb\"", read) ==
        expect_at_v(expected,
                    "\"4kb\" (unknown unit \"kb\" (expected one of B, KB, MB, GB, TB, PB))"));
  CHECK(value_error("-1", read) == expect_at_v(expected, "a negative number (-1)"));
  CHECK(value_error("1.5", read) == expect_at_v(expected, "a number with a fraction (1.5)"));
  CHECK(value_error("[]", read) == expect_at_v(expected, "an empty array"));
}

TEST_CASE("Node: one_of lists the choices", "[config]") {
  const Document document("{\"mode\": \"on_demand\"}");
  CHECK(document.at("mode").one_of({"provisioned", "on_demand"}) == "on_demand");
  const auto read = [](const Node& n) { n.one_of({"provisioned", "on_demand"}); };
  const std::string expected = "one of \"provisioned\", \"on_demand\"";
  CHECK(value_error("\"zz\"", read) == expect_at_v(expected, "\"zz\""));
  CHECK(value_error("\"Provisioned\"", read) == expect_at_v(expected, "\"Provisioned\""));
  CHECK(value_error("1", read) == expect_at_v(expected, "1"));
}

TEST_CASE("Node: fail reports a semantic problem at the node's path", "[config]") {
  const Document document("{\"node\": \"storage-9\"}");
  const Node node = document.at("node");
  CHECK(error_message([&] { node.fail("the name of a storage node", "\"storage-9\" (no such node)"); }) ==
        "scenario.json: $.node: expected the name of a storage node, found \"storage-9\" (no such "
        "node)");
  CHECK(error_message([&] { node.fail_expected("the name of a router"); }) ==
        "scenario.json: $.node: expected the name of a router, found \"storage-9\"");
}

TEST_CASE("describe_json_value: renders values compactly and truncates long ones", "[config]") {
  using sim::config::describe_json_value;
  CHECK(describe_json_value(json(nullptr)) == "null");
  CHECK(describe_json_value(json(true)) == "true");
  CHECK(describe_json_value(json(-3)) == "-3");
  CHECK(describe_json_value(json(1.5)) == "1.5");
  CHECK(describe_json_value(json("a\"b\n")) == "\"a\\\"b\\n\"");
  CHECK(describe_json_value(json::object()) == "an empty object");
  CHECK(describe_json_value(json{{"a", 1}}) == "an object");
  CHECK(describe_json_value(json::array()) == "an empty array");
  CHECK(describe_json_value(json{1, 2, 3}) == "an array of 3 elements");
  const std::string long_text(200, 'x');
  const std::string described = describe_json_value(json(long_text));
  CHECK(described == "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"");
  CHECK(described.size() == 60);
  // A cut never splits a multi-byte character.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";
  const std::string cut = describe_json_value(json(accents));
  CHECK(cut.size() <= 60);
  // GCC 12 warns falsely (-Wrestrict) on "literal" + std::string temporaries, hence append.
  std::string expected_cut(1, '"');
  expected_cut.append(accents, 0, 54).append("...\"");
  CHECK(cut == expected_cut);
}

TEST_CASE("ObjectReader: a complete scenario-shaped document reads cleanly", "[config]") {
  const Document document(R"({
    "name": "smoke",
    "seed": 42,
    "duration": "5m",
    "tables": [{"name": "orders", "item_size": "4KB", "capacity_mode": "provisioned"}],
    "workload": {"rate_per_second": 100.5, "mix": {"get strong": 0.25, "put": 0.75}}
  })");
  ObjectReader top = document.root().object();
  CHECK(top.required("name").non_empty_string() == "smoke");
  CHECK(top.required("seed").uint64() == 42);
  CHECK(top.required("duration").duration() == sim::minutes(5));
  for (const Node& table_node : top.required("tables").array(1)) {
    ObjectReader table = table_node.object();
    CHECK(table.required("name").string() == "orders");
    CHECK(table.required("item_size").size_bytes() == 4'096);
    CHECK(table.required("capacity_mode").one_of({"provisioned", "on_demand"}) == "provisioned");
    table.finish();
  }
  ObjectReader workload = top.required("workload").object();
  CHECK(workload.required("rate_per_second").number_in(0, 1e9, false) == 100.5);
  ObjectReader mix = workload.required("mix").object();
  CHECK(mix.required("get strong").probability() == 0.25);
  CHECK(mix.required("put").probability() == 0.75);
  mix.finish();
  workload.finish();
  top.finish();
}

TEST_CASE("parse_json_text: a string or key with a control character is refused, and shown escaped", "[config]") {
  // A NUL would cut the message short; a raw escape sequence would reach the terminal.
  CHECK(parse_error(R"({"name": "a\u0000b"})") ==
        R"(scenario.json: $.name: expected a string without control characters, found "a\u0000b")");
  CHECK(parse_error(R"({"tables": [{"name": "x\u001b[31my"}]})") ==
        R"(scenario.json: $.tables[0].name: expected a string without control characters, found "x\u001b[31my")");
  CHECK(parse_error(R"({"a\tb": 1})") ==
        R"(scenario.json: $["a\tb"]: expected a string without control characters, found "a\tb")");
  // Printable text, UTF-8 included, is fine.
  CHECK(parse_json_text(R"({"name": "caf\u00e9 ok"})", kFile)["name"] == "caf\xc3\xa9 ok");
}
