// Transcendental functions computed with plain IEEE-754 double arithmetic, so a seed gives the
// same bits on every compiler, flag set and CPU. The simulator owns these; libm is never used.
#pragma once

namespace sim::detmath {

// Why not <cmath>: glibc chooses an implementation of log, exp and pow at run time by CPU
// (FMA or not), so the last bit of a result may differ between machines. These are ports of
// Sun's fdlibm 5.3 (as maintained in FreeBSD msun); every step is an IEEE add, subtract,
// multiply, divide or bit manipulation, so with -ffp-contract=off the result is fixed by the
// input alone. Special values (0, negatives, inf, nan, subnormals) follow C99 Annex F.
//
// Accuracy: log, log1p, exp, expm1 are within 1 ulp of the exact result; pow is "nearly
// rounded" (fdlibm's double-double method; below 1 ulp in our tests) and exact whenever
// an integer power of an integer is representable.

// Natural logarithm. log(+-0) = -inf; log(x < 0) = nan; log(+inf) = +inf.
double log(double x);

// log(1 + x), accurate for tiny x. log1p(-1) = -inf; log1p(x < -1) = nan.
double log1p(double x);

// e^x. Overflows to +inf above 709.78; underflows through the subnormals to +0 below -745.13.
double exp(double x);

// e^x - 1, accurate for tiny x. expm1(-inf) = -1.
double expm1(double x);

// x^y with C99 special cases: pow(x, 0) = 1 and pow(1, y) = 1 even for nan; a negative x
// needs an integer y (nan otherwise).
double pow(double x, double y);

}  // namespace sim::detmath
