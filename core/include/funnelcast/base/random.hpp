// Seeded randomness that gives the same numbers on every platform: xoshiro256** seeded
// through splitmix64, with our own mapping to [0, 1), integer ranges and the normal
// distribution. <random>'s distributions differ between libstdc++ and libc++ (wasm), and
// the same seed must give the same folds, trees and demo data everywhere.
#pragma once
#include <cmath>
#include <cstdint>

#include "funnelcast/base/math.hpp"

namespace fc::random {

inline uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& s : s_) s = splitmix64(x);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits: exact in IEEE double on every platform.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), n > 0, by the high half of a 64x64 product (no __int128,
  // which some wasm toolchains lack); the bias is below 2^-32 for the sizes we draw from.
  uint64_t below(uint64_t n) {
    const uint64_t x = next();
    const uint64_t xl = x & 0xffffffffu, xh = x >> 32;
    const uint64_t nl = n & 0xffffffffu, nh = n >> 32;
    const uint64_t ll = xl * nl, lh = xl * nh, hl = xh * nl, hh = xh * nh;
    const uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  }

  // Standard normal by the Marsaglia polar method (log and sqrt only; sqrt is exact IEEE).
  double normal() {
    for (;;) {
      const double u = 2 * uniform() - 1, v = 2 * uniform() - 1;
      const double s = u * u + v * v;
      if (s >= 1 || s == 0) continue;
      return u * std::sqrt(-2 * math::log(s) / s);
    }
  }

  // Poisson(lambda) by multiplying uniforms (small lambda), normal approximation above 60.
  uint64_t poisson(double lambda) {
    if (!(lambda > 0)) return 0;
    if (lambda > 60) {
      const double x = std::floor(lambda + std::sqrt(lambda) * normal() + 0.5);
      return x < 0 ? 0 : static_cast<uint64_t>(x);
    }
    const double limit = math::exp(-lambda);
    uint64_t k = 0;
    double p = uniform();
    while (p > limit) {
      p *= uniform();
      ++k;
    }
    return k;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace fc::random
