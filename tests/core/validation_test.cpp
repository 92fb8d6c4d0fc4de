// Time-series splits: the worked example from the brief, and an exhaustive sweep of
// small cases checked against the layout rules restated independently here.
#include "funnelcast/eval/validation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "funnelcast/base/error.hpp"

namespace fc::validation {
namespace {

TEST(TimeSeriesSplits, TwelveRowsFiveFolds) {
  // test_size = 12 / (5 + 1) = 2; the last block ends at 12.
  const auto folds = time_series_splits(12, 5);
  ASSERT_EQ(folds.size(), 5u);
  for (size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(folds[k].train_begin, 0u);
    EXPECT_EQ(folds[k].train_end, 2 + 2 * k);
    EXPECT_EQ(folds[k].valid_begin, 2 + 2 * k);
    EXPECT_EQ(folds[k].valid_end, 4 + 2 * k);
  }
}

TEST(TimeSeriesSplits, GapShiftsTheTrainingEnd) {
  const auto folds = time_series_splits(12, 5, 0, 1);
  ASSERT_EQ(folds.size(), 5u);
  for (size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(folds[k].train_end, 1 + 2 * k);  // [0,1), [0,3), ... [0,9)
    EXPECT_EQ(folds[k].valid_begin, 2 + 2 * k);
    EXPECT_EQ(folds[k].valid_end, 4 + 2 * k);
  }
  // With a gap of 1 the first fold trains on one row: asking for two is refused.
  EXPECT_THROW(time_series_splits(12, 5, 0, 1, 2), Error);
  EXPECT_NO_THROW(time_series_splits(12, 5, 0, 1, 1));
}

TEST(TimeSeriesSplits, ExplicitTestSize) {
  const auto folds = time_series_splits(12, 3, 3);
  ASSERT_EQ(folds.size(), 3u);
  EXPECT_EQ(folds[0].train_end, 3u);
  EXPECT_EQ(folds[0].valid_begin, 3u);
  EXPECT_EQ(folds[0].valid_end, 6u);
  EXPECT_EQ(folds[2].valid_begin, 9u);
  EXPECT_EQ(folds[2].valid_end, 12u);
}

TEST(TimeSeriesSplits, Refusals) {
  EXPECT_THROW(time_series_splits(100, 0), Error);
  EXPECT_THROW(time_series_splits(100, -3), Error);
  EXPECT_THROW(time_series_splits(3, 5), Error);      // n / 6 = 0 rows per block
  EXPECT_THROW(time_series_splits(12, 3, 4), Error);  // validation eats every row
  EXPECT_THROW(time_series_splits(0, 1), Error);
  EXPECT_THROW(time_series_splits(100, 2, SIZE_MAX), Error);  // no overflow
  EXPECT_THROW(time_series_splits(100, 2, 10, SIZE_MAX), Error);
  EXPECT_THROW(time_series_splits(100, 2, 10, 0, SIZE_MAX), Error);
  try {
    time_series_splits(300, 5, 60, 0, 24);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("not enough history for 5 folds: 300 hours, need at least 324"),
              std::string::npos)
        << msg;
  }
}

TEST(TimeSeriesSplits, SweepAgainstTheRules) {
  for (size_t n = 0; n <= 40; ++n) {
    for (int folds = 1; folds <= 6; ++folds) {
      for (size_t ts = 0; ts <= 6; ++ts) {
        for (size_t gap = 0; gap <= 3; ++gap) {
          for (size_t min_train : {0, 1, 5}) {
            const size_t block = ts ? ts : n / (folds + 1);
            const bool feasible =
                block > 0 && folds * block + gap + std::max<size_t>(min_train, 1) <= n;
            if (!feasible) {
              EXPECT_THROW(time_series_splits(n, folds, ts, gap, min_train), Error);
              continue;
            }
            const auto f = time_series_splits(n, folds, ts, gap, min_train);
            ASSERT_EQ(f.size(), static_cast<size_t>(folds));
            EXPECT_EQ(f.back().valid_end, n);
            EXPECT_GE(f[0].train_end, std::max<size_t>(min_train, 1));
            for (size_t k = 0; k < f.size(); ++k) {
              EXPECT_EQ(f[k].train_begin, 0u);
              EXPECT_EQ(f[k].valid_end - f[k].valid_begin, block);
              EXPECT_EQ(f[k].train_end + gap, f[k].valid_begin);  // valid after train, no overlap
              if (k > 0) {
                EXPECT_EQ(f[k].valid_begin, f[k - 1].valid_end);  // blocks tile the tail
                EXPECT_GT(f[k].train_end, f[k - 1].train_end);    // expanding window
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace fc::validation
