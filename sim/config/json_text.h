// Helpers both halves of the JSON reader share (json_parse.cpp defines them): how a value or a
// key is quoted in messages, and counted nouns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sim::config::detail {

// The value as compact JSON; invalid UTF-8 is replaced, never thrown on.
std::string dump_compact(const nlohmann::json& value);
// The text as a JSON string, cut to about 60 characters.
std::string json_quoted(std::string_view text);
// "1 element", "3 elements".
std::string plural(std::size_t count, std::string_view noun);

}  // namespace sim::config::detail
