// Baselines: seasonal naive by index; ridge against exact linear data and against
// a 2x2 closed form (Cramer's rule) computed here without Eigen.
#include "funnelcast/baselines/baselines.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "funnelcast/base/error.hpp"

namespace fc::baselines {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

features::Matrix matrix(size_t cols, const std::vector<float>& values) {
  features::Matrix m;
  m.cols = cols;
  m.rows = values.size() / cols;
  m.values = values;
  return m;
}

TEST(SeasonalNaive, ReadsOneSeasonBack) {
  const std::vector<double> h = {10, 11, 12, 13, 14, 15};
  EXPECT_EQ(seasonal_naive(h.data(), 5, 3), 12.0);
  EXPECT_EQ(seasonal_naive(h.data(), 3, 3), 10.0);
  EXPECT_EQ(seasonal_naive(h.data(), 6, 1), 15.0);  // the next, unobserved hour
  EXPECT_TRUE(std::isnan(seasonal_naive(h.data(), 2, 3)));
  EXPECT_TRUE(std::isnan(seasonal_naive(h.data(), 100, 168)));
  EXPECT_THROW(seasonal_naive(h.data(), 3, 0), Error);
}

TEST(Ridge, RecoversExactLinearWeights) {
  // y = 2 x0 - 3 x1 + 5 on 60 rows of unrelated-looking x values.
  std::vector<float> v;
  std::vector<double> y;
  for (int i = 0; i < 60; ++i) {
    const float x0 = static_cast<float>((i * 37) % 23) * 0.25f - 1.0f;
    const float x1 = static_cast<float>((i * 11) % 17) * 1.5f + 100.0f;
    v.push_back(x0);
    v.push_back(x1);
    y.push_back(2.0 * x0 - 3.0 * x1 + 5.0);
  }
  Ridge r;
  r.lambda = 1e-10;
  r.fit(matrix(2, v), y);
  ASSERT_EQ(r.weight.size(), 2u);
  // Back to original units: slope = w / scale, intercept = b - sum(w * mean / scale).
  EXPECT_NEAR(r.weight[0] / r.scale[0], 2.0, 1e-6);
  EXPECT_NEAR(r.weight[1] / r.scale[1], -3.0, 1e-6);
  const double b =
      r.intercept - r.weight[0] * r.mean[0] / r.scale[0] - r.weight[1] * r.mean[1] / r.scale[1];
  EXPECT_NEAR(b, 5.0, 1e-6);
  const float row[2] = {0.5f, 90.0f};
  EXPECT_NEAR(r.predict(row), 2.0 * 0.5 - 3.0 * 90.0 + 5.0, 1e-6);
}

TEST(Ridge, MatchesClosedFormWithLambdaOne) {
  const std::vector<float> x0 = {1, 2, 3, 4, 5, 7};
  const std::vector<float> x1 = {2, 1, 4, 3, 6, 5};
  const std::vector<double> y = {3, 4, 8, 7, 12, 11};
  std::vector<float> v;
  for (size_t i = 0; i < x0.size(); ++i) {
    v.push_back(x0[i]);
    v.push_back(x1[i]);
  }
  Ridge r;
  r.lambda = 1.0;
  r.fit(matrix(2, v), y);

  // Independent computation: standardize with the population std, then solve
  // [[a b][b c]] w = [p q] by Cramer's rule.
  const double n = 6;
  auto mean = [&](const std::vector<float>& x) {
    double s = 0;
    for (float e : x) s += e;
    return s / n;
  };
  auto sd = [&](const std::vector<float>& x, double m) {
    double s = 0;
    for (float e : x) s += (e - m) * (e - m);
    return std::sqrt(s / n);
  };
  const double m0 = mean(x0), m1 = mean(x1), s0 = sd(x0, m0), s1 = sd(x1, m1);
  double ybar = 0;
  for (double e : y) ybar += e;
  ybar /= n;
  double a = 1.0, bb = 0.0, c = 1.0, p = 0, q = 0;  // lambda on the diagonal
  for (size_t i = 0; i < 6; ++i) {
    const double z0 = (x0[i] - m0) / s0, z1 = (x1[i] - m1) / s1;
    a += z0 * z0;
    bb += z0 * z1;
    c += z1 * z1;
    p += z0 * (y[i] - ybar);
    q += z1 * (y[i] - ybar);
  }
  const double det = a * c - bb * bb;
  const double w0 = (p * c - bb * q) / det, w1 = (a * q - bb * p) / det;

  EXPECT_NEAR(r.mean[0], m0, 1e-12);
  EXPECT_NEAR(r.scale[1], s1, 1e-12);
  EXPECT_NEAR(r.intercept, ybar, 1e-12);
  EXPECT_NEAR(r.weight[0], w0, 1e-9);
  EXPECT_NEAR(r.weight[1], w1, 1e-9);
  const float row[2] = {6.0f, 2.5f};
  EXPECT_NEAR(r.predict(row), ybar + w0 * (6.0 - m0) / s0 + w1 * (2.5 - m1) / s1, 1e-9);
}

TEST(Ridge, MissingValuesAreImputedWithTheTrainingMean) {
  // Column 0 without its NaN: 1, 3, 5 -> mean 3, population std sqrt(8/3).
  const std::vector<float> v = {1, 10, kMissing, 20, 3, 30, 5, 45};
  const std::vector<double> y = {1, 2, 3, 5};
  Ridge r;
  r.fit(matrix(2, v), y);
  EXPECT_DOUBLE_EQ(r.mean[0], 3.0);
  EXPECT_DOUBLE_EQ(r.scale[0], std::sqrt(8.0 / 3.0));
  EXPECT_DOUBLE_EQ(r.mean[1], 26.25);
  const float with_nan[2] = {kMissing, 12.0f};
  const float with_mean[2] = {3.0f, 12.0f};
  EXPECT_DOUBLE_EQ(r.predict(with_nan), r.predict(with_mean));
  const float inf_row[2] = {std::numeric_limits<float>::infinity(), 12.0f};
  EXPECT_DOUBLE_EQ(r.predict(inf_row), r.predict(with_mean));
  EXPECT_TRUE(std::isfinite(r.predict(with_nan)));
}

TEST(Ridge, ConstantAndEmptyColumnsGetNoWeight) {
  // Column 0 constant, column 1 all missing, column 2 informative.
  const std::vector<float> v = {4, kMissing, 1, 4, kMissing, 2, 4, kMissing, 3, 4, kMissing, 4};
  const std::vector<double> y = {2, 4, 6, 8};
  Ridge r;
  r.fit(matrix(3, v), y);
  EXPECT_EQ(r.scale[0], 1.0);
  EXPECT_EQ(r.mean[1], 0.0);
  EXPECT_EQ(r.scale[1], 1.0);
  EXPECT_EQ(r.weight[0], 0.0);
  EXPECT_EQ(r.weight[1], 0.0);
  EXPECT_GT(r.weight[2], 0.0);
  EXPECT_DOUBLE_EQ(r.intercept, 5.0);
}

TEST(Ridge, NoFeaturesPredictsTheMean) {
  features::Matrix m;
  m.rows = 3;
  m.cols = 0;
  Ridge r;
  r.fit(m, {1, 2, 6});
  EXPECT_DOUBLE_EQ(r.predict(nullptr), 3.0);
}

TEST(Ridge, FitRefusesBadInput) {
  Ridge r;
  EXPECT_THROW(r.fit(matrix(1, {1, 2, 3}), {1, 2}), Error);  // size mismatch
  EXPECT_THROW(r.fit(matrix(1, {1, 2}), {1, NAN}), Error);   // missing target
  EXPECT_THROW(r.fit(matrix(1, {}), {}), Error);             // no rows
  r.lambda = -1;
  EXPECT_THROW(r.fit(matrix(1, {1, 2}), {1, 2}), Error);
  r.lambda = NAN;
  EXPECT_THROW(r.fit(matrix(1, {1, 2}), {1, 2}), Error);
}

TEST(Ridge, JsonRoundTripIsExact) {
  Ridge r;
  r.lambda = 0.3;
  r.fit(matrix(2, {0.1f, 7, 0.7f, 3, kMissing, 2, 1.9f, 11, 2.3f, 5}), {1.1, 2.2, 2.9, 4.4, 5.3});
  const nlohmann::json j = nlohmann::json::parse(r.to_json().dump());
  const Ridge back = Ridge::from_json(j, 2);
  EXPECT_EQ(back.lambda, r.lambda);
  EXPECT_EQ(back.intercept, r.intercept);
  EXPECT_EQ(back.mean, r.mean);
  EXPECT_EQ(back.scale, r.scale);
  EXPECT_EQ(back.weight, r.weight);
  const float row[2] = {1.234f, kMissing};
  EXPECT_EQ(back.predict(row), r.predict(row));
}

TEST(Ridge, FromJsonValidates) {
  Ridge r;
  r.fit(matrix(2, {1, 2, 3, 5, 4, 4}), {1, 2, 3});
  const nlohmann::json good = r.to_json();
  EXPECT_NO_THROW(Ridge::from_json(good, 2));
  EXPECT_THROW(Ridge::from_json(good, 3), Error);  // the spec has another width
  EXPECT_THROW(Ridge::from_json(nlohmann::json::array(), 2), Error);
  nlohmann::json j = good;
  j.erase("weight");
  EXPECT_THROW(Ridge::from_json(j, 2), Error);
  j = good;
  j["weight"][1] = NAN;
  EXPECT_THROW(Ridge::from_json(j, 2), Error);
  j = good;
  j["mean"][0] = "3";
  EXPECT_THROW(Ridge::from_json(j, 2), Error);
  j = good;
  j["scale"][0] = 0.0;
  EXPECT_THROW(Ridge::from_json(j, 2), Error);
  j = good;
  j["intercept"] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(Ridge::from_json(j, 2), Error);
  j = good;
  j["lambda"] = -2;
  EXPECT_THROW(Ridge::from_json(j, 2), Error);
}

}  // namespace
}  // namespace fc::baselines
