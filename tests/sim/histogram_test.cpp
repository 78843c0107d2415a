// Tests of sim/histogram.h: exact small values, bounded relative error, exact percentiles.
#include "sim/histogram.h"
#include "sim/rng.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using sim::LogLinearHistogram;

TEST_CASE("LogLinearHistogram: values below 128 are exact", "[histogram]") {
  for (std::uint64_t v = 0; v < 128; ++v) {
    CHECK(LogLinearHistogram::bucket_low(LogLinearHistogram::bucket_of(v)) == v);
    CHECK(LogLinearHistogram::bucket_high(LogLinearHistogram::bucket_of(v)) == v);
  }
}

TEST_CASE("LogLinearHistogram: every value lies in its bucket, buckets are under 1% wide", "[histogram]") {
  sim::Rng rng(4);
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t v = rng.next_u64() >> rng.below(64);
    const std::size_t b = LogLinearHistogram::bucket_of(v);
    REQUIRE(LogLinearHistogram::bucket_low(b) <= v);
    REQUIRE(v <= LogLinearHistogram::bucket_high(b));
    if (v >= 128)
      REQUIRE(static_cast<double>(LogLinearHistogram::bucket_high(b) - LogLinearHistogram::bucket_low(b)) <=
              static_cast<double>(v) / 128.0);
  }
  // Buckets are contiguous.
  for (std::size_t b = 1; b < 4000; ++b)
    REQUIRE(LogLinearHistogram::bucket_low(b) == LogLinearHistogram::bucket_high(b - 1) + 1);
}

TEST_CASE("LogLinearHistogram: percentiles agree with a sorted list within a bucket", "[histogram]") {
  sim::Rng rng(9);
  LogLinearHistogram h;
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<std::uint64_t>(rng.lognormal(3e6, 0.8));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (std::uint64_t per_million : {500'000u, 900'000u, 990'000u, 999'000u, 1'000'000u}) {
    const std::uint64_t exact = values[(values.size() * per_million + 999'999) / 1'000'000 - 1];
    const std::uint64_t estimate = h.percentile(per_million);
    CHECK(estimate >= exact);
    CHECK(static_cast<double>(estimate) <= static_cast<double>(exact) * (1.0 + 1.0 / 128.0) + 1.0);
  }
  CHECK(h.percentile(1'000'000) == values.back());
  CHECK(h.max() == values.back());
  CHECK(h.min() == values.front());
}

TEST_CASE("LogLinearHistogram: merging equals recording everything in one", "[histogram]") {
  LogLinearHistogram a, b, both;
  for (std::uint64_t v = 1; v < 100000; v += 37) {
    (v % 2 ? a : b).record(v);
    both.record(v);
  }
  a.merge(b);
  CHECK(a.count() == both.count());
  CHECK(a.sum() == both.sum());
  CHECK(a.percentile(990'000) == both.percentile(990'000));
  CHECK(a.min() == both.min());
}

TEST_CASE("SparseLogLinearHistogram: the dense histogram's percentiles, holding only the buckets hit", "[histogram]") {
  LogLinearHistogram dense;
  sim::SparseLogLinearHistogram sparse;
  std::uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 20'000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // Latencies of about 1 to 40 ms, and a few values below 128 (the exact buckets).
    const std::uint64_t value = i % 97 == 0 ? x % 128 : 1'000'000 + x % 39'000'000;
    dense.record(value);
    sparse.record(value);
  }
  CHECK(sparse.count() == dense.count());
  for (std::uint64_t q : {0u, 1u, 500'000u, 900'000u, 990'000u, 999'000u, 1'000'000u}) {
    INFO(q);
    CHECK(sparse.percentile(q) == dense.percentile(q));
  }
}
