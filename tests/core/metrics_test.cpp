// Metrics on vectors small enough to work out on paper; the working is in the comments.
#include "funnelcast/eval/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "funnelcast/base/error.hpp"

namespace fc::metrics {
namespace {

const std::vector<double> kY = {1, 2, 3, 4};
const std::vector<double> kP = {1, 3, 2, 4};  // errors 0, -1, 1, 0

TEST(Metrics, ByHand) {
  EXPECT_DOUBLE_EQ(rmse(kY, kP), std::sqrt(0.5));  // sqrt(2 / 4)
  EXPECT_DOUBLE_EQ(mae(kY, kP), 0.5);              // 2 / 4
  // mean 2.5, SST = 2.25 + 0.25 + 0.25 + 2.25 = 5, SSE = 2
  EXPECT_DOUBLE_EQ(r2(kY, kP), 0.6);
  // terms 0, 1/2.5, 1/2.5, 0 -> 0.8 / 4
  EXPECT_DOUBLE_EQ(smape(kY, kP), 0.2);
  EXPECT_DOUBLE_EQ(rmse(kY, kY), 0.0);
  EXPECT_DOUBLE_EQ(r2(kY, kY), 1.0);
  // Predicting the mean everywhere explains nothing.
  EXPECT_DOUBLE_EQ(r2(kY, {2.5, 2.5, 2.5, 2.5}), 0.0);
}

TEST(Metrics, SmapeZerosAndRange) {
  // both zero -> 0; |0-2| / 1 = 2; |1-0| / 0.5 = 2  ->  4 / 3
  EXPECT_DOUBLE_EQ(smape({0, 0, 1}, {0, 2, 0}), 4.0 / 3.0);
  EXPECT_DOUBLE_EQ(smape({0, 0}, {0, 0}), 0.0);
  // Opposite signs reach the top of the 0..2 scale.
  EXPECT_DOUBLE_EQ(smape({1}, {-1}), 2.0);
}

TEST(Metrics, R2OfAConstantTarget) {
  EXPECT_EQ(r2({3, 3, 3}, {3, 3, 3}), 0.0);
  EXPECT_TRUE(std::isnan(r2({3, 3, 3}, {3, 4, 3})));
}

TEST(Metrics, MaseByHand) {
  const std::vector<double> train = {1, 3, 2, 5, 4, 6};
  // season 2: |2-1|, |5-3|, |4-2|, |6-5| = 1, 2, 2, 1 -> mean 1.5; MAE 0.5 -> 1/3
  EXPECT_DOUBLE_EQ(mase(kY, kP, train.data(), train.size(), 2), 0.5 / 1.5);
  // season 1: 2, 1, 3, 1, 2 -> mean 1.8
  EXPECT_DOUBLE_EQ(mase(kY, kP, train.data(), train.size(), 1), 0.5 / 1.8);
  // Too short for the season, or no seasonal difference at all: undefined.
  EXPECT_TRUE(std::isnan(mase(kY, kP, train.data(), 2, 2)));
  EXPECT_TRUE(std::isnan(mase(kY, kP, nullptr, 0, 24)));
  const std::vector<double> periodic = {1, 2, 1, 2, 1, 2};
  EXPECT_TRUE(std::isnan(mase(kY, kP, periodic.data(), periodic.size(), 2)));
  // A missing training hour drops the pairs it belongs to: 2-1 and 4-2 remain -> mean 1.5.
  const std::vector<double> gappy = {1, 3, 2, NAN, 4, 6};
  EXPECT_DOUBLE_EQ(mase(kY, kP, gappy.data(), gappy.size(), 2), 0.5 / 1.5);
  EXPECT_THROW(mase(kY, kP, train.data(), train.size(), 0), Error);
}

TEST(Metrics, RegressionBundlesAll) {
  const std::vector<double> train = {1, 3, 2, 5, 4, 6};
  const Regression r = regression(kY, kP, train.data(), train.size(), 2);
  EXPECT_DOUBLE_EQ(r.rmse, std::sqrt(0.5));
  EXPECT_DOUBLE_EQ(r.mae, 0.5);
  EXPECT_DOUBLE_EQ(r.r2, 0.6);
  EXPECT_DOUBLE_EQ(r.smape, 0.2);
  EXPECT_DOUBLE_EQ(r.mase, 1.0 / 3.0);
  const nlohmann::json j = to_json(r);
  EXPECT_DOUBLE_EQ(j.at("r2").get<double>(), 0.6);
  EXPECT_EQ(j.size(), 5u);
}

TEST(Metrics, SizeMismatchAndEmptyAreErrors) {
  EXPECT_THROW(rmse({1, 2}, {1}), Error);
  EXPECT_THROW(mae({}, {}), Error);
  EXPECT_THROW(r2({1}, {1, 2}), Error);
  EXPECT_THROW(smape({}, {}), Error);
  EXPECT_THROW(mase({1}, {}, nullptr, 0), Error);
  EXPECT_THROW(mean_std({}), Error);
  EXPECT_THROW(summarize({}), Error);
}

TEST(Metrics, NanPropagates) {
  EXPECT_TRUE(std::isnan(rmse({1, NAN}, {1, 2})));
  EXPECT_TRUE(std::isnan(mae({1, 2}, {1, NAN})));
  EXPECT_TRUE(std::isnan(r2({1, NAN}, {1, 2})));
}

TEST(Metrics, MeanStdByHand) {
  // mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sample variance 32/7
  const MeanStd ms = mean_std({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(ms.mean, 5.0);
  EXPECT_DOUBLE_EQ(ms.std, std::sqrt(32.0 / 7.0));
  const MeanStd one = mean_std({3});
  EXPECT_EQ(one.mean, 3.0);
  EXPECT_EQ(one.std, 0.0);
}

TEST(Metrics, SummarizeFolds) {
  Regression a{1, 2, 0.5, 0.1, 0.8};
  Regression b{3, 4, NAN, 0.3, 1.2};
  const nlohmann::json s = summarize({a, b});
  EXPECT_DOUBLE_EQ(s["rmse"]["mean"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(s["rmse"]["std"].get<double>(), std::sqrt(2.0));  // deviations ±1, n-1 = 1
  EXPECT_DOUBLE_EQ(s["mae"]["mean"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(s["smape"]["mean"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(s["mase"]["mean"].get<double>(), 1.0);
  EXPECT_EQ(s["rmse"]["folds_used"].get<size_t>(), 2u);
  // The NaN fold is left out of r2's summary but kept (as null once written) in the list.
  EXPECT_DOUBLE_EQ(s["r2"]["mean"].get<double>(), 0.5);
  EXPECT_EQ(s["r2"]["std"].get<double>(), 0.0);
  EXPECT_EQ(s["r2"]["folds_used"].get<size_t>(), 1u);
  ASSERT_EQ(s["folds"].size(), 2u);
  EXPECT_DOUBLE_EQ(s["folds"][0]["rmse"].get<double>(), 1.0);
  const nlohmann::json reread = nlohmann::json::parse(s.dump());
  EXPECT_TRUE(reread["folds"][1]["r2"].is_null());

  Regression c{1, 1, NAN, 0, 0};
  const nlohmann::json all_nan = summarize({c});
  EXPECT_TRUE(nlohmann::json::parse(all_nan.dump())["r2"]["mean"].is_null());
}

}  // namespace
}  // namespace fc::metrics
