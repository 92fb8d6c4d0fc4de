// A holiday's residuals stay out of the seasonal spread of ordinary days, as they stay out of
// the level correction and of the shift test's day: a holiday that moved (taxis on Labor
// Day) does not widen the bar for the ordinary days of the week after it. The holiday itself
// is judged with its own earlier hours in the spread. Values worked out by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"

#include "test_support.hpp"

namespace {

namespace anomaly = fc::anomaly;

TEST(AnomalyHolidaySpread, AHolidayThatMovedDoesNotWidenTheNextDaysSpread) {
  // Hourly values 0, 1, ..., 23 every day from Thursday 6 June 2024, 20 above that on
  // Independence Day (Thursday 4 July, a holiday of the calendar), then 2 above the pattern
  // at 13:00 on Friday 5 July.
  const int64_t start = 1717632000;  // 2024-06-06 00:00 UTC
  const size_t holiday = 28 * 24;    // 2024-07-04 00:00
  const size_t at = holiday + 24 + 13;
  std::vector<double> v(at + 1);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i % 24);
  for (size_t i = holiday; i < holiday + 24; ++i) v[i] += 20;
  v[at] += 2;
  anomaly::Input in;
  in.name = in.label = "value";
  in.kind = anomaly::Kind::kLevel;
  in.start = start;
  in.step = 3600;
  in.value = v;
  anomaly::Options o;
  o.method = "seasonal";
  o.lookback = anomaly::Span::intervals(0);
  const anomaly::Result r = anomaly::detect(in, o);
  // On the holiday at 13:00 (expected 13, residual 20) the 168 residuals before are 0 but
  // the 13 of the holiday's earlier hours, 20 each: the spread is 1.4826 x 20, the median of
  // the residuals that moved, above the floor below: z = 20 / (1.4826 x 20).
  EXPECT_NEAR(r.z[holiday + 13], 1 / 1.4826, 1e-9);
  // The last four 13:00 were 13, 13, 13 and the holiday's 33 (median 13), and the level
  // correction of the last day holds the ordinary hours only (residuals 0): expected 13.
  EXPECT_NEAR(r.expected[at], 13, 1e-12);
  // Every residual of the 168 hours before is 0 but the holiday's 24 of 20. With them the
  // spread was 1.4826 x 20 (the median of the residuals that moved): z = 2 / 29.652 = 0.067.
  // Without them every residual is 0 and the spread is the floor, a tenth of the robust
  // spread of the 168 values themselves: 0..23 six times each and the holiday's 20..43 once.
  // Their median is 13.5 (the 84th and 85th values, 13 and 14); of the distances from it,
  // 72 are at most 5.5 and 85 at most 6.5, so the MAD is 6.5: z = 2 / (0.1 x 1.4826 x 6.5).
  EXPECT_NEAR(r.z[at], 2 / (0.1 * 1.4826 * 6.5), 1e-9);
  // An ordinary hour of that day stays at z 0.
  EXPECT_NEAR(r.z[at - 1], 0, 1e-12);
}

}  // namespace
