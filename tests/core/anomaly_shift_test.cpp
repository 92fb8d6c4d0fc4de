// The shift test (internal.hpp, ShiftTest): the mean of the last day of clipped z,
// standardised by the robust spread of the series' own past day-means (sampled every K / 24
// intervals), so a level that moved and stayed is seen although no interval alone is
// unusual, and a series whose z drift together routinely (a temperature, traffic) is not
// flagged for it. t = mean / spread is read as a Student t with nu = 0.37 x the days of past
// means and turned into a Gaussian z, sqrt(nu ln(1 + t^2 / nu)). Values worked out by hand
// below.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "../../core/src/anomaly/internal.hpp"
#include "funnelcast/anomaly/anomaly.hpp"

namespace {

namespace anomaly = fc::anomaly;
namespace detail = fc::anomaly::detail;

// The Gaussian z of a t with nu degrees of freedom as the shift test reads it.
double gaussian_of_t(double t, double nu) {
  return std::sqrt(nu * std::log1p(t * t / nu));
}

anomaly::Input level_input(int64_t step, size_t n) {
  anomaly::Input in;
  in.name = in.label = "value";
  in.kind = anomaly::Kind::kLevel;
  in.start = 1704067200 + 7 * 86400;  // Monday 8 January 2024, 00:00 UTC
  in.step = step;
  in.value.assign(n, 0.0);
  return in;
}

TEST(AnomalyShift, TheWindowIsADayOfIntervals) {
  EXPECT_EQ(detail::shift_window(level_input(3600, 1)), 24u);     // hourly
  EXPECT_EQ(detail::shift_window(level_input(300, 1)), 288u);     // 5 minutes
  EXPECT_EQ(detail::shift_window(level_input(1800, 1)), 48u);     // 30 minutes
  EXPECT_EQ(detail::shift_window(level_input(4 * 3600, 1)), 6u);  // 6 a day: 2 x kSustained
  EXPECT_EQ(detail::shift_window(level_input(6 * 3600, 1)), 0u);  // 4 a day: too few
  EXPECT_EQ(detail::shift_window(level_input(86400, 1)), 0u);     // daily: none
}

TEST(AnomalyShift, AMeanIsStandardisedByThePastMeansSpread) {
  // K = 6 (stride 1: every mean is sampled). z: a square wave, +3 for 6 intervals, -3 for
  // 6. The mean of the 6 z ending at the j-th full window runs 3, 2, 1, 0, -1, -2, -3, -2,
  // -1, 0, 1, 2 and again (period 12).
  detail::ShiftTest t(6);
  const auto z_at = [](size_t i) { return i % 12 < 6 ? 3.0 : -3.0; };
  size_t i = 0;
  for (; i < 5; ++i) EXPECT_TRUE(std::isnan(t.next(z_at(i))));  // fewer than K z
  // Means 0..29 are judged against fewer than 30 past means: no verdict.
  for (size_t j = 0; j < 30; ++j, ++i) EXPECT_TRUE(std::isnan(t.next(z_at(i)))) << j;
  // Means 30..35 have a verdict; mean 36 (window z[36..41], all +3: mean 3) is judged
  // against the 36 means before it, three periods: |mean| 0 x6, 1 x12, 2 x12, 3 x6, so the
  // median |mean| around 0 is (1 + 2) / 2 = 1.5 and the spread 1.4826 x 1.5 = 2.2239.
  for (size_t j = 30; j < 36; ++j, ++i) EXPECT_FALSE(std::isnan(t.next(z_at(i)))) << j;
  // (Mean j is completed by z[j + 5]: means 30..35 by z[35..40].) z[41] completes mean 36:
  // t = 3 / 2.2239 = 1.348982; 36 past means of a window of 6 sampled every interval are 6
  // days, nu = 0.37 x 6 = 2.22, z = sqrt(2.22 ln(1 + 1.819752 / 2.22)) = 1.152849.
  const double out = t.next(z_at(i));
  EXPECT_NEAR(out, gaussian_of_t(3 / (1.4826 * 1.5), 0.37 * 6), 1e-12);
  EXPECT_NEAR(out, 1.152849, 1e-6);
}

TEST(AnomalyShift, ZThatDriftTogetherAreNotAShiftOfTheirOwn) {
  // Every z 0.5 (a series a little above its median for ever): every mean 0.5, the spread of
  // past means 1.4826 x 0.5, so each later mean reads t = 0.5 / 0.7413 = 0.6745, an
  // ordinary value, where 6 independent z of 0.5 would have summed to 0.5 sqrt(6) = 1.22
  // and a day of 24 to 2.45. The 36th z is judged against 30 past means (5 days of K = 6):
  // nu = 1.85, z = sqrt(1.85 ln(1 + 0.454938 / 1.85)) = 0.637774.
  detail::ShiftTest t(6);
  double out = std::nan("");
  for (size_t i = 0; i < 6 + 30; ++i) out = t.next(0.5);
  EXPECT_NEAR(out, gaussian_of_t(1 / 1.4826, 0.37 * 5), 1e-12);
  EXPECT_NEAR(out, 0.637774, 1e-6);
  // A z of 50 counts as 3 (one spike moves a day's mean by at most 3 / K): the window holds
  // five 0.5 and one 3, mean 5.5 / 6 = 0.916667, against 31 past means of 0.5: t =
  // 0.916667 / 0.7413 = 1.236567, nu = 0.37 x 31 / 6 = 1.911667, z = 1.059963.
  EXPECT_NEAR(t.next(50.0), gaussian_of_t((5.5 / 6) / (1.4826 * 0.5), 0.37 * 31 / 6), 1e-12);
  // z alternating -1, +1 over an even window (a clean cycle whose z cancel over each day):
  // every mean 0, no spread of their own, so the floor 1 / sqrt(6) = 0.408248, the spread of
  // a mean of 6 independent z. A z of 50 (clipped to 3) then replaces the oldest -1: the
  // window 1, -1, 1, -1, 1, 3 has mean 2 / 3, t = (2 / 3) / 0.408248 = 1.632993, nu =
  // 1.911667, z = 1.292119: one spike is not a shift (without the floor, an infinite one).
  detail::ShiftTest u(6);
  for (size_t i = 0; i < 6 + 30; ++i) u.next(i % 2 ? 1.0 : -1.0);
  const double spike = u.next(50.0);
  EXPECT_NEAR(spike, gaussian_of_t((2.0 / 3) * std::sqrt(6.0), 0.37 * 31 / 6), 1e-12);
  EXPECT_NEAR(spike, 1.292119, 1e-6);
}

TEST(AnomalyShift, MeansAreSampledEveryKOver24Intervals) {
  // K = 48 (30-minute data): a mean sampled every 2 intervals. Constant z 1: the 30th
  // sample is taken at the 48 + 2 x 29 = 106th z, after it is judged; the 107th z is the
  // first judged against 30 samples: t = 1 / (1.4826 x 1); 30 samples 2 intervals apart are
  // 60 intervals, 1.25 days, nu = 0.4625, z = sqrt(0.4625 ln(1 + 0.454938 / 0.4625)) =
  // 0.562836 (a spread from a day and a quarter of means is trusted little).
  detail::ShiftTest t(48);
  for (size_t i = 1; i <= 106; ++i) EXPECT_TRUE(std::isnan(t.next(1.0))) << i;
  const double out = t.next(1.0);
  EXPECT_NEAR(out, gaussian_of_t(1 / 1.4826, 0.37 * 1.25), 1e-12);
  EXPECT_NEAR(out, 0.562836, 1e-6);
}

TEST(AnomalyShift, ADayAtOneAndAHalfSpreadsAboveIsFlaggedThoughNoHourIs) {
  // Ten weeks of hourly N(100, 10), then 100 + 15 for 36 hours. Each hour of the step is a z
  // of about 1.5 (p = 0.13; three of them sum to 1.5 sqrt 3 = 2.6, p = 0.009), nowhere near
  // the point test's 4.06 (p = 5e-5). A day's mean of independent z has a spread of
  // 1 / sqrt(24) = 0.20, so a day at 1.5 is about 7 of its spreads off: the robust method
  // flags the step within it, and nothing in the ten weeks before.
  const size_t before = 10 * 7 * 24, step_len = 36;
  anomaly::Input in = level_input(3600, before + step_len + 48);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 10);
  for (size_t i = 0; i < in.value.size(); ++i)
    in.value[i] = 100 + noise(rng) + (i >= before && i < before + step_len ? 15 : 0);
  anomaly::Options o;
  o.method = "robust";
  o.lookback = anomaly::Span::intervals(0);
  const anomaly::Result r = anomaly::detect(in, o);
  size_t flagged_before = 0, flagged_in_step = 0, big_z_in_step = 0;
  for (size_t i = 0; i < before; ++i) flagged_before += r.flagged[i];
  for (size_t i = before; i < before + step_len; ++i) {
    flagged_in_step += r.flagged[i];
    big_z_in_step += std::fabs(r.z[i]) >= 4.06;
  }
  EXPECT_EQ(flagged_before, 0u);
  EXPECT_EQ(big_z_in_step, 0u);
  EXPECT_GT(flagged_in_step, 0u);
}

}  // namespace
