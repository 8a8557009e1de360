// vmath.hpp: exp, expm1 and log1p in double as inline, branch-free code, so that loops
// calling them vectorize (glibc's are scalar calls: 10-12 ns each, 15% of a one-hot L1
// logistic fit). Written for the logistic rows (logistic_rows.cpp), measured against
// glibc on 2e6 random arguments per range: exp <= 1 ulp, expm1 and log1p <= 2 ulp.
//
//   exp(x)    x = k ln2 + r, |r| <= ln2/2 (Cody-Waite, two-part ln2); e^r = 1 + expm1_r(r)
//             (Taylor to r^13, remainder < 2e-17); 2^k as two normal factors, so that
//             subnormal results and k = 1024 come out right. 0 below -745.2.
//   expm1(x)  2^k expm1_r(r) + (2^k - 1): exactly expm1_r(x) for |x| <= ln2/2, where a
//             difference exp(x) - 1 would lose the digits; inf above 709.78.
//   log1p(x)  u = 1 + x = 2^e m, m in [sqrt(1/2), sqrt(2)): log m = 2 atanh(f / (2 + f)),
//             f = m - 1, by its series to s^19 (|s| <= 0.172); plus (x - (u - 1)) / u,
//             the rounding of 1 + x; x > -1, +inf for +inf. log_normal(u): the same for
//             u itself.
// Integers go through the bits of a double (k + 1.5 * 2^52 holds k in its low bits), as
// vector units without 64-bit integer conversions allow, and every choice is a select on
// the bits (select()): GCC kept `c ? a : b` on doubles as a branch whose arms it filled
// with the arithmetic that follows, which it may not speculate (-ftrapping-math), so the
// loops stayed scalar without AVX-512's masks.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

#include "fastenet/config.hpp"

// (x + kShifter) - kShifter is the rounding of x only where that expression is kept as
// written, in round-to-nearest, and the NaN and infinity selects only where they are not
// assumed away: fast-math modes break both.
#if defined(__FAST_MATH__) || defined(_M_FP_FAST)
#error "fastenet/vmath.hpp needs IEEE semantics: build without -ffast-math or /fp:fast"
#endif

namespace fastenet {
namespace vmath {

FASTENET_INLINE std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
FASTENET_INLINE double from_bits(std::uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}
// c ? a : b, branch-free
FASTENET_INLINE double select(bool c, double a, double b) {
  const std::uint64_t m = std::uint64_t(0) - std::uint64_t(c);
  return from_bits((bits(a) & m) | (bits(b) & ~m));
}

constexpr double kShifter = 0x1.8p52;  // x + kShifter holds round(x) in its low bits
constexpr double kLog2e = 1.4426950408889634;
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln2 = kLn2Hi + kLn2Lo
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kExpMin = -745.2;  // e^x rounds to 0 below
constexpr double kExpMax = 0x1.62e42fefa39efp+9;  // 709.7827..., e^x overflows above

// 2^k (k integral, held in kd, |k| <= 1100) as s1 * s2, each a normal double.
FASTENET_INLINE void pow2(double kd, double& s1, double& s2) {
  // k + 2048 >= 0 in unsigned arithmetic (wrapping cancels): no sign shifts, which
  // AVX2 lacks for 64-bit lanes
  const std::uint64_t k = bits(kd + kShifter) - bits(kShifter) + 2048;
  const std::uint64_t k1 = k >> 1, k2 = k - k1;  // floor and ceiling of (k + 2048) / 2
  s1 = from_bits((k1 - 1024 + 1023) << 52);
  s2 = from_bits((k2 - 1024 + 1023) << 52);
}

// c[0] + c[1] x + ... + c[N-1] x^(N-1), by Horner's rule.
template <int N>
FASTENET_INLINE double horner(double x, const double (&c)[N]) {
  double p = c[N - 1];
  for (int k = N - 2; k >= 0; --k) p = p * x + c[k];
  return p;
}

// e^r - 1 for |r| <= ln2 / 2: r + r^2 (1/2 + r/6 + ... + r^11/13!).
FASTENET_INLINE double expm1_r(double r) {
  constexpr double kInvFact[12] = {1.0 / 2,       1.0 / 6,        1.0 / 24,
                                   1.0 / 120,     1.0 / 720,      1.0 / 5040,
                                   1.0 / 40320,   1.0 / 362880,   1.0 / 3628800,
                                   1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800};
  return r + r * r * horner(r, kInvFact);
}

// x = kd ln2 + r, kd = round(x / ln2), for x clamped into [kExpMin, kExpMax].
FASTENET_INLINE double reduce(double x, double& kd) {
  const double lo = select(x < kExpMin, kExpMin, x);
  const double xc = select(lo > kExpMax, kExpMax, lo);
  kd = (xc * kLog2e + kShifter) - kShifter;
  return (xc - kd * kLn2Hi) - kd * kLn2Lo;
}

FASTENET_INLINE double exp(double x) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double kd, s1, s2;
  const double r = reduce(x, kd);
  pow2(kd, s1, s2);
  const double v = ((1.0 + expm1_r(r)) * s1) * s2;
  return select(x < kExpMin, 0.0, select(x > kExpMax, kInf, v));
}

FASTENET_INLINE double expm1(double x) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double kd, s1, s2;
  const double r = reduce(x, kd);
  pow2(kd, s1, s2);
  const double q = expm1_r(r), s = s1 * s2;  // s: inf for k = 1024
  const double small = s * q + (s - 1.0);            // exact cancellation-free form
  const double large = ((1.0 + q) * s1) * s2 - 1.0;  // for large k (no inf * 0)
  return select(x > kExpMax, kInf, select(kd > 60, large, small));
}

// log(u) for a normal u > 0 (a subnormal one comes out near log(2^-1023 m): off by up to
// 51 ln2, which the callers' u log(u) leaves below 1e-305); -inf at 0, NaN below 0 and
// for NaN, inf at inf.
FASTENET_INLINE double log_normal(double u) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const std::uint64_t b = bits(u);
  const std::uint64_t e0 = (b >> 52) & 0x7ff;  // the biased exponent (u > 0)
  const double m0 = from_bits((b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);  // [1, 2)
  const bool high = m0 > 1.4142135623730951;
  const double m = select(high, 0.5 * m0, m0);
  // e = e0 - 1023 (+1 when m was halved), as a double through the shifter's bits
  const double ed = from_bits(e0 + std::uint64_t(high) + bits(kShifter)) - (kShifter + 1023.0);
  const double f = m - 1.0, s = f / (2.0 + f), s2 = s * s;
  // log m = 2 (s + s^3/3 + ... + s^19/19)
  constexpr double kInvOdd[9] = {1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9, 1.0 / 11,
                                 1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19};
  const double log_m = 2.0 * s + 2.0 * s * s2 * horner(s2, kInvOdd);
  const double v = ed * kLn2Hi + (log_m + ed * kLn2Lo);
  const double edge = select(u == 0, -kInf, select(u == kInf, kInf, kNaN));
  return select((u > 0) & (u < kInf), v, edge);  // &, not &&: no branch
}

// log(1 + x) for x > -1; -inf at -1, NaN below and for NaN, inf at inf.
FASTENET_INLINE double log1p(double x) {
  const double u = 1.0 + x;
  const double c = select(u > 0, (x - (u - 1.0)) / u, 0.0);  // log(1 + x) = log(u) + c
  const double v = log_normal(u) + c;
  return select(x < std::numeric_limits<double>::infinity(), v, x);
}

}  // namespace vmath
}  // namespace fastenet
