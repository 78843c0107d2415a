// Ports of fdlibm's log, log1p, exp, expm1 and pow (e_log.c, s_log1p.c, e_exp.c, s_expm1.c,
// e_pow.c, in the form FreeBSD msun keeps them). The structure and names follow fdlibm so the
// two can be read side by side; the changes are C++ bit access, explicit special-value
// returns instead of raising floating-point exceptions, and exact power-of-two scaling.
//
// ====================================================
// Copyright (C) 1993, 2004 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunSoft, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================

#include "sim/detmath.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "sim/assert.h"
#include "sim/detmath_exp_table.h"
#include "sim/detmath_log_table.h"

namespace sim::detmath {
namespace {

// Constants are written as bit patterns, the form fdlibm calls "the intended ones", so no
// decimal-to-binary conversion stands between the source and the value.
constexpr double from_bits(std::uint64_t bits) { return std::bit_cast<double>(bits); }
constexpr std::uint64_t to_bits(double x) { return std::bit_cast<std::uint64_t>(x); }

constexpr double from_words(std::uint32_t high, std::uint32_t low) {
  return from_bits((static_cast<std::uint64_t>(high) << 32) | low);
}
constexpr std::int32_t high_word(double x) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(to_bits(x) >> 32));
}
constexpr std::uint32_t low_word(double x) { return static_cast<std::uint32_t>(to_bits(x)); }
constexpr double with_high_word(double x, std::int32_t high) {
  return from_words(static_cast<std::uint32_t>(high), low_word(x));
}
// Keeps the top 21 bits of the significand, so products with a short operand are exact.
constexpr double without_low_word(double x) {
  return from_bits(to_bits(x) & 0xffffffff00000000ULL);
}
constexpr bool is_nan(double x) {
  return (to_bits(x) & 0x7fffffffffffffffULL) > 0x7ff0000000000000ULL;
}

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

// 2^exponent for a normal result.
constexpr double power_of_two(int exponent) {
  return from_bits(static_cast<std::uint64_t>(1023 + exponent) << 52);
}

// y * 2^exponent with a single rounding, also when the result is subnormal or overflows;
// y is near 1 (it comes out of a polynomial on a reduced argument).
double scale(double y, int exponent) {
  SIM_ASSERT_OP(exponent, >=, -1100);
  SIM_ASSERT_OP(exponent, <=, 2046);
  if (exponent > 1023) return y * power_of_two(1023) * power_of_two(exponent - 1023);
  if (exponent >= -1022) return y * power_of_two(exponent);
  // The first product is exact and normal; only the second rounds.
  return y * power_of_two(exponent + 1000) * power_of_two(-1000);
}

constexpr double ln2_hi = from_bits(0x3fe62e42fee00000);  // 6.93147180369123816490e-01
constexpr double ln2_lo = from_bits(0x3dea39ef35793c76);  // 1.90821492927058770002e-10
constexpr double two54 = from_bits(0x4350000000000000);   // 1.80143985094819840000e+16
constexpr double inverse_ln2 = from_bits(0x3ff71547652b82fe);  // 1.44269504088896338700e+00

// Remez coefficients of log(1+f) = 2s + s*R(s^2), s = f/(2+f), shared by log and log1p.
constexpr double Lg1 = from_bits(0x3fe5555555555593);  // 6.666666666666735130e-01
constexpr double Lg2 = from_bits(0x3fd999999997fa04);  // 3.999999999940941908e-01
constexpr double Lg3 = from_bits(0x3fd2492494229359);  // 2.857142874366239149e-01
constexpr double Lg4 = from_bits(0x3fcc71c51d8e78af);  // 2.222219843214978396e-01
constexpr double Lg5 = from_bits(0x3fc7466496cb03de);  // 1.818357216161805012e-01
constexpr double Lg6 = from_bits(0x3fc39a09d078c69f);  // 1.531383769920937332e-01
constexpr double Lg7 = from_bits(0x3fc2f112df3e5244);  // 1.479819860511658591e-01

// Remez coefficients of r*(exp(r)+1)/(exp(r)-1) on |r| <= 0.5*ln2, shared by exp and pow.
constexpr double P1 = from_bits(0x3fc555555555553e);  //  1.66666666666666019037e-01
constexpr double P2 = from_bits(0xbf66c16c16bebd93);  // -2.77777777770155933842e-03
constexpr double P3 = from_bits(0x3f11566aaf25de2c);  //  6.61375632143793436117e-05
constexpr double P4 = from_bits(0xbebbbd41c5d26bf1);  // -1.65339022054652515390e-06
constexpr double P5 = from_bits(0x3e66376972bea4d0);  //  4.13813679705723846039e-08

constexpr double exp_overflow_threshold = from_bits(0x40862e42fefa39ef);   //  709.78...
constexpr double exp_underflow_threshold = from_bits(0xc0874910d52d3051);  // -745.13...

// fdlibm's log: every input; the fast path below leaves it zero, subnormals, non-numbers and
// the inputs near 1, where a table entry would not be accurate enough.
double log_fdlibm(double x) {
  std::int32_t hx = high_word(x);
  const std::uint32_t lx = low_word(x);

  std::int32_t k = 0;
  if (hx < 0x00100000) {  // x < 2^-1022: zero, subnormal, negative or a negative nan
    if (((hx & 0x7fffffff) | static_cast<std::int32_t>(lx)) == 0) return -infinity;
    if (is_nan(x)) return x + x;
    if (hx < 0) return not_a_number;
    k -= 54;
    x *= two54;  // exact: brings a subnormal into the normal range
    hx = high_word(x);
  }
  if (hx >= 0x7ff00000) return x + x;  // +inf or nan
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const std::int32_t i = (hx + 0x95f64) & 0x100000;
  x = with_high_word(x, hx | (i ^ 0x3ff00000));  // normalise x or x/2 into [sqrt(2)/2, sqrt(2))
  k += (i >> 20);
  const double f = x - 1.0;
  const double dk = static_cast<double>(k);
  if ((0x000fffff & (2 + hx)) < 3) {  // -2^-20 <= f < 2^-20
    if (f == 0.0) {
      if (k == 0) return 0.0;
      return dk * ln2_hi + dk * ln2_lo;
    }
    const double R = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - R;
    return dk * ln2_hi - ((R - dk * ln2_lo) - f);
  }
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const double R = t2 + t1;
  // For f far from 0 the f*f/2 form keeps the error below 1 ulp.
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const double hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + R));
    return dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
  }
  if (k == 0) return f - s * (f - R);
  return dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
}

}  // namespace

// The fast path, for a normal x with |x - 1| >= 1/16: x = 2^k z with z in [1, 2), and z lies
// in one of 128 equal subintervals of [1, 2) with centre c (9 significant bits, so exact). Then
//   log(x) = k ln2 + log(c) + log1p(r),  r = (z - c)/c, |r| < 2^-8,
// where z - c is exact, r = (z - c) * (1/c) has a relative error below 2^-52, log(c) comes from
// the table (sim/detmath_log_table.h) as a double-double, and log1p(r) - r is its Taylor series
// to r^7 (the truncation is below 2^-66). The terms are summed with their rounding errors kept
// (Fast2Sum: |k ln2| >= |log c| when k != 0, and |k ln2 + log c| > |r| since |log x| > 0.06).
// The result is within 0.6 ulp of the exact one (tests/sim/detmath_test.cpp measures it against
// long double) and needs no division. Near 1 the cancellation in k ln2 + log c would cost
// accuracy, so those inputs, like zero, subnormals and non-numbers, go to fdlibm's algorithm.
double log(double x) {
  const std::uint64_t ix = to_bits(x);
  const std::uint64_t top = ix >> 52;  // sign and exponent
  if (top - 1 >= 0x7fe || (x > 0.9375 && x < 1.0625)) [[unlikely]]
    return log_fdlibm(x);
  const double dk = static_cast<double>(static_cast<int>(top) - 1023);
  const std::uint64_t mantissa = ix & 0x000fffffffffffffULL;
  const std::uint64_t i = mantissa >> 45;  // the top 7 bits of the significand
  const detail::LogTableEntry& entry = detail::kLogTable[i];
  const double z = from_bits(mantissa | 0x3ff0000000000000ULL);
  const double c = from_bits(0x3ff0000000000000ULL | (i << 45) | (std::uint64_t{1} << 44));
  const double r = (z - c) * entry.invc;
  const double t = dk * ln2_hi;  // exact: ln2_hi has 32 significant bits
  const double hi = t + entry.logc_hi;
  const double e1 = (t - hi) + entry.logc_hi;
  const double s = hi + r;
  const double e2 = (hi - s) + r;
  constexpr double c3 = 1.0 / 3.0;
  constexpr double c5 = 1.0 / 5.0;
  constexpr double c6 = 1.0 / 6.0;
  constexpr double c7 = 1.0 / 7.0;
  // Estrin's scheme: the four pairs are independent, so the chain is short.
  const double r2 = r * r;
  const double p = r2 * ((-0.5 + r * c3) + r2 * ((-0.25 + r * c5) + r2 * (-c6 + r * c7)));
  const double lo = ((e1 + e2) + (dk * ln2_lo + entry.logc_lo)) + p;
  return s + lo;
}

double log1p(double x) {
  const std::int32_t hx = high_word(x);
  const std::int32_t ax = hx & 0x7fffffff;

  std::int32_t k = 1;
  double f = 0.0;
  double c = 0.0;
  std::int32_t hu = 0;
  if (hx < 0x3fda827a) {   // 1+x < sqrt(2)+
    if (ax >= 0x3ff00000) {  // x <= -1 or a negative nan
      if (x == -1.0) return -infinity;
      if (x < -1.0) return not_a_number;
      return x + x;
    }
    if (ax < 0x3e200000) {               // |x| < 2^-29
      if (ax < 0x3c900000) return x;     // |x| < 2^-54
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= static_cast<std::int32_t>(0xbfd2bec4U)) {  // sqrt(2)/2- <= 1+x < sqrt(2)+
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k != 0) {
    double u;
    if (hx < 0x43400000) {
      u = 1.0 + x;
      hu = high_word(u);
      k = (hu >> 20) - 1023;
      c = (k > 0) ? 1.0 - (u - x) : x - (u - 1.0);  // the rounding error of 1+x
      c /= u;
    } else {  // x >= 2^53: 1+x rounds to x
      u = x;
      hu = high_word(u);
      k = (hu >> 20) - 1023;
      c = 0.0;
    }
    hu &= 0x000fffff;
    // The thresholds above are looser than this one, so k == 0 is never reached here
    // (here the correction c is committed to, and the k == 0 returns drop it).
    if (hu < 0x6a09e) {  // u ~< sqrt(2)
      u = with_high_word(u, hu | 0x3ff00000);
    } else {
      k += 1;
      u = with_high_word(u, hu | 0x3fe00000);
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1.0;
  }
  const double dk = static_cast<double>(k);
  const double hfsq = 0.5 * f * f;
  if (hu == 0) {  // |f| < 2^-20
    if (f == 0.0) {
      if (k == 0) return 0.0;
      c += dk * ln2_lo;
      return dk * ln2_hi + c;
    }
    const double R = hfsq * (1.0 - 0.66666666666666666 * f);
    if (k == 0) return f - R;
    return dk * ln2_hi - ((R - (dk * ln2_lo + c)) - f);
  }
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double R =
      z * (Lg1 + z * (Lg2 + z * (Lg3 + z * (Lg4 + z * (Lg5 + z * (Lg6 + z * Lg7))))));
  if (k == 0) return f - (hfsq - s * (hfsq + R));
  return dk * ln2_hi - ((hfsq - (s * (hfsq + R) + (dk * ln2_lo + c))) - f);
}

namespace {

// fdlibm's exp: every input; the fast path below leaves it |x| < 2^-28, |x| > 700 and nan.
double exp_fdlibm(double x) {
  std::uint32_t hx = static_cast<std::uint32_t>(high_word(x));
  const int negative = static_cast<int>(hx >> 31);
  hx &= 0x7fffffff;  // high word of |x|

  if (hx >= 0x40862e42) {  // |x| >= 709.78...
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | low_word(x)) != 0) return x + x;  // nan
      return negative == 0 ? x : 0.0;                         // exp(+-inf) = {inf, 0}
    }
    if (x > exp_overflow_threshold) return infinity;
    if (x < exp_underflow_threshold) return 0.0;
  }

  // Reduce x to r = hi - lo with x = k*ln2 + r, |r| <= 0.5*ln2.
  double hi = 0.0;
  double lo = 0.0;
  int k = 0;
  if (hx > 0x3fd62e42) {    // |x| > 0.5*ln2
    if (hx < 0x3ff0a2b2) {  // and |x| < 1.5*ln2
      hi = negative == 0 ? x - ln2_hi : x + ln2_hi;
      lo = negative == 0 ? ln2_lo : -ln2_lo;
      k = 1 - negative - negative;
    } else {
      k = static_cast<int>(inverse_ln2 * x + (negative == 0 ? 0.5 : -0.5));
      const double t = k;
      hi = x - t * ln2_hi;  // exact: ln2_hi has trailing zeros to spare
      lo = t * ln2_lo;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {  // |x| < 2^-28
    return 1.0 + x;
  }

  const double t = x * x;
  const double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  return scale(y, k);
}

}  // namespace

// The fast path, for 2^-28 <= |x| <= 700: x = (128 e + j) ln2/128 + r with 0 <= j < 128 and
// |r| <= ln2/256 (plus a rounding), so e^x = 2^e 2^(j/128) e^r. ln2/128 is split into a high
// part with 36 significant bits (its products with k, below 2^17, are exact, and x minus one is
// exact too: the two are within a factor of 2) and a low part; 2^(j/128) comes from the table
// (sim/detmath_exp_table.h) as a double-double; e^r - 1 is its Taylor series to r^5 (the
// truncation is below 2^-60). The result is within 0.52 ulp of the exact one (tests/sim/
// detmath_test.cpp measures it against long double) and needs no division; with |x| <= 700 the
// scaling by 2^e is exact (no subnormal result). The other inputs go to fdlibm's algorithm.
double exp(double x) {
  const double ax = std::fabs(x);
  if (!(ax >= 0x1p-28 && ax <= 700.0)) [[unlikely]]  // nan fails both comparisons
    return exp_fdlibm(x);
  constexpr double to_steps = 0x1.71547652b82fep+7;  // 128/ln2
  constexpr double step_hi = 0x1.62e42fefa0000p-8;   // ln2/128 to 36 significant bits
  constexpr double step_lo = 0x1.cf79abc9e3b3ap-47;  // ln2/128 - step_hi
  // k = z rounded to the nearest integer (ties to even): adding 1.5 * 2^52 leaves no fraction
  // bits, so the sum's low bits are k and subtracting it back is exact.
  constexpr double shift = 0x1.8p52;
  const double shifted = x * to_steps + shift;
  const double kd = shifted - shift;
  const auto k = static_cast<std::int64_t>(to_bits(shifted) - to_bits(shift));
  const double r = (x - kd * step_hi) - kd * step_lo;
  constexpr double c3 = 1.0 / 6.0;
  constexpr double c4 = 1.0 / 24.0;
  constexpr double c5 = 1.0 / 120.0;
  const double r2 = r * r;
  const double p = r + r2 * ((0.5 + r * c3) + r2 * (c4 + r * c5));  // e^r - 1
  const detail::ExpTableEntry& entry = detail::kExpTable[k & 127];
  const double y = entry.hi + (entry.lo + entry.hi * p);
  return y * power_of_two(static_cast<int>(k >> 7));
}

double expm1(double x) {
  std::uint32_t hx = static_cast<std::uint32_t>(high_word(x));
  const bool negative = (hx & 0x80000000U) != 0;
  hx &= 0x7fffffff;

  constexpr double Q1 = from_bits(0xbfa11111111110f4);  // -3.33333333333331316428e-02
  constexpr double Q2 = from_bits(0x3f5a01a019fe5585);  //  1.58730158725481460165e-03
  constexpr double Q3 = from_bits(0xbf14ce199eaadbb7);  // -7.93650757867487942473e-05
  constexpr double Q4 = from_bits(0x3ed0cfca86e65239);  //  4.00821782732936239552e-06
  constexpr double Q5 = from_bits(0xbe8afdb76e09c32d);  // -2.01099218183624371326e-07

  if (hx >= 0x4043687a) {    // |x| >= 56*ln2
    if (hx >= 0x40862e42) {  // |x| >= 709.78...
      if (hx >= 0x7ff00000) {
        if (((hx & 0xfffff) | low_word(x)) != 0) return x + x;  // nan
        return negative ? -1.0 : x;                             // expm1(+-inf) = {inf, -1}
      }
      if (x > exp_overflow_threshold) return infinity;
    }
    if (negative) return -1.0;  // e^x is below half an ulp of 1
  }

  double hi = 0.0;
  double lo = 0.0;
  double c = 0.0;  // the rounding error of hi - lo
  int k = 0;
  if (hx > 0x3fd62e42) {    // |x| > 0.5*ln2
    if (hx < 0x3ff0a2b2) {  // and |x| < 1.5*ln2
      if (!negative) {
        hi = x - ln2_hi;
        lo = ln2_lo;
        k = 1;
      } else {
        hi = x + ln2_hi;
        lo = -ln2_lo;
        k = -1;
      }
    } else {
      k = static_cast<int>(inverse_ln2 * x + (negative ? -0.5 : 0.5));
      const double t = k;
      hi = x - t * ln2_hi;  // exact
      lo = t * ln2_lo;
    }
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (hx < 0x3c900000) {  // |x| < 2^-54
    return x;
  }

  const double hfx = 0.5 * x;
  const double hxs = x * hfx;
  const double r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const double t = 3.0 - r1 * hfx;
  double e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k == 0) return x - (x * e - hxs);  // c is 0
  e = (x * (e - c) - c);
  e -= hxs;
  if (k == -1) return 0.5 * (x - e) - 0.5;
  if (k == 1) {
    if (x < -0.25) return -2.0 * (e - (x + 0.5));
    return 1.0 + 2.0 * (x - e);
  }
  if (k <= -2 || k > 56) {  // the -1 is negligible or absorbed anyway
    return scale(1.0 - (e - x), k) - 1.0;
  }
  if (k < 20) {
    const double one_minus_tiny = from_words(0x3ff00000U - (0x200000U >> k), 0);  // 1 - 2^-k
    return (one_minus_tiny - (e - x)) * power_of_two(k);
  }
  const double tiny = power_of_two(-k);
  double y = x - (e + tiny);
  y += 1.0;
  return y * power_of_two(k);
}

namespace {

// 0 when y is not an integer, 1 when it is odd, 2 when even (infinities count as even).
int integer_kind(double y) {
  const std::uint64_t bits = to_bits(y) & 0x7fffffffffffffffULL;
  const int exponent = static_cast<int>(bits >> 52) - 1023;
  if (exponent >= 53) return 2;
  if (exponent < 0) return 0;
  const int fraction_bits = 52 - exponent;
  const std::uint64_t significand = (bits & 0x000fffffffffffffULL) | (1ULL << 52);
  if ((significand & ((1ULL << fraction_bits) - 1)) != 0) return 0;
  return ((significand >> fraction_bits) & 1) != 0 ? 1 : 2;
}

}  // namespace

double pow(double x, double y) {
  constexpr double bp[] = {1.0, 1.5};
  constexpr double dp_h[] = {0.0, from_bits(0x3fe2b80340000000)};  // 5.84962487220764160156e-01
  constexpr double dp_l[] = {0.0, from_bits(0x3e4cfdeb43cfd006)};  // 1.35003920212974897128e-08
  constexpr double two53 = from_bits(0x4340000000000000);
  // Coefficients of (3/2)*(log(x) - 2s - 2/3*s^3).
  constexpr double L1 = from_bits(0x3fe3333333333303);  // 5.99999999999994648725e-01
  constexpr double L2 = from_bits(0x3fdb6db6db6fabff);  // 4.28571428578550184252e-01
  constexpr double L3 = from_bits(0x3fd55555518f264d);  // 3.33333329818377432918e-01
  constexpr double L4 = from_bits(0x3fd17460a91d4101);  // 2.72728123808534006489e-01
  constexpr double L5 = from_bits(0x3fcd864a93c9db65);  // 2.30660745775561754067e-01
  constexpr double L6 = from_bits(0x3fca7e284a454eef);  // 2.06975017800338417784e-01
  constexpr double lg2 = from_bits(0x3fe62e42fefa39ef);     //  6.93147180559945286227e-01
  constexpr double lg2_h = from_bits(0x3fe62e4300000000);   //  6.93147182464599609375e-01
  constexpr double lg2_l = from_bits(0xbe205c610ca86c39);   // -1.90465429995776804525e-09
  constexpr double ovt = 8.0085662595372944372e-17;         // -(1024-log2(ovfl+.5ulp))
  constexpr double cp = from_bits(0x3feec709dc3a03fd);      //  2/(3ln2)
  constexpr double cp_h = from_bits(0x3feec709e0000000);    //  (float)cp
  constexpr double cp_l = from_bits(0xbe3e2fe0145b01f5);    //  tail of cp_h
  constexpr double ivln2 = from_bits(0x3ff71547652b82fe);   //  1/ln2
  constexpr double ivln2_h = from_bits(0x3ff7154760000000); //  1/ln2 to 24 bits
  constexpr double ivln2_l = from_bits(0x3e54ae0bf85ddf44); //  1/ln2 tail

  const std::int32_t hx = high_word(x);
  const std::uint32_t lx = low_word(x);
  const std::int32_t hy = high_word(y);
  const std::uint32_t ly = low_word(y);
  std::int32_t ix = hx & 0x7fffffff;
  const std::int32_t iy = hy & 0x7fffffff;

  if ((static_cast<std::uint32_t>(iy) | ly) == 0) return 1.0;  // x^0 = 1, even for nan
  if (hx == 0x3ff00000 && lx == 0) return 1.0;                 // 1^y = 1, even for nan
  if (is_nan(x) || is_nan(y)) return (x + 0.0) + (y + 0.0);

  const int yisint = hx < 0 ? integer_kind(y) : 0;

  if (ly == 0) {
    if (iy == 0x7ff00000) {  // y is +-inf
      if (((ix - 0x3ff00000) | static_cast<std::int32_t>(lx)) == 0) return 1.0;  // (-1)^+-inf
      if (ix >= 0x3ff00000) return hy >= 0 ? y : 0.0;  // (|x| > 1)^+-inf = inf, 0
      return hy < 0 ? -y : 0.0;                        // (|x| < 1)^-+inf = inf, 0
    }
    if (iy == 0x3ff00000) return hy < 0 ? 1.0 / x : x;  // y is +-1
    if (hy == 0x40000000) return x * x;                 // y is 2
    if (hy == 0x3fe00000 && hx >= 0) return std::sqrt(x);  // y is 0.5: sqrt is exact-rounded
  }

  double ax = std::bit_cast<double>(to_bits(x) & 0x7fffffffffffffffULL);
  if (lx == 0 && (ix == 0x7ff00000 || ix == 0 || ix == 0x3ff00000)) {  // x is +-0, +-inf, +-1
    double z = ax;
    if (hy < 0) z = (z == 0.0) ? infinity : 1.0 / z;
    if (hx < 0) {
      if (ix == 0x3ff00000 && yisint == 0) return not_a_number;  // (-1)^non-integer
      if (yisint == 1) z = -z;                                   // (x<0)^odd = -(|x|^odd)
    }
    return z;
  }

  if (hx < 0 && yisint == 0) return not_a_number;  // (x<0)^non-integer
  const double sign = (hx < 0 && yisint == 1) ? -1.0 : 1.0;

  double t1;
  double t2;
  if (iy > 0x41e00000) {    // |y| > 2^31
    if (iy > 0x43f00000) {  // |y| > 2^64: must overflow or underflow (y is even)
      if (ix <= 0x3fefffff) return hy < 0 ? infinity : 0.0;
      if (ix >= 0x3ff00000) return hy > 0 ? infinity : 0.0;
    }
    // Overflow or underflow unless x is close to 1.
    if (ix < 0x3fefffff) return hy < 0 ? sign * infinity : sign * 0.0;
    if (ix > 0x3ff00000) return hy > 0 ? sign * infinity : sign * 0.0;
    // Now |1-x| <= 2^-20, so log(x) is x - x^2/2 + x^3/3 - x^4/4 closely enough.
    const double t = ax - 1.0;  // t has 20 trailing zeros
    const double w = (t * t) * (0.5 - t * (3.3333333333333331e-01 - t * 0.25));
    const double u = ivln2_h * t;  // exact: ivln2_h has 21 significant bits
    const double v = t * ivln2_l - w * ivln2;
    t1 = without_low_word(u + v);
    t2 = v - (t1 - u);
  } else {
    std::int32_t n = 0;
    if (ix < 0x00100000) {  // subnormal x
      ax *= two53;
      n -= 53;
      ix = high_word(ax);
    }
    n += (ix >> 20) - 0x3ff;
    const std::int32_t j = ix & 0x000fffff;
    int k;
    ix = j | 0x3ff00000;  // normalise ix
    if (j <= 0x3988e) {
      k = 0;  // |x| < sqrt(3/2)
    } else if (j < 0xbb67a) {
      k = 1;  // |x| < sqrt(3)
    } else {
      k = 0;
      n += 1;
      ix -= 0x00100000;
    }
    ax = with_high_word(ax, ix);

    // ss = s_h + s_l = (x-1)/(x+1) or (x-1.5)/(x+1.5)
    double u = ax - bp[k];
    double v = 1.0 / (ax + bp[k]);
    const double ss = u * v;
    const double s_h = without_low_word(ss);
    // t_h = ax + bp[k], high part only
    double t_h = from_words(
        static_cast<std::uint32_t>(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18)), 0);
    double t_l = ax - (t_h - bp[k]);
    const double s_l = v * ((u - s_h * t_h) - s_h * t_l);
    // log(ax)
    double s2 = ss * ss;
    double r = s2 * s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))));
    r += s_l * (s_h + ss);
    s2 = s_h * s_h;
    t_h = without_low_word(3.0 + s2 + r);
    t_l = r - ((t_h - 3.0) - s2);
    // u + v = ss*(1 + ...)
    u = s_h * t_h;
    v = s_l * t_h + t_l * ss;
    // 2/(3log2)*(ss + ...)
    const double p_h = without_low_word(u + v);
    const double p_l = v - (p_h - u);
    const double z_h = cp_h * p_h;  // cp_h + cp_l = 2/(3*log2)
    const double z_l = cp_l * p_h + p_l * cp + dp_l[k];
    // log2(ax) = (ss + ...)*2/(3*log2) = n + dp_h + z_h + z_l
    const double t = static_cast<double>(n);
    t1 = without_low_word(((z_h + z_l) + dp_h[k]) + t);
    t2 = z_l - (((t1 - t) - dp_h[k]) - z_h);
  }

  // Split y into y1 + y2 and compute (y1 + y2)*(t1 + t2) exactly enough.
  const double y1 = without_low_word(y);
  const double p_l = (y - y1) * t1 + y * t2;
  double p_h = y1 * t1;
  double z = p_l + p_h;
  std::int32_t j = high_word(z);
  const std::int32_t i = static_cast<std::int32_t>(low_word(z));
  if (j >= 0x40900000) {                     // z >= 1024
    if (((j - 0x40900000) | i) != 0) return sign * infinity;
    if (p_l + ovt > z - p_h) return sign * infinity;
  } else if ((j & 0x7fffffff) >= 0x4090cc00) {  // z <= -1075
    if (((j - static_cast<std::int32_t>(0xc090cc00U)) | i) != 0) return sign * 0.0;
    if (p_l <= z - p_h) return sign * 0.0;
  }

  // 2^(p_h + p_l)
  const std::int32_t abs_high = j & 0x7fffffff;
  std::int32_t k = (abs_high >> 20) - 0x3ff;
  std::int32_t n = 0;
  if (abs_high > 0x3fe00000) {  // |z| > 0.5: n = nearest integer to z
    n = j + (0x00100000 >> (k + 1));
    k = ((n & 0x7fffffff) >> 20) - 0x3ff;  // new k for n
    const double t = from_words(static_cast<std::uint32_t>(n & ~(0x000fffff >> k)), 0);
    n = ((n & 0x000fffff) | 0x00100000) >> (20 - k);
    if (j < 0) n = -n;
    p_h -= t;
  }
  double t = without_low_word(p_l + p_h);
  const double u = t * lg2_h;
  const double v = (p_l - (t - p_h)) * lg2 + t * lg2_l;
  z = u + v;
  const double w = v - (z - u);
  t = z * z;
  t1 = z - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const double r = (z * t1) / (t1 - 2.0) - (w + z * w);
  z = 1.0 - (r - z);
  j = high_word(z) + (n << 20);
  if ((j >> 20) <= 0) {
    z = scale(z, n);  // subnormal result
  } else {
    z = with_high_word(z, j);
  }
  return sign * z;
}

}  // namespace sim::detmath
