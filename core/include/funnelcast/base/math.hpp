// exp, log and the logistic function from + - * / alone. libm's versions differ between
// glibc and musl (wasm) and even between glibc's FMA and non-FMA code paths; a last-bit
// difference can change a split, a metric in a model header or a generated demo value,
// and the same inputs must give the same bytes everywhere. Accurate to about 1 ulp.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace fc {
// Missing: one definition for every file (unity builds put several files in one unit, where
// file-local copies of the same name would clash).
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace fc

namespace fc::math {

inline double from_bits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

inline uint64_t to_bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

inline double exp(double x) {
  if (!(x > -745.1332191019412)) return std::isnan(x) ? x : 0.0;
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  // x = k ln2 + r with |r| <= ln2/2; ln2_hi has trailing zero bits, so k * ln2_hi is exact.
  const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  const double k = std::floor(x * 1.44269504088896338700 + 0.5);
  const double r = (x - k * ln2_hi) - k * ln2_lo;
  // exp(r) - 1 - r = r^2 (1/2! + r/3! + ... + r^11/13!): Taylor to r^13/13!, the next
  // term is below 1e-17 for |r| <= 0.35. Estrin's scheme keeps the dependent chain short.
  const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const double a0 = 1.0 / 2 + r * (1.0 / 6), a1 = 1.0 / 24 + r * (1.0 / 120);
  const double a2 = 1.0 / 720 + r * (1.0 / 5040), a3 = 1.0 / 40320 + r * (1.0 / 362880);
  const double a4 = 1.0 / 3628800 + r * (1.0 / 39916800);
  const double a5 = 1.0 / 479001600 + r * (1.0 / 6227020800.0);
  const double b0 = a0 + r2 * a1, b1 = a2 + r2 * a3, b2 = a4 + r2 * a5;
  const double p = r + r2 * ((b0 + r4 * b1) + r8 * b2);
  const int e = static_cast<int>(k);
  // 2^e from its bits (exact) while it is normal; ldexp, also exact, below that.
  if (e >= -1021 && e <= 1023) return (1.0 + p) * from_bits(static_cast<uint64_t>(e + 1023) << 52);
  return std::ldexp(1.0 + p, e);
}

inline double log(double x) {
  if (!(x > 0) || std::isinf(x)) {
    if (x == 0) return -std::numeric_limits<double>::infinity();
    return x > 0 ? x : std::numeric_limits<double>::quiet_NaN();
  }
  int e = 0;
  if (x < 2.2250738585072014e-308) {  // subnormal: scale into the normal range, exactly
    x *= 18014398509481984.0;         // 2^54
    e = -54;
  }
  // x = m 2^e with m in [1, 2), read off the bits; then m in [sqrt(1/2), sqrt(2)).
  const uint64_t b = to_bits(x);
  e += static_cast<int>(b >> 52) - 1023;
  double m = from_bits((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  if (m > 1.41421356237309504880) {
    m *= 0.5;
    ++e;
  }
  // log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.172: the series converges fast.
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  const double t2 = s2 * s2, t4 = t2 * t2, t8 = t4 * t4;
  const double a0 = 1.0 + s2 * (1.0 / 3), a1 = 1.0 / 5 + s2 * (1.0 / 7);
  const double a2 = 1.0 / 9 + s2 * (1.0 / 11), a3 = 1.0 / 13 + s2 * (1.0 / 15);
  const double a4 = 1.0 / 17 + s2 * (1.0 / 19), a5 = 1.0 / 21 + s2 * (1.0 / 23);
  const double b0 = a0 + t2 * a1, b1 = a2 + t2 * a3, b2 = a4 + t2 * a5;
  const double q = (b0 + t4 * b1) + t8 * b2;
  const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  return e * ln2_hi + (2 * s * q + e * ln2_lo);
}

// 1 / (1 + e^-z), without overflow for large |z|.
inline double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + exp(-z));
  const double e = exp(z);
  return e / (1.0 + e);
}

// log(1 + e^z), without overflow.
inline double softplus(double z) {
  return z > 0 ? z + log(1.0 + exp(-z)) : log(1.0 + exp(z));
}

}  // namespace fc::math
