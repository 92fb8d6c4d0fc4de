// Baselines: seasonal naive by index; ridge against exact linear data and against
// a 2x2 closed form (Cramer's rule) computed here without Eigen; logistic regression
// against scikit-learn's coefficients and against its own optimality condition (the
// gradient of the penalized log-likelihood, computed here without Eigen, is ~0).
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

// ---------------------------------------------------------------------------------
// Logistic regression.
// ---------------------------------------------------------------------------------

// 60 rows, 3 features, 18 positives, not separable. The same formula is in the Python
// script below.
struct LeadData {
  features::Matrix x;
  std::vector<double> y;
};
LeadData lead_data() {
  LeadData d;
  std::vector<float> v;
  for (int i = 0; i < 60; ++i) {
    const double x0 = ((i * 37) % 23) * 0.25 - 1.0;
    const double x1 = ((i * 11) % 17) * 1.5 + 100.0;
    const double x2 = (i * 5) % 7;
    v.insert(v.end(), {static_cast<float>(x0), static_cast<float>(x1), static_cast<float>(x2)});
    const double s = 0.8 * x0 - 0.3 * (x1 - 110.0) + 0.5 * x2 + (((i * 29) % 11) - 5) * 0.6;
    d.y.push_back(s > 4.0 ? 1.0 : 0.0);
  }
  d.x = matrix(3, v);
  return d;
}

// The gradient of sum v_i logloss_i + lambda/2 |w|^2 in (intercept, weights), from the
// fitted model's own standardization, with plain loops.
std::vector<double> penalized_gradient(const Logistic& m, const features::Matrix& x,
                                       const std::vector<double>& y, const std::vector<double>& v) {
  std::vector<double> g(x.cols + 1, 0.0);
  for (size_t r = 0; r < x.rows; ++r) {
    const double p = 1.0 / (1.0 + std::exp(-m.predict_raw(x.row(r))));
    g[0] += v[r] * (p - y[r]);
    for (size_t c = 0; c < x.cols; ++c) {
      const float val = x.at(r, c);
      const double z = std::isfinite(val) ? (val - m.mean[c]) / m.scale[c] : 0.0;
      g[c + 1] += v[r] * (p - y[r]) * z;
    }
  }
  for (size_t c = 0; c < x.cols; ++c) g[c + 1] += m.lambda * m.weight[c];
  return g;
}

// Reference values: scikit-learn 1.2.1 (Debian's /usr/bin/python3), on features
// standardized with the (weighted) mean and population standard deviation:
//   X, y = the lead_data() formula;  s = sample weights (ones, or 1 + i % 3)
//   m = (s[:, None] * X).sum(0) / s.sum()
//   sd = np.sqrt((s[:, None] * (X - m) ** 2).sum(0) / s.sum());  Z = (X - m) / sd
//   LogisticRegression(C=C, class_weight=cw, solver="newton-cg", tol=1e-10,
//                      max_iter=10000).fit(Z, y, sample_weight=sw)
//   -> [intercept_, *coef_]; the penalized gradient there is below 6e-9.
TEST(Logistic, MatchesScikitLearn) {
  const LeadData d = lead_data();
  struct Case {
    double lambda, positive_weight;
    bool sample_weights;
    double expected[4];
  };
  const Case cases[] = {
      // C=0.5
      {2.0,
       1.0,
       false,
       {-1.3015649409898171, 0.7270169821836224, -1.578044916020951, 0.49407568926633716}},
      // C=0.5, class_weight={0: 1, 1: 3}
      {2.0,
       3.0,
       false,
       {-0.49747170279361347, 0.8193866876852559, -1.876314949577659, 0.6282933375358684}},
      // C=2, sample_weight = 1 + i % 3
      {0.5,
       1.0,
       true,
       {-1.8352158397329925, 1.0487277932844299, -2.693138544542032, 0.9517690354937242}},
  };
  for (const Case& c : cases) {
    Logistic m;
    m.lambda = c.lambda;
    m.positive_weight = c.positive_weight;
    std::vector<double> sw;
    if (c.sample_weights) {
      for (int i = 0; i < 60; ++i) sw.push_back(1.0 + i % 3);
    }
    m.fit(d.x, d.y, sw);
    EXPECT_NEAR(m.intercept, c.expected[0], 1e-6) << c.lambda;
    for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(m.weight[k], c.expected[k + 1], 1e-6) << k;
    EXPECT_LE(m.iterations, 15);
  }
}

TEST(Logistic, GradientVanishesAtTheSolution) {
  // Imbalanced (about 15% positive), with missing values and a weak feature.
  std::vector<float> v;
  std::vector<double> y, sw;
  for (int i = 0; i < 400; ++i) {
    const double a = std::sin(i * 0.37) * 3, b = ((i * 13) % 29) / 7.0, c = (i % 5) * 0.1;
    v.insert(v.end(), {i % 17 == 0 ? kMissing : static_cast<float>(a), static_cast<float>(b),
                       static_cast<float>(c)});
    y.push_back(a + 0.5 * b + std::cos(i * 1.7) * 2 > 3.2 ? 1.0 : 0.0);
    sw.push_back(0.5 + (i % 4) * 0.25);
  }
  const features::Matrix x = matrix(3, v);
  for (double lambda : {0.0, 0.01, 1.0, 50.0}) {
    for (double pw : {1.0, 4.0}) {
      Logistic m;
      m.lambda = lambda;
      m.positive_weight = pw;
      m.fit(x, y, sw);
      std::vector<double> vw(y.size());
      for (size_t r = 0; r < y.size(); ++r) vw[r] = sw[r] * (y[r] == 1 ? pw : 1.0);
      for (double g : penalized_gradient(m, x, y, vw)) EXPECT_NEAR(g, 0.0, 1e-7) << lambda;
    }
  }
}

TEST(Logistic, IntegerSampleWeightsCountLikeRepeatedRows) {
  const LeadData d = lead_data();
  std::vector<float> v;
  std::vector<double> y, sw;
  for (size_t r = 0; r < 60; ++r) {
    const int k = 1 + static_cast<int>(r % 3);
    sw.push_back(k);
    for (int j = 0; j < k; ++j) {
      v.insert(v.end(), d.x.row(r), d.x.row(r) + 3);
      y.push_back(d.y[r]);
    }
  }
  Logistic weighted, repeated;
  weighted.fit(d.x, d.y, sw);
  repeated.fit(matrix(3, v), y);
  EXPECT_NEAR(weighted.intercept, repeated.intercept, 1e-9);
  for (size_t c = 0; c < 3; ++c) {
    EXPECT_NEAR(weighted.mean[c], repeated.mean[c], 1e-9);
    EXPECT_NEAR(weighted.scale[c], repeated.scale[c], 1e-9);
    EXPECT_NEAR(weighted.weight[c], repeated.weight[c], 1e-9);
  }
}

TEST(Logistic, MissingValuesAndConstantColumns) {
  // Column 0 informative with a NaN, column 1 constant, column 2 all missing.
  const std::vector<float> v = {1, 5, kMissing, 2, 5, kMissing, kMissing, 5, kMissing,
                                4, 5, kMissing, 5, 5, kMissing, 3,        5, kMissing};
  const std::vector<double> y = {0, 0, 1, 1, 1, 0};
  Logistic m;
  m.lambda = 0.1;
  m.fit(matrix(3, v), y);
  EXPECT_DOUBLE_EQ(m.mean[0], 3.0);  // (1 + 2 + 4 + 5 + 3) / 5
  EXPECT_EQ(m.weight[1], 0.0);
  EXPECT_EQ(m.weight[2], 0.0);
  EXPECT_GT(m.weight[0], 0.0);
  const float with_nan[3] = {kMissing, 5, kMissing};
  const float with_mean[3] = {3.0f, 5, 7};
  EXPECT_DOUBLE_EQ(m.predict(with_nan), m.predict(with_mean));
  EXPECT_NEAR(m.predict(with_nan), 1.0 / (1.0 + std::exp(-m.predict_raw(with_nan))), 1e-15);
  // No features: the intercept is the log-odds of the base rate.
  features::Matrix none;
  none.rows = 4;
  Logistic b;
  b.fit(none, {1, 0, 0, 0});
  EXPECT_NEAR(b.intercept, std::log(1.0 / 3.0), 1e-12);
  EXPECT_NEAR(b.predict(nullptr), 0.25, 1e-12);
}

TEST(Logistic, SeparableDataNeedsAPenalty) {
  const features::Matrix x = matrix(1, {1, 2, 3, 4, 5, 6});
  const std::vector<double> y = {0, 0, 0, 1, 1, 1};
  Logistic m;
  m.lambda = 0;
  EXPECT_THROW(m.fit(x, y), Error);
  m.lambda = 1e-3;
  m.fit(x, y);
  const float lo[1] = {1}, hi[1] = {6};
  EXPECT_LT(m.predict(lo), 0.01);
  EXPECT_GT(m.predict(hi), 0.99);
}

TEST(Logistic, FitRefusesBadInput) {
  Logistic m;
  EXPECT_THROW(m.fit(matrix(1, {1, 2, 3}), {0, 1}), Error);        // size mismatch
  EXPECT_THROW(m.fit(matrix(1, {1, 2}), {0, 2}), Error);           // not 0/1
  EXPECT_THROW(m.fit(matrix(1, {1, 2}), {1, 1}), Error);           // one outcome
  EXPECT_THROW(m.fit(matrix(1, {1, 2}), {0, 1}, {1, 0}), Error);   // weight leaves one
  EXPECT_THROW(m.fit(matrix(1, {1, 2}), {0, 1}, {1, -1}), Error);  // negative weight
  EXPECT_THROW(m.fit(matrix(1, {1, 2}), {0, 1}, {1}), Error);      // weight count
  EXPECT_THROW(m.fit(matrix(1, {}), {}), Error);                   // no rows
  m.positive_weight = 0;
  EXPECT_THROW(m.fit(matrix(1, {1, 2}), {0, 1}), Error);
  m.positive_weight = 1;
  m.lambda = -1;
  EXPECT_THROW(m.fit(matrix(1, {1, 2}), {0, 1}), Error);
}

TEST(Logistic, JsonRoundTripAndValidation) {
  const LeadData d = lead_data();
  Logistic m;
  m.lambda = 0.7;
  m.positive_weight = 2.5;
  m.fit(d.x, d.y);
  const Logistic back = Logistic::from_json(nlohmann::json::parse(m.to_json().dump()), 3);
  EXPECT_EQ(back.lambda, m.lambda);
  EXPECT_EQ(back.positive_weight, m.positive_weight);
  EXPECT_EQ(back.intercept, m.intercept);
  EXPECT_EQ(back.mean, m.mean);
  EXPECT_EQ(back.scale, m.scale);
  EXPECT_EQ(back.weight, m.weight);
  const float row[3] = {1.5f, kMissing, 2};
  EXPECT_EQ(back.predict(row), m.predict(row));

  const nlohmann::json good = m.to_json();
  EXPECT_THROW(Logistic::from_json(good, 2), Error);
  EXPECT_THROW(Logistic::from_json(nlohmann::json::array(), 3), Error);
  nlohmann::json j = good;
  j.erase("positive_weight");
  EXPECT_THROW(Logistic::from_json(j, 3), Error);
  j = good;
  j["positive_weight"] = 0;
  EXPECT_THROW(Logistic::from_json(j, 3), Error);
  j = good;
  j["weight"][0] = "x";
  EXPECT_THROW(Logistic::from_json(j, 3), Error);
  j = good;
  j["scale"][2] = -1.0;
  EXPECT_THROW(Logistic::from_json(j, 3), Error);
  j = good;
  j["intercept"] = NAN;
  EXPECT_THROW(Logistic::from_json(j, 3), Error);
  j = good;
  j["lambda"] = -0.1;
  EXPECT_THROW(Logistic::from_json(j, 3), Error);
}

}  // namespace
}  // namespace fc::baselines
