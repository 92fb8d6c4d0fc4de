// A level series that repeats itself exactly from one period to the next (a replayed log, a
// stuck feed): its seasonal residuals are 0, and the spread the seasonal method judges with
// is floored at a tenth of the robust spread of the values over the baseline window, so the
// first deviation gets a z in the series' own terms, not 2 / 1e-9. Counts are judged by
// their Poisson deviance residual, whose spread under Poisson noise is 1: the seasonal spread
// of a count is not taken below that. Values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"

#include "test_support.hpp"

namespace {

namespace anomaly = fc::anomaly;

TEST(AnomalySeasonalCopy, ASeriesThatRepeatsItselfIsJudgedOnItsOwnSpread) {
  // Four weeks of hourly values 0, 1, ..., 23 every day, then 2 above the pattern.
  const size_t hours = 4 * 7 * 24;
  std::vector<double> v(hours);
  for (size_t i = 0; i < hours; ++i) v[i] = static_cast<double>(i % 24);
  const size_t at = hours - 24 + 13;  // 13:00 of the last day: expected 13, seen 15
  v[at] += 2;
  anomaly::Input in;
  in.name = in.label = "value";
  in.kind = anomaly::Kind::kLevel;
  in.start = 1704067200 + 7 * 86400;  // Monday 8 January 2024, 00:00 UTC: no holiday inside
  in.step = 3600;
  in.value = v;
  anomaly::Options o;
  o.method = "seasonal";
  o.lookback = anomaly::Span::intervals(0);
  const anomaly::Result r = anomaly::detect(in, o);
  // Every same hour before was that hour: expected 13, residual 2, earlier residuals all 0.
  EXPECT_NEAR(r.expected[at], 13, 1e-12);
  // The baseline window (the 168 hours before) holds each of 0..23 seven times: median 11.5,
  // distances 0.5, 1.5, ..., 11.5 each 14 times, so the MAD is the mean of the 84th and 85th
  // smallest distance, (5.5 + 6.5) / 2 = 6, the spread 1.4826 x 6 = 8.8956 and its tenth
  // 0.88956: z = 2 / 0.88956 = 2.24830 (without the floor the spread was 1e-9: z at its cap).
  EXPECT_NEAR(r.z[at], 2 / (0.1 * 1.4826 * 6), 1e-9);
  // An ordinary hour of the pattern stays at z 0.
  EXPECT_NEAR(r.z[at - 1], 0, 1e-12);
}

TEST(AnomalySeasonalCopy, ACountIsNotJudgedMorePreciselyThanPoissonNoise) {
  // Eight weeks of daily leads, exactly 100 on weekdays and 20 at weekends (no noise: every
  // seasonal residual is 0, the spread of residuals 1e-9), then 110 on the last Wednesday.
  const size_t days = 8 * 7;
  std::vector<double> v(days);
  for (size_t i = 0; i < days; ++i) v[i] = i % 7 >= 5 ? 20 : 100;  // day 0 a Monday
  const size_t at = days - 5;  // Wednesday of the last week
  v[at] = 110;
  anomaly::Input in;
  in.name = in.label = "leads";
  in.kind = anomaly::Kind::kCount;
  in.start = 1704067200 + 7 * 86400;  // Monday 8 January 2024
  in.step = 86400;
  in.value = v;
  anomaly::Options o;
  o.method = "seasonal";
  o.lookback = anomaly::Span::intervals(0);
  const anomaly::Result r = anomaly::detect(in, o);
  EXPECT_NEAR(r.expected[at], 100, 1e-9);
  // The deviance residual of 110 against 100: sqrt(2 (110 ln 1.1 - 10)) = sqrt(0.968240)
  // = 0.983992, judged on the Poisson spread 1 (without the floor: on 1e-9, z at its cap).
  EXPECT_NEAR(r.z[at], std::sqrt(2 * (110 * std::log(1.1) - 10)), 1e-9);
  EXPECT_NEAR(r.z[at], 0.983992, 1e-6);
  EXPECT_EQ(r.flagged[at], 0);
  EXPECT_NEAR(r.z[at - 1], 0, 1e-12);
}

// Seasonal's log view of a level column above 0 (docs/anomalies.md, the seasonal method): a
// series whose spread grows with its level is judged on a log scale too where that predicted
// the baseline window better, so a collapse at a quiet hour is seen as the ratio it is.

// 60 days hourly: 1,000 from 8:00 to 19:59, 100 at night, each +-5% (uniform); 5 at 3 a.m. on
// day 50.
constexpr size_t kLogViewCollapse = 24 * 50 + 3;

anomaly::Input log_view_day_and_night() {
  anomaly::Input in;
  in.name = in.label = "value";
  in.kind = anomaly::Kind::kLevel;
  in.start = 1709510400;  // 2024-03-04, a Monday
  in.step = 3600;
  in.value.resize(24 * 60);
  for (size_t i = 0; i < in.value.size(); ++i) {
    const size_t h = i % 24;
    const double level = h >= 8 && h < 20 ? 1000 : 100;
    in.value[i] = level * (1 + 0.1 * (fc::testing::uniform01(i) - 0.5));
  }
  in.value[kLogViewCollapse] = 5;
  return in;
}

TEST(AnomalyLogView, ACollapseAtAQuietHourIsARatioNotADifference) {
  // In the column's own units the night's 100 +- 5 shares its spread with the day's
  // 1,000 +- 50 (the window mixes both), so 5 where ~100 is expected is about 2 spreads away
  // (the own units alone: score 0.95, band -455 to 650, not flagged). As a ratio it is a
  // twentieth of the usual, where the usual varies by 5%.
  const anomaly::Input in = log_view_day_and_night();
  for (const char* m : {"seasonal", "ensemble"}) {
    anomaly::Options o;
    o.method = m;
    o.lookback = anomaly::Span::intervals(0);
    const anomaly::Result r = anomaly::detect(in, o);
    EXPECT_EQ(r.flagged[kLogViewCollapse], 1) << m << ": score " << r.score[kLogViewCollapse];
    // The band at that hour is the log view's: around the night's level, not below 0.
    EXPECT_GT(r.lower[kLogViewCollapse], 50) << m;
    EXPECT_LT(r.upper[kLogViewCollapse], 200) << m;
    // Nothing else in the 60 days is flagged.
    EXPECT_EQ(r.count(), 1u) << m;
  }
}

TEST(AnomalyLogView, ASeriesThatIsZeroInItsWindowKeepsItsOwnUnits) {
  // The same series with the night at 0 (a log scale would make every night a collapse):
  // the own units judge alone, and an ordinary night is not flagged.
  anomaly::Input in = log_view_day_and_night();
  for (size_t i = 0; i < in.value.size(); ++i)
    if (i % 24 < 8 || i % 24 >= 20) in.value[i] = 0;
  anomaly::Options o;
  o.method = "seasonal";
  o.lookback = anomaly::Span::intervals(0);
  const anomaly::Result r = anomaly::detect(in, o);
  EXPECT_EQ(r.count(), 0u);
}

}  // namespace
