// FlatMap: the sorted-vector map of a leader's unapplied writes behaves as std::map does for the
// operations it offers, whatever order keys arrive in.
#include "models/replication/flat_map.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>

using models::replication::FlatMap;

TEST_CASE("FlatMap: find, insert, erase and clear agree with std::map", "[replication]") {
  FlatMap<std::uint64_t, std::uint64_t> flat;
  std::map<std::uint64_t, std::uint64_t> reference;
  std::uint64_t x = 12345;
  for (int step = 0; step < 5000; ++step) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const std::uint64_t key = (x >> 33) % 64;
    switch ((x >> 20) % 4) {
      case 0:
      case 1:
        flat[key] = static_cast<std::uint64_t>(step);
        reference[key] = static_cast<std::uint64_t>(step);
        break;
      case 2:
        if (auto it = flat.find(key); it != flat.end()) flat.erase(it);
        reference.erase(key);
        break;
      default:
        if (step % 97 == 0) {
          flat.clear();
          reference.clear();
        }
    }
    REQUIRE(flat.size() == reference.size());
    REQUIRE(flat.empty() == reference.empty());
    const auto it = flat.find(key);
    const auto ref = reference.find(key);
    REQUIRE((it == flat.end()) == (ref == reference.end()));
    if (ref != reference.end()) REQUIRE(it->second == ref->second);
  }
  auto ref = reference.begin();
  for (const auto& [key, value] : flat) {
    REQUIRE(ref != reference.end());
    REQUIRE(key == ref->first);
    REQUIRE(value == ref->second);
    ++ref;
  }
}

TEST_CASE("FlatMap: operator[] makes a value-initialised entry once", "[replication]") {
  FlatMap<std::uint64_t, std::uint64_t> flat;
  REQUIRE(flat[7] == 0);
  flat[7] = 3;
  flat[2] = 1;
  REQUIRE(flat.size() == 2);
  REQUIRE(flat[7] == 3);
  REQUIRE(flat.begin()->first == 2);
}
