// Tests for sim/rng: the engine against the published reference algorithms, stream forking by
// name, exactness of the integer draws, and the moments of every distribution.
#include "sim/rng.h"

#include <algorithm>
#include <array>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

namespace {

using sim::Rng;
using sim::Zipf;

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// Blackman and Vigna's reference xoshiro256** and splitmix64, transcribed independently of
// sim/rng.cpp so the class is checked against the algorithm, not against itself.
class ReferenceXoshiro {
 public:
  explicit ReferenceXoshiro(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (std::uint64_t& word : s_) {
      std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }
  std::uint64_t next() {
    const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }

 private:
  std::array<std::uint64_t, 4> s_{};
};

constexpr int draw_count = 200'000;

// Pearson's statistic for observed counts against expected probabilities.
double chi_square(const std::vector<std::uint64_t>& counts, const std::vector<double>& expected,
                  int draws) {
  double statistic = 0.0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double mean = expected[i] * draws;
    const double difference = static_cast<double>(counts[i]) - mean;
    statistic += difference * difference / mean;
  }
  return statistic;
}

std::vector<double> zipf_pmf(std::uint64_t n, double exponent) {
  std::vector<double> pmf(n);
  double total = 0.0;
  for (std::uint64_t rank = 0; rank < n; ++rank) {
    pmf[rank] = 1.0 / std::pow(static_cast<double>(rank + 1), exponent);
    total += pmf[rank];
  }
  for (double& p : pmf) p /= total;
  return pmf;
}

}  // namespace

TEST_CASE("splitmix64: matches the published test vector for seed 1234567", "[rng]") {
  std::uint64_t state = 1234567;
  CHECK(sim::splitmix64(state) == 6457827717110365317ULL);
  CHECK(sim::splitmix64(state) == 3203168211198807973ULL);
  CHECK(sim::splitmix64(state) == 9817491932198370423ULL);
  CHECK(sim::splitmix64(state) == 4593380528125082431ULL);
  CHECK(sim::splitmix64(state) == 16408922859458223821ULL);
}

TEST_CASE("fnv1a64: matches the published test vectors", "[rng]") {
  CHECK(sim::fnv1a64("") == 0xcbf29ce484222325ULL);
  CHECK(sim::fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(sim::fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("Rng: seed 1 gives the golden first outputs of xoshiro256** seeded by splitmix64",
          "[rng]") {
  // Computed with an independent transcription of the reference C code, which reproduces the
  // published vectors (splitmix64 from 1234567; xoshiro256** from state {1, 2, 3, 4}).
  Rng rng(1);
  CHECK(rng.identity() == 1);
  CHECK(rng.next_u64() == 0xb3f2af6d0fc710c5ULL);
  CHECK(rng.next_u64() == 0x853b559647364ceaULL);
  CHECK(rng.next_u64() == 0x92f89756082a4514ULL);
  CHECK(rng.next_u64() == 0x642e1c7bc266a3a7ULL);
  CHECK(rng.next_u64() == 0xb27a48e29a233673ULL);
  CHECK(rng.next_u64() == 0x24c123126ffda722ULL);
}

TEST_CASE("Rng: the engine matches the reference algorithm for many seeds and draws", "[rng]") {
  for (const std::uint64_t seed : {0ULL, 1ULL, 42ULL, 0x123456789abcdefULL, ~0ULL}) {
    INFO("seed " << seed);
    Rng rng(seed);
    ReferenceXoshiro reference(seed);
    bool all_equal = true;
    for (int i = 0; i < 10'000; ++i) all_equal = all_equal && rng.next_u64() == reference.next();
    CHECK(all_equal);
  }
}

TEST_CASE("Rng: identical seeds give identical sequences across every distribution", "[rng]") {
  Rng first(123);
  Rng second(123);
  const Zipf zipf(1000, 0.99);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(first.next_u64() == second.next_u64());
    REQUIRE(bits(first.uniform01()) == bits(second.uniform01()));
    REQUIRE(first.below(1'000'003) == second.below(1'000'003));
    REQUIRE(first.uniform_int(-5, 5) == second.uniform_int(-5, 5));
    REQUIRE(bits(first.uniform(2.0, 3.0)) == bits(second.uniform(2.0, 3.0)));
    REQUIRE(first.chance(1, 3) == second.chance(1, 3));
    REQUIRE(first.bernoulli(0.25) == second.bernoulli(0.25));
    REQUIRE(bits(first.exponential(5.0)) == bits(second.exponential(5.0)));
    REQUIRE(bits(first.normal(1.0, 2.0)) == bits(second.normal(1.0, 2.0)));
    REQUIRE(bits(first.lognormal(3.0, 0.7)) == bits(second.lognormal(3.0, 0.7)));
    REQUIRE(zipf.sample(first) == zipf.sample(second));
  }
}

TEST_CASE("Rng: distributions give the golden values for seed 42", "[rng]") {
  // Bit patterns recorded from g++ -O2 and checked equal under clang++ -O0 (the normal's since the
  // ziggurat); exponential, normal and lognormal go through sim::detmath, so libm or FMA drift
  // shows up here.
  Rng rng(42);
  CHECK(bits(rng.uniform01()) == 0x3fb5780b2e0c2ec0ULL);
  CHECK(bits(rng.uniform01()) == 0x3fd84136619b444eULL);
  CHECK(bits(rng.uniform01()) == 0x3fe5c2ea66473c93ULL);
  CHECK(bits(rng.exponential(2.0)) == 0x4014b07fe7e3ae0eULL);
  CHECK(bits(rng.exponential(2.0)) == 0x402337659eedecdaULL);
  CHECK(bits(rng.exponential(2.0)) == 0x40077f27d0c86ba3ULL);
  CHECK(bits(rng.normal(10.0, 3.0)) == 0x401fef0d5b3d3f0aULL);
  CHECK(bits(rng.normal(10.0, 3.0)) == 0x402152513987abdaULL);
  CHECK(bits(rng.normal(10.0, 3.0)) == 0x401f2118b13bc177ULL);
  CHECK(bits(rng.lognormal(5.0, 0.5)) == 0x4000ff382bd75bc8ULL);
  CHECK(bits(rng.lognormal(5.0, 0.5)) == 0x4007c5da68d17a62ULL);
  CHECK(bits(rng.lognormal(5.0, 0.5)) == 0x4020820f1756000bULL);
  const Zipf zipf(1'000'000, 0.99);
  CHECK(zipf.sample(rng) == 10);
  CHECK(zipf.sample(rng) == 12162);
  CHECK(zipf.sample(rng) == 43);
  CHECK(zipf.sample(rng) == 3);
  CHECK(zipf.sample(rng) == 176);
  CHECK(rng.below(1000) == 851);
  CHECK(rng.below(1000) == 707);
  CHECK(rng.below(1000) == 707);
}

TEST_CASE("Rng: forking by name ignores draws made before the fork", "[rng]") {
  const Rng untouched(7);
  Rng drawn(7);
  for (int i = 0; i < 17; ++i) drawn.next_u64();
  Rng from_untouched = untouched.fork("router/3");
  Rng from_drawn = drawn.fork("router/3");
  CHECK(from_untouched.identity() == from_drawn.identity());
  for (int i = 0; i < 100; ++i) REQUIRE(from_untouched.next_u64() == from_drawn.next_u64());
}

TEST_CASE("Rng: forking another stream first does not change a stream's draws", "[rng]") {
  const Rng root(7);
  Rng alone = root.fork("a");
  const Rng other = root.fork("b");
  Rng after_other = root.fork("a");
  CHECK(other.identity() != after_other.identity());
  for (int i = 0; i < 100; ++i) REQUIRE(alone.next_u64() == after_other.next_u64());
}

TEST_CASE("Rng: different names give different streams", "[rng]") {
  const Rng root(7);
  const std::vector<std::string_view> names = {"a", "b", "ab", "ba", "az1/node1", "az1/node2",
                                               "az2/node1", ""};
  std::vector<std::uint64_t> first_draws;
  for (const std::string_view name : names) {
    Rng child = root.fork(name);
    first_draws.push_back(child.next_u64());
  }
  Rng root_copy = root;
  first_draws.push_back(root_copy.next_u64());
  std::sort(first_draws.begin(), first_draws.end());
  CHECK(std::adjacent_find(first_draws.begin(), first_draws.end()) == first_draws.end());
  // Different parents with the same name differ too.
  CHECK(Rng(1).fork("a").identity() != Rng(2).fork("a").identity());
}

TEST_CASE("Rng: forking twice depends on the order of the names", "[rng]") {
  const Rng root(7);
  CHECK(root.fork("a").fork("b").identity() != root.fork("b").fork("a").identity());
  CHECK(root.fork("a").fork("a").identity() != root.fork("a").identity());
}

TEST_CASE("Rng: the child identity is the golden mix of parent identity and name", "[rng]") {
  // splitmix64(splitmix64(1) ^ fnv1a64("a")), from the Python transcription of the rule.
  CHECK(Rng(1).fork("a").identity() == 0x1e294378b45c3f93ULL);
  std::uint64_t state = 1;
  state = sim::splitmix64(state) ^ sim::fnv1a64("a");
  CHECK(Rng(1).fork("a").identity() == sim::splitmix64(state));
}

TEST_CASE("Rng: a stream rebuilt from its identity replays it from the start", "[rng]") {
  Rng child = Rng(99).fork("client/12");
  Rng rebuilt(child.identity());
  for (int i = 0; i < 100; ++i) REQUIRE(child.next_u64() == rebuilt.next_u64());
}

TEST_CASE("Rng: a copy continues from the same position", "[rng]") {
  Rng original(5);
  original.next_u64();
  Rng copy = original;
  for (int i = 0; i < 10; ++i) REQUIRE(original.next_u64() == copy.next_u64());
}

TEST_CASE("Rng: uniform01 lies in the half-open unit interval on the 2^-53 grid", "[rng]") {
  Rng rng(11);
  double sum = 0.0;
  bool all_on_grid = true;
  bool all_in_range = true;
  for (int i = 0; i < draw_count; ++i) {
    const double u = rng.uniform01();
    sum += u;
    all_in_range = all_in_range && u >= 0.0 && u < 1.0;
    const double scaled = u * 0x1.0p53;
    all_on_grid = all_on_grid && scaled == std::floor(scaled);
  }
  CHECK(all_in_range);
  CHECK(all_on_grid);
  CHECK(sum / draw_count == Approx(0.5).margin(0.003));
}

TEST_CASE("Rng: below stays in range and is roughly uniform", "[rng]") {
  Rng rng(12);
  SECTION("n = 1 always gives 0") {
    for (int i = 0; i < 100; ++i) REQUIRE(rng.below(1) == 0);
  }
  SECTION("ten buckets pass a chi-square test") {
    std::vector<std::uint64_t> counts(10, 0);
    for (int i = 0; i < draw_count; ++i) {
      const std::uint64_t value = rng.below(10);
      REQUIRE(value < 10);
      ++counts[value];
    }
    // 9 degrees of freedom: 27.9 is the 0.1% critical value.
    CHECK(chi_square(counts, std::vector<double>(10, 0.1), draw_count) < 27.9);
  }
  SECTION("huge bounds, including the worst case for rejection, stay in range") {
    const std::uint64_t half_plus_one = (std::uint64_t{1} << 63) + 1;
    const std::uint64_t largest = ~std::uint64_t{0};
    std::uint64_t upper_half = 0;  // draws at or above half the bound, 2^62
    for (int i = 0; i < 10'000; ++i) {
      const std::uint64_t value = rng.below(half_plus_one);
      REQUIRE(value < half_plus_one);
      upper_half += value >= (std::uint64_t{1} << 62) ? 1 : 0;
      REQUIRE(rng.below(largest) < largest);
    }
    CHECK(upper_half == Approx(5000).margin(250));
  }
}

TEST_CASE("Rng: uniform_int covers both ends and nothing outside", "[rng]") {
  Rng rng(13);
  std::vector<std::uint64_t> counts(5, 0);
  for (int i = 0; i < 10'000; ++i) {
    const std::int64_t value = rng.uniform_int(-2, 2);
    REQUIRE(value >= -2);
    REQUIRE(value <= 2);
    ++counts[static_cast<std::size_t>(value + 2)];
  }
  for (const std::uint64_t count : counts) CHECK(count == Approx(2000).margin(200));
  CHECK(rng.uniform_int(7, 7) == 7);
  const std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  const std::int64_t highest = std::numeric_limits<std::int64_t>::max();
  bool saw_negative = false;
  bool saw_positive = false;
  for (int i = 0; i < 100; ++i) {
    const std::int64_t value = rng.uniform_int(lowest, highest);
    saw_negative = saw_negative || value < 0;
    saw_positive = saw_positive || value > 0;
    REQUIRE(rng.uniform_int(highest - 1, highest) >= highest - 1);
    REQUIRE(rng.uniform_int(lowest, lowest + 1) <= lowest + 1);
  }
  CHECK(saw_negative);
  CHECK(saw_positive);
}

TEST_CASE("Rng: uniform stays within its bounds with the right mean", "[rng]") {
  Rng rng(14);
  double sum = 0.0;
  for (int i = 0; i < draw_count; ++i) {
    const double value = rng.uniform(-3.0, 5.0);
    REQUIRE(value >= -3.0);
    REQUIRE(value <= 5.0);
    sum += value;
  }
  CHECK(sum / draw_count == Approx(1.0).margin(0.03));
  CHECK(rng.uniform(2.5, 2.5) == 2.5);
}

TEST_CASE("Rng: chance and bernoulli hit their probabilities", "[rng]") {
  Rng rng(15);
  int chance_hits = 0;
  int bernoulli_hits = 0;
  for (int i = 0; i < draw_count; ++i) {
    chance_hits += rng.chance(1, 3) ? 1 : 0;
    bernoulli_hits += rng.bernoulli(0.3) ? 1 : 0;
  }
  // Standard errors are about 0.001; allow five.
  CHECK(static_cast<double>(chance_hits) / draw_count == Approx(1.0 / 3.0).margin(0.005));
  CHECK(static_cast<double>(bernoulli_hits) / draw_count == Approx(0.3).margin(0.005));
  for (int i = 0; i < 1000; ++i) {
    REQUIRE_FALSE(rng.chance(0, 7));
    REQUIRE(rng.chance(7, 7));
    REQUIRE_FALSE(rng.bernoulli(0.0));
    REQUIRE(rng.bernoulli(1.0));
  }
}

TEST_CASE("Rng: exponential has the requested mean and variance and is never negative",
          "[rng]") {
  Rng rng(16);
  const double mean = 3.0;
  double sum = 0.0;
  double sum_of_squares = 0.0;
  for (int i = 0; i < draw_count; ++i) {
    const double value = rng.exponential(mean);
    REQUIRE(value >= 0.0);
    REQUIRE_FALSE(std::signbit(value));
    sum += value;
    sum_of_squares += value * value;
  }
  const double sample_mean = sum / draw_count;
  const double sample_variance = sum_of_squares / draw_count - sample_mean * sample_mean;
  CHECK(sample_mean == Approx(mean).epsilon(0.01));
  CHECK(sample_variance == Approx(mean * mean).epsilon(0.03));
  CHECK(rng.exponential(0.0) == 0.0);
}

TEST_CASE("Rng: normal has the requested mean and standard deviation", "[rng]") {
  Rng rng(17);
  double sum = 0.0;
  double sum_of_squares = 0.0;
  int within_one_stddev = 0;
  for (int i = 0; i < draw_count; ++i) {
    const double value = rng.normal(10.0, 3.0);
    sum += value;
    sum_of_squares += value * value;
    within_one_stddev += std::abs(value - 10.0) < 3.0 ? 1 : 0;
  }
  const double sample_mean = sum / draw_count;
  const double sample_stddev = std::sqrt(sum_of_squares / draw_count - sample_mean * sample_mean);
  CHECK(sample_mean == Approx(10.0).margin(0.03));
  CHECK(sample_stddev == Approx(3.0).epsilon(0.01));
  CHECK(static_cast<double>(within_one_stddev) / draw_count == Approx(0.6827).margin(0.005));
  CHECK(rng.normal(4.0, 0.0) == 4.0);
}

TEST_CASE("Rng: normal follows the standard normal's distribution, layers, wedges and tails", "[rng]") {
  // Kolmogorov-Smirnov against the normal CDF over a million draws: a wrong layer, wedge or tail
  // of the ziggurat moves the empirical CDF by more than 1.95 / sqrt(n) (the 0.1% critical value).
  Rng rng(23);
  constexpr int n = 1'000'000;
  std::vector<double> values;
  values.reserve(n);
  for (int i = 0; i < n; ++i) values.push_back(rng.normal(0.0, 1.0));
  std::sort(values.begin(), values.end());
  double worst = 0.0;
  for (int i = 0; i < n; ++i) {
    const double cdf = 0.5 * std::erfc(-values[i] / std::sqrt(2.0));
    worst = std::max({worst, std::abs(cdf - static_cast<double>(i) / n), std::abs(cdf - static_cast<double>(i + 1) / n)});
  }
  CHECK(worst < 1.95 / std::sqrt(static_cast<double>(n)));
  // The tails beyond r = 3.654 (the base layer's, drawn apart): 2.58e-4 of all draws on both
  // sides together, on either side alike, and E[Z | Z > r] = 3.912 beyond it.
  constexpr double r = 3.654152885361009;
  const double tail = 0.5 * std::erfc(r / std::sqrt(2.0));
  int above = 0, below = 0;
  double sum_above = 0.0;
  for (const double v : values) {
    if (v > r) ++above, sum_above += v;
    if (v < -r) ++below;
  }
  CHECK(above == Approx(tail * n).epsilon(0.25));
  CHECK(below == Approx(tail * n).epsilon(0.25));
  const double expected_beyond = std::exp(-r * r / 2) / std::sqrt(2 * M_PI) / tail;
  CHECK(sum_above / above == Approx(expected_beyond).margin(0.03));
  CHECK(values.front() < -r);
  CHECK(values.back() > r);
}

TEST_CASE("Rng: lognormal has the requested median and log standard deviation", "[rng]") {
  Rng rng(18);
  std::vector<double> values;
  values.reserve(draw_count);
  double sum_of_logs = 0.0;
  double sum_of_squared_logs = 0.0;
  for (int i = 0; i < draw_count; ++i) {
    const double value = rng.lognormal(5.0, 0.5);
    REQUIRE(value > 0.0);
    values.push_back(value);
    sum_of_logs += std::log(value);
    sum_of_squared_logs += std::log(value) * std::log(value);
  }
  std::nth_element(values.begin(), values.begin() + draw_count / 2, values.end());
  CHECK(values[draw_count / 2] == Approx(5.0).epsilon(0.01));
  const double log_mean = sum_of_logs / draw_count;
  CHECK(log_mean == Approx(std::log(5.0)).margin(0.005));
  CHECK(std::sqrt(sum_of_squared_logs / draw_count - log_mean * log_mean) ==
        Approx(0.5).epsilon(0.01));
}

TEST_CASE("Zipf: exponent 0 is uniform over the ranks", "[rng]") {
  Rng rng(19);
  const Zipf zipf(20, 0.0);
  CHECK(zipf.n() == 20);
  CHECK(zipf.exponent() == 0.0);
  std::vector<std::uint64_t> counts(20, 0);
  for (int i = 0; i < draw_count; ++i) {
    const std::uint64_t rank = zipf.sample(rng);
    REQUIRE(rank < 20);
    ++counts[rank];
  }
  // 19 degrees of freedom: 43.8 is the 0.1% critical value.
  CHECK(chi_square(counts, std::vector<double>(20, 1.0 / 20), draw_count) < 43.8);
}

TEST_CASE("Zipf: exponent 1 makes rank 0 twice as frequent as rank 1", "[rng]") {
  Rng rng(20);
  const Zipf zipf(1000, 1.0);
  std::uint64_t rank0 = 0;
  std::uint64_t rank1 = 0;
  for (int i = 0; i < draw_count; ++i) {
    const std::uint64_t rank = zipf.sample(rng);
    REQUIRE(rank < 1000);
    rank0 += rank == 0 ? 1 : 0;
    rank1 += rank == 1 ? 1 : 0;
  }
  // About 26,700 and 13,400 draws: the ratio's standard error is about 0.02.
  CHECK(static_cast<double>(rank0) / static_cast<double>(rank1) == Approx(2.0).margin(0.08));
}

TEST_CASE("Zipf: frequencies match the analytic pmf for small n", "[rng]") {
  for (const double exponent : {0.5, 0.99, 1.0, 1.5, 3.0}) {
    INFO("exponent " << exponent);
    Rng rng(21);
    const std::uint64_t n = 12;
    const Zipf zipf(n, exponent);
    std::vector<std::uint64_t> counts(n, 0);
    for (int i = 0; i < draw_count; ++i) {
      const std::uint64_t rank = zipf.sample(rng);
      REQUIRE(rank < n);
      ++counts[rank];
    }
    const std::vector<double> pmf = zipf_pmf(n, exponent);
    for (std::uint64_t rank = 0; rank < n; ++rank) {
      INFO("rank " << rank);
      const double expected = pmf[rank] * draw_count;
      const double standard_error = std::sqrt(expected * (1.0 - pmf[rank]));
      CHECK(std::abs(static_cast<double>(counts[rank]) - expected) < 5.0 * standard_error + 1.0);
    }
    // 11 degrees of freedom: 31.3 is the 0.1% critical value. Tiny expected counts (exponent
    // 3 puts under 0.1% on the last ranks) are still above 100, so the statistic is sound.
    CHECK(chi_square(counts, pmf, draw_count) < 31.3);
  }
}

TEST_CASE("Zipf: samples stay in range for n up to 2^40 and a single rank", "[rng]") {
  Rng rng(22);
  const std::uint64_t n = std::uint64_t{1} << 40;
  for (const double exponent : {0.0, 0.5, 0.99, 1.0, 1.1, 2.0}) {
    INFO("exponent " << exponent);
    const Zipf zipf(n, exponent);
    std::uint64_t rank0 = 0;
    std::uint64_t rank1 = 0;
    for (int i = 0; i < draw_count; ++i) {
      const std::uint64_t rank = zipf.sample(rng);
      REQUIRE(rank < n);
      rank0 += rank == 0 ? 1 : 0;
      rank1 += rank == 1 ? 1 : 0;
    }
    if (exponent >= 1.0) {
      // With a steep tail the head is heavy enough to measure the ratio 2^s; allow four
      // standard errors of a ratio of two counts.
      const double ratio = std::pow(2.0, exponent);
      const double standard_error =
          ratio * std::sqrt(1.0 / static_cast<double>(rank0) + 1.0 / static_cast<double>(rank1));
      CHECK(static_cast<double>(rank0) / static_cast<double>(rank1) ==
            Approx(ratio).margin(4.0 * standard_error));
    }
  }
  const Zipf single(1, 1.2);
  for (int i = 0; i < 100; ++i) REQUIRE(single.sample(rng) == 0);
}
