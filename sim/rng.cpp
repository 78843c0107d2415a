// xoshiro256** (Blackman and Vigna, public domain reference code), splitmix64 seeding, FNV-1a
// stream names, and distributions built only on integer and IEEE double arithmetic.

#include "sim/rng.h"

#include "sim/rng_normal_table.h"
#include "sim/uint128.h"

#include <cmath>
#include <limits>

#include "sim/assert.h"
#include "sim/detmath.h"

namespace sim {
namespace {

// Rejection loops end with overwhelming probability within a few rounds; reaching this many
// means the engine is broken (for instance stuck at one value), which is a bug.
constexpr int rejection_rounds_max = 1000;

}  // namespace

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char character : text) {
    hash ^= static_cast<unsigned char>(character);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t splitmix64(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Rng::Rng(std::uint64_t seed) : identity_(seed) {
  std::uint64_t state = seed;
  for (std::uint64_t& word : s_) word = splitmix64(state);
  // splitmix64's output function is a bijection of distinct states, so the four words are
  // distinct and never all zero (the one state xoshiro cannot leave).
  SIM_ASSERT((s_[0] | s_[1] | s_[2] | s_[3]) != 0);
}

Rng Rng::fork(std::string_view name) const {
  // The parent identity goes through splitmix64 before the name is mixed in, so fork("a")
  // then fork("b") differs from fork("b") then fork("a"), and a name cannot cancel a parent.
  std::uint64_t state = identity_;
  state = splitmix64(state) ^ fnv1a64(name);
  return Rng(splitmix64(state));
}

std::uint64_t Rng::identity() const { return identity_; }


std::uint64_t Rng::below(std::uint64_t n) {
  SIM_ASSERT_OP(n, >, 0U);
  uint128 product = static_cast<uint128>(next_u64()) * n;
  auto low = static_cast<std::uint64_t>(product);
  if (low < n) {
    // 2^64 mod n: draws whose low half falls below it would make some results more likely.
    const std::uint64_t threshold = (0 - n) % n;
    int rounds = 0;
    while (low < threshold) {
      ++rounds;
      SIM_ASSERT_OP(rounds, <, rejection_rounds_max);
      product = static_cast<uint128>(next_u64()) * n;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

std::int64_t Rng::uniform_int(std::int64_t lo, std::int64_t hi) {
  SIM_ASSERT_OP(lo, <=, hi);
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == std::numeric_limits<std::uint64_t>::max()) {
    return static_cast<std::int64_t>(next_u64());
  }
  // Unsigned arithmetic wraps instead of overflowing; the sum lands back in [lo, hi].
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + below(span + 1));
}

double Rng::uniform(double lo, double hi) {
  SIM_ASSERT(std::isfinite(lo));
  SIM_ASSERT(std::isfinite(hi));
  SIM_ASSERT_OP(lo, <=, hi);
  return lo + (hi - lo) * uniform01();
}

bool Rng::chance(std::uint64_t numerator, std::uint64_t denominator) {
  SIM_ASSERT_OP(denominator, >, 0U);
  SIM_ASSERT_OP(numerator, <=, denominator);
  // Always one below() call, even for 0 and 1, so the stream advances the same way whatever
  // the probability.
  return below(denominator) < numerator;
}

bool Rng::bernoulli(double probability) {
  SIM_ASSERT_OP(probability, >=, 0.0);
  SIM_ASSERT_OP(probability, <=, 1.0);
  return uniform01() < probability;
}

double Rng::exponential(double mean) {
  SIM_ASSERT(std::isfinite(mean));
  SIM_ASSERT_OP(mean, >=, 0.0);
  // 1 - u is exact on the 2^-53 grid and lies in (0, 1], so the logarithm is finite and <= 0;
  // subtracting from +0.0 turns log(1) = 0 into +0.0 rather than -0.0.
  const double u = uniform01();
  return mean * (0.0 - detmath::log(1.0 - u));
}

double Rng::normal(double mean, double stddev) {
  SIM_ASSERT(std::isfinite(mean));
  SIM_ASSERT(std::isfinite(stddev));
  SIM_ASSERT_OP(stddev, >=, 0.0);
  return mean + stddev * standard_normal();
}

double Rng::standard_normal() {
  using detail::kNormalF;
  using detail::kNormalTailStart;
  using detail::kNormalX;
  for (int round = 0; round < rejection_rounds_max; ++round) {
    // One draw gives the layer (its low 8 bits) and a uniform on [-1, 1) (its top 53, signed).
    const std::uint64_t bits = next_u64();
    const std::size_t layer = bits & 0xff;
    const double u = static_cast<double>(static_cast<std::int64_t>(bits) >> 11) * 0x1.0p-52;
    const double x = u * kNormalX[layer];
    // Inside the layer's box below the curve everywhere (99% of draws): taken.
    if (std::fabs(x) < kNormalX[layer + 1]) return x;
    if (layer == 0) {
      // The base layer beyond r: the tail, by Marsaglia's method (two logarithms of uniforms on
      // (0, 1], accepted when -2 log u2 >= x^2).
      for (int tail = 0; tail < rejection_rounds_max; ++tail) {
        const double a = detmath::log(1.0 - uniform01()) / kNormalTailStart;
        const double b = detmath::log(1.0 - uniform01());
        if (-2.0 * b >= a * a) return u < 0.0 ? a - kNormalTailStart : kNormalTailStart - a;
      }
      break;
    }
    // In the wedge between the layer's box and the curve: taken under the curve.
    const double height = kNormalF[layer + 1] + (kNormalF[layer] - kNormalF[layer + 1]) * uniform01();
    if (height < detmath::exp(-0.5 * x * x)) return x;
  }
  SIM_ASSERT(false && "normal: the ziggurat rejected every round");
  return 0.0;
}

double Rng::lognormal(double median, double sigma) {
  SIM_ASSERT(std::isfinite(median));
  SIM_ASSERT(std::isfinite(sigma));
  SIM_ASSERT_OP(median, >, 0.0);
  SIM_ASSERT_OP(sigma, >=, 0.0);
  const double standard = normal(0.0, 1.0);
  return median * detmath::exp(sigma * standard);
}

namespace {

// log(1 + x) / x, with its Taylor series where the division would lose precision.
double log1p_over_x(double x) {
  if (x > 1e-8 || x < -1e-8) return detmath::log1p(x) / x;
  return 1.0 - x * (0.5 - x * (1.0 / 3.0 - x * 0.25));
}

// (e^x - 1) / x, likewise.
double expm1_over_x(double x) {
  if (x > 1e-8 || x < -1e-8) return detmath::expm1(x) / x;
  return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + x * 0.25));
}

}  // namespace

// h(x) = x^-s is the unnormalised mass of rank x - 1 (x counts from 1); H is an integral of h
// with H(x) = (x^(1-s) - 1) / (1-s), or log(x) when s = 1, written so both cases are smooth.
double Zipf::h(double x) const { return detmath::exp(-exponent_ * detmath::log(x)); }

double Zipf::h_integral(double x) const {
  const double log_x = detmath::log(x);
  return expm1_over_x((1.0 - exponent_) * log_x) * log_x;
}

double Zipf::h_integral_inverse(double x) const {
  double t = x * (1.0 - exponent_);
  // Rounding can push t just below -1, where log1p is undefined.
  if (t < -1.0) t = -1.0;
  return detmath::exp(log1p_over_x(t) * x);
}

Zipf::Zipf(std::uint64_t n, double exponent) : n_(n), exponent_(exponent) {
  SIM_ASSERT_OP(n, >=, 1U);
  SIM_ASSERT_OP(n, <=, std::uint64_t{1} << 48);
  SIM_ASSERT(std::isfinite(exponent));
  SIM_ASSERT_OP(exponent, >=, 0.0);
  h_integral_x1_ = h_integral(1.5) - 1.0;
  h_integral_n_ = h_integral(static_cast<double>(n) + 0.5);
  shortcut_threshold_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

std::uint64_t Zipf::sample(Rng& rng) const {
  if (exponent_ == 0.0) return rng.below(n_);  // exact, and cheaper than the general path
  const double n_real = static_cast<double>(n_);
  for (int round = 0; round < rejection_rounds_max; ++round) {
    // u is uniform on (H(1.5) - 1, H(n + 0.5)]; the inverse maps it back to a real rank.
    const double u = h_integral_n_ + rng.uniform01() * (h_integral_x1_ - h_integral_n_);
    const double x = h_integral_inverse(u);
    // Round to the nearest integer rank in [1, n]; clamping first keeps the conversion
    // defined when rounding error pushes x outside.
    const double nearest = x + 0.5;
    std::uint64_t k;
    if (!(nearest >= 1.0)) {
      k = 1;
    } else if (nearest >= n_real) {
      k = n_;
    } else {
      k = static_cast<std::uint64_t>(nearest);
    }
    const double k_real = static_cast<double>(k);
    // Accept when the shortcut proves it (Theorem 2 of the paper) or the exact test passes;
    // rank 1 always passes the exact test.
    if (k_real - x <= shortcut_threshold_ || u >= h_integral(k_real + 0.5) - h(k_real)) {
      return k - 1;
    }
  }
  SIM_ASSERT(false && "Zipf: rejection-inversion rejected every round");
  return 0;
}

std::uint64_t Zipf::n() const { return n_; }

double Zipf::exponent() const { return exponent_; }

}  // namespace sim
