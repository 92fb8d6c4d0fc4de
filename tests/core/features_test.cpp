#include "funnelcast/features/features.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "funnelcast/base/error.hpp"

namespace fc::features {
namespace {

History history_of(const std::vector<double>& y, int64_t start = 1704067200) {
  History h;
  h.start = start;
  h.target = y.data();
  h.size = y.size();
  return h;
}

TEST(FeatureSpec, DefaultNamesArePredictable) {
  const FeatureSpec s = FeatureSpec::defaults();
  const auto names = s.names();
  ASSERT_EQ(names.size(), 28u + 8u + 7u + 4u);
  EXPECT_EQ(names[0], "lag1");
  EXPECT_EQ(names[23], "lag24");
  EXPECT_EQ(names[27], "lag336");
  EXPECT_EQ(names[28], "roll_mean_24");
  EXPECT_EQ(names[35], "roll_max_168");
  EXPECT_EQ(names[36], "hour");
  EXPECT_EQ(names[43], "hour_sin");
  EXPECT_EQ(names[46], "dow_cos");
  EXPECT_EQ(s.max_lookback(), 336);
}

TEST(FeatureSpec, JsonRoundTripAndValidation) {
  FeatureSpec s = FeatureSpec::defaults();
  s.cyclic = true;
  s.exog.push_back({"spend", {168, 336}});
  const FeatureSpec r = FeatureSpec::from_json(s.to_json());
  EXPECT_EQ(r.names(), s.names());
  EXPECT_EQ(r.names().back(), "spend_lag336");

  nlohmann::json bad = s.to_json();
  bad["lags"] = {0, 1};
  EXPECT_THROW(FeatureSpec::from_json(bad), Error);
  bad = s.to_json();
  bad["rolling_stats"] = {"median"};
  EXPECT_THROW(FeatureSpec::from_json(bad), Error);
  bad = s.to_json();
  bad["lags"] = "1-24";
  EXPECT_THROW(FeatureSpec::from_json(bad), Error);
  EXPECT_THROW(FeatureSpec::from_json(nlohmann::json::array()), Error);
}

TEST(Features, LagsAndRollingWorkedOutByHand) {
  std::vector<double> y(400);
  for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<double>(i);
  FeatureSpec s = FeatureSpec::defaults();
  const History h = history_of(y);
  std::vector<float> row(s.width());
  build_row(s, h, 100, row.data());
  EXPECT_EQ(row[0], 99.0f);   // lag1
  EXPECT_EQ(row[23], 76.0f);  // lag24
  EXPECT_EQ(row[24], 52.0f);  // lag48
  EXPECT_TRUE(std::isnan(row[26]));  // lag168 reaches before the data
  EXPECT_TRUE(std::isnan(row[27]));  // lag336
  // roll over y[76..99]: mean 87.5, sample std of 24 consecutive integers = sqrt(24*25/12) = sqrt(50).
  EXPECT_FLOAT_EQ(row[28], 87.5f);
  EXPECT_NEAR(row[29], std::sqrt(50.0), 1e-5);
  EXPECT_EQ(row[30], 76.0f);
  EXPECT_EQ(row[31], 99.0f);
  // 168-hour window with only 100 hours of history uses what there is: y[0..99].
  EXPECT_FLOAT_EQ(row[32], 49.5f);
  EXPECT_EQ(row[34], 0.0f);
}

TEST(Features, CalendarWorkedOutByHand) {
  FeatureSpec s;
  s.lags = {1};
  s.calendar = true;
  std::vector<double> y(10, 1.0);
  // 2024-07-06 15:00 UTC, a Saturday.
  const int64_t sat = 1720278000;
  const History h = history_of(y, sat - 3 * 3600);
  std::vector<float> row(s.width());
  build_row(s, h, 3, row.data());
  EXPECT_EQ(row[1], 15.0f);            // hour
  EXPECT_EQ(row[2], 5.0f);             // dow
  EXPECT_EQ(row[3], 1.0f);             // weekend
  EXPECT_EQ(row[4], 7.0f);             // month
  EXPECT_EQ(row[5], 6.0f);             // day of month
  EXPECT_EQ(row[6], 5.0f * 24 + 15);   // hour of week
  EXPECT_EQ(row[7], 0.0f);             // holiday
}

// Changing the target at hour t and later must leave every feature of hour t unchanged.
TEST(Features, NoLeakageFromTheFuture) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 50);
  std::vector<double> y(1200);
  for (auto& v : y) v = std::floor(u(rng));
  FeatureSpec s = FeatureSpec::defaults();
  s.cyclic = true;
  const Matrix before = build(s, history_of(y), 0, y.size());
  for (size_t t : {0u, 1u, 24u, 337u, 600u, 1199u}) {
    std::vector<double> z = y;
    for (size_t i = t; i < z.size(); ++i) z[i] = 1000 + u(rng);
    const Matrix after = build(s, history_of(z), 0, z.size());
    for (size_t r = 0; r <= t; ++r)
      ASSERT_EQ(0, std::memcmp(before.row(r), after.row(r), sizeof(float) * before.cols)) << "row " << r << " t " << t;
    if (t + 1 < y.size()) EXPECT_NE(0, std::memcmp(before.row(t + 1), after.row(t + 1), sizeof(float) * before.cols));
  }
}

TEST(Features, BuildEqualsRowByRow) {
  std::vector<double> y(500);
  for (size_t i = 0; i < y.size(); ++i) y[i] = std::sin(i * 0.3) * 10 + 20;
  const FeatureSpec s = FeatureSpec::defaults();
  const History h = history_of(y);
  const Matrix m = build(s, h, 100, 500);
  ASSERT_EQ(m.rows, 400u);
  std::vector<float> row(s.width());
  build_row(s, h, 377, row.data());
  EXPECT_EQ(0, std::memcmp(row.data(), m.row(277), sizeof(float) * m.cols));
}

TEST(Features, ExogLagsReadTheExogSeries) {
  std::vector<double> y(400, 1.0), spend(400);
  for (size_t i = 0; i < spend.size(); ++i) spend[i] = 100.0 + static_cast<double>(i);
  FeatureSpec s;
  s.lags = {1};
  s.calendar = false;
  s.exog.push_back({"spend", {168}});
  History h = history_of(y);
  h.exog = {spend.data()};
  h.exog_size = {spend.size()};
  std::vector<float> row(s.width());
  build_row(s, h, 200, row.data());
  EXPECT_EQ(row[1], 132.0f);  // spend[200 - 168]
  build_row(s, h, 100, row.data());
  EXPECT_TRUE(std::isnan(row[1]));
}

}  // namespace
}  // namespace fc::features
