// CompactVector: the 8-byte vector of a replica's small containers keeps the values, order and
// sizes std::vector keeps under every operation it offers, and allocates nothing while empty.
#include "models/replication/compact_vector.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using models::replication::CompactVector;

namespace {
struct Value {
  std::uint64_t a = 0;
  std::uint32_t b = 7;  // value-initialised values keep their defaults
  bool operator==(const Value&) const = default;
};

void require_same(const CompactVector<Value>& v, const std::vector<Value>& ref) {
  REQUIRE(v.size() == ref.size());
  REQUIRE(v.empty() == ref.empty());
  for (std::size_t i = 0; i < ref.size(); ++i) REQUIRE(v[i] == ref[i]);
}
}  // namespace

TEST_CASE("CompactVector: 8 bytes, nothing allocated while empty", "[replication]") {
  STATIC_REQUIRE(sizeof(CompactVector<Value>) == 8);
  CompactVector<Value> v;
  REQUIRE(v.data() == nullptr);
  REQUIRE(v.capacity() == 0);
  v.push_back(Value{1, 2});
  REQUIRE(v.capacity() >= 1);
  v.clear();
  REQUIRE(v.empty());
  v.shrink_to_fit();
  REQUIRE(v.data() == nullptr);
}

TEST_CASE("CompactVector: agrees with std::vector under a random mix of operations", "[replication]") {
  CompactVector<Value> v;
  std::vector<Value> ref;
  std::uint64_t x = 99;
  for (int step = 0; step < 20000; ++step) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const std::uint64_t r = x >> 24;
    const Value value{r, static_cast<std::uint32_t>(step)};
    switch (r % 9) {
      case 0:
      case 1:
        v.push_back(value);
        ref.push_back(value);
        break;
      case 2:
        v.emplace_back(value);
        ref.emplace_back(value);
        break;
      case 3: {
        const std::size_t at = ref.empty() ? 0 : (r >> 8) % (ref.size() + 1);
        v.insert(v.begin() + at, value);
        ref.insert(ref.begin() + static_cast<std::ptrdiff_t>(at), value);
        break;
      }
      case 4:
        if (!ref.empty()) {
          const std::size_t at = (r >> 8) % ref.size();
          const std::size_t n = std::min<std::size_t>(ref.size() - at, (r >> 16) % 4);
          v.erase(v.begin() + at, v.begin() + at + n);
          ref.erase(ref.begin() + static_cast<std::ptrdiff_t>(at), ref.begin() + static_cast<std::ptrdiff_t>(at + n));
        }
        break;
      case 5: {
        const std::size_t n = (r >> 8) % 40;
        v.resize(n);
        ref.resize(n);
        break;
      }
      case 6:
        erase_if(v, [&](const Value& e) { return e.a % 5 == r % 5; });
        std::erase_if(ref, [&](const Value& e) { return e.a % 5 == r % 5; });
        break;
      case 7: {
        CompactVector<Value> copy = v;  // deep copy, then moves
        CompactVector<Value> moved = std::move(copy);
        REQUIRE(moved == v);
        v = moved;
        break;
      }
      default:
        if (step % 50 == 0) {
          v.clear();
          ref.clear();
        } else if (!ref.empty()) {
          v.push_back(v.front());  // a value from inside the vector, while it grows
          ref.push_back(ref.front());
        }
    }
    require_same(v, ref);
  }
}
