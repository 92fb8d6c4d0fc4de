// The spread of a window that is mostly one value (a series that is 0 most of the time,
// with sparse bursts): the MAD and the IQR are both 0 there, and the spread is 1.4826 x the
// median distance of the values that differ from the centre, so a burst is measured
// against the other bursts. Values worked out by hand below.
#include <gtest/gtest.h>

#include "../../core/src/anomaly/internal.hpp"

namespace {

namespace detail = fc::anomaly::detail;

detail::SortedWindow window_of(std::initializer_list<double> values) {
  detail::SortedWindow w;
  for (double v : values) w.insert(v);
  return w;
}

TEST(AnomalySpread, AWindowMostlyAtItsCentreIsSpreadByTheValuesThatMoved) {
  // 10 zeros and 2, 4, 6 (13 values): the 7th smallest distance from 0 is 0 (MAD 0); the
  // quartiles are the 4th and the 10th value, both 0 (IQR 0). The values that moved are
  // 2, 4, 6 at distances 2, 4, 6: median 4, spread 1.4826 x 4.
  const auto odd = window_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 4, 6});
  EXPECT_NEAR(odd.spread(0), 1.4826 * 4, 1e-12);
  // 13 zeros and 2, 4, 6, 10 (17 values; the 13th, the upper quartile, is still 0):
  // distances 2, 4, 6, 10, median (4 + 6) / 2 = 5.
  const auto even = window_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 4, 6, 10});
  EXPECT_NEAR(even.spread(0), 1.4826 * 5, 1e-12);
  // Around another centre: 10 fives and 4, 7, 11 are 1, 2 and 6 away: median 2.
  const auto five = window_of({5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 7, 11});
  EXPECT_NEAR(five.spread(5), 1.4826 * 2, 1e-12);
  // Nothing moved: no spread (a value off a constant series stays an infinite deviation).
  EXPECT_EQ(window_of({3, 3, 3, 3}).spread(3), 0);
  // Where the MAD is not 0 nothing changes: 1..5 around 3, distances 0, 1, 1, 2, 2.
  EXPECT_NEAR(window_of({1, 2, 3, 4, 5}).spread(3), 1.4826 * 1, 1e-12);
}

TEST(AnomalySpread, ResidualsThatAreMostlyZeroAreSpreadByTheOthers) {
  // |residuals| 0 (x6), 0.5, 1, 3: the median is 0; of the others, 1.
  EXPECT_NEAR(detail::spread_of_residuals(window_of({0, 0, 0, 0, 0, 0, 0.5, 1, 3})), 1.4826,
              1e-12);
  // 0 (x6), 0.5, 1, 3, 5: the median of the others is (1 + 3) / 2 = 2.
  EXPECT_NEAR(detail::spread_of_residuals(window_of({0, 0, 0, 0, 0, 0, 0.5, 1, 3, 5})),
              1.4826 * 2, 1e-12);
  // All 0: the floor.
  EXPECT_EQ(detail::spread_of_residuals(window_of({0, 0, 0})), 1e-9);
  // A median above 0 is used as it is: 0, 1, 2 -> 1.4826 x 1.
  EXPECT_NEAR(detail::spread_of_residuals(window_of({0, 1, 2})), 1.4826, 1e-12);
}

}  // namespace
