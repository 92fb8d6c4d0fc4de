// False alarms on Gaussian white noise, a plain column with nothing to find: at the default
// p <= 5e-5 an interval, the flags of every calibrated method stay within the binomial
// bound of the documented rate (docs/anomalies.md: 0.0084 a week of hourly data).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"

#include "test_support.hpp"

namespace {

using fc::testing::binomial_sf;

namespace anomaly = fc::anomaly;

// Uniform in (0, 1), the same numbers on every platform.
using fc::testing::uniform01;

// N(100, 10) by Box-Muller, `hours` values of series `seed`.
anomaly::Input white_noise(size_t hours, uint64_t seed) {
  anomaly::Input in;
  in.name = in.label = "value";
  in.kind = anomaly::Kind::kLevel;
  in.start = 1672531200;  // 2023-01-01
  in.step = 3600;
  in.value.resize(hours);
  for (size_t i = 0; i < hours; ++i) {
    const uint64_t k = seed * 1000003ULL * 2 + 2 * i;
    const double u1 = uniform01(k), u2 = uniform01(k + 1);
    in.value[i] = 100 + 10 * std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }
  return in;
}

TEST(AnomalyNoise, FalseAlarmsOnWhiteNoiseStayWithinTheDocumentedRate) {
  // Eight series of 10,000 hours. Pooled, the flags of a method are at most
  // Binomial(scored, 5e-5); allow its 99.9% quantile, the smallest k with P(X > k) < 1e-3.
  // By hand for 80,000 hours (mean 4, Poisson to three digits): P(X >= 12) = 9.2e-4 and
  // P(X >= 11) = 2.8e-3, so at most 11 flags; a method flagging 3 times the documented rate
  // (mean 12) exceeds that more often than not.
  const double alpha = 1 - anomaly::kDefaultScoreThreshold;
  const size_t hours = 10000, series = fc::testing::unless_sanitized<size_t>(8, 1);
  EXPECT_GE(binomial_sf(8 * hours, alpha, 11), 2e-3);
  EXPECT_LT(binomial_sf(8 * hours, alpha, 12), 1e-3);
  for (const char* m : {"robust", "seasonal", "iforest", "ensemble"}) {
    size_t flags = 0, scored = 0;
    for (uint64_t s = 1; s <= series; ++s) {
      anomaly::Options o;
      o.method = m;
      o.lookback = anomaly::Span::intervals(0);
      const anomaly::Result r = anomaly::detect(white_noise(hours, s), o);
      flags += r.count();
      scored += r.scored();
    }
    EXPECT_GT(scored, series * hours * 9 / 10) << m;
    size_t allowed = 0;
    while (binomial_sf(scored, alpha, allowed + 1) >= 1e-3) ++allowed;
    EXPECT_LE(allowed, 11u) << m;
    EXPECT_LE(flags, allowed) << m << ": " << flags << " flags in " << scored << " scored hours";
  }
}

}  // namespace
