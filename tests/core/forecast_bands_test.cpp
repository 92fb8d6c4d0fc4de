// The bands a model saves are pooled from its folds' residuals, bucketed by horizon step:
// a day of hours, a week of days, four weeks of weeks. The pooled set must keep the folds'
// bucket width: a daily model once saved its week-long buckets under the hourly width of
// 24 steps, so its whole 14-day horizon read the first week's bands.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/eval/intervals.hpp"
#include "funnelcast/forecast/train.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::forecast::bands_test {

TEST(PooledBands, AnEmptySetTakesTheBucketWidthOfWhatItPools) {
  eval::ResidualSet week;  // daily folds: a week of steps a bucket
  week.bucket_steps = 7;
  week.add(0, 1.0);   // day 1: bucket 0
  week.add(6, 2.0);   // day 7: bucket 0
  week.add(7, 3.0);   // day 8: bucket 1
  week.add(13, 4.0);  // day 14: bucket 1
  eval::ResidualSet all;
  all.append(week);
  all.append(week);
  EXPECT_EQ(all.bucket_steps, 7);
  ASSERT_EQ(all.by_bucket.size(), 2u);
  EXPECT_EQ(all.by_bucket[0], (std::vector<double>{1.0, 2.0, 1.0, 2.0}));
  EXPECT_EQ(all.by_bucket[1], (std::vector<double>{3.0, 4.0, 3.0, 4.0}));
  // An empty set of another width pools nothing and changes nothing.
  all.append(eval::ResidualSet{});
  EXPECT_EQ(all.bucket_steps, 7);
  EXPECT_EQ(all.count(), 8u);
}

TEST(PooledBands, ResidualsOfAnotherBucketWidthAreRefused) {
  eval::ResidualSet day, hour;
  day.bucket_steps = 7;
  day.add(0, 1.0);
  hour.add(0, 1.0);  // the default: 24 steps a bucket
  eval::ResidualSet all;
  all.append(day);
  EXPECT_THROW(all.append(hour), Error);
}

// A daily series (a weekly cycle and noise, 300 days) at the daily defaults: 14-day
// horizon, folds' residuals a week a bucket. The saved bands must be a week a bucket too,
// two of them, and the second week's 95% band no narrower than the first week's (the
// errors of a recursive forecast grow with the step; with week-long buckets pooled under a
// 24-step width the model had a single bucket).
TEST(PooledBands, ADailyModelSavesAWeekABucket) {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0.0, 6.0);
  std::ostringstream csv;
  csv << "date,leads\n";
  const int64_t start = 1704067200;  // 2024-01-01
  double walk = 0;
  for (int d = 0; d < 300; ++d) {
    walk += noise(rng) * 0.5;
    const double v = 200 + walk + 30 * std::sin(2 * M_PI * (d % 7) / 7.0) + noise(rng);
    csv << time::format_timestamp(start + int64_t{d} * 86400).substr(0, 10) << "," << std::round(std::max(v, 0.0)) << "\n";
  }
  csv::Options o;
  o.source = "daily.csv";
  const Table t = csv::read(csv.str(), o);
  TrainOptions options;  // the daily defaults: horizon 14
  options.params.num_iterations = 40;
  options.params.learning_rate = 0.1;
  const TrainOutput out = train(series::build(t, series::Options{}), options);
  const auto& f = *out.model.header.forecast;
  ASSERT_EQ(f.horizon, 14);
  EXPECT_EQ(f.intervals.bucket_steps, 7);
  ASSERT_EQ(f.intervals.lo95.size(), 2u);
  EXPECT_GE(f.intervals.hi95[1] - f.intervals.lo95[1], f.intervals.hi95[0] - f.intervals.lo95[0]);
}

}  // namespace fc::forecast::bands_test
