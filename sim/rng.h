// Deterministic random streams for the simulator: one root seed, streams forked by name, and
// our own distributions. Each actor owns its Rng; the kernel owns the root and forks from it.
#pragma once

#include <cstdint>
#include <string_view>

namespace sim {

// FNV-1a, 64-bit: turns a stream name into the number that selects its stream.
std::uint64_t fnv1a64(std::string_view text);

// Advances state by the golden-ratio increment and returns a well-mixed 64-bit output.
// Seeds the engine and derives child identities; any 64-bit state is fine.
std::uint64_t splitmix64(std::uint64_t& state);
// splitmix64's finaliser alone: a stateless 64-bit mix, for checksums and hashes the models compute.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// xoshiro256** with its 256-bit state expanded from the identity by splitmix64.
//
// Why our own engine and distributions: std:: distributions differ between standard libraries,
// and libm's log/exp differ between CPUs in the last bit; here every draw is integer arithmetic
// or IEEE double arithmetic through sim::detmath, so a seed replays bit for bit anywhere.
//
// An Rng is a value; copying it copies its position in the stream. Not thread-safe; each
// simulation owns its streams.
class Rng {
 public:
  // The identity of the stream is the seed itself, so Rng(r.identity()) restarts stream r.
  explicit Rng(std::uint64_t seed);

  // A child stream derived only from this stream's identity and the name, never from its
  // current position: forking order and draws made before forking never matter, and adding a
  // stream never changes another stream's draws. Forking is not commutative: the child of
  // "a" then "b" differs from the child of "b" then "a".
  Rng fork(std::string_view name) const;

  std::uint64_t identity() const;

  // Inline: every draw of every actor goes through here.
  std::uint64_t next_u64() {
    const std::uint64_t result = rotate_left(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotate_left(s_[3], 45);
    return result;
  }

  // Uniform on [0, 1) on the grid of 2^-53: every value is k * 2^-53 for an integer k.
  double uniform01() {
    // The top 53 bits are xoshiro256**'s strongest; the product is exact.
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  }

  // Uniform on [0, n), exactly (Lemire's multiply with rejection).
  // REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n);

  // Uniform on [lo, hi], both inclusive, exactly; the full int64 range is allowed.
  // REQUIRES: lo <= hi.
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);

  // lo + (hi - lo) * uniform01(): [lo, hi), though rounding may give hi itself.
  // REQUIRES: lo <= hi, both finite.
  double uniform(double lo, double hi);

  // True with probability numerator / denominator, exactly.
  // REQUIRES: denominator > 0, numerator <= denominator.
  bool chance(std::uint64_t numerator, std::uint64_t denominator);

  // uniform01() < probability.
  // REQUIRES: 0 <= probability <= 1.
  bool bernoulli(double probability);

  // Exponential with the given mean, by inversion: -mean * log(1 - u). Never negative.
  // REQUIRES: mean >= 0, finite.
  double exponential(double mean);

  // Normal by Marsaglia and Tsang's ziggurat (256 layers, tools/gen/normal_table.py): one
  // 64-bit draw and a comparison for 99% of values, no logarithm or square root. An Rng holds no
  // hidden spare, so a copy or a replay draws the same values.
  // REQUIRES: stddev >= 0, both finite.
  double normal(double mean, double stddev);

  // median * exp(sigma * N(0, 1)): sigma is the standard deviation of the logarithm.
  // REQUIRES: median > 0, sigma >= 0, both finite.
  double lognormal(double median, double sigma);

 private:
  double standard_normal();
  static constexpr std::uint64_t rotate_left(std::uint64_t x, int bits) {
    return (x << bits) | (x >> (64 - bits));
  }
  std::uint64_t s_[4];
  std::uint64_t identity_;
};

// Zipf over ranks [0, n) with exponent s >= 0 (s == 0 is uniform); rank 0 is the most popular:
// P(rank r) is proportional to 1 / (r + 1)^s. Rejection-inversion (Hörmann and Derflinger
// 1996, as in Apache Commons RNG): O(1) per draw whatever n, with few rejections.
// Immutable after construction, so one Zipf may serve many streams.
class Zipf {
 public:
  // REQUIRES: 1 <= n <= 2^48 (tested up to 2^40), exponent >= 0 and finite.
  Zipf(std::uint64_t n, double exponent);

  std::uint64_t sample(Rng& rng) const;

  std::uint64_t n() const;
  double exponent() const;

 private:
  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;

  std::uint64_t n_;
  double exponent_;
  double h_integral_x1_;
  double h_integral_n_;
  double shortcut_threshold_;
};

}  // namespace sim
